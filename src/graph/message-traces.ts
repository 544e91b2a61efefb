/**
 * The two message trace calls: list (with paging, fan-out over several single-valued queries,
 * de-duplication by (trace id, recipient), loop and origin checks on `@odata.nextLink`, and
 * partial results), and getDetailsByRecipient.
 */
import { TraceError } from '../errors.js';
import type { GetOptions, GraphClient, WaitAllowance, WaitInfo } from './client.js';
import { detailsPath, listPath, type TraceQuery } from './filter.js';
import { readListPage, type ListPage } from './list-page.js';
import { str, toRow, type MessageTraceDetailEvent, type MessageTraceRow, type RowJson } from './types.js';

export const PAGE_SIZE = 5000;
/** Pages in a row that add no new row (empty, repeats, unreadable) before paging stops. */
const MAX_BARREN_PAGES_IN_A_ROW = 3;
/** Detail events read per recipient: the first and the last half of this are kept, the middle counted. */
export const MAX_DETAIL_EVENTS = 2_000;

export interface ListProgress {
  query: number;
  queries: number;
  pages: number;
  rows: number;
}

export interface ListOptions {
  signal: AbortSignal;
  allowance: WaitAllowance;
  maxRows: number;
  pageSize?: number;
  /** Each new row, with where its JSON lies in the page (readable until the page is done). */
  onRow: (row: MessageTraceRow, json: RowJson) => void;
  onProgress?: (p: ListProgress) => void;
  onWait?: (info: WaitInfo) => void;
}

export interface ListOutcome {
  complete: boolean;
  notes: string[];
  requests: number;
  rowsFetched: number;
  malformedRows: number;
}

function notAPage(): TraceError {
  return new TraceError({
    kind: 'protocol',
    what: 'Graph answered with JSON that is not a message trace page (no "value" list).',
    why: 'Something other than the message trace API answered, or the response was damaged.',
    fix: 'Check MESSAGE_TRACE_GRAPH_URL points at Microsoft Graph, then try again.',
  });
}

function pageParts(body: unknown): { value: unknown[]; next: string | undefined } {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { value?: unknown }).value)) throw notAPage();
  const next = (body as Record<string, unknown>)['@odata.nextLink'];
  return { value: (body as { value: unknown[] }).value, next: typeof next === 'string' && next ? next : undefined };
}

function capNote(maxRows: number): string {
  return `Stopped at the result cap of ${maxRows.toLocaleString('en-US')} rows (MESSAGE_TRACE_MAX_ROWS); more rows may match. Narrow the search by time, sender, recipient or status for exact totals.`;
}

/** Distinct recipient strings SeenRows shares between rows (past that, each row keeps its own). */
const MAX_SHARED_RECIPIENTS = 20_000;

/**
 * The (trace id, recipient) pairs already handed on, case-insensitive. Keyed by the trace id with
 * its one recipient (or a set, for a message to several), so a 50,000-row search keeps no
 * 50,000 joined "id|recipient" key strings (~4.5 MB less at 50,000 rows): the id strings are the
 * rows' own (toLowerCase returns the same string when nothing changes) and recipients are shared.
 */
export class SeenRows {
  private readonly byId = new Map<string, string | Set<string>>();
  /** One string per recipient: JSON parsing gives every row its own copy of the address. */
  private readonly recipients = new Map<string, string>();

  /** True the first time a pair is offered, false for a repeat. */
  add(row: Pick<MessageTraceRow, 'id' | 'recipientAddress'>): boolean {
    const id = row.id.toLowerCase();
    const recipient = this.shared(row.recipientAddress.toLowerCase());
    const known = this.byId.get(id);
    if (known === undefined) {
      this.byId.set(id, recipient);
      return true;
    }
    if (typeof known === 'string') {
      if (known === recipient) return false;
      this.byId.set(id, new Set([known, recipient]));
      return true;
    }
    if (known.has(recipient)) return false;
    known.add(recipient);
    return true;
  }

  private shared(recipient: string): string {
    const known = this.recipients.get(recipient);
    if (known !== undefined) return known;
    if (this.recipients.size < MAX_SHARED_RECIPIENTS) this.recipients.set(recipient, recipient);
    return recipient;
  }
}

/**
 * Run every query in turn, following nextLinks, and hand each new row to `onRow`. Stops with
 * `complete: false` (never a silent success) when rows may be missing: result cap, throttling,
 * retries exhausted, a repeating or foreign nextLink. Errors before any row arrived are thrown.
 */
export async function listTraces(client: GraphClient, queries: TraceQuery[], opts: ListOptions): Promise<ListOutcome> {
  const seen = new SeenRows();
  const outcome: ListOutcome = {
    complete: true,
    notes: [],
    requests: 0,
    rowsFetched: 0,
    malformedRows: 0,
  };
  const pageSize = opts.pageSize ?? PAGE_SIZE;
  let pages = 0;

  const stop = (note: string): ListOutcome => {
    outcome.complete = false;
    outcome.notes.push(note);
    return outcome;
  };

  for (let qi = 0; qi < queries.length; qi++) {
    const query = queries[qi] as TraceQuery;
    let url: string | undefined = client.url(listPath(query, pageSize));
    const visited = new Set<string>();
    let barrenPages = 0;
    while (url) {
      visited.add(url);
      let page: ListPage;
      try {
        outcome.requests++;
        ({ body: page } = await client.getJson(
          url,
          {
            signal: opts.signal,
            allowance: opts.allowance,
            what: 'listing message traces',
            ...(opts.onWait ? { onWait: opts.onWait } : {}),
          },
          readListPage,
        ));
        if (!page.hasValueList) throw notAPage();
      } catch (err) {
        // Nothing read yet: the error is the answer. Otherwise keep what was read, marked partial.
        if (!(err instanceof TraceError) || err.kind === 'cancelled' || pages === 0) throw err;
        return stop(`Paging stopped early, so the totals are partial. ${err.describe()}`);
      }
      const next = page.nextLink;
      const rowCount = page.rowCount;
      pages++;
      let i = -1;
      const before = outcome.rowsFetched;
      for (const raw of page.rows()) {
        i++;
        const row = toRow(raw);
        if (!row) {
          outcome.malformedRows++;
          continue;
        }
        if (!seen.add(row)) continue;
        outcome.rowsFetched++;
        opts.onRow(row, page.rowJson(i));
        const more = i < rowCount - 1 || next !== undefined || qi < queries.length - 1;
        if (outcome.rowsFetched >= opts.maxRows && more) return stop(capNote(opts.maxRows));
      }
      page.release();
      opts.onProgress?.({ query: qi + 1, queries: queries.length, pages, rows: outcome.rowsFetched });
      barrenPages = outcome.rowsFetched === before ? barrenPages + 1 : 0;
      if (!next) break;
      // Empty pages, repeated rows or unreadable rows, each with a fresh link: without this the
      // whole request budget goes on pages that add nothing.
      if (barrenPages >= MAX_BARREN_PAGES_IN_A_ROW) {
        return stop(
          `Graph returned ${barrenPages} pages in a row that added no new rows (${rowCount === 0 ? 'empty pages' : 'rows already read or unreadable'}) while still linking to more pages; paging stopped so as not to spend the request budget on them, so rows may be missing. Try again later or narrow the search.`,
        );
      }
      try {
        client.checkUrl(next);
      } catch (err) {
        return stop(`Paging stopped: ${(err as TraceError).message} Rows after that point are missing.`);
      }
      if (visited.has(next)) {
        return stop('Graph\'s next-page link pointed back to a page already read; paging stopped to avoid counting rows twice, so rows may be missing. Try again, or narrow the search so it needs fewer pages.');
      }
      url = next;
    }
  }
  if (outcome.malformedRows > 0) {
    outcome.notes.push(`${outcome.malformedRows} row(s) that were unreadable or had no trace id or recipient were skipped, so the totals leave them out.`);
  }
  return outcome;
}

function toDetail(raw: unknown): MessageTraceDetailEvent | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const dateTime = str(r.dateTime);
  if (!dateTime) return undefined;
  return {
    id: str(r.id),
    messageId: str(r.messageId),
    dateTime,
    event: str(r.event),
    action: typeof r.action === 'string' ? r.action : null,
    description: typeof r.description === 'string' ? r.description : null,
    data: typeof r.data === 'string' ? r.data : null,
  };
}

/** `getDetailsByRecipient` for one trace id and recipient: the events, in Graph's order. */
export async function getTraceDetails(
  client: GraphClient,
  traceId: string,
  recipientAddress: string,
  opts: { signal: AbortSignal; allowance: WaitAllowance; onWait?: (info: WaitInfo) => void } & Pick<GetOptions, 'maxAttempts' | 'onSend'> & {
    /** Pages to follow at most (default 5). */
    maxRequests?: number;
  },
): Promise<{ events: MessageTraceDetailEvent[]; requests: number; omittedEvents: number; totalEvents: number }> {
  let url: string | undefined = client.url(detailsPath(traceId, recipientAddress));
  // Bounded before anything is rendered: the first half and, in a ring, the last half.
  const head: MessageTraceDetailEvent[] = [];
  const tail: MessageTraceDetailEvent[] = [];
  const half = MAX_DETAIL_EVENTS / 2;
  let total = 0;
  const visited = new Set<string>();
  let requests = 0;
  // Not documented as paged, but follow a nextLink (bounded) rather than drop events.
  while (url && requests < (opts.maxRequests ?? 5)) {
    visited.add(url);
    requests++;
    const { body } = await client.getJson(url, {
      signal: opts.signal,
      allowance: opts.allowance,
      what: 'reading the trace details',
      ...(opts.onWait ? { onWait: opts.onWait } : {}),
      ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
      ...(opts.onSend ? { onSend: opts.onSend } : {}),
    });
    const { value, next } = pageParts(body);
    for (const raw of value) {
      const ev = toDetail(raw);
      if (!ev) continue;
      if (head.length < half) head.push(ev);
      else tail[(total - half) % half] = ev;
      total++;
    }
    if (!next || visited.has(next)) break;
    client.checkUrl(next);
    url = next;
  }
  const kept = total - head.length;
  const start = kept > half ? (total - half) % half : 0;
  const events = [...head, ...tail.slice(start), ...tail.slice(0, start)];
  return { events, requests, omittedEvents: total - events.length, totalEvents: total };
}
