/**
 * Time windows for message trace queries. Graph keeps 90 days of history, answers at most 10 days
 * per query, rejects an end in the future, and defaults to the last 48 hours
 * (https://learn.microsoft.com/en-us/graph/api/messagetracingroot-list-messagetraces).
 */
import { parseIsoInstant } from '../shapes.js';
import { TraceError } from '../errors.js';

export const HISTORY_DAYS = 90;
export const MAX_SLICE_DAYS = 10;
export const DEFAULT_WINDOW_HOURS = 48;
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Our check and Graph's happen a moment apart; keep this much clear of the 90-day edge. */
const EDGE_MARGIN_MS = 60_000;

export interface ResolvedWindow {
  start: Date;
  end: Date;
  notes: string[];
}

function parseInstant(field: string, raw: string): Date {
  // The tool schemas refuse a bad date before it gets here; this guards direct callers with the same rule.
  const t = parseIsoInstant(raw);
  if (t === undefined) {
    throw new TraceError({
      kind: 'input',
      what: `${field} "${raw.slice(0, 60)}" is not an ISO 8601 date-time with a time zone.`,
      why: 'A time without a zone is ambiguous; Graph works in UTC.',
      fix: `Give ${field} like 2026-11-20T08:00:00Z or 2026-11-20T09:00:00+01:00.`,
    });
  }
  return new Date(t);
}

/** The earliest start Graph will accept right now, rounded up to the next minute. */
export function earliestStart(now: Date): Date {
  const t = now.getTime() - HISTORY_DAYS * DAY + EDGE_MARGIN_MS;
  return new Date(Math.ceil(t / 60_000) * 60_000);
}

/**
 * Resolve the caller's optional start/end into the window to query. Neither: the last
 * `defaultHours`. Only a start: from it to now. Only an end: `defaultHours` before it.
 */
export function resolveWindow(
  input: { startDateTime?: string | undefined; endDateTime?: string | undefined },
  now: Date,
  defaultHours = DEFAULT_WINDOW_HOURS,
): ResolvedWindow {
  const notes: string[] = [];
  let end = input.endDateTime !== undefined ? parseInstant('endDateTime', input.endDateTime) : now;
  if (end.getTime() > now.getTime()) {
    notes.push(`endDateTime ${input.endDateTime} is in the future; it was clamped to now (${now.toISOString()}).`);
    end = now;
  }
  let start: Date;
  if (input.startDateTime !== undefined) {
    start = parseInstant('startDateTime', input.startDateTime);
  } else {
    start = new Date(end.getTime() - defaultHours * HOUR);
    if (input.endDateTime === undefined) notes.push(`No time range given: searched the last ${defaultHours} hours.`);
  }
  const earliest = earliestStart(now);
  if (start.getTime() < earliest.getTime()) {
    if (input.startDateTime === undefined) {
      // Only possible when just an end near the 90-day edge was given: trim silently-but-noted.
      notes.push(`The window was trimmed to start at ${earliest.toISOString()}, the oldest data Graph keeps.`);
      start = earliest;
    } else {
      throw new TraceError({
        kind: 'input',
        what: `startDateTime ${input.startDateTime} is more than ${HISTORY_DAYS} days ago.`,
        why: `Message trace keeps ${HISTORY_DAYS} days of history; Graph rejects older starts.`,
        fix: `Use a startDateTime at or after ${earliest.toISOString()}.`,
      });
    }
  }
  if (start.getTime() > end.getTime()) {
    throw new TraceError({
      kind: 'input',
      what: `startDateTime (${start.toISOString()}) is after endDateTime (${end.toISOString()}).`,
      why: 'The window would be empty.',
      fix: 'Swap the two values, or give a start before the end.',
    });
  }
  // Whole seconds: the filter is written at second precision, so slices stay exactly ≤ 10 days.
  return { start: floorSecond(start), end: floorSecond(end), notes };
}

function floorSecond(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/**
 * Split a window into slices of at most `maxDays`, newest first (Graph lists newest first, so the
 * rows come out in one descending order across slices). Adjacent slices meet at one instant,
 * which both `ge` and `le` include; rows there are de-duplicated by the caller's key.
 */
export function sliceWindow(start: Date, end: Date, maxDays = MAX_SLICE_DAYS): Array<{ start: Date; end: Date }> {
  const span = maxDays * DAY;
  const slices: Array<{ start: Date; end: Date }> = [];
  let sliceEnd = end.getTime();
  const first = start.getTime();
  do {
    const sliceStart = Math.max(first, sliceEnd - span);
    slices.push({ start: new Date(sliceStart), end: new Date(sliceEnd) });
    sliceEnd = sliceStart;
  } while (sliceEnd > first);
  return slices;
}
