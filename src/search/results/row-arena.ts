/**
 * Rows kept for a search's CSV/JSON exports, stored as JSON bytes outside the V8 heap.
 *
 * Why not row objects: a kept row object (and its strings) survives every young-generation
 * collection of the search, so the collector copies it, promotes it, and later marks it in every
 * full collection while it is kept: a large share of a big search's CPU (BENCHMARKS.md has the
 * figures). Here a row is, when it can be, the bytes Graph sent for it, copied straight from the page
 * (a memory copy: no string is made), and otherwise the row object as JSON. Reading a row back
 * parses it with the same `toRow` as the search did, so an export shows the same values.
 *
 * Every field is cut to FIELD_CHARS characters when read (exports show at most 1,000); a row
 * whose JSON is over RAW_MAX_BYTES (a huge subject, or fields Graph added) is stored re-encoded
 * from its fields, cut, so one row never takes more than a few kilobytes.
 */
import { toRow } from '../../graph/types.js';
import type { MessageTraceRow, RowJson } from '../../graph/types.js';

/** Characters kept of any one field (exports cut subjects to 1,000 and message ids to 998). */
export const FIELD_CHARS = 2000;
/** A row's JSON copied as it came only up to this size. */
export const RAW_MAX_BYTES = 4096;
/** Bytes per chunk; a re-encoded row is at most ~10 × 2,000 × 6 bytes, so it fits in a fresh one. */
const CHUNK_BYTES = 1 << 20;

function cut(value: string): string {
  return value.length > FIELD_CHARS ? value.slice(0, FIELD_CHARS) : value;
}

function cutRow(row: MessageTraceRow): MessageTraceRow {
  return {
    id: cut(row.id),
    messageId: cut(row.messageId),
    senderAddress: cut(row.senderAddress),
    recipientAddress: cut(row.recipientAddress),
    receivedDateTime: cut(row.receivedDateTime),
    subject: cut(row.subject),
    size: row.size,
    fromIP: cut(row.fromIP),
    toIP: cut(row.toIP),
    status: cut(row.status),
  };
}

export class RowArena {
  private chunks: Buffer[] = [];
  /** Bytes used of the last chunk. */
  private used = CHUNK_BYTES;
  /** Per row: chunk index × CHUNK_BYTES + offset in the chunk. */
  private starts = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private count = 0;
  private total = 0;

  get length(): number {
    return this.count;
  }

  /** Bytes the kept rows take (the chunks allocated are at most one chunk more). */
  get byteLength(): number {
    return this.total;
  }

  /** Bytes row `i` is kept as (its JSON). */
  rowBytes(i: number): number {
    return this.lengths[i] ?? 0;
  }

  /** Keep a row: its JSON as Graph sent it when that is given and still readable, else re-encoded. */
  push(row: MessageTraceRow, json?: RowJson): void {
    const size = json ? json.end - json.start : 0;
    if (json && size > 0 && size <= RAW_MAX_BYTES && json.end <= json.bytes.byteLength) {
      // Buffer#copy, not set(subarray()): no view object per row.
      json.bytes.copy(this.room(size), this.used, json.start, json.end);
      this.record(size);
      return;
    }
    const text = JSON.stringify(cutRow(row));
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const target = this.room(text.length * 3);
    this.record(target.write(text, this.used, 'utf8'));
  }

  /** Row `i` (0 ≤ i < length), with every field cut to FIELD_CHARS. */
  get(i: number): MessageTraceRow {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`row ${i} of ${this.count}`);
    const start = this.starts[i] as number;
    const chunk = this.chunks[Math.floor(start / CHUNK_BYTES)] as Buffer;
    const offset = start % CHUNK_BYTES;
    const row = toRow(JSON.parse(chunk.toString('utf8', offset, offset + (this.lengths[i] as number))));
    // Only rows toRow accepted were kept, so this does not happen unless memory was damaged.
    if (!row) throw new Error(`kept row ${i} is damaged`);
    return cutRow(row);
  }

  /**
   * Give the memory back now (the result set was evicted): detached, the chunks are freed at
   * once instead of at the next full collection. The arena is empty afterwards.
   */
  release(): void {
    for (const chunk of this.chunks) {
      // allocUnsafeSlow gave each chunk an ArrayBuffer of its own, so nothing else is detached.
      const buffer = chunk.buffer as ArrayBuffer;
      if (!buffer.detached) buffer.transfer(0);
    }
    this.chunks = [];
    this.used = CHUNK_BYTES;
    this.count = 0;
    this.total = 0;
  }

  /** The chunk to write `bytes` at `this.used`, starting a new one when the last is too full. */
  private room(bytes: number): Buffer {
    if (this.used + bytes > CHUNK_BYTES) {
      this.chunks.push(Buffer.allocUnsafeSlow(CHUNK_BYTES));
      this.used = 0;
    }
    return this.chunks[this.chunks.length - 1] as Buffer;
  }

  private record(written: number): void {
    if (this.count === this.starts.length) this.grow();
    this.starts[this.count] = (this.chunks.length - 1) * CHUNK_BYTES + this.used;
    this.lengths[this.count] = written;
    this.count++;
    this.used += written;
    this.total += written;
  }

  private grow(): void {
    const starts = new Float64Array(this.starts.length * 2);
    starts.set(this.starts);
    this.starts = starts;
    const lengths = new Uint32Array(this.lengths.length * 2);
    lengths.set(this.lengths);
    this.lengths = lengths;
  }
}
