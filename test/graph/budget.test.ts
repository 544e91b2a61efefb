import { describe, expect, it } from 'vitest';
import { RequestBudget } from '../../src/graph/budget.js';

describe('RequestBudget', () => {
  it('allows the limit within the window, then says how long until the oldest request leaves it', () => {
    let t = 1_000_000;
    const b = new RequestBudget(3, 10_000, () => t);
    for (let i = 0; i < 3; i++) {
      expect(b.waitMs()).toBe(0);
      b.take();
      t += 1000;
    }
    expect(b.remaining()).toBe(0);
    // Oldest at 1_000_000, now 1_003_000: 7 s until it leaves the 10 s window.
    expect(b.waitMs()).toBe(7000);
    t += 7000;
    expect(b.waitMs()).toBe(0);
    expect(b.remaining()).toBe(1);
  });

  it('holds everyone back after a 429 until Retry-After has passed', () => {
    let t = 0;
    const b = new RequestBudget(100, 300_000, () => t);
    b.blockFor(5000);
    expect(b.waitMs()).toBe(5000);
    t = 5000;
    expect(b.waitMs()).toBe(0);
  });
});
