/**
 * A Graph list page (`{"@odata.context": …, "value": [ … ], "@odata.nextLink": …}`) read from its
 * bytes a few rows at a time, instead of decoding the whole body and JSON.parse-ing it at once.
 *
 * Why: parsed at once, a page's 5,000 row objects are all alive while it is processed, so
 * young-generation collections during the parse copy them, and V8 reads that survival as a reason
 * to grow the young generation; and each page's decoded text is a large string in the
 * large-object space, which only a full collection frees (BENCHMARKS.md has the figures). Here the
 * structure is scanned on the bytes (so a cut-off or damaged body is still refused as a whole and
 * retried, as before), then rows are decoded and parsed in batches of 50 and handed on, and each
 * batch is garbage before the next one is read.
 *
 * The structural scan checks strings, nesting and separators, not every token: an element whose
 * content is not valid JSON (the scan keeps it apart from its neighbours) comes out as
 * `undefined`, which the caller counts as a malformed row, instead of failing the whole page.
 * Scanning bytes is safe for UTF-8: every byte of a multi-byte character is ≥ 0x80, so none is
 * mistaken for a quote, backslash, bracket or comma, and element boundaries never split a character.
 */

import type { RowJson } from './types.js';
import { utf8BomLength } from '../shapes.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Rows parsed per JSON.parse call: enough that the call overhead vanishes, few enough to die young. */
const BATCH_ROWS = 50;

export class ListPage {
  /** False when the page has no `value` list at all (not a list page). */
  readonly hasValueList: boolean;
  /** The `value` elements as [start, end) byte offsets into the body, two per element. */
  private readonly spans: number[];

  constructor(
    private readonly bytes: Buffer,
    spans: number[] | undefined,
    /** Every top-level member other than `value`, parsed. */
    readonly members: Readonly<Record<string, unknown>>,
  ) {
    this.spans = spans ?? [];
    this.hasValueList = spans !== undefined;
  }

  get rowCount(): number {
    return this.spans.length / 2;
  }

  /** The `@odata.nextLink`, when it is a non-empty string. */
  get nextLink(): string | undefined {
    const next = this.members['@odata.nextLink'];
    return typeof next === 'string' && next ? next : undefined;
  }

  /** Where element `i` of `value` lies in the body (empty once the page is released). */
  rowJson(i: number): RowJson {
    return { bytes: this.bytes, start: this.spans[2 * i] ?? 0, end: this.spans[2 * i + 1] ?? 0 };
  }

  /**
   * Give the body's memory back now. A page outlives a few young-generation collections while its
   * rows are handed on, so its ArrayBuffer is promoted, and would otherwise be freed only at the
   * next full collection, so dead pages would pile up over a long search.
   * Detaching frees it at once. Only a buffer the page has to itself (the view covers all of it)
   * is detached; the page reads no rows afterwards.
   */
  release(): void {
    const { buffer, byteOffset, byteLength } = this.bytes;
    this.spans.length = 0;
    if (byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer && !buffer.detached) buffer.transfer(0);
  }

  /** Each element of `value`, parsed, in order; `undefined` for an element that is not valid JSON. */
  *rows(): Generator<unknown, void, undefined> {
    const { spans, bytes } = this;
    for (let i = 0; i < spans.length; i += 2 * BATCH_ROWS) {
      const last = Math.min(spans.length, i + 2 * BATCH_ROWS) - 1;
      let batch: unknown;
      try {
        // The batch's elements with the commas between, as one JSON array: the byte before the
        // first element and the one after the last are separators (",", "[", "]" or white
        // space), overwritten with "[" and "]" so the text decodes as an array directly, without
        // a copy to add the brackets. The scan is done, so nothing reads those bytes again.
        const from = (spans[i] as number) - 1;
        const to = spans[last] as number;
        bytes[from] = OPEN_BRACKET;
        bytes[to] = CLOSE_BRACKET;
        batch = JSON.parse(bytes.toString('utf8', from, to + 1));
      } catch {
        batch = undefined;
      }
      if (Array.isArray(batch) && batch.length === (last + 1 - i) / 2) {
        yield* batch as unknown[];
        continue;
      }
      // Some element of the batch is not valid JSON: parse them one by one to keep the others.
      for (let j = i; j < last; j += 2) {
        let row: unknown;
        try {
          row = JSON.parse(bytes.toString('utf8', spans[j], spans[j + 1]));
        } catch {
          row = undefined;
        }
        yield row;
      }
    }
  }
}

/**
 * Read a list page's structure from its bytes (a UTF-8 byte order mark is skipped, as a text
 * decode would). Throws a SyntaxError when the body is not one JSON object (cut off, unbalanced,
 * trailing data): the client treats that like any unreadable response.
 */
export function readListPage(bytes: Buffer): ListPage {
  const members: Record<string, unknown> = {};
  let spans: number[] | undefined;
  let p = skipSpace(bytes, utf8BomLength(bytes));
  expect(bytes, p, OPEN_BRACE);
  p = skipSpace(bytes, p + 1);
  if (bytes[p] === CLOSE_BRACE) return finish(bytes, p, spans, members);
  for (;;) {
    expect(bytes, p, QUOTE);
    const keyEnd = skipString(bytes, p);
    const key = JSON.parse(bytes.toString('utf8', p, keyEnd)) as string;
    p = skipSpace(bytes, keyEnd);
    expect(bytes, p, COLON);
    p = skipSpace(bytes, p + 1);
    if (key === 'value' && bytes[p] === OPEN_BRACKET) {
      // A repeated key: the last one counts, as with JSON.parse.
      delete members[key];
      ({ spans, end: p } = scanElements(bytes, p));
    } else {
      const end = skipValue(bytes, p);
      members[key] = JSON.parse(bytes.toString('utf8', p, end));
      if (key === 'value') spans = undefined;
      p = end;
    }
    p = skipSpace(bytes, p);
    if (bytes[p] !== COMMA) return finish(bytes, p, spans, members);
    p = skipSpace(bytes, p + 1);
  }
}

function finish(bytes: Buffer, p: number, spans: number[] | undefined, members: Record<string, unknown>): ListPage {
  expect(bytes, p, CLOSE_BRACE);
  if (skipSpace(bytes, p + 1) !== bytes.length) throw new SyntaxError(`Unexpected data after the JSON object at byte ${p + 1}`);
  return new ListPage(bytes, spans, members);
}

/** The elements of the array whose "[" is at `p`: their spans, and the offset after the "]". */
function scanElements(bytes: Buffer, p: number): { spans: number[]; end: number } {
  const spans: number[] = [];
  p = skipSpace(bytes, p + 1);
  if (bytes[p] === CLOSE_BRACKET) return { spans, end: p + 1 };
  for (;;) {
    const end = skipValue(bytes, p);
    spans.push(p, end);
    p = skipSpace(bytes, end);
    if (bytes[p] === COMMA) {
      p = skipSpace(bytes, p + 1);
      continue;
    }
    expect(bytes, p, CLOSE_BRACKET);
    return { spans, end: p + 1 };
  }
}

let closers = new Uint8Array(32);

function growClosers(): void {
  const grown = new Uint8Array(closers.length * 2);
  grown.set(closers);
  closers = grown;
}

/** The offset just after the JSON value starting at `p`. Checks nesting and strings, not tokens. */
function skipValue(bytes: Buffer, p: number): number {
  const first = bytes[p];
  if (first === QUOTE) return skipString(bytes, p);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: up to the next delimiter (JSON.parse checks the token).
    let end = p;
    while (end < bytes.length && !isDelimiter(bytes[end] as number)) end++;
    if (end === p) throw new SyntaxError(p >= bytes.length ? 'Unexpected end of JSON input' : `Expected a JSON value at byte ${p}`);
    return end;
  }
  // Objects and arrays: the closer each open level expects, on a stack shared by every call
  // (this runs once per row, so it must not allocate).
  let depth = 0;
  for (let i = p; i < bytes.length; ) {
    const c = bytes[i] as number;
    if (c === QUOTE) {
      i = skipString(bytes, i);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === closers.length) growClosers();
      closers[depth++] = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0 || closers[--depth] !== c) throw new SyntaxError(`Unbalanced JSON at byte ${i}`);
      if (depth === 0) return i + 1;
    }
    i++;
  }
  throw new SyntaxError('Unexpected end of JSON input');
}

/** The offset just after the string whose opening quote is at `p`. */
function skipString(bytes: Buffer, p: number): number {
  let q = p;
  for (;;) {
    q = bytes.indexOf(QUOTE, q + 1);
    if (q < 0) throw new SyntaxError('Unterminated string in JSON');
    let backslashes = 0;
    while (bytes[q - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
  }
}

function skipSpace(bytes: Buffer, p: number): number {
  for (;;) {
    const c = bytes[p];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
    else return p;
  }
}

function isDelimiter(c: number): boolean {
  return c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function expect(bytes: Buffer, p: number, code: number): void {
  if (bytes[p] !== code) {
    throw new SyntaxError(p >= bytes.length ? 'Unexpected end of JSON input' : `Unexpected character in JSON at byte ${p}`);
  }
}
