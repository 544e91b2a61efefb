/**
 * A local HTTP server that behaves like the Microsoft Graph message trace API as documented
 * (https://learn.microsoft.com/en-us/graph/api/messagetracingroot-list-messagetraces and
 * https://learn.microsoft.com/en-us/graph/api/exchangemessagetrace-getdetailsbyrecipient): the same routes under /v1.0 and /beta, bearer tokens, the
 * documented `$filter` grammar and date rules, `$top`/`@odata.nextLink` paging, the evolvable
 * `recalled` status, a rolling per-tenant rate limit shared by list and details, and injectable
 * faults. Used by every test of the project and by `--demo`.
 *
 * Order of processing for each request:
 *   1. unknown path → 404; method other than GET → 405 (neither consumes a fault nor counts);
 *   2. missing or rejected bearer token → 401 (does not consume a fault nor count);
 *   3. the first queued fault matching the route is consumed. A `delay` waits and continues; a
 *      fault that replaces the answer (status, throttle, servicePrincipal, consentMissing,
 *      invalidToken, hang, reset, html) counts against the rate limit unless it answers 429;
 *   4. rate limit: over the limit → 429 with Retry-After (not counted); otherwise the request
 *      counts, including when it is then answered 400;
 *   5. the normal answer, which the paging/body faults (nextLink*, emptyPageWithNext, damagedRow,
 *      malformedJson, resetMidBody) then alter. A fault is consumed by the first matching request
 *      even when that request ends in 429 or 400.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageTraceDetailEvent, MessageTraceRow } from '../../graph/types.js';
import { createFaultQueue, type Fault, type FaultController } from './faults.js';
import { FilterSyntaxError, parseFilter, type FilterClause } from './filter-grammar.js';
import { SERVICE_PRINCIPAL_MISSING_MESSAGE } from './published-sample.js';
import { generateTenant, type SimTenant } from './tenant.js';

export interface SimulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default generateTenant({ now: now() }). */
  tenant?: SimTenant;
  /** The simulator's clock (date rules, default window). Default () => new Date(). */
  now?: () => Date;
  /** Default: any non-empty bearer token. */
  acceptToken?: (token: string) => boolean;
  /** Default { requests: 100, windowMs: 300_000 }, rolling, shared by list and details. */
  rateLimit?: { requests: number; windowMs: number } | false;
  /**
   * What `senderAddress eq '*@contoso.com'` (and recipientAddress) means. Microsoft documents no
   * wildcard; a third-party lab saw Graph read `*@domain` as "any address at that domain" and other
   * patterns literally. 'domain' (default) does that; 'literal' compares the text as an address,
   * so such a filter matches nothing. Both exist so that clients are tested against either.
   */
  addressWildcards?: AddressWildcards;
}

export type AddressWildcards = 'domain' | 'literal';

export interface RecordedRequest {
  method: string;
  /** Percent-decoded path (the raw path if it could not be decoded). */
  path: string;
  /** Query parameters, decoded; the last value wins for a repeated name. */
  query: Record<string, string>;
  authorization: string | undefined;
  prefer: string | undefined;
  /** Status sent; 0 while unanswered or when the socket was destroyed without a response. */
  status: number;
  /** Date.now() at arrival. */
  at: number;
}

export interface GraphSimulator {
  /** Origin, e.g. 'http://127.0.0.1:41234' (no trailing slash). */
  url: string;
  tenant: SimTenant;
  faults: FaultController;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Change how `*@domain` is read from now on (a Graph whose behaviour changes mid-process). */
  setAddressWildcards(mode: AddressWildcards): void;
  /** Closes the server and destroys open sockets (including hanging requests) promptly. */
  close(): Promise<void>;
}

export const THROTTLE_MESSAGE = 'Your recent queries have surpassed the permitted limit, please try again later.';
export const CONSENT_MISSING_MESSAGE =
  "Missing role permissions on the request. API requires one of 'ExchangeMessageTrace.Read.All'. Roles on the request ''.";
export const EVIL_ORIGIN = 'https://evil.example.net';

const JSON_ODATA = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const JSON_ERROR = 'application/json';
const MAX_TOP = 5000;
const DEFAULT_TOP = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

const LIST_RE = /^\/(v1\.0|beta)\/admin\/exchange\/tracing\/messageTraces$/i;
const DETAILS_RE = /^\/(v1\.0|beta)\/admin\/exchange\/tracing\/messageTraces\/([^/()]+)\/getDetailsByRecipient\((.*)\)$/is;
const RECIPIENT_PARAM_RE = /^\s*recipientAddress\s*=\s*'((?:[^']|'')*)'\s*$/is;

type Route =
  | { kind: 'list'; version: string }
  | { kind: 'details'; version: string; traceId: string; recipient: string }
  | { kind: 'details'; version: string; error: string };

function matchRoute(path: string): Route | undefined {
  const list = LIST_RE.exec(path);
  if (list) return { kind: 'list', version: (list[1] as string).toLowerCase() };
  const det = DETAILS_RE.exec(path);
  if (!det) return undefined;
  const version = (det[1] as string).toLowerCase();
  const traceId = det[2] as string;
  const param = RECIPIENT_PARAM_RE.exec(det[3] as string);
  if (!param) {
    return {
      kind: 'details',
      version,
      error:
        "getDetailsByRecipient requires the parameter recipientAddress='<address>' as a single-quoted OData string literal (a quote inside the address is doubled: '').",
    };
  }
  const recipient = (param[1] as string).replace(/''/g, "'");
  if (recipient.trim() === '') return { kind: 'details', version, error: 'The parameter recipientAddress must not be empty.' };
  return { kind: 'details', version, traceId, recipient };
}

// ---------------------------------------------------------------------------------------------
// Rate limit

class SlidingWindow {
  private hits: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  private prune(nowMs: number): void {
    let drop = 0;
    while (drop < this.hits.length && (this.hits[drop] as number) <= nowMs - this.windowMs) drop++;
    if (drop > 0) this.hits.splice(0, drop);
  }

  /** Seconds until a slot frees up, or undefined when the request may proceed. */
  retryAfter(nowMs: number): number | undefined {
    this.prune(nowMs);
    if (this.hits.length < this.limit) return undefined;
    const oldest = this.hits[0] as number;
    return Math.max(1, Math.ceil((oldest + this.windowMs - nowMs) / 1000));
  }

  hit(nowMs: number): void {
    this.hits.push(nowMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Skip tokens: opaque, signed, bound to the query they page through

interface TokenState {
  offset: number;
  start: number;
  end: number;
  queryHash: string;
}

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

function queryHash(version: string, filter: string | undefined, top: string | undefined): string {
  return createHmac('sha256', 'query').update(`${version}\u0000${filter ?? '\u0001'}\u0000${top ?? '\u0001'}`).digest('base64url').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// Matching

function statusMatches(row: MessageTraceRow, wanted: string, includeUnknown: boolean): boolean {
  const have = row.status.toLowerCase();
  const want = wanted.toLowerCase();
  if (want === 'unknownfuturevalue') return !includeUnknown && have === 'recalled';
  return have === want;
}

/** `*@domain`: the one address pattern the lab saw Graph honour (graph-api.md §1.4). */
const DOMAIN_WILDCARD = /^\*@([^*@]+)$/;

function buildPredicate(clauses: FilterClause[], includeUnknown: boolean, wildcards: AddressWildcards): (row: MessageTraceRow) => boolean {
  const tests: ((row: MessageTraceRow) => boolean)[] = [];
  for (const c of clauses) {
    if (c.kind === 'eq') {
      const v = c.value.toLowerCase();
      const domain = wildcards === 'domain' ? DOMAIN_WILDCARD.exec(v)?.[1] : undefined;
      switch (c.property) {
        case 'status':
          tests.push((r) => statusMatches(r, c.value, includeUnknown));
          break;
        case 'senderAddress':
        case 'recipientAddress': {
          const prop = c.property;
          if (domain !== undefined) tests.push((r) => r[prop].slice(r[prop].lastIndexOf('@') + 1).toLowerCase() === domain);
          else tests.push((r) => r[prop].toLowerCase() === v);
          break;
        }
        default: {
          const prop = c.property;
          tests.push((r) => String(r[prop]).toLowerCase() === v);
        }
      }
    } else if (c.kind === 'subject') {
      const v = c.value.toLowerCase();
      if (c.fn === 'contains') tests.push((r) => r.subject.toLowerCase().includes(v));
      else if (c.fn === 'startsWith') tests.push((r) => r.subject.toLowerCase().startsWith(v));
      else tests.push((r) => r.subject.toLowerCase().endsWith(v));
    }
  }
  return (row) => tests.every((t) => t(row));
}

function displayRow(row: MessageTraceRow, includeUnknown: boolean): MessageTraceRow {
  const recalled = row.status.toLowerCase() === 'recalled';
  return {
    id: row.id,
    senderAddress: row.senderAddress,
    recipientAddress: row.recipientAddress,
    messageId: row.messageId,
    receivedDateTime: row.receivedDateTime,
    subject: row.subject,
    size: row.size,
    fromIP: row.fromIP,
    toIP: row.toIP,
    status: recalled && !includeUnknown ? 'unknownFutureValue' : row.status,
  };
}

function wantsUnknownEnumMembers(prefer: string | undefined): boolean {
  if (!prefer) return false;
  return prefer
    .split(',')
    .map((p) => (p.split(/[;=]/)[0] ?? '').trim().toLowerCase())
    .includes('include-unknown-enum-members');
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

const STATUS_CODES: Record<number, [string, string]> = {
  400: ['BadRequest', 'Bad request.'],
  401: ['Unauthorized', 'Unauthorized.'],
  403: ['Forbidden', 'Forbidden.'],
  404: ['NotFound', 'Not found.'],
  408: ['RequestTimeout', 'The request timed out.'],
  409: ['Conflict', 'Conflict.'],
  429: ['TooManyRequests', THROTTLE_MESSAGE],
  500: ['InternalServerError', 'An internal server error occurred.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please try again later.'],
  504: ['GatewayTimeout', 'The operation timed out.'],
};

function htmlPage(status: number): string {
  const reason = http.STATUS_CODES[status] ?? 'Error';
  return `<!DOCTYPE html>\n<html><head><title>${status} ${reason}</title></head>\n<body>\n<center><h1>${status} ${reason}</h1></center>\n<hr><center>proxy</center>\n</body></html>\n`;
}

// ---------------------------------------------------------------------------------------------
// The running simulator's state, shared by the request handlers below

interface Sim {
  readonly tenant: SimTenant;
  readonly now: () => Date;
  readonly acceptToken: (token: string) => boolean;
  readonly limiter: SlidingWindow | undefined;
  readonly faults: ReturnType<typeof createFaultQueue>;
  readonly requests: RecordedRequest[];
  /** Signs skip tokens. */
  readonly secret: Buffer;
  /** Wakes every pending sleep (a delay or a drip) on close. */
  readonly wakers: Set<() => void>;
  wildcards: AddressWildcards;
  closed: boolean;
  /** The server's origin, known once it listens. */
  origin: string;
}

function createSim(opts: SimulatorOptions): Sim {
  const now = opts.now ?? ((): Date => new Date());
  const rateOpts = opts.rateLimit === undefined ? { requests: 100, windowMs: 300_000 } : opts.rateLimit;
  if (rateOpts !== false && !(Number.isInteger(rateOpts.requests) && rateOpts.requests >= 1 && rateOpts.windowMs > 0)) {
    throw new RangeError('rateLimit needs requests >= 1 (integer) and windowMs > 0');
  }
  return {
    tenant: opts.tenant ?? generateTenant({ now: now() }),
    now,
    acceptToken: opts.acceptToken ?? ((token: string): boolean => token.length > 0),
    limiter: rateOpts === false ? undefined : new SlidingWindow(rateOpts.requests, rateOpts.windowMs),
    faults: createFaultQueue(),
    requests: [],
    secret: randomBytes(32),
    wakers: new Set(),
    wildcards: opts.addressWildcards ?? 'domain',
    closed: false,
    origin: '',
  };
}

function signToken(sim: Sim, state: TokenState): string {
  const payload = b64url(Buffer.from(JSON.stringify([state.offset, state.start, state.end, state.queryHash])));
  const sig = createHmac('sha256', sim.secret).update(payload).digest('base64url').slice(0, 22);
  return `${payload}.${sig}`;
}

function readToken(sim: Sim, token: string): TokenState | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  const payload = token.slice(0, dot);
  const sig = createHmac('sha256', sim.secret).update(payload).digest('base64url').slice(0, 22);
  if (sig !== token.slice(dot + 1)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 4) return undefined;
    const [offset, start, end, qh] = parsed as unknown[];
    if (typeof offset !== 'number' || typeof start !== 'number' || typeof end !== 'number' || typeof qh !== 'string') return undefined;
    return { offset, start, end, queryHash: qh };
  } catch {
    return undefined;
  }
}

/** A sleep that close() cuts short. */
function sleep(sim: Sim, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const wake = (): void => {
      clearTimeout(timer);
      sim.wakers.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    sim.wakers.add(wake);
  });
}

// ---------------------------------------------------------------------------------------------
// Responses

type ListResult =
  | { ok: false; status: number; code: string; message: string }
  | {
      ok: true;
      rows: MessageTraceRow[];
      /** Query string (without '?') of the first page, and a builder for pages at an offset. */
      firstQuery: string;
      pageQuery: (offset: number) => string;
      offset: number;
      nextOffset: number | undefined;
    };

interface Ctx {
  sim: Sim;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  record: RecordedRequest;
  requestId: string;
  clientRequestId: string;
}

function baseHeaders(ctx: Ctx): Record<string, string> {
  return {
    'request-id': ctx.requestId,
    'client-request-id': ctx.clientRequestId,
    'Cache-Control': 'no-cache',
  };
}

function send(ctx: Ctx, status: number, body: string, contentType: string, extra: Record<string, string> = {}): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  ctx.record.status = status;
  ctx.res.writeHead(status, {
    ...baseHeaders(ctx),
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(body)),
    ...extra,
  });
  ctx.res.end(body);
}

function errorBody(ctx: Ctx, code: string, message: string): string {
  return JSON.stringify({
    error: {
      code,
      message,
      innerError: {
        date: ctx.sim.now().toISOString().slice(0, 19),
        'request-id': ctx.requestId,
        'client-request-id': ctx.clientRequestId,
      },
    },
  });
}

function sendError(ctx: Ctx, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  send(ctx, status, errorBody(ctx, code, message), JSON_ERROR, extra);
}

// ---------------------------------------------------------------------------------------------
// The list endpoint

function bad(message: string): { ok: false; status: number; code: string; message: string } {
  return { ok: false, status: 400, code: 'BadRequest', message };
}

/** The `$` query options by lower-case name; a repeated one is an error. */
function queryOptions(params: URLSearchParams): Map<string, string> | ListResult {
  const options = new Map<string, string>();
  for (const [key, value] of params) {
    const k = key.toLowerCase();
    if (!k.startsWith('$')) continue;
    if (options.has(k)) return bad(`Query option '${key}' was specified more than once, but it must be specified at most once.`);
    options.set(k, value);
  }
  return options;
}

function pageSize(topText: string | undefined): number | ListResult {
  if (topText === undefined) return DEFAULT_TOP;
  const t = topText.trim();
  const n = /^\d{1,9}$/.test(t) ? Number(t) : NaN;
  if (!(n >= 1 && n <= MAX_TOP)) {
    return bad(`Invalid value '${topText}' for query option $top: it must be an integer from 1 to ${MAX_TOP}.`);
  }
  return n;
}

function filterClauses(filterText: string | undefined): FilterClause[] | ListResult {
  if (filterText === undefined) return [];
  try {
    return parseFilter(filterText);
  } catch (err) {
    if (err instanceof FilterSyntaxError) return bad(err.message);
    throw err;
  }
}

/** The time range of a first page, from the receivedDateTime clauses and Graph's date rules. */
function firstPageRange(clauses: FilterClause[], nowMs: number): { start: number; end: number } | ListResult {
  const ge = clauses.find((c) => c.kind === 'receivedDateTime' && c.operator === 'ge');
  const le = clauses.find((c) => c.kind === 'receivedDateTime' && c.operator === 'le');
  if (!ge && !le) return { start: nowMs - 48 * HOUR, end: nowMs };
  if (!ge || !le || ge.kind !== 'receivedDateTime' || le.kind !== 'receivedDateTime') {
    return bad(
      ge
        ? "receivedDateTime needs both bounds: add 'and receivedDateTime le <end>' (for example the current time)."
        : "receivedDateTime needs both bounds: add 'receivedDateTime ge <start> and' before the le clause.",
    );
  }
  const start = ge.value.getTime();
  const end = le.value.getTime();
  if (start > end) return bad(`The start date ${ge.literal} (receivedDateTime ge) is after the end date ${le.literal} (receivedDateTime le).`);
  if (end > nowMs) return bad(`The end date ${le.literal} (receivedDateTime le) is later than the current time ${new Date(nowMs).toISOString()}.`);
  if (start < nowMs - 90 * DAY) {
    return bad(`The start date ${ge.literal} (receivedDateTime ge) is older than 90 days; message trace data is kept for 90 days.`);
  }
  if (end - start > 10 * DAY) return bad('The time range between receivedDateTime ge and receivedDateTime le must not exceed 10 days.');
  return { start, end };
}

/** Where this page starts: from the skip token (bound to this query), or the filter's range. */
function pagePosition(sim: Sim, tokenText: string | undefined, qh: string, clauses: FilterClause[]): { start: number; end: number; offset: number } | ListResult {
  if (tokenText === undefined) {
    const range = firstPageRange(clauses, sim.now().getTime());
    return 'ok' in range ? range : { ...range, offset: 0 };
  }
  const state = readToken(sim, tokenText);
  if (!state) return bad('The $skiptoken value is not valid. Follow @odata.nextLink exactly as returned.');
  if (state.queryHash !== qh) {
    return bad('The $skiptoken does not belong to this query ($filter and $top must stay as they were). Follow @odata.nextLink exactly as returned.');
  }
  return { start: state.start, end: state.end, offset: state.offset };
}

function listPage(sim: Sim, version: string, params: URLSearchParams, includeUnknown: boolean): ListResult {
  const options = queryOptions(params);
  if (!(options instanceof Map)) return options;
  const topText = options.get('$top');
  const top = pageSize(topText);
  if (typeof top !== 'number') return top;
  const filterText = options.get('$filter');
  const clauses = filterClauses(filterText);
  if (!Array.isArray(clauses)) return clauses;
  const qh = queryHash(version, filterText, topText);
  const position = pagePosition(sim, options.get('$skiptoken'), qh, clauses);
  if ('ok' in position) return position;
  const { start, end, offset } = position;

  const startIso = new Date(start).toISOString();
  const endIso = new Date(end).toISOString();
  const predicate = buildPredicate(clauses, includeUnknown, sim.wildcards);
  const matches: MessageTraceRow[] = [];
  for (const row of sim.tenant.rows) {
    const t = row.receivedDateTime;
    if (t < startIso || t > endIso) continue;
    if (predicate(row)) matches.push(row);
  }
  const pageRows = matches.slice(offset, offset + top).map((r) => displayRow(r, includeUnknown));
  const nextOffset = offset + top < matches.length ? offset + top : undefined;
  const base: string[] = [];
  if (filterText !== undefined) base.push(`$filter=${encodeURIComponent(filterText)}`);
  if (topText !== undefined) base.push(`$top=${encodeURIComponent(topText)}`);
  return {
    ok: true,
    rows: pageRows,
    firstQuery: base.join('&'),
    pageQuery: (at: number) => [...base, `$skiptoken=${signToken(sim, { offset: at, start, end, queryHash: qh })}`].join('&'),
    offset,
    nextOffset,
  };
}

/** The list answer's body, altered by a paging fault; undefined when an error was sent instead. */
function listBody(ctx: Ctx, version: string, params: URLSearchParams, includeUnknown: boolean, fault: Fault | undefined): string | undefined {
  const { origin } = ctx.sim;
  const page = listPage(ctx.sim, version, params, includeUnknown);
  if (!page.ok) {
    sendError(ctx, page.status, page.code, page.message);
    return undefined;
  }
  const listUrl = `${origin}/${version}/admin/exchange/tracing/messageTraces`;
  const withQuery = (qs: string): string => (qs ? `${listUrl}?${qs}` : listUrl);
  let rows = page.rows;
  let nextLink = page.nextOffset === undefined ? undefined : withQuery(page.pageQuery(page.nextOffset));
  if (fault?.kind === 'nextLinkLoop') {
    nextLink = withQuery(page.firstQuery);
  } else if (fault?.kind === 'nextLinkForeign') {
    const target = nextLink ?? withQuery(page.firstQuery);
    nextLink = EVIL_ORIGIN + target.slice(origin.length);
  } else if (fault?.kind === 'emptyPageWithNext') {
    rows = [];
    nextLink = withQuery(page.pageQuery(page.offset));
  } else if (fault?.kind === 'junkPages') {
    // The same rows again, and a link that is new every time (a parameter Graph ignores).
    nextLink = `${withQuery(page.pageQuery(page.offset))}&junk=${randomUUID()}`;
  }
  const payload: Record<string, unknown> = {
    '@odata.context': `${origin}/${version}/$metadata#admin/exchange/tracing/messageTraces`,
  };
  if (nextLink !== undefined) payload['@odata.nextLink'] = nextLink;
  payload['value'] = rows;
  const body = JSON.stringify(payload);
  if (fault?.kind === 'damagedRow' && rows.length > 0) {
    // An invalid number inside the first row: the page's structure is untouched.
    const first = JSON.stringify(rows[0]);
    return body.replace(first, first.replace(/"size":(\d+)/, '"size":$1x'));
  }
  return body;
}

// ---------------------------------------------------------------------------------------------
// The details endpoint

/** `count` alternating events an hour before the trace's first: a trace far longer than any real one. */
function manyEvents(events: MessageTraceDetailEvent[], traceId: string, count: number, now: Date): MessageTraceDetailEvent[] {
  const first = Date.parse(events[0]?.dateTime ?? now.toISOString()) - 3_600_000;
  return Array.from({ length: count }, (_, i) => ({
    id: traceId,
    messageId: events[0]?.messageId ?? '<many@example.com>',
    dateTime: new Date(first + i * 10).toISOString(),
    event: i % 2 ? 'Defer' : 'Receive',
    action: null,
    description: `Event ${i}`,
    data: null,
  }));
}

/** The details answer's body; undefined when an error was sent instead. */
function detailsBody(ctx: Ctx, route: Extract<Route, { kind: 'details' }>, fault: Fault | undefined): string | undefined {
  if ('error' in route) {
    sendError(ctx, 400, 'BadRequest', route.error);
    return undefined;
  }
  const { sim } = ctx;
  let events: MessageTraceDetailEvent[] = sim.tenant.details(route.traceId, route.recipient) ?? [];
  if (fault?.kind === 'manyEvents') events = manyEvents(events, route.traceId, fault.count, sim.now());
  const oldest = sim.now().getTime() - 90 * DAY;
  if (events.length > 0 && events.every((e) => Date.parse(e.dateTime) < oldest)) events = [];
  return JSON.stringify({
    '@odata.context': `${sim.origin}/${route.version}/$metadata#Collection(microsoft.graph.exchangeMessageTraceDetail)`,
    value: events,
  });
}

// ---------------------------------------------------------------------------------------------
// Faults

/** Answer with a replacing fault; returns false when the fault does not replace the answer. */
function replaceWithFault(ctx: Ctx, fault: Fault): boolean {
  const counts = (status: number): void => {
    if (status !== 429) ctx.sim.limiter?.hit(Date.now());
  };
  switch (fault.kind) {
    case 'status': {
      const [code, message] = STATUS_CODES[fault.status] ?? ['UnknownError', 'An error occurred.'];
      counts(fault.status);
      if (fault.requestId !== undefined) ctx.requestId = fault.requestId;
      sendError(ctx, fault.status, fault.code ?? code, fault.message ?? message, fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {});
      return true;
    }
    case 'throttle':
      sendError(ctx, 429, 'TooManyRequests', THROTTLE_MESSAGE, fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {});
      return true;
    case 'servicePrincipal':
      counts(fault.status);
      sendError(ctx, fault.status, fault.status === 401 ? 'Unauthorized' : 'Forbidden', SERVICE_PRINCIPAL_MISSING_MESSAGE);
      return true;
    case 'consentMissing':
      counts(403);
      sendError(ctx, 403, 'Authorization_RequestDenied', CONSENT_MISSING_MESSAGE);
      return true;
    case 'invalidToken':
      counts(401);
      sendError(ctx, 401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.', {
        'WWW-Authenticate': WWW_AUTHENTICATE,
      });
      return true;
    case 'hang':
      counts(0);
      return true; // never answered; close() destroys the socket
    case 'reset':
      counts(0);
      ctx.req.socket.destroy();
      return true;
    case 'html': {
      const status = fault.status ?? 502;
      counts(status);
      send(ctx, status, htmlPage(status), 'text/html; charset=utf-8');
      return true;
    }
    default:
      return false;
  }
}

/** Send a 200 answer, as a body fault alters its delivery (byte by byte, oversized, cut, reset). */
async function sendAnswer(ctx: Ctx, body: string, extra: Record<string, string>, fault: Fault | undefined): Promise<void> {
  const { res, record, sim } = ctx;
  if (fault?.kind === 'drip') {
    const full = Buffer.from(body);
    record.status = 200;
    res.writeHead(200, { ...baseHeaders(ctx), 'Content-Type': JSON_ODATA, 'Content-Length': String(full.length), ...extra });
    for (let i = 0; i < full.length && !sim.closed && !res.destroyed; i++) {
      res.write(full.subarray(i, i + 1));
      await sleep(sim, fault.intervalMs);
    }
    if (!res.destroyed) res.end();
    return;
  }
  if (fault?.kind === 'oversized') {
    record.status = 200;
    res.writeHead(200, { ...baseHeaders(ctx), 'Content-Type': JSON_ODATA, ...extra });
    const chunk = 'x'.repeat(64 * 1024);
    res.write('{"value":[],"padding":"');
    for (let sent = 0; sent < fault.bytes && !sim.closed && !res.destroyed; sent += chunk.length) {
      if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    }
    if (!res.destroyed) res.end('"}');
    return;
  }
  if (fault?.kind === 'malformedJson') {
    send(ctx, 200, body.slice(0, Math.max(1, Math.floor(body.length / 2))), JSON_ODATA, extra);
    return;
  }
  if (fault?.kind === 'resetMidBody') {
    const full = Buffer.from(body);
    record.status = 200;
    res.writeHead(200, { ...baseHeaders(ctx), 'Content-Type': JSON_ODATA, 'Content-Length': String(full.length), ...extra });
    const part = full.subarray(0, Math.max(1, Math.floor(full.length / 2)));
    res.write(part, () => {
      setImmediate(() => ctx.req.socket.destroy());
    });
    return;
  }
  send(ctx, 200, body, JSON_ODATA, extra);
}

// ---------------------------------------------------------------------------------------------
// The request handler

/** Record the request and build its context; `path` is undefined when it is not valid percent-encoding. */
function receive(sim: Sim, req: http.IncomingMessage, res: http.ServerResponse): { ctx: Ctx; path: string | undefined; params: URLSearchParams } {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  let path: string | undefined;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = undefined;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of params) query[k] = v;
  const record: RecordedRequest = {
    method: req.method ?? 'GET',
    path: path ?? rawPath,
    query,
    authorization: headerValue(req.headers.authorization),
    prefer: headerValue(req.headers.prefer),
    status: 0,
    at: Date.now(),
  };
  sim.requests.push(record);
  const sentClientId = headerValue(req.headers['client-request-id']);
  const ctx: Ctx = {
    sim,
    req,
    res,
    record,
    requestId: randomUUID(),
    clientRequestId: sentClientId && /^[0-9a-f-]{36}$/i.test(sentClientId) ? sentClientId : randomUUID(),
  };
  return { ctx, path, params };
}

/** Steps 1 and 2 (see the top): the route, the method and the bearer token. Undefined when refused (answered). */
function admit(ctx: Ctx, path: string | undefined): Route | undefined {
  if (path === undefined) {
    sendError(ctx, 400, 'BadRequest', 'The request URL path is not valid percent-encoding.');
    return undefined;
  }
  const route = matchRoute(path);
  if (!route) {
    const segment = path.split('/').filter(Boolean).pop() ?? '';
    sendError(ctx, 404, 'NotFound', `Resource not found for the segment '${segment}'.`);
    return undefined;
  }
  if (ctx.record.method !== 'GET') {
    sendError(ctx, 405, 'MethodNotAllowed', `The HTTP method '${ctx.record.method}' is not allowed on this resource; the message trace API is read-only (GET).`, {
      Allow: 'GET',
    });
    return undefined;
  }
  const auth = /^Bearer[ \t]+(.*)$/i.exec(ctx.record.authorization ?? '');
  const token = auth?.[1]?.trim() ?? '';
  if (token === '') {
    sendError(ctx, 401, 'InvalidAuthenticationToken', 'Access token is empty.', { 'WWW-Authenticate': WWW_AUTHENTICATE });
    return undefined;
  }
  if (!ctx.sim.acceptToken(token)) {
    sendError(ctx, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.', {
      'WWW-Authenticate': WWW_AUTHENTICATE,
    });
    return undefined;
  }
  return route;
}

/** Step 4: over the limit → 429 (answered, true); otherwise the request counts. */
function throttled(ctx: Ctx): boolean {
  const { limiter } = ctx.sim;
  if (!limiter) return false;
  const wait = limiter.retryAfter(Date.now());
  if (wait !== undefined) {
    sendError(ctx, 429, 'TooManyRequests', THROTTLE_MESSAGE, { 'Retry-After': String(wait) });
    return true;
  }
  limiter.hit(Date.now());
  return false;
}

async function handle(sim: Sim, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const { ctx, path, params } = receive(sim, req, res);
  const route = admit(ctx, path);
  if (!route) return;

  const fault = sim.faults.take(route.kind);
  if (fault?.kind === 'delay') {
    await sleep(sim, fault.ms);
    if (sim.closed || res.destroyed) return;
  }
  if (fault && replaceWithFault(ctx, fault)) return;
  if (throttled(ctx)) return;

  const includeUnknown = wantsUnknownEnumMembers(ctx.record.prefer);
  const extra: Record<string, string> = { 'OData-Version': '4.0' };
  if (includeUnknown) extra['Preference-Applied'] = 'include-unknown-enum-members';
  const body = route.kind === 'details' ? detailsBody(ctx, route, fault) : listBody(ctx, route.version, params, includeUnknown, fault);
  if (body === undefined) return;
  await sendAnswer(ctx, body, extra, fault);
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startGraphSimulator(opts: SimulatorOptions = {}): Promise<GraphSimulator> {
  const sim = createSim(opts);
  const server = http.createServer((req, res) => {
    handle(sim, req, res).catch((err: unknown) => {
      process.stderr.write(`graph simulator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': JSON_ERROR, 'request-id': randomUUID(), 'client-request-id': randomUUID() });
        res.end(JSON.stringify({ error: { code: 'InternalServerError', message: 'The simulator failed to answer this request.' } }));
      }
    });
  });
  await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  sim.origin = `http://${hostPart}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url: sim.origin,
    tenant: sim.tenant,
    faults: sim.faults,
    requests: sim.requests,
    setAddressWildcards(mode: AddressWildcards): void {
      sim.wildcards = mode;
    },
    close(): Promise<void> {
      if (closing) return closing;
      sim.closed = true;
      for (const wake of [...sim.wakers]) wake();
      closing = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
