/**
 * What a model sees of the tools: tools/list (names, titles, descriptions, input and output
 * schemas, annotations) against a reviewed copy, so that every change to it shows up in review.
 * After an intended change: `npx vitest run test/tools/tools-list.test.ts -u`, then read the diff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('tools/list', () => {
  it('matches the reviewed snapshot, in a fixed order', async () => {
    const { tools } = await h.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['search_traces', 'get_trace_details']);
    await expect(`${JSON.stringify(tools, null, 2)}\n`).toMatchFileSnapshot('./__snapshots__/tools-list.json');
  });
});
