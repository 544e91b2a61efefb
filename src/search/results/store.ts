/**
 * The full row sets of recent searches, so a user can have every row (as CSV for a spreadsheet
 * or JSON) without the rows flooding the model's context. Kept in memory only and bounded: the
 * last `maxResults` searches and at most `maxRows` rows in all (the oldest result sets go first;
 * one search alone keeps at most `maxRows`). Rows are kept as JSON bytes outside the V8 heap
 * (RowArena: ~300-350 bytes a typical row, so the 50,000-row cap is some 15-18 MB), with a byte
 * per row for the direction.
 *
 * Exports carry sanitized values (control and invisible characters removed, lengths capped) and
 * honour address redaction with the same pseudonyms as the search's answer. CSV quotes every
 * field and neutralises a leading =, +, -, @ (and their full-width forms) against formula
 * injection; JSON fences mail-written text in «…» as tool answers do.
 */
import { randomBytes } from 'node:crypto';
import { normaliseStatus, type MessageTraceRow, type RowJson } from '../../graph/types.js';
import type { AddressRenderer } from '../../output/addresses.js';
import { withOutputScope } from '../../output/scope.js';
import { PAGE_BYTES, pageStarts, pageUri, rowGrowth, type ResultFormat } from './pages.js';
import { DIRECTIONS, type Direction } from '../direction.js';
import { RowArena } from './row-arena.js';
import { ZonedClock } from '../report/time.js';
import { cleanText, fenceUntrusted, sanitizeText, truncateText, UNTRUSTED_NOTICE } from '../../output/untrusted.js';
import { clusterKey, type ClusterCause } from '../triage.js';

export { RESULT_URI_PREFIX, type ResultFormat } from './pages.js';
export const MAX_RESULTS = 5;
export const MAX_KEPT_ROWS = 50_000;
/** Subject characters an export shows; longer ones are cut (kept rows hold at most twice that). */
const SUBJECT_CHARS = 1000;
/** How many evicted ids are remembered, to say "expired" rather than "unknown". */
const EXPIRED_REMEMBERED = 200;

/** The URI of a result set (its first page). */
export function resultUri(id: string, format: ResultFormat): string {
  return pageUri(id, format, 1);
}

export interface ResultMeta {
  /** What was searched, e.g. "sender x@y.com, status failed" ('' for everything). */
  description: string;
  window: { start: string; end: string };
  timeZone: string;
  /** The answer's address renderer: exports reuse its pseudonyms when redacting. */
  addresses: AddressRenderer;
  /**
   * Who may see the set: the caller's identity in HTTP mode (oid, else app id), so a caller finds
   * its sets from any later connection and nobody else finds them at all. undefined on stdio.
   */
  owner?: string;
}

export interface KeptResult extends ResultMeta {
  id: string;
  createdAt: string;
  complete: boolean;
  rows: RowArena;
  /** Index into DIRECTIONS, one per row. */
  directions: Uint8Array;
  /** Rows the search counted; more than rows.length when the per-search cap cut the set. */
  rowsCounted: number;
  /** The first row of each page (see pages.ts); one page for most sets. */
  pageStarts: number[];
  /**
   * When the search ran with explain: the cause read for each sampled cluster (by clusterKey),
   * so the export can say, per problem row, what explain found and whether it was read for that
   * row or for another row of its cluster.
   */
  causes?: Map<string, ClusterCause>;
}

/** Collects one search's rows as they stream in, up to the store's row cap. */
export class ResultCollector {
  readonly rows = new RowArena();
  private codes = new Uint8Array(1024);
  /** Per row, bytes its export may add to its kept JSON (for page boundaries). */
  private growth = new Uint16Array(1024);
  counted = 0;

  constructor(
    readonly meta: ResultMeta,
    private readonly maxRows: number,
  ) {}

  /** `json`: where the row's JSON lies in Graph's page, to copy it as bytes (see RowArena). */
  add(row: MessageTraceRow, direction: Direction, json?: RowJson): void {
    this.counted++;
    if (this.rows.length >= this.maxRows) return;
    if (this.rows.length === this.codes.length) {
      const grown = new Uint8Array(this.codes.length * 2);
      grown.set(this.codes);
      this.codes = grown;
      const growth = new Uint16Array(this.growth.length * 2);
      growth.set(this.growth);
      this.growth = growth;
    }
    this.growth[this.rows.length] = Math.min(65_535, rowGrowth([row.senderAddress, row.recipientAddress], [row.subject, row.messageId], this.meta.addresses.redact));
    this.codes[this.rows.length] = DIRECTIONS.indexOf(direction);
    this.rows.push(row, json);
  }

  directions(): Uint8Array {
    return this.codes.slice(0, this.rows.length);
  }

  /** Where each page of the export starts, every page's rows within `budget` bytes. */
  pageStarts(budget: number, extraPerRow = 0): number[] {
    return pageStarts((i) => this.rows.rowBytes(i) + (this.growth[i] ?? 0) + extraPerRow, this.rows.length, budget);
  }
}

export type Lookup = { result: KeptResult } | { missing: 'expired' | 'unknown' };

export class ResultStore {
  private readonly results: KeptResult[] = [];
  private readonly expired: Array<{ id: string; owner: string | undefined }> = [];
  /** Rows in `results`, all sets together. */
  private keptRows = 0;
  readonly maxResults: number;
  readonly maxRows: number;
  /** Bytes of rows per page of an export (PAGE_BYTES; smaller in tests). */
  readonly pageBytes: number;

  private readonly now: () => Date;
  /** Called after a result set was added or evicted (the server announces a changed list). */
  onChange: (() => void) | undefined;

  constructor(opts: { maxResults?: number; maxRows?: number; pageBytes?: number; now?: () => Date; onChange?: () => void } = {}) {
    this.pageBytes = Math.max(1, opts.pageBytes ?? PAGE_BYTES);
    this.maxResults = Math.max(1, opts.maxResults ?? MAX_RESULTS);
    this.maxRows = Math.max(1, opts.maxRows ?? MAX_KEPT_ROWS);
    this.now = opts.now ?? (() => new Date());
    this.onChange = opts.onChange;
  }

  /**
   * Start collecting a search's rows. Older sets are evicted only when the search is kept
   * (keep), never while it runs: a search that is cancelled or fails must not cost the user a set
   * they still have. While a search runs, the server may hold up to two sets' worth of rows.
   */
  collect(meta: ResultMeta): ResultCollector {
    return new ResultCollector(meta, this.maxRows);
  }

  /**
   * Keep a finished search's rows, evicting the oldest sets past the bounds; none for no rows.
   * `causes`: what explain found per sampled cluster (the export gains cause columns).
   */
  keep(collector: ResultCollector, complete: boolean, causes?: Map<string, ClusterCause>): KeptResult | undefined {
    if (collector.rows.length === 0) return undefined;
    const withCauses = causes !== undefined && causes.size > 0;
    const result: KeptResult = {
      ...collector.meta,
      id: randomBytes(6).toString('hex'),
      createdAt: this.now().toISOString(),
      complete,
      rows: collector.rows,
      directions: collector.directions(),
      rowsCounted: collector.counted,
      pageStarts: collector.pageStarts(this.pageBytes, withCauses ? causeBytes(causes) : 0),
      ...(withCauses ? { causes } : {}),
    };
    this.results.push(result);
    this.keptRows += result.rows.length;
    while (this.results.length > this.maxResults || this.keptRows > this.maxRows) this.evictOldest(false);
    this.onChange?.();
    return result;
  }

  private evictOldest(announce = true): void {
    const old = this.results.shift();
    if (!old) return;
    this.keptRows -= old.rows.length;
    old.rows.release();
    this.expired.push({ id: old.id, owner: old.owner });
    if (this.expired.length > EXPIRED_REMEMBERED) this.expired.shift();
    if (announce) this.onChange?.();
  }

  /** The owner's kept result sets, newest first. */
  list(owner?: string): KeptResult[] {
    return this.results.filter((r) => r.owner === owner).reverse();
  }

  get rowCount(): number {
    return this.keptRows;
  }

  /** Another owner's set reads exactly like an id that never existed. */
  lookup(id: string, owner?: string): Lookup {
    const result = this.results.find((r) => r.id === id && r.owner === owner);
    if (result) return { result };
    return { missing: this.expired.some((e) => e.id === id && e.owner === owner) ? 'expired' : 'unknown' };
  }

  /** The store as one caller sees it: what it keeps is the caller's. */
  forOwner(owner: string | undefined): Pick<ResultStore, 'collect' | 'keep'> {
    return {
      collect: (meta) => this.collect({ ...meta, ...(owner === undefined ? {} : { owner }) }),
      keep: (collector, complete, causes) => this.keep(collector, complete, causes),
    };
  }

  /** The text for a read of an id that is not kept. */
  missingMessage(id: string, missing: 'expired' | 'unknown'): string {
    const shown = JSON.stringify(sanitizeText(id).slice(0, 40));
    const kept = `only the last ${this.maxResults} searches (at most ${this.maxRows.toLocaleString('en-US')} rows in all) are kept, in memory, until the server restarts`;
    return missing === 'expired'
      ? `Search result ${shown} has expired: ${kept}. Run search_traces again to get a new result set.`
      : `Search result ${shown} is unknown or has expired (${kept}). Run search_traces again to get a new result set.`;
  }
}

// ---------------------------------------------------------------------------------------------
// Exports

interface ExportRow {
  receivedDateTime: string;
  localTime?: string;
  traceId: string;
  senderAddress: string;
  recipientAddress: string;
  status: string;
  direction: string;
  subject: string;
  size: number;
  messageId: string;
  fromIP: string;
  toIP: string;
  /** Only in sets searched with explain: see causeColumns. */
  cause?: string;
  causeSource?: string;
}

/** Characters of a cause's meaning an export shows (its first sentence, cut). */
const CAUSE_MEANING_CHARS = 200;
const READ_FOR_ROW = 'details read for this row';
const READ_FOR_CLUSTER = 'estimated: details read for another row with the same status, recipient domain and sender domain';

/**
 * The cause columns of one row of a set searched with explain. A problem row whose cluster was
 * sampled gets the cause its representative showed, and says whether that was this row itself or
 * another row of the cluster (an estimate); every other row gets empty cells, never a guess.
 */
function causeColumns(causes: Map<string, ClusterCause>, row: MessageTraceRow): { cause: string; causeSource: string } {
  const status = normaliseStatus(row.status);
  const found = status ? causes.get(clusterKey(row, status)) : undefined;
  if (!found) return { cause: '', causeSource: '' };
  const same = found.traceId === row.id && found.recipientAddress.toLowerCase() === row.recipientAddress.toLowerCase();
  return { cause: causeText(found), causeSource: same ? READ_FOR_ROW : READ_FOR_CLUSTER };
}

function causeText(c: ClusterCause): string {
  const meaning = truncateText(c.meaning.split(/(?<=\.)\s/)[0] ?? c.meaning, CAUSE_MEANING_CHARS);
  return `${cleanText(c.code, 60)}: ${cleanText(meaning, CAUSE_MEANING_CHARS + 10)} (${cleanText(c.fixOwner, 40)} must act)`;
}

/**
 * An upper bound of the bytes the cause columns add to any row of the set (page boundaries):
 * the longest cause and source, every byte doubled (CSV doubles quotes, JSON escapes), plus
 * the field names and separators.
 */
function causeBytes(causes: Map<string, ClusterCause>): number {
  let longest = 0;
  for (const c of causes.values()) longest = Math.max(longest, Buffer.byteLength(causeText(c)));
  return 2 * (longest + Buffer.byteLength(READ_FOR_CLUSTER)) + 64;
}

/** Rows in export form; `fenced` for JSON (read by models), plain sanitized text for CSV. */
function exportRows(r: KeptResult, fenced: boolean, from: number, to: number): ExportRow[] {
  const addr = r.addresses;
  const clock = r.timeZone === 'UTC' ? undefined : new ZonedClock(r.timeZone);
  // Inside the result's output scope (toCsv/toJson): redact, then cut, with the answer's pseudonyms.
  const text = (raw: string, max: number): string => (fenced ? fenceUntrusted(raw, max) : cleanText(raw, max));
  const out: ExportRow[] = [];
  for (let i = from; i < to; i++) {
    const row = r.rows.get(i);
    const t = Date.parse(row.receivedDateTime);
    out.push({
      receivedDateTime: cleanText(row.receivedDateTime, 40),
      ...(clock ? { localTime: Number.isNaN(t) ? '' : clock.local(t) } : {}),
      traceId: cleanText(row.id, 64),
      senderAddress: addr.address(row.senderAddress, fenced),
      recipientAddress: addr.address(row.recipientAddress, fenced),
      status: normaliseStatus(row.status) ?? cleanText(row.status, 40),
      direction: DIRECTIONS[r.directions[i] ?? 0] as string,
      subject: text(row.subject, SUBJECT_CHARS),
      size: row.size,
      messageId: text(row.messageId, 998),
      fromIP: cleanText(row.fromIP, 64),
      toIP: cleanText(row.toIP, 64),
      ...(r.causes ? causeColumns(r.causes, row) : {}),
    });
  }
  return out;
}

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** One CSV field: formula starts neutralised with a leading apostrophe, always quoted. */
export function csvField(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** Rows [from, to) of page `page` (1-based), or undefined when the set has no such page. */
export function pageRange(r: KeptResult, page: number): { from: number; to: number } | undefined {
  if (!Number.isInteger(page) || page < 1 || page > r.pageStarts.length) return undefined;
  return { from: r.pageStarts[page - 1] as number, to: r.pageStarts[page] ?? r.rows.length };
}

/**
 * Page `page` of the set as CSV: the header line, then its rows (each page is a whole CSV file).
 * `fenced`: for CSV put inline in an answer a model reads, mail-written text is fenced in «…» as
 * everywhere else in answers; the resource (for a spreadsheet) has it plain.
 */
export function toCsv(r: KeptResult, page = 1, fenced = false): string {
  return withOutputScope(r.addresses, () => csvOf(r, page, fenced));
}

function csvOf(r: KeptResult, page: number, fenced: boolean): string {
  const { from, to } = pageRange(r, page) ?? { from: 0, to: 0 };
  const rows = exportRows(r, fenced, from, to);
  const columns = Object.keys(rows[0] ?? {}) as Array<keyof ExportRow>;
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c] ?? '')).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Page `page` of the set as JSON, saying which page it is and where the next one is. */
export function toJson(r: KeptResult, page = 1): string {
  return withOutputScope(r.addresses, () => jsonOf(r, page));
}

function jsonOf(r: KeptResult, page: number): string {
  const { from, to } = pageRange(r, page) ?? { from: 0, to: 0 };
  const pages = r.pageStarts.length;
  return JSON.stringify({
    id: r.id,
    createdAt: r.createdAt,
    search: r.description || 'all mail',
    window: r.window,
    timeZone: r.timeZone,
    complete: r.complete,
    rowsCounted: r.rowsCounted,
    rowsKept: r.rows.length,
    ...(r.rowsCounted > r.rows.length ? { note: `Only the first ${r.rows.length.toLocaleString('en-US')} of ${r.rowsCounted.toLocaleString('en-US')} rows are kept.` } : {}),
    ...(pages > 1 ? { page, pages, rowsInPage: `${from + 1}-${to}`, ...(page < pages ? { nextPage: pageUri(r.id, 'json', page + 1) } : {}) } : {}),
    dataNotice: UNTRUSTED_NOTICE,
    rows: exportRows(r, true, from, to),
  });
}

/** A one-line title for resource lists: what, when, how many rows. */
export function describeResult(r: KeptResult): string {
  const what = r.description ? `search for ${r.description}` : 'search of all mail';
  return `${what}, ${r.window.start} to ${r.window.end}: ${r.rows.length.toLocaleString('en-US')} rows${r.rowsCounted > r.rows.length ? ` (of ${r.rowsCounted.toLocaleString('en-US')})` : ''}`;
}
