/**
 * The request budget under concurrency, against the real simulator: a request checks and takes its
 * slot in one step, so concurrent requests never send more than the budget allows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RequestBudget } from '../../src/graph/budget.js';
import { GraphClient, WaitAllowance } from '../../src/graph/client.js';
import { startGraphSimulator, type GraphSimulator } from '../../src/demo/simulator/server.js';
import { TraceError } from '../../src/errors.js';

let sim: GraphSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('GraphClient and the request budget', () => {
  it('sends only as many concurrent requests as the budget has slots; the rest are refused, not sent', async () => {
    sim = await startGraphSimulator({ rateLimit: false });
    // A token that takes a moment, as a real credential's first token does: the window the race lived in.
    const tokens = { delegated: false, getToken: () => new Promise<string>((resolve) => setTimeout(() => resolve('t'), 20)) };
    const client = new GraphClient({ origin: sim.url, apiVersion: 'v1.0', tokens, budget: new RequestBudget(2) });
    const url = client.url('/admin/exchange/tracing/messageTraces?$top=1');
    const outcomes = await Promise.allSettled(
      [0, 1, 2].map(() => client.getJson(url, { signal: new AbortController().signal, allowance: new WaitAllowance(100), what: 'listing' })),
    );
    expect(sim.requests).toHaveLength(2);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(TraceError);
    expect((refused.reason as TraceError).kind).toBe('throttled');
    expect(client.requestsAvailable()).toBe(0);
    await client.close();
  });
});
