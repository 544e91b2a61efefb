/**
 * Deterministic pseudo-random numbers for the simulated tenant. Never Math.random: the same seed
 * must give the same tenant on every machine and every run.
 */

/** 32-bit FNV-1a hash of a string, mixed with a seed. */
export function hashString(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche (murmur3 fmix32) so that close inputs give unrelated outputs.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** mulberry32: small, fast, good enough for test data. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Pick by weight: [[value, weight], …]. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  /** 8 lowercase hex digits. */
  hex8(): string {
    const v = this.u32();
    return (
      (BYTE_HEX[v >>> 24] as string) +
      (BYTE_HEX[(v >>> 16) & 255] as string) +
      (BYTE_HEX[(v >>> 8) & 255] as string) +
      (BYTE_HEX[v & 255] as string)
    );
  }

  /** `n` lowercase hex digits. */
  hex(n: number): string {
    if (n === 8) return this.hex8();
    let out = '';
    while (out.length < n) out += this.hex8();
    return out.length === n ? out : out.slice(0, n);
  }

  /** `n` uppercase alphanumerics (for server names). */
  upperAlnum(n: number): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    let out = '';
    for (let i = 0; i < n; i++) out += chars[this.u32() % chars.length];
    return out;
  }

  /**
   * A message trace id shaped like Exchange Online's: random first groups, then `08de` and a
   * time-derived tail (e.g. `eaaafa9a-788c-47f0-357c-08de5bf702e0`).
   */
  traceId(): string {
    const a = this.hex8();
    const b = this.hex8();
    const c = this.hex8();
    return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-08de${this.hex8()}`;
  }

  /** A random version-4-looking GUID. */
  guid(): string {
    const variant = '89ab'[this.u32() & 3] ?? '8';
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${variant}${this.hex(3)}-${this.hex(12)}`;
  }
}
