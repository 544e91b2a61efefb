import { describe, expect, it } from 'vitest';
import { CallLimiter } from '../../src/http/call-limit.js';

describe('CallLimiter', () => {
  it('admits N calls a minute per caller, then says when the oldest leaves the window', () => {
    let now = 1_000_000;
    const limiter = new CallLimiter(3, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.admit('alice')).toEqual({ ok: true });
      now += 10_000;
    }
    expect(limiter.admit('alice')).toEqual({ ok: false, retryAfterSeconds: 30 });
    expect(limiter.admit('bob')).toEqual({ ok: true });
    now += 30_000;
    expect(limiter.admit('alice')).toEqual({ ok: true });
    expect(limiter.admit('alice')).toEqual({ ok: false, retryAfterSeconds: 10 });
  });

  it('forgets idle callers', () => {
    let now = 0;
    const limiter = new CallLimiter(1, () => now);
    for (let i = 0; i < 1000; i++) limiter.admit(`caller-${i}`);
    now += 120_000;
    limiter.admit('x');
    expect((limiter as unknown as { calls: Map<string, number[]> }).calls.size).toBe(1);
  });
});
