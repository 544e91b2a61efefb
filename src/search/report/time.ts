/**
 * Time zones for search reports: validating IANA names, showing instants as local wall-clock
 * time, and cutting a window into local day or hour buckets that follow the zone's clock
 * changes (a spring-forward day has 23 hours, a fall-back day 25, and the repeated hour of a
 * fall-back night is two buckets). Only Intl is used: no time-zone data of our own.
 */

const MINUTE = 60_000;
const QUARTER = 15 * MINUTE;
const HOUR = 60 * MINUTE;

/** The canonical IANA name for `name`, or undefined when Intl does not know the zone. */
export function canonicalTimeZone(name: string): string | undefined {
  if (!name.trim() || name.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name.trim() }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export interface LocalParts {
  /** YYYY-MM-DD */
  date: string;
  /** HH:mm, 00:00-23:59 */
  time: string;
  /** +hh:mm */
  offset: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock reading of instants in one time zone. */
export class ZonedClock {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    let f = formatters.get(timeZone);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        timeZoneName: 'longOffset',
      });
      formatters.set(timeZone, f);
    }
    this.format = f;
  }

  get isUtc(): boolean {
    return this.timeZone === 'UTC';
  }

  parts(t: number): LocalParts {
    const p: Record<string, string> = {};
    for (const part of this.format.formatToParts(new Date(t))) p[part.type] = part.value;
    const offset = (p.timeZoneName ?? 'GMT').replace(/^GMT/, '') || '+00:00';
    return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}`, offset };
  }

  /** "YYYY-MM-DD HH:mm" local time. */
  local(t: number): string {
    const p = this.parts(t);
    return `${p.date} ${p.time}`;
  }
}

export type BucketUnit = 'day' | 'hour';

export interface TimeBucket {
  /** First instant of the bucket (ms since epoch); the bucket runs to the next one's start. */
  start: number;
  /** "YYYY-MM-DD" or "YYYY-MM-DD HH:mm" (plus " (+hh:mm)" where an hour repeats). */
  label: string;
  /** Length in hours when the clock changed inside the bucket (23 or 25 for days), else undefined. */
  unusualHours?: number;
}

function bucketKey(clock: ZonedClock, t: number, unit: BucketUnit): string {
  const p = clock.parts(t);
  // An hour bucket is one wall-clock hour at one offset: the repeated hour of a fall-back night
  // is two buckets.
  return unit === 'day' ? p.date : `${p.date} ${p.time.slice(0, 2)} ${p.offset}`;
}

/** The first instant after `t` that belongs to another bucket (offsets are whole quarter hours). */
function nextStart(clock: ZonedClock, unit: BucketUnit, t: number): number {
  const key = bucketKey(clock, t, unit);
  let lo = t;
  let hi = Math.floor(t / QUARTER) * QUARTER + HOUR;
  while (bucketKey(clock, hi, unit) === key) {
    lo = hi;
    hi += HOUR;
  }
  let q = Math.floor(lo / QUARTER) * QUARTER + QUARTER;
  while (bucketKey(clock, q, unit) === key) q += QUARTER;
  return q;
}

/** The first instant of the bucket that holds `t`. */
function bucketStart(clock: ZonedClock, unit: BucketUnit, t: number): number {
  const key = bucketKey(clock, t, unit);
  let q = Math.floor(t / QUARTER) * QUARTER;
  if (bucketKey(clock, q, unit) !== key) return t;
  while (bucketKey(clock, q - QUARTER, unit) === key) q -= QUARTER;
  return q;
}

/**
 * Every local day or hour bucket that overlaps [start, end], oldest first. The first and last
 * are usually partial (they start before `start` or end after `end`).
 */
export function timeBuckets(start: number, end: number, unit: BucketUnit, clock: ZonedClock): TimeBucket[] {
  const starts: number[] = [];
  let t = bucketStart(clock, unit, start);
  while (t <= end) {
    starts.push(t);
    t = nextStart(clock, unit, t);
  }
  const nominal = unit === 'day' ? 24 : 1;
  const buckets: TimeBucket[] = starts.map((s, i) => {
    const p = clock.parts(s);
    const label = unit === 'day' ? p.date : `${p.date} ${p.time}`;
    const next = starts[i + 1] ?? nextStart(clock, unit, s);
    const hours = (next - s) / HOUR;
    return { start: s, label, ...(hours !== nominal ? { unusualHours: hours } : {}) };
  });
  if (unit === 'hour') {
    // A fall-back night shows the same wall-clock hour twice: tell them apart by the offset.
    const seen = new Map<string, number>();
    for (const b of buckets) seen.set(b.label, (seen.get(b.label) ?? 0) + 1);
    for (const b of buckets) if ((seen.get(b.label) ?? 0) > 1) b.label = `${b.label} (${clock.parts(b.start).offset})`;
  }
  return buckets;
}

/** Index of the bucket holding `t` (binary search over starts); -1 before the first. */
export function bucketIndex(buckets: readonly TimeBucket[], t: number): number {
  let lo = 0;
  let hi = buckets.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((buckets[mid] as TimeBucket).start <= t) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
