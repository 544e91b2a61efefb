/**
 * Every wait and every read is bounded, and results survive mistakes, through the real path
 * (MCP client → server → undici → Graph simulator with hostile faults): a huge Retry-After, a
 * dripping body, an oversized body, 125,000 detail events, junk paging, a cancelled search, bad
 * prompt arguments, an absurd message size.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { RequestBudget } from '../../src/graph/budget.js';
import type { MessageTraceRow } from '../../src/graph/types.js';
import { startHarness, structured, text, type Harness, type HarnessOptions } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(opts: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness({ budget: new RequestBudget(1_000_000), ...opts, sim: { rateLimit: false, ...opts.sim } });
  return h;
}

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await h!.client.callTool({ name, arguments: args }, undefined, { timeout: 30_000 })) as CallToolResult;
}

const story = () => h!.sim.tenant.stories.publishedSample;

describe('Retry-After is capped at 5 minutes', () => {
  for (const retryAfter of ['999999999', 'Fri, 31 Dec 9999 23:59:59 GMT', `9${'9'.repeat(400)}`]) {
    it(`a 429 asking for ${retryAfter.slice(0, 30)} holds the server back 5 minutes at most, and says so`, async () => {
      let now = 1_000_000;
      const budget = new RequestBudget(90, 300_000, () => now);
      await harness({ budget, waitAllowanceMs: 2_000 });
      h!.sim.faults.add({ kind: 'throttle', retryAfter });
      const r = await call('search_traces', {});
      expect(r.isError).toBe(true);
      const t = text(r);
      expect(t).toMatch(/at most 5 minutes/);
      expect(t).not.toMatch(/e\+\d|Infinity|NaN|999999/);
      expect(budget.waitMs()).toBeLessThanOrEqual(300_000);
      now += 300_001;
      expect(budget.waitMs()).toBe(0);
      const after = await call('search_traces', { limit: 0 });
      expect(after.isError, text(after)).toBeFalsy();
    });
  }
});

describe('each Graph response is bounded', () => {
  it('a body that drips one byte at a time meets the overall deadline, not only the idle timeout', async () => {
    await harness({ graphOptions: { responseDeadlineMs: 600, bodyTimeoutMs: 10_000, maxAttempts: 1 } });
    h!.sim.faults.add({ kind: 'drip', intervalMs: 50 });
    const r = await call('search_traces', {});
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/did not finish its answer within 1 s \(headers and body\)/);
  });

  it('a body over the size cap stops being read, with a clear error', async () => {
    await harness({ graphOptions: { maxBodyBytes: 1024 * 1024, maxAttempts: 1 } });
    h!.sim.faults.add({ kind: 'oversized', bytes: 3 * 1024 * 1024 }, { route: 'details' });
    const r = await call('get_trace_details', { traceId: story().traceId, recipientAddress: story().recipientAddress });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/larger than 1 MB/);
    expect(text(r)).toMatch(/Fix: /);
  });

  it('125,000 detail events: capped before anything is rendered, with a note', async () => {
    await harness();
    h!.sim.faults.add({ kind: 'manyEvents', count: 125_000 }, { route: 'details' });
    for (const responseFormat of ['concise', 'detailed']) {
      if (responseFormat === 'detailed') h!.sim.faults.add({ kind: 'manyEvents', count: 125_000 }, { route: 'details' });
      const r = await call('get_trace_details', { traceId: story().traceId, recipientAddress: story().recipientAddress, responseFormat });
      const s = structured(r);
      expect((s.notes as string[]).join(' ')).toMatch(/123,000 of 125,000 events .*not read/);
      expect(text(r).length).toBeLessThan(80_000);
    }
  });
});

describe('huge fields', () => {
  it('an 8 MB subject is cut to the answer\'s size, and the cut says exactly how much is left out', async () => {
    const base = (await import('../../src/demo/simulator/tenant.js')).generateTenant({ now: new Date() });
    const subject = `Invoice for john.smith@contoso.com ${'x'.repeat(8 * 1024 * 1024)}`;
    const row: MessageTraceRow = { ...base.rows[0]!, receivedDateTime: new Date(Date.now() - 3_600_000).toISOString(), subject };
    await harness({ sim: { tenant: { ...base, rows: [row] } }, env: { MESSAGE_TRACE_REDACT: 'addresses' } });
    const r = await call('search_traces', { limit: 5 });
    const listed = structured(r).rows[0].subject as string;
    expect(listed).toMatch(/^«Invoice for user\d+@contoso\.com x+…\(\+\d+ chars\)»$/);
    const shown = Array.from(listed.slice(1, listed.indexOf('…'))).length;
    const alias = /user\d+@contoso\.com/.exec(listed)![0];
    const left = Number(/\(\+(\d+) chars\)/.exec(listed)![1]);
    expect(shown + left).toBe(Array.from(subject).length - 'john.smith@contoso.com'.length + alias.length);
    expect(text(r).length).toBeLessThan(20_000);
  });
});

describe('junk paging and the request budget', () => {
  it('pages that add no new rows, each with a fresh next link, stop after a few with an honest note', async () => {
    await harness();
    h!.sim.faults.add({ kind: 'junkPages' }, { route: 'list', times: Infinity });
    const r = await call('search_traces', { startDateTime: new Date(Date.now() - 5 * 86_400_000).toISOString(), limit: 0 });
    const s = structured(r);
    expect(s.complete).toBe(false);
    expect(s.graphRequests).toBeLessThanOrEqual(5);
    const notes = (s.notes as string[]).join(' ');
    expect(notes).toMatch(/added no new rows/);
    expect(`${text(r)} ${notes}`).not.toMatch(/throttl/i);
  });

  it('running out of its own budget is not reported as Graph throttling', async () => {
    const budget = new RequestBudget(1, 300_000);
    await harness({ budget, waitAllowanceMs: 1_000 });
    budget.take();
    const r = await call('search_traces', { limit: 0 });
    expect(r.isError).toBe(true);
    const t = text(r);
    expect(t).not.toMatch(/API is throttling|Graph is throttling/);
    expect(t).toMatch(/own request budget/);
    expect(t).toMatch(/Wait \d+ seconds/);
    expect(h!.sim.requests.filter((x) => x.status === 429)).toHaveLength(0);
  });
});

describe('results survive mistakes', () => {
  it('cancelling a search never evicts another kept result set', async () => {
    // Tenant domains set: rows reach the result set as they arrive (no hold-back while they are inferred).
    await harness({ results: { maxRows: 400 }, env: { MESSAGE_TRACE_DOMAINS: 'contoso.com' } });
    const first = structured(await call('search_traces', { limit: 0 }));
    expect(first.resultSet.rows).toBeGreaterThan(300);
    // The second search (two 10-day slices) reads the first slice's rows, then hangs on the
    // second slice: cancel it there. Its rows alone would have pushed the first set out.
    h!.sim.faults.add({ kind: 'delay', ms: 0 }, { route: 'list' });
    h!.sim.faults.add({ kind: 'hang' }, { route: 'list' });
    const ac = new AbortController();
    const pending = h!.client.callTool({ name: 'search_traces', arguments: { startDateTime: new Date(Date.now() - 19 * 86_400_000).toISOString(), limit: 0 } }, undefined, {
      signal: ac.signal,
      timeout: 30_000,
    });
    while (h!.sim.requests.filter((x) => x.status === 0).length === 0) await new Promise((res) => setTimeout(res, 20));
    expect(h!.sim.requests.at(-2)!.status).toBe(200);
    ac.abort();
    await expect(pending).rejects.toThrow();
    const read = await h!.client.readResource({ uri: first.resultSet.csvUri });
    expect((read.contents[0] as { text: string }).text.split('\r\n').length).toBeGreaterThan(300);
  });

  it('prompt arguments are validated like tool arguments', async () => {
    await harness();
    await expect(h!.client.getPrompt({ name: 'investigate_undelivered_mail', arguments: { senderAddress: 'not an address', recipientAddress: 'bob@contoso.com' } })).rejects.toThrow(
      /senderAddress must be an SMTP address/,
    );
    await expect(h!.client.getPrompt({ name: 'check_message_delivery', arguments: { messageId: 'has spaces in it' } })).rejects.toThrow(/messageId/);
    const ok = await h!.client.getPrompt({ name: 'investigate_undelivered_mail', arguments: { senderAddress: 'ann@fabrikam.com', recipientAddress: 'bob@contoso.com' } });
    expect(ok.messages).toHaveLength(1);
  });

  it('an absurd number argument is refused with its error said once', async () => {
    await harness();
    for (const [args, message] of [
      [{ limit: 9.5367431640625e301 }, 'limit must be a whole number from 0 to 100'],
      [{ limit: -1.5 }, 'limit must be a whole number from 0 to 100'],
      [{ groupBy: 'status', top: 1e308 }, 'top must be a whole number from 1 to 50'],
    ] as const) {
      const r = await call('search_traces', args);
      expect(r.isError).toBe(true);
      expect(text(r).split(message).length - 1, text(r)).toBe(1);
    }
  });

  it('a message size too big to be real is not shown as a number', async () => {
    const row: MessageTraceRow = {
      id: 'aaaaaaaa-0000-4000-8000-00000000abcd',
      messageId: '<huge@fabrikam.com>',
      senderAddress: 'ann@fabrikam.com',
      recipientAddress: 'bob@contoso.com',
      receivedDateTime: new Date(Date.now() - 3_600_000).toISOString(),
      subject: 'huge',
      size: 1e308,
      fromIP: '',
      toIP: '',
      status: 'delivered',
    };
    const base = (await import('../../src/demo/simulator/tenant.js')).generateTenant({ now: new Date() });
    await harness({ sim: { tenant: { ...base, rows: [row] } } });
    const r = await call('search_traces', { limit: 5 });
    expect(`${text(r)} ${JSON.stringify(r.structuredContent)}`).not.toMatch(/e\+\d{2,}|Infinity/);
  });
});
