/**
 * The `report` of search_traces: rows counted into groups (one or two keys) with their counts by
 * status, counted as rows stream in. Memory is bounded: at most `maxGroups` distinct groups are
 * kept; rows of further groups are summed into the "other" row (and a note says so). Whatever
 * is not among the groups shown is summed into one "other" row, so the groups, "other" and the
 * totals always add up to every row counted.
 *
 * Day and hour buckets are local to the report's time zone, cover the whole window (buckets
 * without mail are zero rows, so a trend reads right) and follow clock changes.
 */
import * as z from 'zod';
import { isProblemStatus, PROBLEM_STATUSES_IN_WORDS, type MessageTraceRow } from '../../graph/types.js';
import { AddressRenderer, domainOf } from '../../output/addresses.js';
import type { Direction } from '../direction.js';
import { bucketIndex, timeBuckets, ZonedClock, type BucketUnit, type TimeBucket } from './time.js';
import { NORMAL_PROCESSING_MINUTES } from '../../graph/status-meanings.js';

export const GROUP_KEYS = ['status', 'senderAddress', 'recipientAddress', 'senderDomain', 'recipientDomain', 'direction', 'day', 'hour'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

export const DEFAULT_TOP = 10;
/** Default with a time key and a second key: enough pairs for a short trend. */
export const DEFAULT_TOP_WITH_TIME = 50;
export const MAX_TOP = 50;
export const MAX_GROUPS = 10_000;
/** 90 days of history touch at most 91 local days. */
export const MAX_DAY_BUCKETS = 91;
export const MAX_HOUR_BUCKETS = 240;

/** Status columns in reading order: delivered first, then problems, then the rest. */
export const STATUS_COLUMNS = ['delivered', 'failed', 'quarantined', 'filteredAsSpam', 'pending', 'gettingStatus', 'expanded', 'recalled', 'unknown'] as const;
const STATUS_INDEX = new Map<string, number>(STATUS_COLUMNS.map((s, i) => [s, i]));

const KEY_NAMES: Record<GroupKey, string> = {
  status: 'status',
  senderAddress: 'sender',
  recipientAddress: 'recipient',
  senderDomain: 'sender domain',
  recipientDomain: 'recipient domain',
  direction: 'direction',
  day: 'day',
  hour: 'hour',
};

/** Aligned with `statuses`. */
const counts = z.array(z.number());

/** The report as search_traces answers it (its part of the output schema); the types derive from it. */
export const reportOutput = z.object({
  groupBy: z.array(z.enum(GROUP_KEYS)),
  timeZone: z.string(),
  /** The search window in local time ("YYYY-MM-DD HH:mm"). */
  window: z.object({ start: z.string(), end: z.string() }),
  /** The status columns of `counts` (empty when grouping by status). */
  statuses: z.array(z.string()),
  /** The groups shown, in display order; `key` has one value per groupBy key. */
  groups: z.array(
    z.object({
      key: z.array(z.string()),
      total: z.number(),
      messages: z.number().optional().describe('distinct messages, for sender groups (total counts recipient rows)'),
      counts,
      inProgress: z.literal(true).optional().describe('the current hour/day: its gettingStatus rows are normal processing and its counts will change'),
    }),
  ),
  /** Everything not shown, summed; absent when nothing is left over. */
  other: z.object({ label: z.string(), total: z.number(), messages: z.number().optional(), counts }).optional(),
  totals: z.object({ total: z.number(), messages: z.number().optional(), counts }),
  /** Distinct groups counted (at most MAX_GROUPS; see notes when more existed). */
  distinctGroups: z.number(),
  notes: z.array(z.string()),
});

export type Report = z.output<typeof reportOutput>;
export type ReportRow = Report['groups'][number];

export interface ReportOptions {
  groupBy: GroupKey[];
  top?: number;
  timeZone: string;
  window: { start: Date; end: Date };
  maxGroups?: number;
  /** The time of the search: a window that ends now has a bucket still in progress. */
  now?: Date;
  maxDayBuckets?: number;
  maxHourBuckets?: number;
}

/**
 * A group's parts as one Map key. Parts are data (a sender address can hold any character, NUL
 * included), so they are never joined with a separator: one part is its own key, two are encoded
 * as a JSON array, which escapes whatever they hold.
 */
function groupKey(parts: string[]): string {
  return parts.length === 1 ? (parts[0] as string) : JSON.stringify(parts);
}

function groupParts(key: string, keys: number): string[] {
  return keys === 1 ? [key] : (JSON.parse(key) as string[]);
}

function compareParts(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
/** Time-key parts outside the buckets shown. */
const EARLIER = '<';
const NO_TIME = '?';

function isTime(k: GroupKey): k is BucketUnit {
  return k === 'day' || k === 'hour';
}

function zeros(): number[] {
  return new Array<number>(STATUS_COLUMNS.length).fill(0);
}

function addInto(into: number[], from: readonly number[]): void {
  for (let i = 0; i < into.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}

function sum(counts: readonly number[]): number {
  let n = 0;
  for (const c of counts) n += c;
  return n;
}

export class ReportBuilder {
  private readonly clock: ZonedClock;
  private readonly groupBy: GroupKey[];
  private readonly buckets = new Map<BucketUnit, { list: TimeBucket[]; firstShown: number }>();
  private readonly counts = new Map<string, number[]>();
  private readonly overflow = zeros();
  private overflowRows = 0;
  private readonly maxGroups: number;
  /** Trace ids per group, when the groups stand for messages (sender keys). */
  private readonly messages: Map<string, Set<string>> | undefined;

  constructor(private readonly opts: ReportOptions) {
    this.groupBy = [...opts.groupBy];
    if (this.groupBy.some((k) => k === 'senderAddress' || k === 'senderDomain')) this.messages = new Map();
    this.clock = new ZonedClock(opts.timeZone);
    this.maxGroups = opts.maxGroups ?? MAX_GROUPS;
    for (const unit of this.groupBy.filter(isTime)) {
      const list = timeBuckets(opts.window.start.getTime(), opts.window.end.getTime(), unit, this.clock);
      const max = unit === 'day' ? (opts.maxDayBuckets ?? MAX_DAY_BUCKETS) : (opts.maxHourBuckets ?? MAX_HOUR_BUCKETS);
      this.buckets.set(unit, { list, firstShown: Math.max(0, list.length - max) });
    }
  }

  private part(k: GroupKey, row: MessageTraceRow, status: string, direction: Direction): string {
    switch (k) {
      case 'status':
        return status;
      // Cut: a group key is held for the whole search, and no address is this long.
      case 'senderAddress':
        return row.senderAddress.slice(0, 1024).toLowerCase();
      case 'recipientAddress':
        return row.recipientAddress.slice(0, 1024).toLowerCase();
      case 'senderDomain':
        return domainOf(row.senderAddress);
      case 'recipientDomain':
        return domainOf(row.recipientAddress);
      case 'direction':
        return direction;
      case 'day':
      case 'hour': {
        const b = this.buckets.get(k) as { list: TimeBucket[]; firstShown: number };
        const t = Date.parse(row.receivedDateTime);
        const i = Number.isNaN(t) || t > this.opts.window.end.getTime() + 60_000 ? -1 : bucketIndex(b.list, t);
        if (i < 0) return NO_TIME;
        return i < b.firstShown ? EARLIER : String(i);
      }
    }
  }

  /** Count one row; `status` is the canonical status (or "unknown"). */
  add(row: MessageTraceRow, status: string, direction: Direction): void {
    const key = groupKey(this.groupBy.map((k) => this.part(k, row, status, direction)));
    const column = STATUS_INDEX.get(status) ?? (STATUS_INDEX.get('unknown') as number);
    let counts = this.counts.get(key);
    if (!counts) {
      if (this.counts.size >= this.maxGroups) {
        this.overflow[column] = (this.overflow[column] ?? 0) + 1;
        this.overflowRows++;
        return;
      }
      counts = zeros();
      this.counts.set(key, counts);
    }
    counts[column] = (counts[column] ?? 0) + 1;
    if (this.messages) {
      let ids = this.messages.get(key);
      if (!ids) this.messages.set(key, (ids = new Set()));
      ids.add(row.id.toLowerCase());
    }
  }

  finish(addr: AddressRenderer): Report {
    const groupBy = this.groupBy;
    const notes: string[] = [];
    const totals = zeros();
    for (const c of this.counts.values()) addInto(totals, c);
    addInto(totals, this.overflow);
    // Status columns: those with rows, in reading order; none when status is itself a key.
    const columns = groupBy.includes('status') ? [] : STATUS_COLUMNS.map((s, i) => ({ s, i })).filter(({ i }) => (totals[i] ?? 0) > 0);
    const project = (c: readonly number[]): number[] => columns.map(({ i }) => c[i] ?? 0);

    type Entry = { parts: string[]; counts: number[]; total: number; key?: string };
    const entries: Entry[] = [...this.counts.entries()].map(([k, counts]) => ({ parts: groupParts(k, groupBy.length), counts, total: sum(counts), key: k }));
    const messagesOf = (list: Entry[]): number | undefined => {
      if (!this.messages || this.overflowRows > 0) return undefined;
      const ids = new Set<string>();
      for (const e of list) for (const id of (e.key !== undefined && this.messages.get(e.key)) || []) ids.add(id);
      return ids.size;
    };
    let restEntries: Entry[] = [];
    const other = zeros();
    addInto(other, this.overflow);
    const otherBits: string[] = [];
    let shown: Entry[];

    const single = groupBy.length === 1 ? groupBy[0] : undefined;
    if (single !== undefined && isTime(single)) {
      // Every bucket shown, zero rows included; earlier and unplaceable rows go to "other".
      const b = this.buckets.get(single) as { list: TimeBucket[]; firstShown: number };
      const byPart = new Map(entries.map((e) => [e.parts[0] as string, e]));
      shown = b.list.slice(b.firstShown).map((_, j) => {
        const part = String(b.firstShown + j);
        return byPart.get(part) ?? { parts: [part], counts: zeros(), total: 0 };
      });
      for (const special of [EARLIER, NO_TIME]) {
        const e = byPart.get(special);
        if (e) addInto(other, e.counts);
      }
      if (byPart.has(EARLIER)) otherBits.push(`earlier than ${(b.list[b.firstShown] as TimeBucket).label}`);
      if (byPart.has(NO_TIME)) otherBits.push('time missing or outside the window');
    } else {
      const timeKey = groupBy.findIndex(isTime);
      const top = this.opts.top ?? (timeKey >= 0 ? DEFAULT_TOP_WITH_TIME : DEFAULT_TOP);
      entries.sort((a, b) => b.total - a.total || compareParts(a.parts, b.parts));
      shown = entries.slice(0, top);
      const rest = entries.slice(top);
      restEntries = rest;
      for (const e of rest) addInto(other, e.counts);
      if (rest.length) otherBits.push(`${rest.length.toLocaleString('en-US')} more group${rest.length === 1 ? '' : 's'}`);
      if (timeKey >= 0) {
        // A trend reads in time order: by bucket, then by size within a bucket.
        const order = (p: string): number => (p === EARLIER ? -1 : p === NO_TIME ? Number.MAX_SAFE_INTEGER : Number(p));
        shown.sort((a, b) => order(a.parts[timeKey] as string) - order(b.parts[timeKey] as string) || b.total - a.total);
      }
    }
    if (this.overflowRows > 0) {
      otherBits.push(`groups beyond the first ${this.maxGroups.toLocaleString('en-US')}`);
      notes.push(
        `More than ${this.maxGroups.toLocaleString('en-US')} distinct groups: ${this.overflowRows.toLocaleString('en-US')} rows of groups first seen after that are counted in "other". Group by a coarser key (a domain instead of an address) or narrow the search.`,
      );
    }

    const label = (k: GroupKey, part: string): string => {
      if (isTime(k)) {
        if (part === EARLIER) return 'earlier';
        if (part === NO_TIME) return '(no time)';
        return (this.buckets.get(k)?.list[Number(part)] as TimeBucket).label;
      }
      if (!part) return '(none)';
      if (k === 'senderAddress' || k === 'recipientAddress') return addr.address(part);
      if (k === 'senderDomain' || k === 'recipientDomain') return addr.domain(part);
      return part;
    };
    const current = this.currentBuckets();
    const gettingStatus = STATUS_INDEX.get('gettingStatus') as number;
    const inProgress: string[] = [];
    const groups: ReportRow[] = shown.map((e) => {
      const key = groupBy.map((k, i) => label(k, e.parts[i] ?? ''));
      // The bucket still under way: its fresh gettingStatus rows are normal processing, and its
      // counts will still change, so a trend must not read them as a drop or a fault.
      const t = groupBy.findIndex((k, i) => isTime(k) && current.get(k) === e.parts[i]);
      const pending = e.counts[gettingStatus] ?? 0;
      const live = t >= 0 && pending > 0;
      if (live) inProgress.push(`${key[t]}: ${pending} gettingStatus`);
      const messages = messagesOf([e]);
      return { key, total: e.total, ...(messages !== undefined ? { messages } : {}), counts: project(e.counts), ...(live ? { inProgress: true as const } : {}) };
    });
    if (inProgress.length > 0) {
      notes.push(
        `In progress: ${inProgress.join('; ')} row(s) of mail received in the last minutes that has no status yet. That is normal processing (about ${NORMAL_PROCESSING_MINUTES} minutes), not a problem; the current bucket's counts will still change.`,
      );
    }
    const otherTotal = sum(other);
    const otherMessages = messagesOf(restEntries);
    const totalMessages = messagesOf(entries);
    notes.push(...this.timeNotes());
    return {
      groupBy,
      timeZone: this.opts.timeZone,
      window: { start: this.clock.local(this.opts.window.start.getTime()), end: this.clock.local(this.opts.window.end.getTime()) },
      statuses: columns.map(({ s }) => s),
      groups,
      ...(otherTotal > 0
        ? { other: { label: `other (${otherBits.join('; ')})`, total: otherTotal, ...(otherMessages !== undefined && restEntries.length > 0 ? { messages: otherMessages } : {}), counts: project(other) } }
        : {}),
      totals: { total: sum(totals), ...(totalMessages !== undefined ? { messages: totalMessages } : {}), counts: project(totals) },
      distinctGroups: this.counts.size,
      notes,
    };
  }

  /** Per time key, the bucket part (index) that holds "now" when the window ends now. */
  private currentBuckets(): Map<GroupKey, string> {
    const out = new Map<GroupKey, string>();
    const now = this.opts.now?.getTime();
    if (now === undefined || now - this.opts.window.end.getTime() > 60_000) return out;
    for (const [unit, b] of this.buckets) if (b.list.length > 0) out.set(unit, String(b.list.length - 1));
    return out;
  }

  private timeNotes(): string[] {
    const notes: string[] = [];
    for (const [unit, b] of this.buckets) {
      const list = b.list;
      const first = list[0];
      if (!first) continue;
      const shownCount = list.length - b.firstShown;
      if (b.firstShown > 0) {
        notes.push(
          `The window covers ${list.length} ${unit}s; only the last ${shownCount} are shown as ${unit} rows (at most ${unit === 'day' ? MAX_DAY_BUCKETS : MAX_HOUR_BUCKETS}) and earlier mail is summed in "other". Use day buckets or a shorter window for the rest.`,
        );
      }
      const bits: string[] = [];
      if (first.start < this.opts.window.start.getTime()) bits.push(`the first ${unit} starts at ${this.clock.parts(this.opts.window.start.getTime()).time}`);
      bits.push(`the last ends at ${this.clock.parts(this.opts.window.end.getTime()).time}`);
      notes.push(`${unit === 'day' ? 'Days' : 'Hours'} are in ${this.opts.timeZone}; ${bits.join(' and ')} (the window's edges).`);
      for (const bucket of list.slice(b.firstShown)) {
        if (unit === 'day' && bucket.unusualHours !== undefined) {
          notes.push(`${bucket.label} has ${bucket.unusualHours} hours in ${this.opts.timeZone} (clock change).`);
        }
      }
    }
    return notes;
  }
}

/** Key names for sentences and table headers: "recipient domain", "day × direction". */
export function describeGroupBy(groupBy: readonly GroupKey[]): string {
  return groupBy.map((k) => KEY_NAMES[k]).join(' × ');
}

/** One sentence naming the top group(s) for the summary. */
export function reportSentence(r: Report): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const what = describeGroupBy(r.groupBy);
  const zone = r.groupBy.some(isTime) && r.timeZone !== 'UTC' ? ` (${r.timeZone})` : '';
  if (r.totals.total === 0) return `Report by ${what}${zone}: no rows to count.`;
  const problemsOf = (row: { counts: number[] }): number =>
    r.statuses.reduce((acc, s, i) => acc + (isProblemStatus(s) ? (row.counts[i] ?? 0) : 0), 0);
  const name = (row: ReportRow): string => row.key.join(' / ');
  const single = r.groupBy.length === 1 ? r.groupBy[0] : undefined;
  if (single !== undefined && isTime(single)) {
    const busiest = [...r.groups].sort((a, b) => b.total - a.total)[0] as ReportRow;
    const worst = [...r.groups].sort((a, b) => problemsOf(b) - problemsOf(a))[0] as ReportRow;
    const empty = r.groups.filter((g) => g.total === 0).length;
    const bits = [`busiest ${name(busiest)} with ${n(busiest.total)}`];
    if (problemsOf(worst) > 0) bits.push(`most problems ${name(worst)} (${n(problemsOf(worst))} ${PROBLEM_STATUSES_IN_WORDS})`);
    if (empty > 0) bits.push(`${empty} of ${r.groups.length} ${single}s without mail`);
    return `Report by ${what}${zone}: ${bits.join('; ')}.`;
  }
  const byTotal = [...r.groups].sort((a, b) => b.total - a.total).slice(0, 3);
  const parts = byTotal.map((g) => {
    const p = problemsOf(g);
    const messages = g.messages !== undefined ? ` rows in ${n(g.messages)} message${g.messages === 1 ? '' : 's'}` : '';
    return `${name(g)} ${n(g.total)}${messages}${p > 0 && p !== g.total ? ` (${n(p)} problems)` : ''}`;
  });
  const rest = r.other ? `; ${n(r.other.total)} more rows in "other"` : '';
  return `Report by ${what}${zone}, largest: ${parts.join(', ')}${rest} (${n(r.groups.length)} of ${n(r.distinctGroups)} groups shown).`;
}
