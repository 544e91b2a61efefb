/**
 * A rolling request budget for Graph's message trace quota: 100 requests per tenant per rolling
 * 5 minutes, shared by list and detail calls (and by every other app and admin in the tenant,
 * which is why the default budget leaves headroom). The server paces itself against it instead
 * of running into 429s.
 */
export class RequestBudget {
  private readonly stamps: number[] = [];
  private blockedUntil = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  private prune(t: number): void {
    while (this.stamps.length > 0 && (this.stamps[0] as number) <= t - this.windowMs) this.stamps.shift();
  }

  /** Milliseconds until one more request fits (0 = now). Does not take a slot. */
  waitMs(): number {
    const t = this.now();
    this.prune(t);
    const untilBlockEnds = Math.max(0, this.blockedUntil - t);
    if (this.stamps.length < this.limit) return untilBlockEnds;
    const oldest = this.stamps[this.stamps.length - this.limit] as number;
    return Math.max(untilBlockEnds, oldest + this.windowMs - t);
  }

  /**
   * Take a slot now if one is free (returns 0), else return the milliseconds until one frees up
   * and take nothing. Check and take are one synchronous step: concurrent callers cannot both see
   * the last slot free and both send.
   */
  tryTake(): number {
    const wait = this.waitMs();
    if (wait === 0) this.take();
    return wait;
  }

  /** Record a request being sent now. */
  take(): void {
    const t = this.now();
    this.prune(t);
    this.stamps.push(t);
  }

  /** Graph said 429 with Retry-After: hold every caller back until then. */
  blockFor(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }

  /** True while a 429 from Graph holds callers back (rather than this budget being used up). */
  blockedByGraph(): boolean {
    return this.blockedUntil > this.now();
  }

  /** Requests still available right now. */
  remaining(): number {
    const t = this.now();
    this.prune(t);
    return Math.max(0, this.limit - this.stamps.length);
  }
}
