/**
 * Tool calls per caller per minute (MESSAGE_TRACE_HTTP_CALLS_PER_MINUTE): one shared server has
 * one Graph quota (100 requests per 5 minutes per tenant), so one busy agent must not use it up
 * for the whole team. A sliding window of call times per caller; idle callers are forgotten.
 */
const WINDOW_MS = 60_000;

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

export class CallLimiter {
  private readonly calls = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count a call by `caller`, or say how long until the oldest call in the window leaves it. */
  admit(caller: string): Admission {
    const now = this.now();
    this.sweep(now);
    const times = (this.calls.get(caller) ?? []).filter((t) => t > now - WINDOW_MS);
    if (times.length >= this.perMinute) {
      this.calls.set(caller, times);
      const oldest = times[0] as number;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
    }
    times.push(now);
    this.calls.set(caller, times);
    return { ok: true };
  }

  /** Drop callers with no call in the window, at most once a window. */
  private sweep(now: number): void {
    if (now - this.lastSweep < WINDOW_MS) return;
    this.lastSweep = now;
    for (const [caller, times] of this.calls) if ((times.at(-1) ?? 0) <= now - WINDOW_MS) this.calls.delete(caller);
  }
}
