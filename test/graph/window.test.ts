import { describe, expect, it } from 'vitest';
import { TraceError } from '../../src/errors.js';
import { earliestStart, resolveWindow, sliceWindow } from '../../src/graph/window.js';

const now = new Date('2026-11-27T12:00:00.500Z');
const DAY = 86_400_000;

describe('resolveWindow', () => {
  it('defaults to the last 48 hours, in whole seconds, with a note', () => {
    const w = resolveWindow({}, now);
    expect(w.end.toISOString()).toBe('2026-11-27T12:00:00.000Z');
    expect(w.end.getTime() - w.start.getTime()).toBe(48 * 3_600_000);
    expect(w.notes.join(' ')).toMatch(/last 48 hours/);
  });

  it('clamps an end in the future to now and says so', () => {
    const w = resolveWindow({ startDateTime: '2026-11-26T00:00:00Z', endDateTime: '2026-12-01T00:00:00Z' }, now);
    expect(w.end.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(w.notes.join(' ')).toMatch(/clamped to now/);
  });

  it('rejects a start older than 90 days, naming the earliest allowed instant', () => {
    try {
      resolveWindow({ startDateTime: '2026-08-01T00:00:00Z' }, now);
      expect.fail('should throw');
    } catch (err) {
      expect(err).toBeInstanceOf(TraceError);
      const e = err as TraceError;
      expect(e.kind).toBe('input');
      expect(e.fix).toContain(earliestStart(now).toISOString());
      expect(earliestStart(now).getTime()).toBeGreaterThan(now.getTime() - 90 * DAY);
    }
  });

  it('rejects start after end, and times without a zone', () => {
    expect(() => resolveWindow({ startDateTime: '2026-11-27T00:00:00Z', endDateTime: '2026-11-26T00:00:00Z' }, now)).toThrow(/after endDateTime/);
    expect(() => resolveWindow({ startDateTime: '2026-11-27T00:00:00' }, now)).toThrow(/time zone/);
    expect(() => resolveWindow({ startDateTime: 'yesterday' }, now)).toThrow(/ISO 8601/);
  });

  it('accepts offsets and converts to UTC', () => {
    const w = resolveWindow({ startDateTime: '2026-11-27T09:00:00+01:00', endDateTime: '2026-11-27T10:00:00+01:00' }, now);
    expect(w.start.toISOString()).toBe('2026-11-27T08:00:00.000Z');
  });
});

describe('sliceWindow', () => {
  it('keeps a window of up to 10 days whole', () => {
    const end = new Date('2026-11-27T00:00:00Z');
    expect(sliceWindow(new Date(end.getTime() - 10 * DAY), end)).toHaveLength(1);
  });

  it('splits longer windows into ≤10-day slices, newest first, that cover it exactly', () => {
    const end = new Date('2026-11-27T00:00:00Z');
    const start = new Date(end.getTime() - 25 * DAY - 5000);
    const slices = sliceWindow(start, end);
    expect(slices).toHaveLength(3);
    expect(slices[0]!.end).toEqual(end);
    expect(slices.at(-1)!.start).toEqual(start);
    for (let i = 0; i < slices.length; i++) {
      const s = slices[i]!;
      expect(s.end.getTime() - s.start.getTime()).toBeLessThanOrEqual(10 * DAY);
      if (i > 0) expect(s.end).toEqual(slices[i - 1]!.start);
    }
  });
});
