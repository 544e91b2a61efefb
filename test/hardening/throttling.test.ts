/**
 * Quota-aware by construction: a burst that would need more than the tenant's 100 requests per
 * 5 minutes is paced or answered partially (with when to retry), never a storm of 429s.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RequestBudget } from '../../src/graph/budget.js';
import { startHarness, structured, text, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const senders = Array.from({ length: 20 }, (_, i) => `burst${i}@contoso.com`);

describe('tenant quota', () => {
  it('a burst needing 200 requests uses at most the budget, draws no 429, and says when to retry', async () => {
    let now = 1_000_000;
    const budget = new RequestBudget(90, 300_000, () => now);
    h = await startHarness({ budget, waitAllowanceMs: 5_000 });
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await h.call('search_traces', { senderAddress: senders, limit: 0 }));
    // The simulator enforces Graph's real 100 / 5 min: we never got near it.
    expect(h.sim.requests.length).toBeLessThanOrEqual(90);
    expect(h.sim.requests.filter((r) => r.status === 429)).toHaveLength(0);
    const ok = results.filter((r) => !r.isError && (r.structuredContent as any).complete);
    const refused = results.filter((r) => r.isError || !(r.structuredContent as any).complete);
    expect(ok.length).toBe(4); // 4 × 20 queries = 80; the 5th call runs out at 90.
    expect(refused.length).toBe(6);
    for (const r of refused) {
      const t = r.isError ? text(r) : (r.structuredContent as any).notes.join(' ');
      expect(t).toMatch(/100 (message trace )?requests per (rolling )?5 minutes/);
      expect(t).toMatch(/Wait \d+ seconds/);
    }
    // A partial answer, not an error, when some pages were already read.
    const partial = results.find((r) => !r.isError && !(r.structuredContent as any).complete);
    expect(partial).toBeDefined();
    // Once the window has passed, the server works again.
    now += 300_001;
    const after = await h.call('search_traces', { senderAddress: senders.slice(0, 2), limit: 0 });
    expect(structured(after).complete).toBe(true);
  });

  it('paces short waits inside the allowance instead of failing', async () => {
    let now = 0;
    let slept = 0;
    const budget = new RequestBudget(2, 1_000, () => now);
    h = await startHarness({ budget, waitAllowanceMs: 5_000 });
    // Two requests fill the budget; the third waits ~1 s (real sleep) and succeeds.
    budget.take();
    budget.take();
    const t0 = Date.now();
    const timer = setInterval(() => {
      now += 100;
      slept += 100;
    }, 100);
    try {
      const r = await h.call('search_traces', { limit: 0 });
      expect(r.isError).toBeFalsy();
    } finally {
      clearInterval(timer);
    }
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(slept).toBeGreaterThan(0);
  });
});
