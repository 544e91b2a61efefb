/**
 * Whether Graph honours `senderAddress eq '*@contoso.com'` (and the recipientAddress form) as a
 * domain wildcard. Microsoft documents no wildcard; a third-party lab saw Graph honour exactly
 * this form. If it does, a domain search can ask Graph for the domain's rows only instead of
 * reading the whole window; if it does not, such a filter silently matches nothing.
 *
 * The guard: the first domain search of the process reads its window without the address filter
 * (always exact) and keeps its newest matches. Then one wildcard query over the span of those
 * matches must return every one of them. The verdict, either way, is kept for the life of the
 * process (per Graph client); nothing is assumed until it is in.
 */
import type { GraphClient, WaitAllowance, WaitInfo } from '../graph/client.js';
import { TraceError } from '../errors.js';
import type { TraceQuery } from '../graph/filter.js';
import { listTraces } from '../graph/message-traces.js';
import type { MessageTraceRow } from '../graph/types.js';
import { domainOf } from '../output/addresses.js';
import type { AddressSide } from './domain-filter.js';

export interface WildcardVerdict {
  honoured: boolean;
  /** ISO time of the check. */
  checkedAt: string;
  /** What the check saw, for the answer's notes. */
  evidence: string;
}

const verdicts = new WeakMap<GraphClient, Partial<Record<AddressSide, WildcardVerdict>>>();

export function wildcardVerdict(client: GraphClient, side: AddressSide): WildcardVerdict | undefined {
  return verdicts.get(client)?.[side];
}

function remember(client: GraphClient, side: AddressSide, verdict: WildcardVerdict): void {
  verdicts.set(client, { ...verdicts.get(client), [side]: verdict });
}

/** A narrowed read said "none" and the unfiltered read found rows: the wildcard is not to be trusted. */
export function distrustWildcard(client: GraphClient, side: AddressSide, evidence: string, now: Date): void {
  remember(client, side, { honoured: false, checkedAt: now.toISOString(), evidence });
}

/** Matches this many newest rows: enough evidence, and one page of the check query. */
export const CHECK_ROWS = 200;
const SECOND = 1000;
const TEN_DAYS = 10 * 86_400_000;

interface Match {
  key: string;
  time: number;
}

function rowKey(row: Pick<MessageTraceRow, 'id' | 'recipientAddress'>): string {
  return `${row.id.toLowerCase()}|${row.recipientAddress.toLowerCase()}`;
}

/** The newest matching rows of an unfiltered read: the ground truth a wildcard check is held to. */
export class NewestMatches {
  private items: Match[] = [];
  /** True once an older match was dropped: then the oldest kept second may miss ties. */
  private cut = false;

  constructor(private readonly keep = CHECK_ROWS) {}

  add(row: Pick<MessageTraceRow, 'id' | 'recipientAddress' | 'receivedDateTime'>): void {
    const time = Date.parse(row.receivedDateTime);
    if (Number.isNaN(time)) return;
    this.items.push({ key: rowKey(row), time });
    if (this.items.length >= this.keep * 4) this.trim();
  }

  private trim(): void {
    this.items.sort((a, b) => b.time - a.time);
    if (this.items.length > this.keep) this.cut = true;
    this.items.length = Math.min(this.items.length, this.keep);
  }

  /** Newest first, at most `keep`. */
  newest(): Match[] {
    this.trim();
    return this.items;
  }

  get truncated(): boolean {
    return this.cut;
  }
}

export interface CheckOptions {
  signal: AbortSignal;
  allowance: WaitAllowance;
  onWait?: (info: WaitInfo) => void;
  now: () => Date;
}

/**
 * Check the wildcard once against `matches` (every row at `domain` on `side` that an unfiltered,
 * complete read of `window` found with the filters of `template`). Returns the verdict (also
 * remembered), or none when the check could not decide (no match, a failed request, paging cut).
 */
export async function checkWildcard(
  client: GraphClient,
  side: AddressSide,
  domain: string,
  template: TraceQuery,
  matches: NewestMatches,
  window: { start: Date; end: Date },
  opts: CheckOptions,
): Promise<{ verdict?: WildcardVerdict; requests: number }> {
  const newest = matches.newest();
  if (newest.length === 0) return { requests: 0 };
  // The span of the newest matches, on whole seconds (the filter's precision), inside the window.
  const end = Math.min(window.end.getTime(), Math.ceil(((newest[0] as Match).time + 1) / SECOND) * SECOND);
  const start = Math.max(window.start.getTime(), Math.floor((newest.at(-1) as Match).time / SECOND) * SECOND, end - TEN_DAYS);
  // When older matches were dropped, rows in the first second may have lost ties to rows not
  // kept; and Graph compares the end on whole seconds: rows there prove nothing either way.
  const from = matches.truncated && start > window.start.getTime() ? start + SECOND : start;
  const to = Math.floor(end / SECOND) * SECOND;
  const expected = newest.filter((m) => m.time >= from && m.time < to);
  if (expected.length === 0) return { requests: 0 };

  const got = new Set<string>();
  const query: TraceQuery = { ...template, start: new Date(start), end: new Date(end), [side]: `*@${domain}` };
  let requests = 0;
  try {
    const outcome = await listTraces(client, [query], {
      signal: opts.signal,
      allowance: opts.allowance,
      maxRows: 10_000,
      ...(opts.onWait ? { onWait: opts.onWait } : {}),
      onRow: (row) => {
        if (domainOf(row[side]) === domain) got.add(rowKey(row));
      },
    });
    requests = outcome.requests;
    if (!outcome.complete) return { requests };
  } catch (err) {
    if (err instanceof TraceError && err.kind !== 'cancelled') return { requests: Math.max(1, requests) };
    throw err;
  }
  const missing = expected.filter((m) => !got.has(m.key)).length;
  const at = opts.now().toISOString();
  const pattern = `${side} eq '*@${domain}'`;
  const verdict: WildcardVerdict =
    missing === 0
      ? { honoured: true, checkedAt: at, evidence: `${pattern} returned all ${expected.length} rows at ${domain} that an unfiltered read had found` }
      : {
          honoured: false,
          checkedAt: at,
          evidence:
            got.size === 0
              ? `${pattern} returned none of the ${expected.length} rows at ${domain} that an unfiltered read had found (Graph reads it as a literal address)`
              : `${pattern} returned only ${expected.length - missing} of the ${expected.length} rows at ${domain} that an unfiltered read had found`,
        };
  remember(client, side, verdict);
  return { verdict, requests };
}
