import { afterEach, describe, expect, it } from 'vitest';
import { generateTenant } from '../../src/demo/simulator/tenant.js';
import { startHarness, structured, text, type Harness } from '../support/harness.js';
import { rowsIn, statusCounts } from './ground-truth.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('search_traces', () => {
  it('is listed with read-only annotations and a description that states the limits', async () => {
    h = await startHarness();
    const { tools } = await h.client.listTools();
    const tool = tools.find((t) => t.name === 'search_traces')!;
    expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(tool.description).toMatch(/90 days/);
    expect(tool.description).toMatch(/5-10 minutes/);
    expect(tool.description).toMatch(/get_trace_details/);
    expect(tool.outputSchema).toBeDefined();
  });

  it('with no arguments counts every row of the last 48 hours, by status, matching the tenant', async () => {
    h = await startHarness();
    const r = await h.call('search_traces', {});
    const s = structured(r);
    const truth = rowsIn(h.sim.tenant.rows, s.window);
    expect(Date.parse(s.window.end) - Date.parse(s.window.start)).toBe(48 * 3_600_000);
    expect(s.complete).toBe(true);
    expect(s.totals.traces).toBe(truth.length);
    expect(s.totals.messages).toBe(new Set(truth.map((x) => x.id)).size);
    expect(s.totals.byStatus).toEqual(statusCounts(truth));
    expect(s.rows.length).toBeLessThanOrEqual(20);
    for (const row of s.rows) {
      expect(row.traceId).toMatch(/^[0-9a-f-]{36}$/i);
      expect(row.subject.startsWith('«') && row.subject.endsWith('»')).toBe(true);
    }
    expect(s.summary).toMatch(/recipient deliveries in .* messages/);
    expect(text(r)).toContain(s.summary);
    // Every request carried the bearer token and asked for unknown enum members (recalled).
    for (const req of h.sim.requests) {
      expect(req.authorization).toBe('Bearer test-token-7f3c9a1e');
      expect(req.prefer).toMatch(/include-unknown-enum-members/);
    }
  });

  it('lists problem rows before delivered ones, and groups rows of one message together', async () => {
    h = await startHarness();
    const s = structured(await h.call('search_traces', { limit: 100, startDateTime: new Date(Date.now() - 9 * 86_400_000).toISOString() }));
    const firstDelivered = s.rows.findIndex((x: any) => x.status === 'delivered');
    const lastFailed = s.rows.map((x: any) => x.status).lastIndexOf('failed');
    if (firstDelivered >= 0 && lastFailed >= 0) {
      // A delivered row may only precede a failed one when it belongs to the same message (grouping).
      for (let i = 0; i < lastFailed; i++) {
        if (s.rows[i].status === 'delivered') expect(s.rows.slice(i).some((x: any) => x.traceId === s.rows[i].traceId && x.status !== 'delivered')).toBe(true);
      }
    }
    const seen = new Set<string>();
    let prev = '';
    for (const row of s.rows) {
      if (row.traceId !== prev) {
        expect(seen.has(row.traceId)).toBe(false);
        seen.add(row.traceId);
      }
      prev = row.traceId;
    }
  });

  it('filters by status with eq and reports only that status', async () => {
    h = await startHarness();
    const s = structured(await h.call('search_traces', { status: 'failed', startDateTime: new Date(Date.now() - 5 * 86_400_000).toISOString() }));
    const truth = rowsIn(h.sim.tenant.rows, s.window, (r) => r.status.toLowerCase() === 'failed');
    expect(truth.length).toBeGreaterThan(0);
    expect(s.totals.traces).toBe(truth.length);
    expect(Object.keys(s.totals.byStatus)).toEqual(['failed']);
    const filter = h.sim.requests.at(-1)!.query.$filter;
    expect(filter).toContain("status eq 'failed'");
    expect(s.nextSteps.join(' ')).toMatch(/get_trace_details/);
  });

  it('fans a list of senders out into one query each, merged without duplicates', async () => {
    h = await startHarness();
    const window = { start: new Date(Date.now() - 8 * 86_400_000).toISOString(), end: new Date().toISOString() };
    const senders = [...new Set(rowsIn(h.sim.tenant.rows, window).map((r) => r.senderAddress.toLowerCase()))].slice(0, 3);
    const s = structured(await h.call('search_traces', { senderAddress: senders, startDateTime: window.start }));
    const truth = rowsIn(h.sim.tenant.rows, s.window, (r) => senders.includes(r.senderAddress.toLowerCase()));
    expect(s.totals.traces).toBe(truth.length);
    const filters = h.sim.requests.map((r) => r.query.$filter ?? '');
    for (const sender of senders) expect(filters.some((f) => f.includes(`senderAddress eq '${sender}'`))).toBe(true);
    expect(filters.every((f) => !/ or /i.test(f))).toBe(true);
    expect(s.notes.join(' ')).toMatch(/one by one/);
  });

  it('splits a window longer than 10 days into ≤10-day queries and counts the whole window', async () => {
    h = await startHarness();
    const start = new Date(Date.now() - 25 * 86_400_000).toISOString();
    const s = structured(await h.call('search_traces', { startDateTime: start, status: 'quarantined', limit: 5 }));
    const truth = rowsIn(h.sim.tenant.rows, s.window, (r) => r.status.toLowerCase() === 'quarantined');
    expect(s.totals.traces).toBe(truth.length);
    const listCalls = h.sim.requests.filter((r) => r.query.$filter);
    expect(listCalls.length).toBeGreaterThanOrEqual(3);
    for (const c of listCalls) {
      const [, ge, le] = /ge (\S+) and receivedDateTime le (\S+)/.exec(c.query.$filter!)!;
      expect(Date.parse(le!) - Date.parse(ge!)).toBeLessThanOrEqual(10 * 86_400_000);
    }
    expect(s.notes.join(' ')).toMatch(/slices/);
  });

  it('adds angle brackets to a message id and escapes quotes in a subject', async () => {
    h = await startHarness();
    const story = h.sim.tenant.stories.deliveredInbox;
    const bare = story.messageId.replace(/^<|>$/g, '');
    const s = structured(await h.call('search_traces', { messageId: bare, startDateTime: new Date(Date.now() - 9 * 86_400_000).toISOString() }));
    expect(h.sim.requests.at(-1)!.query.$filter).toContain(`messageId eq '${story.messageId.replace(/'/g, "''")}'`);
    expect(s.rows.some((r: any) => r.traceId === story.traceId)).toBe(true);

    const withQuote = h.sim.tenant.rows.find((r) => r.subject.includes("'") && Date.now() - Date.parse(r.receivedDateTime) < 9 * 86_400_000)!;
    expect(withQuote).toBeDefined();
    const fragment = withQuote.subject.slice(Math.max(0, withQuote.subject.indexOf("'") - 3), withQuote.subject.indexOf("'") + 3);
    const q = structured(await h.call('search_traces', { subject: fragment, startDateTime: new Date(Date.now() - 9 * 86_400_000).toISOString(), limit: 100 }));
    expect(q.totals.traces).toBeGreaterThan(0);
    expect(h.sim.requests.at(-1)!.query.$filter).toContain(`contains(subject,'${fragment.replace(/'/g, "''")}')`);
  });

  it('rejects bad input with the field and the accepted form, without calling Graph', async () => {
    h = await startHarness();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ sender: 'a@b.com' }, /Unknown argument\(s\): sender\. Accepted arguments: senderAddress, recipientAddress/],
      [{ status: 'bounced' }, /status must be one of/],
      [{ traceId: 'not-a-guid' }, /traceId must be a message trace id/],
      [{ fromIP: '999.1.1.1' }, /fromIP must be an IPv4 or IPv6 address/],
      [{ senderAddress: 'nobody' }, /senderAddress must be/],
      [{ recipientAddress: Array.from({ length: 21 }, (_, i) => `u${i}@contoso.com`) }, /list of 1 to 20/],
      [{ limit: 1000 }, /limit must be a whole number from 0 to 100/],
      [{ startDateTime: '2026-01-01' }, /ISO 8601/],
    ];
    for (const [args, pattern] of cases) {
      const r = await h.call('search_traces', args);
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(text(r)).toMatch(pattern);
    }
    expect(h.sim.requests).toHaveLength(0);
  });

  it('answers a start older than 90 days with the earliest allowed instant', async () => {
    h = await startHarness();
    const r = await h.call('search_traces', { startDateTime: new Date(Date.now() - 91 * 86_400_000).toISOString() });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/more than 90 days ago[\s\S]*Use a startDateTime at or after \d{4}-\d\d-\d\dT/);
  });

  it('stops at the result cap with complete: false and says how to narrow', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_MAX_ROWS: '50' } });
    const s = structured(await h.call('search_traces', {}));
    expect(s.complete).toBe(false);
    expect(s.totals.traces).toBe(50);
    expect(s.notes.join(' ')).toMatch(/result cap of 50 rows/);
  });

  it('explains the missing service principal (403) with both fixes', async () => {
    h = await startHarness();
    h.sim.faults.add({ kind: 'servicePrincipal', status: 403 });
    const r = await h.call('search_traces', {});
    expect(r.isError).toBe(true);
    const t = text(r);
    expect(t).toContain('8bd644d1-64a1-4d4b-ae52-2e0cbf64e373');
    expect(t).toContain('New-MgServicePrincipal');
    expect(t).toContain('POST https://graph.microsoft.com/v1.0/servicePrincipals');
    expect(t).toMatch(/request-id: [0-9a-f-]{36}/);
    // The next call works normally.
    expect((await h.call('search_traces', {})).isError).toBeFalsy();
  });

  it('retries a 429 that carries Retry-After and succeeds', async () => {
    h = await startHarness();
    h.sim.faults.add({ kind: 'throttle', retryAfter: '1' });
    const t0 = Date.now();
    const r = await h.call('search_traces', {});
    expect(r.isError).toBeFalsy();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('gives up on throttling beyond the wait allowance and says when to retry', async () => {
    h = await startHarness({ waitAllowanceMs: 2000 });
    h.sim.faults.add({ kind: 'throttle', retryAfter: '30' });
    const t0 = Date.now();
    const r = await h.call('search_traces', {});
    // Gave up at once: one request, no retry, and nowhere near the 30 s it was asked to wait
    // (a bound far from both outcomes, so a loaded machine cannot fail it).
    expect(h.sim.requests).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/throttling[\s\S]*Wait 30 seconds/);
  });

  it('reports configuration problems from the tool call instead of failing to start', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_API_VERSION: 'v9' } });
    const r = await h.call('search_traces', {});
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/MESSAGE_TRACE_API_VERSION: its value is not a Graph API version[\s\S]*v1.0 \(the default\) or beta/);
  });

  it('sends progress notifications while paging when the client asks', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_MAX_ROWS: '100000' } });
    const messages: string[] = [];
    const r = await h.call('search_traces', { startDateTime: new Date(Date.now() - 9 * 86_400_000).toISOString() }, { onprogress: (p) => messages.push(p.message ?? '') });
    expect(r.isError).toBeFalsy();
    expect(messages.length).toBeGreaterThan(0);
    expect(messages[0]).toMatch(/page 1 read/);
  });

  it('keeps a 1,000-row answer within ~3,000 tokens (concise)', async () => {
    const now = new Date();
    h = await startHarness({ sim: { tenant: generateTenant({ now, bulkRows: { count: 1000, senderAddress: 'newsletter@contoso.com', withinMinutes: 60 } }) } });
    const r = await h.call('search_traces', { senderAddress: 'newsletter@contoso.com' });
    const s = structured(r);
    expect(s.totals.traces).toBeGreaterThanOrEqual(1000);
    expect(JSON.stringify(s).length / 4).toBeLessThan(3000);
    expect(text(r).length / 4).toBeLessThan(3000);
  });
});
