/**
 * search_traces with explain: the causes behind the problem rows, through a real MCP client, the
 * server and the Graph simulator; each cause is checked against get_trace_details on its examples.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RequestBudget } from '../../src/graph/budget.js';
import { isProblemStatus } from '../../src/graph/types.js';
import { startHarness, structured, text, type Harness } from '../support/harness.js';
import { csvRecords } from '../support/csv.js';
import { rowsIn } from './ground-truth.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DAY = 86_400_000;
const NOW = new Date();
const WEEK = { startDateTime: new Date(NOW.getTime() - 7 * DAY).toISOString(), endDateTime: NOW.toISOString() };

const detailRequests = (x: Harness) => x.sim.requests.filter((r) => /getDetailsByRecipient/.test(r.path));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function harness(opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  return startHarness({ now: () => NOW, ...opts, sim: { now: () => NOW, ...opts.sim } });
}

describe('search_traces explain', () => {
  it('explains a week of failures: causes their examples really show, estimates within the problem rows, the summary leading', async () => {
    h = await harness();
    const failed = rowsIn(h.sim.tenant.rows, { start: WEEK.startDateTime, end: WEEK.endDateTime }, (r) => r.status === 'failed');
    const r = await h.call('search_traces', { ...WEEK, status: 'failed', explain: 5 });
    const s = structured(r);
    expect(s.totals.traces).toBe(failed.length);
    expect(s.explained.problemRows).toBe(failed.length);
    expect(s.explained.requests).toBeLessThanOrEqual(5);
    expect(s.explained.requests).toBe(detailRequests(h).length);
    expect(s.graphRequests).toBe(h.sim.requests.length);
    expect(s.causes.length).toBeGreaterThan(0);
    expect(sum(s.causes.map((c: any) => c.estimatedRows))).toBeLessThanOrEqual(s.explained.problemRows);
    expect(sum(s.causes.map((c: any) => c.estimatedRows))).toBe(s.explained.coveredRows);
    expect(sum(s.causes.map((c: any) => c.sampled))).toBe(s.explained.requests);
    expect(s.summary).toMatch(new RegExp(`^${failed.length} problem rows\\. Why \\(estimated`));
    expect(text(r)).toMatch(/Causes \(estimated/);
    for (const cause of s.causes) {
      expect(cause.examples.length).toBeGreaterThan(0);
      expect(cause.examples.length).toBeLessThanOrEqual(3);
      expect(cause.fixOwner).not.toBe('');
      expect(text(r)).toContain(cause.code);
      for (const ex of cause.examples) {
        const d = structured(await h.call('get_trace_details', ex));
        const code = cause.code.replace(/^deferred:/, '');
        if (/^\d\.\d+\.\d+$/.test(code)) expect(d.diagnosis.code, JSON.stringify(ex)).toBe(code);
        else if (cause.code.startsWith('quarantine:')) expect(d.outcome.state).toBe('quarantined');
        else if (cause.code.startsWith('spam:')) expect(d.outcome.state).toBe('filteredAsSpam');
        expect(d.diagnosis?.fixOwner ?? 'nobody').toBe(cause.fixOwner);
      }
    }
  });

  it('the result set\'s CSV and JSON carry the cause explain found: per row read, per cluster estimated, empty elsewhere', async () => {
    h = await harness();
    const s = structured(await h.call('search_traces', { ...WEEK, explain: 5 }));
    const readResource = async (uri: string) => ((await h!.client.readResource({ uri })).contents[0] as { text: string }).text;
    const csv = csvRecords(await readResource(s.resultSet.csvUri));
    const json = JSON.parse(await readResource(s.resultSet.jsonUri)).rows as Array<{ cause: string; causeSource: string }>;
    expect(csv).toHaveLength(s.totals.traces);
    expect(json.map((r) => [r.cause, r.causeSource])).toEqual(csv.map((r) => [r.cause, r.causeSource]));
    const examples = s.causes.flatMap((c: any) => c.examples.map((e: any) => ({ ...e, code: c.code, fixOwner: c.fixOwner })));
    const readRows = csv.filter((r) => r.causeSource === 'details read for this row');
    // Every sampled row is in the export with its own cause; no other row claims to have been read.
    expect(readRows).toHaveLength(s.explained.requests);
    for (const ex of examples) {
      const row = readRows.find((r) => r.traceId === ex.traceId && r.recipientAddress === ex.recipientAddress);
      expect(row, JSON.stringify(ex)).toBeDefined();
      expect((row!.cause ?? '').startsWith(`${ex.code}: `)).toBe(true);
      expect(row!.cause).toContain(`(${ex.fixOwner} must act)`);
    }
    // The rows with a cause are exactly the problem rows of the sampled clusters.
    const withCause = csv.filter((r) => r.cause !== '');
    expect(withCause).toHaveLength(s.explained.coveredRows);
    for (const r of withCause) expect(isProblemStatus(r.status as never), r.status).toBe(true);
    expect(withCause.length - readRows.length).toBe(s.explained.coveredRows - s.explained.requests);
    expect(withCause.filter((r) => r.causeSource !== 'details read for this row').every((r) => (r.causeSource ?? '').startsWith('estimated: '))).toBe(true);
    expect(csv.some((r) => r.cause === '' && r.causeSource === '')).toBe(true);

    // A search without explain exports no cause columns at all.
    const plain = structured(await h.call('search_traces', { ...WEEK, status: 'failed' }));
    expect(Object.keys(csvRecords(await readResource(plain.resultSet.csvUri))[0] ?? {})).toContain('direction');
    expect(Object.keys(csvRecords(await readResource(plain.resultSet.csvUri))[0] ?? {})).not.toContain('cause');
  });

  it('explain 0 (the default) sends no detail request and adds no causes', async () => {
    h = await harness();
    const s = structured(await h.call('search_traces', { ...WEEK, status: 'failed' }));
    expect(s.causes).toBeUndefined();
    expect(s.explained).toBeUndefined();
    expect(detailRequests(h)).toHaveLength(0);
  });

  it('refuses explain 11 with the accepted range', async () => {
    h = await harness();
    const r = await h.call('search_traces', { explain: 11 });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/explain must be a whole number from 0 to 10/);
    expect(h.sim.requests).toHaveLength(0);
  });

  it('a failing detail request costs its cluster only: the others are explained, the totals come back, a note says so', async () => {
    h = await harness();
    h.sim.faults.add({ kind: 'status', status: 503 }, { route: 'details', times: 1 });
    const s = structured(await h.call('search_traces', { ...WEEK, status: 'failed', explain: 4 }));
    expect(s.complete).toBe(true);
    expect(s.explained.requests).toBe(4); // no retry: the failure is the answer for that cluster
    expect(sum(s.causes.map((c: any) => c.sampled))).toBe(3);
    expect(s.notes.join(' ')).toMatch(/1 sampled cluster \(\d+ problem rows?\) could not be explained/);
  });

  it('with the budget nearly spent, spends fewer detail requests and says so', async () => {
    h = await harness({ budget: new RequestBudget(3) });
    const s = structured(await h.call('search_traces', { ...WEEK, status: 'failed', explain: 5 }));
    expect(s.graphRequests).toBe(3); // one page, then the two slots left
    expect(s.explained.requests).toBe(2);
    expect(s.notes.join(' ')).toMatch(/request budget had 2 requests free, so only 2 of the 5 detail requests/);
  });

  it('runs at most 3 detail requests at a time, and a cancel stops them', async () => {
    h = await harness();
    h.sim.faults.add({ kind: 'delay', ms: 1500 }, { route: 'details', times: 10 });
    const ac = new AbortController();
    const call = h.call('search_traces', { ...WEEK, explain: 10 }, { signal: ac.signal });
    for (let i = 0; i < 200 && detailRequests(h).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(detailRequests(h)).toHaveLength(3);
    ac.abort('user cancelled');
    await expect(call).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 2000));
    expect(detailRequests(h)).toHaveLength(3);
  });

  it('leaks no address with MESSAGE_TRACE_REDACT=addresses', async () => {
    h = await harness({ env: { MESSAGE_TRACE_REDACT: 'addresses' } });
    const r = await h.call('search_traces', { ...WEEK, explain: 5 });
    const s = structured(r);
    expect(s.causes.length).toBeGreaterThan(0);
    const ADDRESS = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
    const real = (x: string) => (x.match(ADDRESS) ?? []).filter((a) => !/^user\d+@/.test(a));
    expect(real(JSON.stringify(s))).toEqual([]);
    expect(real(text(r))).toEqual([]);
    for (const c of s.causes) for (const ex of c.examples) expect(ex.recipientAddress).toMatch(/^user\d+@/);
  });

  it('keeps a 1,000-row search with explain 5 within ~3,000 tokens, causes included', async () => {
    h = await harness();
    const rows = rowsIn(h.sim.tenant.rows, { start: WEEK.startDateTime, end: WEEK.endDateTime });
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    expect(rows.filter((x) => isProblemStatus(x.status)).length).toBeGreaterThan(10);
    const r = await h.call('search_traces', { ...WEEK, explain: 5 });
    const s = structured(r);
    expect(s.causes.length).toBeGreaterThan(0);
    expect(JSON.stringify(s).length / 4).toBeLessThan(3000);
    expect(text(r).length / 4).toBeLessThan(3000);
  });
});
