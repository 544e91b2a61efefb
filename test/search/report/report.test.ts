import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MessageTraceRow } from '../../../src/graph/types.js';
import { AddressRenderer } from '../../../src/output/addresses.js';
import type { Direction } from '../../../src/search/direction.js';
import { GROUP_KEYS, ReportBuilder, reportSentence, type GroupKey, type Report, type ReportOptions } from '../../../src/search/report/report.js';
import { markdownCell, renderReportMarkdown } from '../../../src/search/report/markdown.js';

const STATUSES = ['delivered', 'failed', 'quarantined', 'filteredAsSpam', 'pending', 'expanded'];

function row(over: Partial<MessageTraceRow>): MessageTraceRow {
  return {
    id: 'aaaaaaaa-0000-0000-0000-000000000001',
    messageId: '<m@x>',
    senderAddress: 'a@fabrikam.com',
    recipientAddress: 'b@contoso.com',
    receivedDateTime: '2026-05-02T10:00:00Z',
    subject: 's',
    size: 1,
    fromIP: '',
    toIP: '',
    status: 'delivered',
    ...over,
  };
}

const window = { start: new Date('2026-05-01T09:30:00Z'), end: new Date('2026-05-08T09:30:00Z') };

function build(opts: Partial<ReportOptions> & { groupBy: GroupKey[] }, rows: Array<[MessageTraceRow, Direction?]>, redact = false): Report {
  const b = new ReportBuilder({ timeZone: 'UTC', window, ...opts });
  for (const [r, d] of rows) b.add(r, r.status, d ?? 'inbound');
  return b.finish(new AddressRenderer(redact));
}

/** Every row is in exactly one place: a shown group or "other"; per status too. */
function expectAddsUp(r: Report, rows: number, byStatus?: Record<string, number>): void {
  const shown = r.groups.reduce((n, g) => n + g.total, 0);
  expect(shown + (r.other?.total ?? 0)).toBe(rows);
  expect(r.totals.total).toBe(rows);
  for (const g of [...r.groups, ...(r.other ? [r.other] : [])]) expect(g.counts.reduce((a, b) => a + b, 0)).toBe(r.statuses.length ? g.total : 0);
  r.statuses.forEach((s, i) => {
    const col = r.groups.reduce((n, g) => n + (g.counts[i] ?? 0), 0) + (r.other?.counts[i] ?? 0);
    expect(col).toBe(r.totals.counts[i]);
    if (byStatus) expect(r.totals.counts[i]).toBe(byStatus[s] ?? 0);
  });
}

describe('ReportBuilder', () => {
  it('counts groups by status, shows the top ones and sums the rest as "other"', () => {
    const rows: Array<[MessageTraceRow]> = [];
    const plan: Array<[string, number, string]> = [
      ['contoso.com', 5, 'delivered'], ['contoso.com', 2, 'failed'], ['fabrikam.com', 4, 'failed'], ['gmail.com', 3, 'delivered'],
      ['yahoo.com', 1, 'quarantined'], ['proton.me', 1, 'delivered'],
    ];
    for (const [domain, count, status] of plan) for (let i = 0; i < count; i++) rows.push([row({ recipientAddress: `u${i}@${domain}`, status })]);
    const r = build({ groupBy: ['recipientDomain'], top: 3 }, rows);
    expect(r.statuses).toEqual(['delivered', 'failed', 'quarantined']);
    expect(r.groups).toEqual([
      { key: ['contoso.com'], total: 7, counts: [5, 2, 0] },
      { key: ['fabrikam.com'], total: 4, counts: [0, 4, 0] },
      { key: ['gmail.com'], total: 3, counts: [3, 0, 0] },
    ]);
    expect(r.other).toEqual({ label: 'other (2 more groups)', total: 2, counts: [1, 0, 1] });
    expect(r.distinctGroups).toBe(5);
    expectAddsUp(r, 16);
    expect(reportSentence(r)).toBe('Report by recipient domain, largest: contoso.com 7 (2 problems), fabrikam.com 4, gmail.com 3; 2 more rows in "other" (3 of 5 groups shown).');
  });

  it('two keys make combined groups; status as a key drops the status columns', () => {
    const rows: Array<[MessageTraceRow, Direction]> = [
      [row({ status: 'failed' }), 'inbound'],
      [row({ status: 'failed' }), 'inbound'],
      [row({ status: 'delivered' }), 'outbound'],
    ];
    const r = build({ groupBy: ['direction', 'status'] }, rows);
    expect(r.statuses).toEqual([]);
    expect(r.groups).toEqual([
      { key: ['inbound', 'failed'], total: 2, counts: [] },
      { key: ['outbound', 'delivered'], total: 1, counts: [] },
    ]);
    expectAddsUp(r, 3);
  });

  it('day buckets cover the window with zero rows for days without mail, in time order', () => {
    const rows: Array<[MessageTraceRow]> = [
      [row({ receivedDateTime: '2026-05-01T10:00:00Z' })],
      [row({ receivedDateTime: '2026-05-04T23:59:59Z', status: 'failed' })],
      [row({ receivedDateTime: '2026-05-08T09:00:00Z' })],
    ];
    const r = build({ groupBy: ['day'], top: 1 }, rows);
    expect(r.groups.map((g) => [g.key[0], g.total])).toEqual([
      ['2026-05-01', 1], ['2026-05-02', 0], ['2026-05-03', 0], ['2026-05-04', 1], ['2026-05-05', 0], ['2026-05-06', 0], ['2026-05-07', 0], ['2026-05-08', 1],
    ]);
    expect(r.other).toBeUndefined();
    expectAddsUp(r, 3);
    expect(reportSentence(r)).toMatch(/^Report by day: busiest 2026-05-01 with 1; most problems 2026-05-04 \(1 failed/);
    expect(reportSentence(r)).toMatch(/5 of 8 days without mail/);
    expect(r.notes.join(' ')).toMatch(/Days are in UTC; the first day starts at 09:30 and the last ends at 09:30/);
  });

  it('day buckets follow the time zone: a row at 23:30 UTC is the next day in Prague', () => {
    const r = build({ groupBy: ['day'], timeZone: 'Europe/Prague' }, [[row({ receivedDateTime: '2026-05-03T23:30:00Z' })]]);
    const hit = r.groups.find((g) => g.total === 1)!;
    expect(hit.key).toEqual(['2026-05-04']);
    expect(r.window).toEqual({ start: '2026-05-01 11:30', end: '2026-05-08 11:30' });
  });

  it('names a 23- or 25-hour day in the notes', () => {
    const spring = new ReportBuilder({ groupBy: ['day'], timeZone: 'Europe/Prague', window: { start: new Date('2026-03-27T12:00:00Z'), end: new Date('2026-03-31T12:00:00Z') } });
    expect(spring.finish(new AddressRenderer(false)).notes).toContain('2026-03-29 has 23 hours in Europe/Prague (clock change).');
    const fall = new ReportBuilder({ groupBy: ['day'], timeZone: 'Europe/Prague', window: { start: new Date('2026-10-23T12:00:00Z'), end: new Date('2026-10-27T12:00:00Z') } });
    expect(fall.finish(new AddressRenderer(false)).notes).toContain('2026-10-25 has 25 hours in Europe/Prague (clock change).');
  });

  it('shows at most the last N hour buckets and sums earlier mail in "other", saying so', () => {
    const rows: Array<[MessageTraceRow]> = [
      [row({ receivedDateTime: '2026-05-01T10:00:00Z' })],
      [row({ receivedDateTime: '2026-05-08T09:10:00Z', status: 'failed' })],
    ];
    const r = build({ groupBy: ['hour'], maxHourBuckets: 24 }, rows);
    expect(r.groups).toHaveLength(24);
    expect(r.groups[0]!.key).toEqual(['2026-05-07 10:00']);
    expect(r.groups.at(-1)!.key).toEqual(['2026-05-08 09:00']);
    expect(r.other).toEqual({ label: 'other (earlier than 2026-05-07 10:00)', total: 1, counts: [1, 0] });
    expect(r.notes.join(' ')).toMatch(/covers 169 hours; only the last 24 are shown/);
    expectAddsUp(r, 2);
  });

  it('puts rows without a usable time in "other" rather than losing them', () => {
    const r = build({ groupBy: ['day'] }, [[row({ receivedDateTime: 'garbage' })], [row({})]]);
    expect(r.other).toMatchObject({ label: 'other (time missing or outside the window)', total: 1 });
    expectAddsUp(r, 2);
  });

  it('bounds memory: groups past the cap go to "other" with a note', () => {
    const rows: Array<[MessageTraceRow]> = Array.from({ length: 30 }, (_, i) => [row({ senderAddress: `u${i % 12}@x.com` })]);
    const r = build({ groupBy: ['senderAddress'], maxGroups: 5, top: 3 }, rows);
    expect(r.distinctGroups).toBe(5);
    expect(r.groups).toHaveLength(3);
    expect(r.other!.label).toBe('other (2 more groups; groups beyond the first 5)');
    expect(r.notes[0]).toMatch(/More than 5 distinct groups: 15 rows/);
    expectAddsUp(r, 30);
  });

  it('renders addresses through the answer\'s renderer: redacted, and whole non-ASCII local parts hidden', () => {
    const addr = new AddressRenderer(true);
    const b = new ReportBuilder({ groupBy: ['senderAddress'], timeZone: 'UTC', window });
    for (const s of ['Alex@Contoso.com', 'alex@contoso.com', 'zoë.ångström@contoso.com', '']) b.add(row({ senderAddress: s }), 'delivered', 'internal');
    const r = b.finish(addr);
    const keys = r.groups.map((g) => g.key[0]);
    expect(keys).toContain(addr.address('alex@contoso.com'));
    expect(keys.find((k) => k !== addr.address('alex@contoso.com') && k !== '(none)')).toMatch(/^user\d+@contoso\.com$/);
    expect(JSON.stringify(r)).not.toMatch(/alex|zoë|ångstr/i);
    expect(keys).toContain('(none)');
  });

  it('totals always add up to every row, for any rows, keys, top, zone and cap (property)', () => {
    const zones = ['UTC', 'Europe/Prague', 'America/New_York', 'Asia/Kolkata'];
    const start = Date.parse('2026-03-20T00:00:00Z');
    const end = Date.parse('2026-04-02T00:00:00Z');
    const arbRow = fc.record({
      status: fc.constantFrom(...STATUSES, 'Delivered', 'weird'),
      sender: fc.constantFrom('a@contoso.com', 'b@fabrikam.com', 'c@gmail.com', '', 'bad address'),
      recipient: fc.constantFrom('x@contoso.com', 'y@contoso.com', 'z@yahoo.com'),
      t: fc.oneof(fc.integer({ min: start - 3_600_000, max: end + 3_600_000 }).map((t) => new Date(t).toISOString()), fc.constant('not a date')),
      direction: fc.constantFrom<Direction>('inbound', 'outbound', 'internal'),
    });
    const keys = fc.uniqueArray(fc.constantFrom(...GROUP_KEYS), { minLength: 1, maxLength: 2 });
    fc.assert(
      fc.property(
        fc.array(arbRow, { maxLength: 120 }),
        keys,
        fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
        fc.constantFrom(...zones),
        fc.integer({ min: 1, max: 40 }),
        (rows, groupBy, top, timeZone, maxGroups) => {
          const b = new ReportBuilder({ groupBy, timeZone, window: { start: new Date(start), end: new Date(end) }, maxGroups, maxHourBuckets: 100, ...(top ? { top } : {}) });
          const byStatus: Record<string, number> = {};
          for (const x of rows) {
            const status = STATUSES.includes(x.status) ? x.status : x.status === 'Delivered' ? 'delivered' : 'unknown';
            byStatus[status] = (byStatus[status] ?? 0) + 1;
            b.add(row({ status: x.status, senderAddress: x.sender, recipientAddress: x.recipient, receivedDateTime: x.t }), status, x.direction);
          }
          const r = b.finish(new AddressRenderer(false));
          expectAddsUp(r, rows.length, groupBy.includes('status') ? undefined : byStatus);
          expect(r.distinctGroups).toBeLessThanOrEqual(maxGroups);
          if (!(groupBy.length === 1 && (groupBy[0] === 'day' || groupBy[0] === 'hour'))) expect(r.groups.length).toBeLessThanOrEqual(top ?? 50);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('renderReportMarkdown', () => {
  it('is a Markdown table with key, total and status columns, an "other" row and a totals row', () => {
    const rows: Array<[MessageTraceRow, Direction]> = [
      [row({ status: 'failed', receivedDateTime: '2026-05-02T10:00:00Z' }), 'inbound'],
      [row({ status: 'delivered', receivedDateTime: '2026-05-02T11:00:00Z' }), 'outbound'],
      [row({ status: 'delivered', receivedDateTime: '2026-05-03T11:00:00Z' }), 'inbound'],
      [row({ status: 'delivered', receivedDateTime: '2026-05-03T11:00:00Z' }), 'internal'],
    ];
    const md = renderReportMarkdown(build({ groupBy: ['day', 'direction'], top: 3 }, rows));
    expect(md.split('\n').slice(0, 9)).toEqual([
      '**Report by day × direction** (3 of 4 groups; 2026-05-01 09:30 → 2026-05-08 09:30 UTC)',
      '',
      '| day | direction | total | delivered | failed |',
      '| --- | --- | ---: | ---: | ---: |',
      '| 2026-05-02 | inbound | 1 | 0 | 1 |',
      '| 2026-05-02 | outbound | 1 | 1 | 0 |',
      '| 2026-05-03 | inbound | 1 | 1 | 0 |',
      '| other (1 more group) |  | 1 | 1 | 0 |',
      '| **total** |  | **4** | **3** | **1** |',
    ]);
  });

  it('escapes what would break a cell or add formatting, and keeps intraword underscores', () => {
    expect(markdownCell('a|b')).toBe('a\\|b');
    expect(markdownCell('«[click](http://x) *now* `x` <b>»')).toBe('«\\[click\\](http://x) \\*now\\* \\`x\\` \\<b\\>»');
    expect(markdownCell('first_last@contoso.com')).toBe('first_last@contoso.com');
    expect(markdownCell('_x_')).toBe('\\_x\\_');
    const md = renderReportMarkdown(build({ groupBy: ['senderAddress'] }, [[row({ senderAddress: 'x|y <z>' }), 'inbound']]));
    const line = md.split('\n').find((l) => l.includes('x\\|y'))!;
    // Still 4 cells (sender, total, messages, delivered): the pipe did not split the row.
    expect(line.split(/(?<!\\)\|/).length - 2).toBe(4);
  });

  it('renders many big numbers with separators, one line per group', () => {
    const b = new ReportBuilder({ groupBy: ['status'], timeZone: 'UTC', window });
    for (let i = 0; i < 1234; i++) b.add(row({}), 'delivered', 'inbound');
    const md = renderReportMarkdown(b.finish(new AddressRenderer(false)));
    expect(md).toContain('| delivered | 1,234 |');
    expect(md).toContain('| **total** | **1,234** |');
  });
});
