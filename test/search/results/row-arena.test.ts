import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessageTraceRow, RowJson } from '../../../src/graph/types.js';
import { FIELD_CHARS, RAW_MAX_BYTES, RowArena } from '../../../src/search/results/row-arena.js';
import { traceRow } from '../../support/rows.js';

const row = (over: Partial<MessageTraceRow> = {}): MessageTraceRow => traceRow(over);

/** A row as Graph would send it inside a page: its JSON among others, and where it lies. */
function inPage(r: unknown, extra = ''): RowJson {
  const before = '{"value":[{"id":"other"},';
  const text = JSON.stringify(r);
  // A buffer of its own, as a Graph page has (a small Buffer.from would share Node's pool).
  const page = Buffer.from(`${before}${text}${extra}]}`);
  const bytes = Buffer.allocUnsafeSlow(page.length);
  page.copy(bytes);
  const start = Buffer.byteLength(before);
  return { bytes, start, end: start + Buffer.byteLength(text) };
}

describe('RowArena', () => {
  it('gives back every field of every row, in order, copied from the page or re-encoded', () => {
    const arena = new RowArena();
    const rows = [
      row(),
      row({ subject: 'Überweisung 😀 — «fwd»', senderAddress: 'zoë@exämple.com', size: 0 }),
      row({ subject: '', messageId: '', toIP: '2001:db8::1', status: 'FilteredAsSpam', size: 987654321 }),
    ];
    arena.push(rows[0]!, inPage(rows[0]));
    arena.push(rows[1]!, inPage(rows[1]));
    arena.push(rows[2]!);
    expect(arena.length).toBe(3);
    expect([0, 1, 2].map((i) => arena.get(i))).toEqual(rows);
  });

  it('copies the JSON Graph sent, byte for byte, and reads it with the search\'s own toRow', () => {
    const arena = new RowArena();
    // Graph's own field order and a field we do not use: kept as sent, ignored when read.
    const graphRow = { ...row(), extraGraphField: 'x'.repeat(50), size: '4321' };
    const json = inPage(graphRow);
    arena.push(row(), json);
    expect(arena.byteLength).toBe(json.end - json.start);
    expect(arena.get(0)).toEqual(row({ size: 4321 }));
  });

  it('re-encodes a row whose page is already released (its bytes read as empty)', () => {
    const arena = new RowArena();
    const json = inPage(row({ subject: 'from the page' }));
    (json.bytes.buffer as ArrayBuffer).transfer(0);
    arena.push(row({ subject: 'from the object' }), json);
    expect(arena.get(0).subject).toBe('from the object');
  });

  it(`re-encodes rows over ${RAW_MAX_BYTES} bytes and cuts every field to ${FIELD_CHARS} characters`, () => {
    const arena = new RowArena();
    const huge = row({ subject: 's'.repeat(10_000), messageId: 'm'.repeat(5000) });
    arena.push(huge, inPage(huge));
    expect(arena.byteLength).toBeLessThan(5000);
    expect(arena.get(0).subject).toBe('s'.repeat(FIELD_CHARS));
    expect(arena.get(0).messageId).toBe('m'.repeat(FIELD_CHARS));
    // Below the raw limit a long field is still cut when read.
    const long = row({ subject: 'ä'.repeat(FIELD_CHARS + 5) });
    arena.push(long, inPage(long));
    expect(arena.get(1).subject).toBe('ä'.repeat(FIELD_CHARS));
  });

  it('spreads rows over chunks and still finds each one', () => {
    const arena = new RowArena();
    // ~6 KB per re-encoded row (2,000 three-byte characters): 400 rows need three 1 MB chunks.
    for (let i = 0; i < 400; i++) arena.push(row({ id: `id-${i}`, subject: '€'.repeat(FIELD_CHARS) }));
    expect(arena.byteLength).toBeGreaterThan(2 * 1024 * 1024);
    for (const i of [0, 1, 170, 171, 172, 250, 399]) {
      const r = arena.get(i);
      expect(r.id).toBe(`id-${i}`);
      expect(r.subject).toBe('€'.repeat(FIELD_CHARS));
    }
  });

  it('refuses an index outside the rows', () => {
    const arena = new RowArena();
    arena.push(row());
    expect(() => arena.get(1)).toThrow(RangeError);
    expect(() => arena.get(-1)).toThrow(RangeError);
  });

  it('grows past its first index block', () => {
    const arena = new RowArena();
    for (let i = 0; i < 5000; i++) {
      const r = row({ id: `id-${i}`, size: i });
      arena.push(r, i % 2 ? inPage(r) : undefined);
    }
    expect(arena.length).toBe(5000);
    expect(arena.get(4999)).toMatchObject({ id: 'id-4999', size: 4999 });
    expect(arena.get(1024)).toMatchObject({ id: 'id-1024', size: 1024 });
  });

  it('frees its memory on release and is empty afterwards', () => {
    const arena = new RowArena();
    for (let i = 0; i < 10; i++) arena.push(row());
    const chunk = (arena as unknown as { chunks: Buffer[] }).chunks[0]!;
    arena.release();
    expect(chunk.buffer.byteLength).toBe(0); // detached: the bytes are gone, not waiting for a GC
    expect(arena.length).toBe(0);
    expect(() => arena.get(0)).toThrow(RangeError);
    arena.push(row({ subject: 'again' }));
    expect(arena.get(0).subject).toBe('again');
  });

  it('round-trips any row, copied or re-encoded (property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 60 });
    // Rows without a trace id or recipient never reach the store (toRow refuses them).
    const nonEmpty = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });
    const rowArb = fc.record({
      id: nonEmpty,
      messageId: text,
      senderAddress: text,
      recipientAddress: nonEmpty,
      receivedDateTime: text,
      subject: fc.oneof(text, fc.string({ unit: 'grapheme', minLength: 1990, maxLength: 2100 })),
      size: fc.integer({ min: 0, max: 2 ** 40 }),
      fromIP: text,
      toIP: text,
      status: text,
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(rowArb, fc.boolean()), { maxLength: 20 }), (items) => {
        const arena = new RowArena();
        for (const [r, raw] of items) arena.push(r, raw ? inPage(r) : undefined);
        items.forEach(([r], i) => {
          const back = arena.get(i);
          expect(back.subject).toBe(r.subject.slice(0, FIELD_CHARS));
          expect({ ...back, subject: '' }).toEqual({ ...r, subject: '' });
        });
      }),
      // No shrinking: shrinking 2,000-character strings takes minutes; the first counterexample will do.
      { numRuns: 200, endOnFailure: true },
    );
  });
});
