/**
 * Result sets are read in numbered pages, each well under 8 MiB: a 50,000-row set is 11 MiB as
 * CSV and 19 MiB as JSON, and the SDK's stdio client refuses (and disconnects on) any message over
 * 10 MiB. Page boundaries are fixed when the set is kept, from an upper bound of each row's
 * rendered size, so the answer can list every page before any is read. Page 1 keeps the set's
 * original URI (message-trace://results/{id}.csv); page n is .../results/{id}/page/{n}.csv.
 */
export const RESULT_URI_PREFIX = 'message-trace://results/';
export type ResultFormat = 'csv' | 'json';

/** Bytes one page's rows may take (a read adds a small header): every read stays under 8 MiB. */
export const PAGE_BYTES = 7 * 1024 * 1024;
/**
 * What an exported row can take beyond the JSON it is kept as: field names, local time and
 * direction, fences, cut marks, a leading apostrophe per CSV cell. Generous on purpose.
 */
export const ROW_OVERHEAD_BYTES = 400;
/** An address character shown as [U+XXXX] grows by at most this many bytes. */
const REVEALED_CHAR_BYTES = 8;
/** A pseudonym (user12345@) can be this much longer than the local part it replaces. */
const PSEUDONYM_BYTES = 16;

const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\u2028\u2029]/gu;

/** Bytes a row's export may add to its kept JSON, from the row itself (its addresses, its @s). */
export function rowGrowth(addresses: string[], texts: string[], redact: boolean): number {
  let bytes = ROW_OVERHEAD_BYTES;
  for (const a of addresses) {
    const hidden = a.length > 0 && HIDDEN.test(a) ? (a.slice(0, 1024).match(HIDDEN)?.length ?? 0) : 0;
    HIDDEN.lastIndex = 0;
    bytes += Math.min(hidden, 240) * REVEALED_CHAR_BYTES;
  }
  if (redact) for (const t of [...addresses, ...texts]) bytes += countAts(t) * PSEUDONYM_BYTES;
  return bytes;
}

function countAts(s: string): number {
  let n = 0;
  for (let i = s.indexOf('@'); i >= 0 && n < 1000; i = s.indexOf('@', i + 1)) n++;
  for (let i = s.indexOf('%40'); i >= 0 && n < 1000; i = s.indexOf('%40', i + 3)) n++;
  return n;
}

/** The first row of each page, greedily filling pages up to `budget` bytes of row bounds. */
export function pageStarts(rowBound: (i: number) => number, rows: number, budget = PAGE_BYTES): number[] {
  const starts = [0];
  let used = 0;
  for (let i = 0; i < rows; i++) {
    const b = rowBound(i);
    if (used > 0 && used + b > budget) {
      starts.push(i);
      used = 0;
    }
    used += b;
  }
  return starts;
}

/** The URI of page `page` (1-based) of a result set. */
export function pageUri(id: string, format: ResultFormat, page: number): string {
  return page <= 1 ? `${RESULT_URI_PREFIX}${id}.${format}` : `${RESULT_URI_PREFIX}${id}/page/${page}.${format}`;
}

/** The URI template of pages (for resources/templates/list). */
export function pageTemplate(format: ResultFormat): string {
  return `${RESULT_URI_PREFIX}{id}/page/{page}.${format}`;
}
