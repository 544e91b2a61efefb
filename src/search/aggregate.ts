/**
 * Streaming aggregation of message trace rows into the condensed answer of search_traces.
 * Memory holds counters, the report's groups and the few rows to list, never every row: `add`
 * is called once per row while Graph pages stream in.
 */
import * as z from 'zod';
import { shownDateTime, shownIp, shownTraceId } from '../output/plain-values.js';
import { isProblemStatus, normaliseStatus, PROBLEM_STATUSES_IN_WORDS, type MessageTraceRow, type TraceStatus } from '../graph/types.js';
import { AddressRenderer, domainOf } from '../output/addresses.js';
import type { Direction } from './direction.js';
import { causeOutput, explainedOutput } from './triage.js';
import { ReportBuilder, reportOutput, reportSentence, type Report, type ReportOptions } from './report/report.js';
import { ZonedClock } from './report/time.js';
import { fenceUntrusted, UNTRUSTED_NOTICE } from '../output/untrusted.js';

/** Problems first, then the in-between states, delivered last. */
const STATUS_RANK: Record<TraceStatus | 'unknown', number> = {
  failed: 0,
  filteredAsSpam: 1,
  quarantined: 2,
  pending: 3,
  gettingStatus: 4,
  unknown: 4,
  recalled: 5,
  expanded: 6,
  delivered: 7,
};


const counted = z.object({ name: z.string(), count: z.number(), messages: z.number().optional().describe('distinct messages (count is recipient rows)') });

/**
 * What search_traces answers (its output schema, structuredContent); the types below derive from
 * it. Rows and text are already sanitised and fenced.
 */
export const searchOutput = z.object({
  summary: z.string(),
  window: z.object({ start: z.string(), end: z.string() }),
  complete: z.boolean(),
  totals: z.object({ traces: z.number(), messages: z.number(), byStatus: z.record(z.string(), z.number()) }),
  rows: z.array(
    z.object({
      traceId: z.string(),
      recipientAddress: z.string(),
      status: z.string(),
      receivedDateTime: z.string(),
      senderAddress: z.string(),
      subject: z.string(),
      size: z.number(),
      messageId: z.string().optional(),
      fromIP: z.string().optional(),
      toIP: z.string().optional(),
    }),
  ),
  notListed: z.number(),
  highlights: z.object({ problemRecipientDomains: z.array(counted), problemSenders: z.array(counted), topSenders: z.array(counted) }),
  notes: z.array(z.string()),
  nextSteps: z.array(z.string()),
  dataNotice: z.string(),
  graphRequests: z.number(),
  /** With explain > 0: the causes behind the problem rows, largest first, and what explaining cost. */
  causes: z.array(causeOutput).optional(),
  explained: explainedOutput.optional(),
  /** With a domain filter (applied here, after reading): every row Graph returned, matching or not. */
  rowsRead: z.number().optional(),
  /** Only when the search asked for groupBy. */
  report: reportOutput.optional(),
  /**
   * Where the full row set can be read (MCP resources), when it was kept. `rows`: rows kept;
   * `truncated`: the set holds fewer rows than the search counted (the store's row cap).
   */
  resultSet: z
    .object({
      id: z.string(),
      csvUri: z.string(),
      jsonUri: z.string(),
      rows: z.number(),
      truncated: z.boolean(),
      // Pages the set is read in (each read under 8 MiB); csvUri/jsonUri are page 1.
      pages: z.number(),
      morePages: z.array(z.object({ page: z.number(), csvUri: z.string(), jsonUri: z.string() })).optional(),
    })
    .optional(),
  csv: z.string().optional().describe('With responseFormat csv and at most 100 rows: every row as CSV (the same as the csvUri resource).'),
});

/** Filters that narrow a search, in the order hints suggest them ('time': a shorter window). */
const NARROWING = ['status', 'senderDomain', 'senderAddress', 'recipientDomain', 'recipientAddress', 'subject', 'time'];
/** What get_trace_details adds for a listed row, by its status (problem rows have their own hint). */
const FIRST_ROW_HINT: Record<string, string> = {
  delivered: 'Where it landed (folder, spam verdict, rules, timing)',
  recalled: 'Whether the recall removed it, with the recall evidence first',
  gettingStatus: 'Where it is now (no final status yet; normal in the first ~15 minutes)',
  expanded: 'What the group expansion did (the expansion event and what followed)',
};
/** A domain hint is moot once that side's address is applied: the address is narrower. */
const DOMAIN_OF_SIDE: Record<string, string> = { senderDomain: 'senderAddress', recipientDomain: 'recipientAddress' };

/** The narrowing filters worth suggesting: none applied, no domain under an applied address. */
function narrowingHints(applied: Set<string>): string[] {
  return NARROWING.filter((f) => !applied.has(f) && !(DOMAIN_OF_SIDE[f] && applied.has(DOMAIN_OF_SIDE[f]))).map((f) => f.replace(/^time$/, 'a shorter time range'));
}

function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

export type SearchSummary = z.output<typeof searchOutput>;
export type ListedRow = SearchSummary['rows'][number];
export type CountedName = SearchSummary['highlights']['topSenders'][number];
export type ResultSetRef = NonNullable<SearchSummary['resultSet']>;

interface Kept {
  row: MessageTraceRow;
  status: string;
  rank: number;
  time: number;
}

function statusOf(row: MessageTraceRow): string {
  return normaliseStatus(row.status) ?? 'unknown';
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function top(map: Map<string, number>, n: number): Array<[string, number]> {
  return [...map.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}

/** Better rows first: problem statuses first, then newest, then a stable key. */
function compareKept(a: Kept, b: Kept): number {
  return a.rank - b.rank || b.time - a.time || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : a.row.recipientAddress < b.row.recipientAddress ? -1 : 1);
}

export class SearchAggregator {
  private rowsSeen = 0;
  private readonly traceIds = new Set<string>();
  private readonly byStatus = new Map<string, number>();
  private readonly problemDomains = new Map<string, number>();
  private readonly problemSenders = new Map<string, number>();
  private readonly senders = new Map<string, number>();
  /** Distinct messages per sender (a message has one sender, so a row count overstates it). */
  private readonly senderMessages = new Map<string, Set<string>>();
  /** A sender as its first row wrote it: counted case-insensitively, shown as mail writes it. */
  private readonly senderNames = new Map<string, string>();
  private kept: Kept[] = [];
  /** The worst of the `limit` best rows so far, once there are that many. */
  private floor: Kept | undefined;
  private readonly report: ReportBuilder | undefined;
  private readonly timeZone: string;

  constructor(
    private readonly limit: number,
    opts: { report?: ReportOptions; timeZone?: string } = {},
  ) {
    this.report = opts.report ? new ReportBuilder(opts.report) : undefined;
    this.timeZone = opts.timeZone ?? opts.report?.timeZone ?? 'UTC';
  }

  add(row: MessageTraceRow, direction: Direction): void {
    this.rowsSeen++;
    const id = row.id.toLowerCase();
    this.traceIds.add(id);
    const status = statusOf(row);
    bump(this.byStatus, status);
    this.report?.add(row, status, direction);
    const sender = row.senderAddress.toLowerCase();
    bump(this.senders, sender);
    let messages = this.senderMessages.get(sender);
    if (!messages) {
      this.senderMessages.set(sender, (messages = new Set()));
      this.senderNames.set(sender, row.senderAddress);
    }
    messages.add(id);
    if (isProblemStatus(status)) {
      bump(this.problemDomains, domainOf(row.recipientAddress));
      bump(this.problemSenders, sender);
    }
    if (this.limit === 0) return;
    const parsed = Date.parse(row.receivedDateTime);
    const time = Number.isNaN(parsed) ? 0 : parsed;
    const rank = STATUS_RANK[status as TraceStatus] ?? 4;
    // A row that ranks below the limit-th best so far can never be listed: skip it without
    // allocating (in a large search nearly every row is such a row).
    const floor = this.floor;
    if (floor && (rank > floor.rank || (rank === floor.rank && time < floor.time))) return;
    this.kept.push({ row, status, rank, time });
    // Keep a bounded buffer: sort and cut when it doubles past the limit.
    if (this.kept.length >= this.limit * 4 + 16) this.compact();
  }

  private compact(): void {
    this.kept.sort(compareKept);
    this.kept.length = Math.min(this.kept.length, this.limit);
    if (this.kept.length === this.limit) this.floor = this.kept[this.limit - 1];
  }

  /** The raw rows the answer lists (after finish): get_trace_details reads their status from here. */
  listedRows(): MessageTraceRow[] {
    return this.kept.map((k) => k.row);
  }

  get count(): number {
    return this.rowsSeen;
  }

  finish(input: {
    window: { start: Date; end: Date };
    complete: boolean;
    notes: string[];
    detailed: boolean;
    addresses: AddressRenderer;
    graphRequests: number;
    filtersDescription: string;
    /** The input fields the search already filtered on (hints never suggest them again). */
    applied?: readonly string[];
    /** With explain: whether a problem row's cause is already in the answer (its cluster was sampled). */
    explained?: (row: MessageTraceRow, status: string) => boolean;
  }): SearchSummary {
    this.compact();
    const addr = input.addresses;
    // Group listed rows by message: a message's rows follow its best-ranked row.
    const order = new Map<string, number>();
    this.kept.forEach((k, i) => {
      const id = k.row.id.toLowerCase();
      if (!order.has(id)) order.set(id, i);
    });
    const grouped = this.kept
      .map((k, i) => ({ k, i }))
      .sort((a, b) => (order.get(a.k.row.id.toLowerCase()) as number) - (order.get(b.k.row.id.toLowerCase()) as number) || a.i - b.i)
      .map(({ k }) => k);

    const rows: ListedRow[] = grouped.map(({ row, status }) => ({
      traceId: shownTraceId(row.id),
      recipientAddress: addr.address(row.recipientAddress),
      status,
      receivedDateTime: shownDateTime(row.receivedDateTime),
      senderAddress: addr.address(row.senderAddress),
      subject: fenceUntrusted(row.subject, input.detailed ? 200 : 80),
      size: row.size,
      ...(input.detailed ? { messageId: fenceUntrusted(row.messageId, 200), fromIP: shownIp(row.fromIP), toIP: shownIp(row.toIP) } : {}),
    }));

    const byStatus = Object.fromEntries([...this.byStatus.entries()].sort((a, b) => b[1] - a[1]));
    const totals = { traces: this.rowsSeen, messages: this.traceIds.size, byStatus };
    const named = (entries: Array<[string, number]>, render: (s: string) => string): CountedName[] =>
      entries.map(([name, count]) => ({ name: render(name), count }));
    const highlights = {
      problemRecipientDomains: named(top(this.problemDomains, 5), (d) => addr.domain(d)),
      problemSenders: named(top(this.problemSenders, 5), (s) => addr.address(this.senderNames.get(s) ?? s)),
      topSenders: top(this.senders, 5).map(([key, count]) => ({ name: addr.address(this.senderNames.get(key) ?? key), count, messages: this.senderMessages.get(key)?.size ?? 0 })),
    };
    const notListed = Math.max(0, this.rowsSeen - rows.length);
    const report = this.report?.finish(addr);
    const applied = new Set(input.applied ?? []);
    const narrowing = narrowingHints(applied);
    const summary = this.summarise({ ...input, totals, rows, notListed, highlights, report, narrowing });
    const explainedAt = (i: number): boolean => {
      const k = grouped[i];
      return k !== undefined && input.explained !== undefined && input.explained(k.row, k.status);
    };
    const nextSteps = this.nextSteps(rows, explainedAt, notListed, input.complete, applied, narrowing);
    return {
      summary,
      window: { start: input.window.start.toISOString(), end: input.window.end.toISOString() },
      complete: input.complete,
      totals,
      rows,
      notListed,
      highlights,
      notes: input.notes,
      nextSteps,
      dataNotice: UNTRUSTED_NOTICE,
      graphRequests: input.graphRequests,
      ...(report ? { report } : {}),
    };
  }

  private summarise(x: {
    window: { start: Date; end: Date };
    complete: boolean;
    filtersDescription: string;
    totals: SearchSummary['totals'];
    rows: ListedRow[];
    notListed: number;
    highlights: SearchSummary['highlights'];
    report: Report | undefined;
    narrowing: string[];
  }): string {
    const n = (v: number) => v.toLocaleString('en-US');
    const range = this.range(x.window);
    const where = x.filtersDescription ? ` matching ${x.filtersDescription}` : '';
    if (x.totals.traces === 0) {
      return `No messages${where} from ${range}${x.complete ? '' : ' in the part that could be read'}. Mail can take 5–10 minutes to appear in message trace; otherwise widen the time range (up to the last 90 days) or check the address spelling.`;
    }
    const parts = Object.entries(x.totals.byStatus).map(([s, c]) => `${n(c)} ${s}`);
    const sentences = [
      `${x.complete ? 'Found' : 'Found at least'} ${n(x.totals.traces)} recipient deliveries in ${n(x.totals.messages)} messages${where} from ${range}: ${parts.join(', ')}.`,
    ];
    const problems = (x.totals.byStatus.failed ?? 0) + (x.totals.byStatus.filteredAsSpam ?? 0) + (x.totals.byStatus.quarantined ?? 0) + (x.totals.byStatus.pending ?? 0);
    if (problems > 0) {
      const dom = x.highlights.problemRecipientDomains[0];
      const snd = x.highlights.problemSenders[0];
      const bits: string[] = [];
      if (dom && x.highlights.problemRecipientDomains.length > 1) bits.push(`most go to recipients at ${dom.name} (${n(dom.count)})`);
      else if (dom) bits.push(`all go to recipients at ${dom.name}`);
      if (snd && snd.count > 1) bits.push(`most problems from sender ${snd.name} (${n(snd.count)})`);
      sentences.push(`${n(problems)} did not reach an inbox (${PROBLEM_STATUSES_IN_WORDS})${bits.length ? `; ${bits.join('; ')}` : ''}.`);
    } else {
      sentences.push('None failed, was quarantined or is pending.');
    }
    if (x.report) sentences.push(reportSentence(x.report));
    if (x.rows.length > 0) {
      sentences.push(
        `Listed ${n(x.rows.length)} rows, problems first then newest${x.notListed > 0 ? `; ${n(x.notListed)} more not listed (${x.narrowing.length ? `narrow with ${orList(x.narrowing)}, or raise limit` : 'raise limit'})` : ''}.`,
      );
    }
    if (!x.complete) sentences.push('The result is incomplete: see notes.');
    return sentences.join(' ');
  }

  /** The window for sentences: UTC as ISO, or local wall-clock time in the asked time zone. */
  private range(w: { start: Date; end: Date }): string {
    if (this.timeZone === 'UTC') {
      const iso = (d: Date) => d.toISOString().replace(/:\d\d\.\d{3}Z$/, 'Z');
      return `${iso(w.start)} to ${iso(w.end)} (UTC)`;
    }
    const clock = new ZonedClock(this.timeZone);
    return `${clock.local(w.start.getTime())} to ${clock.local(w.end.getTime())} (${this.timeZone})`;
  }

  /**
   * The calls that answer the likely follow-up, written out so a model can make them as they
   * stand; never a filter the search already applied.
   */
  /**
   * The likely follow-ups, each as the call that answers it. A problem row whose cause explain
   * already gave is not offered again; the first row's hint says what its status leaves open.
   */
  private nextSteps(rows: ListedRow[], explainedAt: (i: number) => boolean, notListed: number, complete: boolean, applied: Set<string>, narrowing: string[]): string[] {
    const steps: string[] = [];
    const call = (r: ListedRow) => `get_trace_details ${JSON.stringify({ traceId: r.traceId, recipientAddress: r.recipientAddress })}`;
    const problems = rows.map((r, i) => ({ r, i })).filter(({ r }) => isProblemStatus(r.status));
    const unexplained = problems.find(({ i }) => !explainedAt(i))?.r;
    const messages = new Set(rows.map((r) => r.traceId)).size;
    if (applied.has('messageId') && rows.length > 1 && messages === 1) {
      steps.push('Every recipient of this message, each with its outcome and diagnosis, in one call: get_trace_details with the same messageId and no recipientAddress.');
    } else if (unexplained) {
      const why = unexplained.status === 'pending' ? 'Why it is still being retried and whether anyone must act' : 'Why it did not arrive and who must fix it';
      const partly = problems.some(({ i }) => explainedAt(i)) ? ' (a row whose cause explain did not sample)' : '';
      steps.push(`${why}${partly}: ${call(unexplained)}.`);
    } else if (problems.length === 0 && rows[0]) {
      steps.push(`${FIRST_ROW_HINT[rows[0].status] ?? FIRST_ROW_HINT.delivered}: ${call(rows[0])}.`);
    }
    // With no row listed (limit 0: a report, or every row as CSV) there is nothing to page through.
    if (notListed > 0 && rows.length > 0 && narrowing.length > 0) steps.push(`To list other rows, narrow with ${orList(narrowing)}${applied.has('status') ? '' : ' (e.g. status: "failed")'}.`);
    if (!complete) steps.push('To get exact totals, narrow the time range or add filters so fewer pages are needed.');
    return steps;
  }

}
