/**
 * search_traces answers a model can act on, through MCP against the simulator: headlines that say
 * what they count, one sender list when both would be the same, distinct messages for sender
 * groups, the current hour marked in progress, hints that name the next call and never an applied
 * filter, and small result sets as inline CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageTraceRow } from '../../src/graph/types.js';
import { generateTenant } from '../../src/demo/simulator/tenant.js';
import { startHarness, structured, text, type Harness } from '../support/harness.js';
import { domainOf, rowsIn } from './ground-truth.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const hoursAgo = (n: number) => new Date(Date.now() - n * 3_600_000).toISOString();

describe('search_traces answers', () => {
  it('a status-filtered search: "most problems from sender", one sender list, hints without the applied filter', async () => {
    const r = await h.call('search_traces', { status: 'failed', startDateTime: hoursAgo(24), limit: 5 });
    const s = structured(r);
    const t = text(r);
    expect(s.summary).toMatch(/most problems from sender \S+ \(\d+\)/);
    expect(s.summary).not.toMatch(/the sender with most/);
    expect(t).not.toMatch(/Problem rows by sender/);
    expect(t).toMatch(/Top senders \(all rows are problem rows\)/);
    for (const step of s.nextSteps) expect(step).not.toMatch(/\bstatus\b/);
    // The likely follow-up is named as the call to make, with a listed problem row's ids.
    const first = s.rows[0];
    expect(s.nextSteps[0]).toContain(`get_trace_details {"traceId":"${first.traceId}","recipientAddress":"${first.recipientAddress}"}`);
  });

  it('"narrow with" hints offer the domain filters, and drop a domain when that side\'s address or domain is applied', async () => {
    const all = structured(await h.call('search_traces', { startDateTime: hoursAgo(48), limit: 3 }));
    expect(all.notListed).toBeGreaterThan(0);
    const hint = (s: any) => (s.nextSteps as string[]).find((x) => x.startsWith('To list other rows')) ?? '';
    expect(hint(all)).toMatch(/narrow with status, senderDomain, senderAddress, recipientDomain, recipientAddress, subject or a shorter time range/);
    expect(all.summary).toMatch(/narrow with status, senderDomain, .*recipientDomain/);
    const sender = all.highlights.topSenders[0];
    expect(sender.count).toBeGreaterThan(1);
    const bySender = structured(await h.call('search_traces', { startDateTime: hoursAgo(48), senderAddress: sender.name, limit: 1 }));
    expect(bySender.notListed).toBeGreaterThan(0);
    expect(hint(bySender)).not.toMatch(/sender/);
    expect(hint(bySender)).toMatch(/recipientDomain/);
    const recipientDomain = (all.rows[0].recipientAddress as string).split('@')[1];
    const byDomain = structured(await h.call('search_traces', { startDateTime: hoursAgo(48), recipientDomain, limit: 1 }));
    expect(byDomain.notListed).toBeGreaterThan(0);
    expect(hint(byDomain)).not.toMatch(/recipientDomain/);
    expect(hint(byDomain)).toMatch(/senderDomain/);
  });

  it('with explain, the details hint never names a row whose cause the answer already gives', async () => {
    const s = structured(await h.call('search_traces', { status: ['failed', 'quarantined'], startDateTime: hoursAgo(7 * 24), explain: 2, limit: 30 }));
    expect(s.explained.requests).toBe(2);
    const sampled = new Set(s.causes.flatMap((c: any) => c.examples.map((e: any) => `${e.traceId}|${e.recipientAddress}`)));
    expect(sampled.size).toBe(2);
    const details = (s.nextSteps as string[]).find((x) => x.includes('get_trace_details {'));
    // Two samples cannot cover every cluster of a week of failures and quarantines: one is left to offer.
    expect(details).toMatch(/\(a row whose cause explain did not sample\)/);
    const ids = JSON.parse(details!.slice(details!.indexOf('{'), details!.lastIndexOf('}') + 1));
    expect(sampled.has(`${ids.traceId}|${ids.recipientAddress}`)).toBe(false);
    const row = s.rows.find((r: any) => r.traceId === ids.traceId && r.recipientAddress === ids.recipientAddress);
    expect(['failed', 'quarantined']).toContain(row.status);
    // The same search without explain offers the first listed problem row, whatever it is.
    const plain = structured(await h.call('search_traces', { status: ['failed', 'quarantined'], startDateTime: hoursAgo(7 * 24), limit: 30 }));
    expect(plain.nextSteps[0]).toContain(`get_trace_details {"traceId":"${plain.rows[0].traceId}","recipientAddress":"${plain.rows[0].recipientAddress}"}`);
    expect(plain.nextSteps[0]).not.toMatch(/did not sample/);
  });

  it('the details hint for a recalled row asks about the recall, not where it landed', async () => {
    const ref = h.sim.tenant.stories.recalled;
    const s = structured(await h.call('search_traces', { status: 'recalled', startDateTime: hoursAgo(48) }));
    expect(s.rows.some((r: any) => r.traceId === ref.traceId)).toBe(true);
    expect(s.nextSteps[0]).toMatch(/^Whether the recall removed it, with the recall evidence first: get_trace_details \{/);
    expect(s.nextSteps[0]).not.toMatch(/Where it landed/);
  });

  it('a Message-ID search points at the one call that explains every recipient', async () => {
    const ref = h.sim.tenant.stories.groupExpansion;
    const s = structured(await h.call('search_traces', { messageId: ref.messageId, startDateTime: hoursAgo(48) }));
    expect(s.rows.length).toBeGreaterThan(1);
    expect(s.nextSteps[0]).toMatch(/get_trace_details with the same messageId and no recipientAddress/);
  });

  it('sender domain groups carry their distinct message count, from the simulator\'s own rows', async () => {
    const start = hoursAgo(7 * 24);
    const s = structured(await h.call('search_traces', { groupBy: 'senderDomain', startDateTime: start, top: 5, limit: 0 }));
    const truth = rowsIn(h.sim.tenant.rows, s.window);
    for (const g of s.report.groups) {
      const rows = truth.filter((x: MessageTraceRow) => domainOf(x.senderAddress) === g.key[0]);
      expect(g.total).toBe(rows.length);
      expect(g.messages).toBe(new Set(rows.map((x) => x.id.toLowerCase())).size);
    }
    expect(s.report.totals.messages).toBe(s.totals.messages);
    expect(s.highlights.topSenders[0].messages).toBeGreaterThan(0);
  });

  it('an hourly report marks the current hour in progress when it has mail without a status yet', async () => {
    const r = await h.call('search_traces', { groupBy: 'hour', startDateTime: hoursAgo(6), limit: 0 });
    const s = structured(r);
    const last = s.report.groups.at(-1);
    expect(last.inProgress).toBe(true);
    expect(s.report.groups.slice(0, -1).some((g: any) => g.inProgress)).toBe(false);
    expect(text(r)).toMatch(/\| [^|]+ \(in progress\) \|/);
    expect(text(r)).toMatch(/In progress: .*gettingStatus.*normal processing/);
    // The status meanings a trend needs are stated.
    expect(text(r)).toMatch(/Statuses: gettingStatus = received moments ago/);
  });

  it('responseFormat csv puts a small result set inline, with direction, mail text fenced', async () => {
    const r = await h.call('search_traces', { status: 'quarantined', startDateTime: hoursAgo(24), responseFormat: 'csv' });
    const s = structured(r);
    const lines = (s.csv as string).trimEnd().split('\r\n');
    expect(lines[0]).toContain('"direction"');
    expect(lines).toHaveLength(s.totals.traces + 1);
    expect(lines[1]).toMatch(/"inbound"/);
    expect(lines.slice(1).every((l) => /"«[^"]*»"/.test(l))).toBe(true);
    expect(text(r)).toContain(lines[1]);
    expect(s.rows).toHaveLength(0); // the CSV lists them; not twice
  });

  it('responseFormat csv on more than 100 rows keeps the CSV a resource and says why', async () => {
    const s = structured(await h.call('search_traces', { startDateTime: hoursAgo(24), responseFormat: 'csv' }));
    expect(s.totals.traces).toBeGreaterThan(100);
    expect(s.csv).toBeUndefined();
    expect(s.notes.join(' ')).toMatch(/at most 100 rows inline/);
    expect(s.resultSet.csvUri).toMatch(/\.csv$/);
  });
});

describe('sender names in the highlights', () => {
  it('are written as the rows write them, while every spelling of an address counts as one sender', async () => {
    const tenant = generateTenant({ now: new Date() });
    const since = Date.now() - 48 * 3_600_000;
    const recent = tenant.rows.filter((r) => Date.parse(r.receivedDateTime) >= since);
    const counts = new Map<string, number>();
    for (const r of recent) counts.set(r.senderAddress.toLowerCase(), (counts.get(r.senderAddress.toLowerCase()) ?? 0) + 1);
    const [busiest, rowCount] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    // Every row of the busiest sender in capitals as mail often writes them; half of its rows
    // differ again in case, so its rows carry two spellings of one address.
    const mixed = busiest.replace(/(^|[.@])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
    expect(mixed).not.toBe(busiest);
    let n = 0;
    for (const r of tenant.rows) {
      if (r.senderAddress.toLowerCase() === busiest) r.senderAddress = n++ % 2 === 0 ? mixed : mixed.toUpperCase();
    }
    const hh = await startHarness({ sim: { tenant } });
    try {
      const s = structured(await hh.call('search_traces', { startDateTime: new Date(since).toISOString(), limit: 1 }));
      const top = s.highlights.topSenders[0];
      expect(top.count).toBe(rowCount);
      expect([mixed, mixed.toUpperCase()]).toContain(top.name);
      for (const x of [...s.highlights.topSenders, ...s.highlights.problemSenders]) expect(x.name).not.toBe(busiest);
    } finally {
      await hh.close();
    }
  });
});
