/**
 * search_traces reports (groupBy, top, timeZone, direction) through a real MCP client, the server
 * and the Graph simulator; every number is checked against the simulated tenant's rows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageTraceRow } from '../../src/graph/types.js';
import { generateTenant } from '../../src/demo/simulator/tenant.js';
import { startHarness, structured, text, type Harness, type HarnessOptions } from '../support/harness.js';
import { countBy, directionOf, domainOf, rowsIn, statusCounts, statusOf } from './ground-truth.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(Date.now() - d * DAY).toISOString();

/** Rows shown + "other" = every row, per status too, and the report agrees with the totals. */
function expectReportAddsUp(s: any): void {
  const r = s.report;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  expect(sum(r.groups.map((g: any) => g.total)) + (r.other?.total ?? 0)).toBe(s.totals.traces);
  expect(r.totals.total).toBe(s.totals.traces);
  r.statuses.forEach((status: string, i: number) => {
    expect(sum(r.groups.map((g: any) => g.counts[i])) + (r.other?.counts[i] ?? 0)).toBe(s.totals.byStatus[status]);
    expect(r.totals.counts[i]).toBe(s.totals.byStatus[status]);
  });
}

/** A harness whose server, simulator and tenant all live at `now`, with bulk rows just before it. */
function at(now: Date, bulk?: { count: number; withinMinutes: number }, env?: Record<string, string>): Promise<Harness> {
  const opts: HarnessOptions = {
    now: () => now,
    sim: {
      now: () => now,
      tenant: generateTenant({ now, ...(bulk ? { bulkRows: { ...bulk, senderAddress: 'newsletter@contoso.com' } } : {}) }),
    },
    ...(env ? { env } : {}),
  };
  return startHarness(opts);
}

describe('search_traces reports', () => {
  it('"failures by recipient domain": the top domains with their counts, the rest as other, as a Markdown table', async () => {
    h = await startHarness();
    const r = await h.call('search_traces', { status: 'failed', groupBy: 'recipientDomain', startDateTime: daysAgo(9) });
    const s = structured(r);
    const truth = countBy(rowsIn(h.sim.tenant.rows, s.window, (x) => statusOf(x) === 'failed'), (x) => domainOf(x.recipientAddress));
    const ranked = Object.entries(truth).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    expect(ranked.length).toBeGreaterThan(10);
    expect(s.report.groupBy).toEqual(['recipientDomain']);
    expect(s.report.statuses).toEqual(['failed']);
    expect(s.report.groups.map((g: any) => [g.key[0], g.total])).toEqual(ranked.slice(0, 10));
    expect(s.report.other.total).toBe(ranked.slice(10).reduce((n, [, c]) => n + c, 0));
    expect(s.report.other.label).toBe(`other (${ranked.length - 10} more groups)`);
    expect(s.report.distinctGroups).toBe(ranked.length);
    expectReportAddsUp(s);
    // The summary names the top group; the text carries a real Markdown table.
    expect(s.summary).toContain(`Report by recipient domain, largest: ${ranked[0]![0]} ${ranked[0]![1]}`);
    const t = text(r);
    expect(t).toContain('| recipientDomain | total | failed |\n| --- | ---: | ---: |');
    expect(t).toContain(`| ${ranked[0]![0]} | ${ranked[0]![1]} | ${ranked[0]![1]} |`);
    expect(t).toContain(`| **total** | **${s.totals.traces}** | **${s.totals.traces}** |`);
    // With a report, fewer rows are listed by default.
    expect(s.rows.length).toBeLessThanOrEqual(10);
  });

  it('"top senders of quarantined mail this week" with top', async () => {
    h = await startHarness();
    const s = structured(await h.call('search_traces', { status: 'quarantined', groupBy: 'senderAddress', top: 3, startDateTime: daysAgo(7) }));
    const truth = countBy(rowsIn(h.sim.tenant.rows, s.window, (x) => statusOf(x) === 'quarantined'), (x) => x.senderAddress.toLowerCase());
    const ranked = Object.entries(truth).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    expect(s.report.groups.map((g: any) => [g.key[0], g.total])).toEqual(ranked.slice(0, 3));
    expectReportAddsUp(s);
  });

  it('"delivery report per day" in a time zone: every local day of the window, empty ones as zero rows', async () => {
    h = await startHarness();
    const tz = 'Europe/Prague';
    const s = structured(await h.call('search_traces', { groupBy: 'day', timeZone: tz, startDateTime: daysAgo(12) }));
    const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    const truth = rowsIn(h.sim.tenant.rows, s.window);
    const byDay = countBy(truth, (x) => localDate.format(new Date(x.receivedDateTime)));
    const first = localDate.format(new Date(s.window.start));
    const last = localDate.format(new Date(s.window.end));
    const days: string[] = [];
    for (let d = new Date(`${first}T12:00:00Z`); d.toISOString().slice(0, 10) <= last; d = new Date(d.getTime() + DAY)) days.push(d.toISOString().slice(0, 10));
    expect(s.report.groups.map((g: any) => g.key[0])).toEqual(days);
    expect(s.report.groups.map((g: any) => g.total)).toEqual(days.map((d) => byDay[d] ?? 0));
    expect(s.report.timeZone).toBe(tz);
    expect(s.report.other).toBeUndefined();
    expectReportAddsUp(s);
    expect(s.summary).toMatch(/Report by day \(Europe\/Prague\): busiest \d{4}-\d\d-\d\d with [\d,]+/);
    expect(s.summary).toMatch(/from \d{4}-\d\d-\d\d \d\d:\d\d to .* \(Europe\/Prague\)/);
  });

  it.each([
    // Bulk mail in the two hours before `now` straddles the day's real end; a 24-hour day would end an hour off.
    { hours: 25, now: '2026-10-25T23:30:00Z', start: '2026-10-24T22:00:00Z', dayEnd: '2026-10-25T23:00:00Z', days: ['2026-10-25', '2026-10-26'] },
    { hours: 23, now: '2026-03-29T23:00:00Z', start: '2026-03-28T23:00:00Z', dayEnd: '2026-03-29T22:00:00Z', days: ['2026-03-29', '2026-03-30'] },
  ])('a $hours-hour day in Europe/Prague ($days.0) holds every row up to its local midnight', async ({ hours, now, start, dayEnd, days }) => {
    h = await at(new Date(now), { count: 120, withinMinutes: 120 });
    const s = structured(await h.call('search_traces', { groupBy: 'day', timeZone: 'Europe/Prague', startDateTime: start }));
    const count = (a: string, b: string) => rowsIn(h!.sim.tenant.rows, { start: a, end: b }, (x) => Date.parse(x.receivedDateTime) < Date.parse(b)).length;
    const lastHour = new Date(Date.parse(dayEnd) - 3_600_000).toISOString();
    expect(count(lastHour, dayEnd)).toBeGreaterThan(0);
    const firstDay = count(start, dayEnd);
    const nextDay = count(dayEnd, new Date(Date.parse(now) + 1).toISOString());
    expect(nextDay).toBeGreaterThan(0);
    expect(firstDay + nextDay).toBe(s.totals.traces);
    expect(s.report.groups.map((g: any) => [g.key[0], g.total])).toEqual([[days[0], firstDay], [days[1], nextDay]]);
    expect(s.report.notes).toContain(`${days[0]} has ${hours} hours in Europe/Prague (clock change).`);
    expectReportAddsUp(s);
  });

  it('hour buckets through the fall-back night show 02:00 twice, told apart by offset', async () => {
    const now = new Date('2026-10-25T03:00:00Z');
    h = await at(now, { count: 200, withinMinutes: 200 });
    const s = structured(await h.call('search_traces', { groupBy: 'hour', timeZone: 'Europe/Prague', startDateTime: '2026-10-24T23:00:00Z' }));
    expect(s.report.groups.map((g: any) => g.key[0])).toEqual([
      '2026-10-25 01:00', '2026-10-25 02:00 (+02:00)', '2026-10-25 02:00 (+01:00)', '2026-10-25 03:00', '2026-10-25 04:00',
    ]);
    const hour = (a: string, b: string) => rowsIn(h!.sim.tenant.rows, { start: a, end: b }, (x) => x.receivedDateTime < b).length;
    expect(s.report.groups[1].total).toBe(hour('2026-10-25T00:00:00Z', '2026-10-25T01:00:00.000Z'));
    expect(s.report.groups[2].total).toBe(hour('2026-10-25T01:00:00Z', '2026-10-25T02:00:00.000Z'));
    expect(s.report.groups[2].total).toBeGreaterThan(0);
    expectReportAddsUp(s);
  });

  it('two keys: day × direction, in time order, adding up', async () => {
    const now = new Date();
    h = await startHarness({ env: { MESSAGE_TRACE_DOMAINS: generateTenant({ now }).domains.join(',') } });
    const s = structured(await h.call('search_traces', { groupBy: ['day', 'direction'], startDateTime: daysAgo(3) }));
    const truth = countBy(rowsIn(h.sim.tenant.rows, s.window), (x) => `${x.receivedDateTime.slice(0, 10)} ${directionOf(x, h!.sim.tenant.domains)}`);
    expect(Object.fromEntries(s.report.groups.map((g: any) => [g.key.join(' '), g.total]))).toEqual(truth);
    const days = s.report.groups.map((g: any) => g.key[0]);
    expect(days).toEqual([...days].sort());
    expectReportAddsUp(s);
  });
});

describe('direction', () => {
  function directionTruth(rows: MessageTraceRow[], domains: string[]) {
    return countBy(rows, (x) => directionOf(x, domains));
  }

  it('with MESSAGE_TRACE_DOMAINS: grouped counts match the rule, and the note says where the domains come from', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_DOMAINS: 'contoso.com,contoso.onmicrosoft.com,4wrvkx.onmicrosoft.com' } });
    const s = structured(await h.call('search_traces', { groupBy: 'direction', startDateTime: daysAgo(5) }));
    const truth = directionTruth(rowsIn(h.sim.tenant.rows, s.window), h.sim.tenant.domains);
    expect(Object.keys(truth).sort()).toEqual(['inbound', 'internal', 'outbound']);
    expect(Object.fromEntries(s.report.groups.map((g: any) => [g.key[0], g.total]))).toEqual(truth);
    expect(s.notes.join(' ')).toMatch(/Direction uses the tenant domains in MESSAGE_TRACE_DOMAINS \(contoso\.com, /);
  });

  it('without it: inferred from the rows, with the same result on this tenant and a note saying so', async () => {
    h = await startHarness();
    const s = structured(await h.call('search_traces', { groupBy: 'direction', startDateTime: daysAgo(5) }));
    const truth = directionTruth(rowsIn(h.sim.tenant.rows, s.window), h.sim.tenant.domains);
    expect(Object.fromEntries(s.report.groups.map((g: any) => [g.key[0], g.total]))).toEqual(truth);
    expect(s.notes.join(' ')).toMatch(/Direction was inferred from the rows \(MESSAGE_TRACE_DOMAINS is not set\): tenant domains recognised: .*contoso\.com/);
    expect(s.notes.join(' ')).toMatch(/set MESSAGE_TRACE_DOMAINS for exact directions/);
  });

  it('as a filter: applied here (not in the Graph filter), totals cover only that direction, the note says it saves no requests', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_DOMAINS: 'contoso.com,contoso.onmicrosoft.com,4wrvkx.onmicrosoft.com' } });
    const s = structured(await h.call('search_traces', { direction: 'outbound', startDateTime: daysAgo(5), limit: 100 }));
    const all = rowsIn(h.sim.tenant.rows, s.window);
    const outbound = all.filter((x) => directionOf(x, h!.sim.tenant.domains) === 'outbound');
    expect(outbound.length).toBeGreaterThan(0);
    expect(s.totals.traces).toBe(outbound.length);
    expect(s.totals.byStatus).toEqual(statusCounts(outbound));
    for (const row of s.rows) expect(h.sim.tenant.domains).toContain(domainOf(row.senderAddress.replace(/»$/, '')));
    expect(s.notes.join(' ')).toContain(`Graph has no direction filter: all ${all.length.toLocaleString('en-US')} rows of the search were read and the ${outbound.length.toLocaleString('en-US')} outbound ones kept here`);
    expect(s.summary).toMatch(/matching direction outbound/);
    for (const req of h.sim.requests) expect(req.query.$filter ?? '').not.toMatch(/direction|outbound/i);
  });

  it('a list of directions keeps each of them', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_DOMAINS: 'contoso.com,contoso.onmicrosoft.com,4wrvkx.onmicrosoft.com' } });
    const s = structured(await h.call('search_traces', { direction: ['inbound', 'internal'], groupBy: 'direction', startDateTime: daysAgo(3) }));
    const truth = directionTruth(rowsIn(h.sim.tenant.rows, s.window), h.sim.tenant.domains);
    expect(Object.fromEntries(s.report.groups.map((g: any) => [g.key[0], g.total]))).toEqual({ inbound: truth.inbound, internal: truth.internal });
  });
});

describe('report input validation', () => {
  it('rejects bad groupBy, top, timeZone and direction with the field named, without calling Graph', async () => {
    h = await startHarness();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ groupBy: 'country' }, /groupBy must be one of status, senderAddress, .*day, hour/],
      [{ groupBy: ['day', 'hour', 'status'] }, /groupBy must be/],
      [{ groupBy: ['day', 'day'] }, /groupBy must not name the same key twice/],
      [{ groupBy: [] }, /groupBy must be one of/],
      [{ direction: [] }, /direction must be one of/],
      [{ groupBy: 'day', top: 0 }, /top must be a whole number from 1 to 50/],
      [{ groupBy: 'day', top: 51 }, /top must be a whole number from 1 to 50/],
      [{ groupBy: 'day', timeZone: 'Mars/Olympus_Mons' }, /timeZone must be an IANA time zone name such as Europe\/Prague.*\(got "Mars\/Olympus_Mons"\)/],
      [{ timeZone: 'CET+1' }, /timeZone must be an IANA time zone name/],
      [{ direction: 'sideways' }, /direction must be one of inbound, outbound, internal/],
    ];
    for (const [args, pattern] of cases) {
      const r = await h.call('search_traces', args);
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(text(r)).toMatch(pattern);
    }
    expect(h.sim.requests).toHaveLength(0);
  });

  it('does not echo control or invisible characters of a bad time zone', async () => {
    h = await startHarness();
    const r = await h.call('search_traces', { timeZone: 'Europe/\u202ePra\u200bgue\u0000\u001b[31m' });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('(got "Europe/Prague")');
    expect(text(r)).not.toMatch(/[\u0000-\u001f\u200b\u202e]/);
  });

  it('accepts a time zone in any case and answers with its canonical name', async () => {
    h = await startHarness();
    const s = structured(await h.call('search_traces', { groupBy: 'day', timeZone: 'america/new_york', limit: 0 }));
    expect(s.report.timeZone).toBe('America/New_York');
  });

  it('without groupBy there is no report, and the existing fields are unchanged', async () => {
    h = await startHarness();
    const s = structured(await h.call('search_traces', { limit: 3 }));
    expect(s.report).toBeUndefined();
    expect(Object.keys(s)).toEqual(['summary', 'window', 'complete', 'totals', 'rows', 'notListed', 'highlights', 'notes', 'nextSteps', 'dataNotice', 'graphRequests', 'resultSet']);
  });
});

describe('report size', () => {
  it.each([
    [{ groupBy: 'recipientAddress' }],
    [{ groupBy: 'day', timeZone: 'Europe/Prague' }],
    [{ groupBy: ['senderAddress', 'recipientAddress'], top: 20 }],
  ])('keeps a 1,000-row answer with %j within ~3,000 tokens', async (args) => {
    const now = new Date();
    h = await startHarness({ sim: { tenant: generateTenant({ now, bulkRows: { count: 1000, senderAddress: 'newsletter@contoso.com', withinMinutes: 60 } }) } });
    const r = await h.call('search_traces', { senderAddress: 'newsletter@contoso.com', ...args });
    const s = structured(r);
    expect(s.totals.traces).toBeGreaterThanOrEqual(1000);
    expect(s.report.groups.length).toBeGreaterThan(1);
    expect(JSON.stringify(s).length / 4).toBeLessThan(3000);
    expect(text(r).length / 4).toBeLessThan(3000);
  });
});
