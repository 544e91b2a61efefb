/** MESSAGE_TRACE_REDACT=addresses: the local part of every address is masked, stably within one answer. */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, structured, text, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ADDRESS = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

function realLocalParts(s: string): string[] {
  return (s.match(ADDRESS) ?? []).filter((a) => !/^user\d+@/.test(a));
}

describe('address redaction', () => {
  it('masks every address in search results, the same alias for the same address', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_REDACT: 'addresses' } });
    const r = await h.call('search_traces', { limit: 50, startDateTime: new Date(Date.now() - 5 * 86_400_000).toISOString() });
    const s = structured(r);
    expect(realLocalParts(JSON.stringify(s))).toEqual([]);
    expect(realLocalParts(text(r))).toEqual([]);
    // Rows still group: the same real recipient gets the same alias within the answer.
    const truth = new Map<string, Set<string>>();
    const byKey = new Map(h.sim.tenant.rows.map((row) => [`${row.id}|${row.receivedDateTime}`, row]));
    for (const row of s.rows) {
      const real = byKey.get(`${row.traceId}|${row.receivedDateTime}`);
      if (!real) continue;
      const aliases = truth.get(real.senderAddress.toLowerCase()) ?? new Set();
      aliases.add(row.senderAddress);
      truth.set(real.senderAddress.toLowerCase(), aliases);
    }
    expect(truth.size).toBeGreaterThan(1);
    for (const aliases of truth.values()) expect(aliases.size).toBe(1);
    // The domain stays visible: it is what admins group by.
    expect(s.rows[0].recipientAddress).toMatch(/^user\d+@[a-z0-9.-]+$/);
  });

  it('masks addresses in the details story too, including inside event text', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_REDACT: 'addresses' } });
    const ref = h.sim.tenant.stories.publishedSample;
    const r = await h.call('get_trace_details', { traceId: ref.traceId, recipientAddress: ref.recipientAddress, responseFormat: 'detailed' });
    const s = structured(r);
    expect(realLocalParts(JSON.stringify(s))).toEqual([]);
    expect(realLocalParts(text(r))).toEqual([]);
    expect(s.recipientAddress).toBe('user1@bbb.ccccccc');
    expect(s.diagnosis.code).toBe('5.4.310');
  });

  it('is off by default', async () => {
    h = await startHarness();
    const ref = h.sim.tenant.stories.publishedSample;
    const s = structured(await h.call('get_trace_details', { traceId: ref.traceId, recipientAddress: ref.recipientAddress }));
    expect(s.recipientAddress).toBe('aaa@bbb.ccccccc');
  });
});
