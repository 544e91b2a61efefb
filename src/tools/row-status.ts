/**
 * The status of one recipient row (traceId × recipient), which get_trace_details needs: the
 * detail events cannot show a recall, and they lag a quarantine or spam verdict the row already
 * has. Rows recently listed by search_traces are remembered (free); otherwise one list request
 * finds the row, in a window around the detail events' times (the list call needs a window of at
 * most 10 days, and a trace id alone gives no date).
 */
import type { GraphClient, WaitAllowance, WaitInfo } from '../graph/client.js';
import { TraceError } from '../errors.js';
import { listTraces } from '../graph/message-traces.js';
import { normaliseStatus, type MessageTraceDetailEvent, type MessageTraceRow, type TraceStatus } from '../graph/types.js';
import { earliestStart, MAX_SLICE_DAYS } from '../graph/window.js';

const HOUR = 3_600_000;

export function notFound(what: string, fix: string): TraceError {
  return new TraceError({ kind: 'notFound', what, why: 'Message trace has no such record in the searched range (or it is older than 90 days, or newer than the 5-10 minute reporting lag).', fix });
}
/** Rows remembered from recent answers. */
const MAX_REMEMBERED = 5_000;
/** A remembered status is trusted this long… */
const FRESH_MS = 10 * 60_000;
/** …and never for statuses that are still moving. */
const UNSETTLED = new Set<TraceStatus | undefined>(['gettingStatus', 'pending', undefined]);

export interface KnownRow {
  status: string;
  receivedDateTime: string;
}

function key(traceId: string, recipient: string): string {
  return `${traceId.toLowerCase()}|${recipient.toLowerCase()}`;
}

/** Rows the server listed lately (bounded, oldest forgotten first). */
export class RecentRows {
  private readonly rows = new Map<string, KnownRow & { at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  remember(row: Pick<MessageTraceRow, 'id' | 'recipientAddress' | 'status' | 'receivedDateTime'>): void {
    const k = key(row.id, row.recipientAddress);
    this.rows.delete(k);
    this.rows.set(k, { status: row.status, receivedDateTime: row.receivedDateTime, at: this.now() });
    if (this.rows.size > MAX_REMEMBERED) this.rows.delete(this.rows.keys().next().value as string);
  }

  /** A settled status seen in the last few minutes, else undefined. */
  settled(traceId: string, recipient: string): KnownRow | undefined {
    const known = this.rows.get(key(traceId, recipient));
    if (!known || this.now() - known.at > FRESH_MS || UNSETTLED.has(normaliseStatus(known.status))) return undefined;
    return { status: known.status, receivedDateTime: known.receivedDateTime };
  }
}

/** The window to find a row in: around its earliest event time, else the last 10 days. */
export function lookupWindow(events: MessageTraceDetailEvent[], now: Date): { start: Date; end: Date } {
  const times = events.map((e) => Date.parse(e.dateTime)).filter((t) => Number.isFinite(t));
  const floor = (t: number) => new Date(Math.floor(t / 1000) * 1000);
  const earliest = earliestStart(now).getTime();
  if (times.length === 0) return { start: floor(Math.max(earliest, now.getTime() - MAX_SLICE_DAYS * 24 * HOUR)), end: floor(now.getTime()) };
  const first = Math.min(...times);
  // The row's receivedDateTime comes a moment before the first event; leave room either side.
  const end = Math.min(now.getTime(), first + HOUR);
  const start = Math.max(earliest, Math.min(first - 2 * HOUR, end - HOUR));
  return { start: floor(start), end: floor(end) };
}

export interface RowLookup {
  row?: KnownRow;
  requests: number;
  /** Why the status is not known, when it is not. */
  note?: string;
}

/** One list request for the row of `traceId` × `recipient`. A failure is a note, not an error (the events still answer). */
export async function lookUpRow(
  graph: GraphClient,
  traceId: string,
  recipient: string,
  events: MessageTraceDetailEvent[],
  now: Date,
  opts: { signal: AbortSignal; allowance: WaitAllowance; onWait?: (info: WaitInfo) => void },
): Promise<RowLookup> {
  const window = lookupWindow(events, now);
  let found: MessageTraceRow | undefined;
  try {
    const outcome = await listTraces(graph, [{ ...window, traceId, recipientAddress: recipient }], {
      signal: opts.signal,
      allowance: opts.allowance,
      maxRows: 10,
      pageSize: 10,
      onRow: (r) => {
        found ??= r;
      },
      ...(opts.onWait ? { onWait: opts.onWait } : {}),
    });
    if (found) return { row: { status: found.status, receivedDateTime: found.receivedDateTime }, requests: outcome.requests };
    return { requests: outcome.requests, note: 'The list row of this trace and recipient was not found around the events\' times, so its status (which alone shows a recall) is unknown; the outcome comes from the events.' };
  } catch (err) {
    if (err instanceof TraceError && err.kind === 'cancelled') throw err;
    const why = err instanceof TraceError ? err.message : 'an unexpected error';
    return { requests: 1, note: `The list row's status could not be read (${why}), so the outcome comes from the events alone (they do not show a recall).` };
  }
}
