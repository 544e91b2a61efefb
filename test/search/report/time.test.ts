import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bucketIndex, canonicalTimeZone, timeBuckets, ZonedClock } from '../../../src/search/report/time.js';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe('canonicalTimeZone', () => {
  it('accepts IANA names (any case) and returns the canonical spelling', () => {
    expect(canonicalTimeZone('Europe/Prague')).toBe('Europe/Prague');
    expect(canonicalTimeZone('europe/prague')).toBe('Europe/Prague');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('America/New_York')).toBe('America/New_York');
  });

  it('rejects what Intl does not know', () => {
    for (const bad of ['Mars/Olympus_Mons', 'Europe/Praha', '', '   ', 'x'.repeat(100), 'CEST+1']) expect(canonicalTimeZone(bad), bad).toBeUndefined();
  });
});

describe('ZonedClock', () => {
  it('reads wall-clock time and offset, including half-hour zones', () => {
    expect(new ZonedClock('Europe/Prague').parts(at('2026-07-01T10:05:00Z'))).toEqual({ date: '2026-07-01', time: '12:05', offset: '+02:00' });
    expect(new ZonedClock('Asia/Kolkata').parts(at('2026-07-01T20:00:00Z'))).toEqual({ date: '2026-07-02', time: '01:30', offset: '+05:30' });
    expect(new ZonedClock('UTC').local(at('2026-07-01T10:05:59Z'))).toBe('2026-07-01 10:05');
  });
});

describe('timeBuckets in Europe/Prague', () => {
  const prague = new ZonedClock('Europe/Prague');

  it('spring forward (2026-03-29): a 23-hour day from local midnight to local midnight', () => {
    const days = timeBuckets(at('2026-03-28T12:00:00Z'), at('2026-03-30T12:00:00Z'), 'day', prague);
    expect(days.map((d) => d.label)).toEqual(['2026-03-28', '2026-03-29', '2026-03-30']);
    expect(days.map((d) => new Date(d.start).toISOString())).toEqual(['2026-03-27T23:00:00.000Z', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    expect(days.map((d) => d.unusualHours)).toEqual([undefined, 23, undefined]);
  });

  it('fall back (2026-10-25): a 25-hour day', () => {
    const days = timeBuckets(at('2026-10-24T12:00:00Z'), at('2026-10-26T12:00:00Z'), 'day', prague);
    expect(days.map((d) => d.label)).toEqual(['2026-10-24', '2026-10-25', '2026-10-26']);
    expect(days.map((d) => new Date(d.start).toISOString())).toEqual(['2026-10-23T22:00:00.000Z', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z']);
    expect(days[1]!.unusualHours).toBe(25);
  });

  it('hours: the skipped 02:00 does not exist, the repeated 02:00 is two buckets told apart by offset', () => {
    const spring = timeBuckets(at('2026-03-29T00:00:00Z'), at('2026-03-29T02:59:00Z'), 'hour', prague);
    expect(spring.map((b) => b.label)).toEqual(['2026-03-29 01:00', '2026-03-29 03:00', '2026-03-29 04:00']);
    const fall = timeBuckets(at('2026-10-24T23:00:00Z'), at('2026-10-25T02:00:00Z'), 'hour', prague);
    expect(fall.map((b) => b.label)).toEqual(['2026-10-25 01:00', '2026-10-25 02:00 (+02:00)', '2026-10-25 02:00 (+01:00)', '2026-10-25 03:00']);
    expect(fall.every((b, i) => i === 0 || b.start - fall[i - 1]!.start === H)).toBe(true);
  });
});

describe('timeBuckets elsewhere', () => {
  it('hour buckets of a +05:30 zone start at half past the UTC hour', () => {
    const b = timeBuckets(at('2026-07-01T00:00:00Z'), at('2026-07-01T02:00:00Z'), 'hour', new ZonedClock('Asia/Kolkata'));
    expect(b.map((x) => new Date(x.start).toISOString())).toEqual(['2026-06-30T23:30:00.000Z', '2026-07-01T00:30:00.000Z', '2026-07-01T01:30:00.000Z']);
    expect(b[0]!.label).toBe('2026-07-01 05:00');
  });

  it('a 7-day UTC window not on midnight touches 8 days; one on midnight 7 (plus the end instant)', () => {
    const utc = new ZonedClock('UTC');
    expect(timeBuckets(at('2026-05-01T09:30:00Z'), at('2026-05-08T09:30:00Z'), 'day', utc)).toHaveLength(8);
    expect(timeBuckets(at('2026-05-01T00:00:00Z'), at('2026-05-07T23:59:59Z'), 'day', utc)).toHaveLength(7);
  });

  it('bucketIndex: a bucket owns its first instant; -1 before the first', () => {
    const b = timeBuckets(at('2026-05-01T00:00:00Z'), at('2026-05-03T00:00:00Z'), 'day', new ZonedClock('UTC'));
    expect(bucketIndex(b, at('2026-04-30T23:59:59Z'))).toBe(-1);
    expect(bucketIndex(b, at('2026-05-01T00:00:00Z'))).toBe(0);
    expect(bucketIndex(b, at('2026-05-01T23:59:59.999Z'))).toBe(0);
    expect(bucketIndex(b, at('2026-05-02T00:00:00Z'))).toBe(1);
  });

  it('every instant of the window falls in the bucket of its local date or hour (property)', () => {
    const zones = ['Europe/Prague', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC', 'America/Santiago'];
    const base = at('2026-01-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom<'day' | 'hour'>('day', 'hour'),
        fc.integer({ min: 0, max: 364 * 24 * 60 }),
        fc.integer({ min: 1, max: 3 * 24 * 60 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }),
        (zone, unit, startMin, spanMin, fractions) => {
          const clock = new ZonedClock(zone);
          const start = base + startMin * 60_000;
          const end = start + spanMin * 60_000;
          const buckets = timeBuckets(start, end, unit, clock);
          // Contiguous, increasing, the first holds the start, the last holds the end.
          for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.start).toBeGreaterThan(buckets[i - 1]!.start);
          expect(buckets[0]!.start).toBeLessThanOrEqual(start);
          for (const f of fractions) {
            const t = Math.floor(start + f * (end - start));
            const i = bucketIndex(buckets, t);
            expect(i).toBeGreaterThanOrEqual(0);
            const p = clock.parts(t);
            const b = clock.parts(buckets[i]!.start);
            expect(b.date).toBe(p.date);
            if (unit === 'hour') expect(`${b.time.slice(0, 2)} ${b.offset}`).toBe(`${p.time.slice(0, 2)} ${p.offset}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
