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
  req: http.IncomingMessage;
  res: http.ServerResponse;
  record: RecordedRequest;
  requestId: string;
  clientRequestId: string;
}

export async function startGraphSimulator(opts: SimulatorOptions = {}): Promise<GraphSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? ((): Date => new Date());
  const tenant = opts.tenant ?? generateTenant({ now: now() });
  const acceptToken = opts.acceptToken ?? ((token: string): boolean => token.length > 0);
  let wildcards: AddressWildcards = opts.addressWildcards ?? 'domain';
  const rateOpts = opts.rateLimit === undefined ? { requests: 100, windowMs: 300_000 } : opts.rateLimit;
  if (rateOpts !== false && !(Number.isInteger(rateOpts.requests) && rateOpts.requests >= 1 && rateOpts.windowMs > 0)) {
    throw new RangeError('rateLimit needs requests >= 1 (integer) and windowMs > 0');
  }
  const limiter = rateOpts === false ? undefined : new SlidingWindow(rateOpts.requests, rateOpts.windowMs);
  const faults = createFaultQueue();
  const requests: RecordedRequest[] = [];
  const secret = randomBytes(32);
  const wakers = new Set<() => void>();
  let closed = false;
  let origin = '';

  const signToken = (state: TokenState): string => {
    const payload = b64url(Buffer.from(JSON.stringify([state.offset, state.start, state.end, state.queryHash])));
    const sig = createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 22);
    return `${payload}.${sig}`;
  };
  const readToken = (token: string): TokenState | undefined => {
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = token.slice(0, dot);
    const sig = createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 22);
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
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  // --- response helpers -----------------------------------------------------------------------

  const baseHeaders = (ctx: Ctx): Record<string, string> => ({
    'request-id': ctx.requestId,
    'client-request-id': ctx.clientRequestId,
    'Cache-Control': 'no-cache',
  });

  const send = (ctx: Ctx, status: number, body: string, contentType: string, extra: Record<string, string> = {}): void => {
    if (ctx.res.headersSent || ctx.res.destroyed) return;
    ctx.record.status = status;
    ctx.res.writeHead(status, {
      ...baseHeaders(ctx),
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
      ...extra,
    });
    ctx.res.end(body);
  };

  const errorBody = (ctx: Ctx, code: string, message: string): string =>
    JSON.stringify({
      error: {
        code,
        message,
        innerError: {
          date: now().toISOString().slice(0, 19),
          'request-id': ctx.requestId,
          'client-request-id': ctx.clientRequestId,
        },
      },
    });

  const sendError = (ctx: Ctx, status: number, code: string, message: string, extra: Record<string, string> = {}): void => {
    send(ctx, status, errorBody(ctx, code, message), JSON_ERROR, extra);
  };

  // --- the list endpoint ----------------------------------------------------------------------

  const bad = (message: string): ListResult => ({ ok: false, status: 400, code: 'BadRequest', message });

  const listPage = (version: string, params: URLSearchParams, includeUnknown: boolean): ListResult => {
    const options = new Map<string, string>();
    for (const [key, value] of params) {
      const k = key.toLowerCase();
      if (!k.startsWith('$')) continue;
      if (options.has(k)) return bad(`Query option '${key}' was specified more than once, but it must be specified at most once.`);
      options.set(k, value);
    }
    const topText = options.get('$top');
    let top = DEFAULT_TOP;
    if (topText !== undefined) {
      const t = topText.trim();
      const n = /^\d{1,9}$/.test(t) ? Number(t) : NaN;
      if (!(n >= 1 && n <= MAX_TOP)) {
        return bad(`Invalid value '${topText}' for query option $top: it must be an integer from 1 to ${MAX_TOP}.`);
      }
      top = n;
    }
    const filterText = options.get('$filter');
    let clauses: FilterClause[] = [];
    if (filterText !== undefined) {
      try {
        clauses = parseFilter(filterText);
      } catch (err) {
        if (err instanceof FilterSyntaxError) return bad(err.message);
        throw err;
      }
    }
    const qh = queryHash(version, filterText, topText);
    const tokenText = options.get('$skiptoken');
    let start: number;
    let end: number;
    let offset = 0;
    if (tokenText !== undefined) {
      const state = readToken(tokenText);
      if (!state) return bad('The $skiptoken value is not valid. Follow @odata.nextLink exactly as returned.');
      if (state.queryHash !== qh) {
        return bad('The $skiptoken does not belong to this query ($filter and $top must stay as they were). Follow @odata.nextLink exactly as returned.');
      }
      ({ start, end, offset } = state);
    } else {
      const ge = clauses.find((c) => c.kind === 'receivedDateTime' && c.operator === 'ge');
      const le = clauses.find((c) => c.kind === 'receivedDateTime' && c.operator === 'le');
      const nowMs = now().getTime();
      if (!ge && !le) {
        end = nowMs;
        start = nowMs - 48 * HOUR;
      } else if (!ge || !le || ge.kind !== 'receivedDateTime' || le.kind !== 'receivedDateTime') {
        return bad(
          ge
            ? "receivedDateTime needs both bounds: add 'and receivedDateTime le <end>' (for example the current time)."
            : "receivedDateTime needs both bounds: add 'receivedDateTime ge <start> and' before the le clause.",
        );
      } else {
        start = ge.value.getTime();
        end = le.value.getTime();
        if (start > end) return bad(`The start date ${ge.literal} (receivedDateTime ge) is after the end date ${le.literal} (receivedDateTime le).`);
        if (end > nowMs) return bad(`The end date ${le.literal} (receivedDateTime le) is later than the current time ${new Date(nowMs).toISOString()}.`);
        if (start < nowMs - 90 * DAY) {
          return bad(`The start date ${ge.literal} (receivedDateTime ge) is older than 90 days; message trace data is kept for 90 days.`);
        }
        if (end - start > 10 * DAY) return bad('The time range between receivedDateTime ge and receivedDateTime le must not exceed 10 days.');
      }
    }

    const startIso = new Date(start).toISOString();
    const endIso = new Date(end).toISOString();
    const predicate = buildPredicate(clauses, includeUnknown, wildcards);
    const matches: MessageTraceRow[] = [];
    for (const row of tenant.rows) {
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
      pageQuery: (at: number) => [...base, `$skiptoken=${signToken({ offset: at, start, end, queryHash: qh })}`].join('&'),
      offset,
      nextOffset,
    };
  };

  // --- faults that replace the answer ---------------------------------------------------------

  /** Answer with a replacing fault; returns false when the fault does not replace the answer. */
  const replaceWithFault = (ctx: Ctx, fault: Fault): boolean => {
    const counts = (status: number): void => {
      if (status !== 429) limiter?.hit(Date.now());
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
  };

  // --- the request handler --------------------------------------------------------------------

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
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
    const authorization = headerValue(req.headers.authorization);
    const prefer = headerValue(req.headers.prefer);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: path ?? rawPath,
      query,
      authorization,
      prefer,
      status: 0,
      at: Date.now(),
    };
    requests.push(record);
    const sentClientId = headerValue(req.headers['client-request-id']);
    const ctx: Ctx = {
      req,
      res,
      record,
      requestId: randomUUID(),
      clientRequestId: sentClientId && /^[0-9a-f-]{36}$/i.test(sentClientId) ? sentClientId : randomUUID(),
    };

    if (path === undefined) {
      sendError(ctx, 400, 'BadRequest', 'The request URL path is not valid percent-encoding.');
      return;
    }
    const route = matchRoute(path);
    if (!route) {
      const segment = path.split('/').filter(Boolean).pop() ?? '';
      sendError(ctx, 404, 'NotFound', `Resource not found for the segment '${segment}'.`);
      return;
    }
    if (record.method !== 'GET') {
      sendError(ctx, 405, 'MethodNotAllowed', `The HTTP method '${record.method}' is not allowed on this resource; the message trace API is read-only (GET).`, {
        Allow: 'GET',
      });
      return;
    }
    const auth = /^Bearer[ \t]+(.*)$/i.exec(authorization ?? '');
    const token = auth?.[1]?.trim() ?? '';
    if (token === '') {
      sendError(ctx, 401, 'InvalidAuthenticationToken', 'Access token is empty.', { 'WWW-Authenticate': WWW_AUTHENTICATE });
      return;
    }
    if (!acceptToken(token)) {
      sendError(ctx, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.', {
        'WWW-Authenticate': WWW_AUTHENTICATE,
      });
      return;
    }

    const fault = faults.take(route.kind);
    if (fault?.kind === 'delay') {
      await sleep(fault.ms);
      if (closed || res.destroyed) return;
    }
    if (fault && replaceWithFault(ctx, fault)) return;

    if (limiter) {
      const wait = limiter.retryAfter(Date.now());
      if (wait !== undefined) {
        sendError(ctx, 429, 'TooManyRequests', THROTTLE_MESSAGE, { 'Retry-After': String(wait) });
        return;
      }
      limiter.hit(Date.now());
    }

    const includeUnknown = wantsUnknownEnumMembers(prefer);
    const extra: Record<string, string> = { 'OData-Version': '4.0' };
    if (includeUnknown) extra['Preference-Applied'] = 'include-unknown-enum-members';
    let body: string;

    if (route.kind === 'details') {
      if ('error' in route) {
        sendError(ctx, 400, 'BadRequest', route.error);
        return;
      }
      let events: MessageTraceDetailEvent[] = tenant.details(route.traceId, route.recipient) ?? [];
      if (fault?.kind === 'manyEvents') {
        const first = Date.parse(events[0]?.dateTime ?? now().toISOString()) - 3_600_000;
        events = Array.from({ length: fault.count }, (_, i) => ({
          id: route.traceId,
          messageId: events[0]?.messageId ?? '<many@example.com>',
          dateTime: new Date(first + i * 10).toISOString(),
          event: i % 2 ? 'Defer' : 'Receive',
          action: null,
          description: `Event ${i}`,
          data: null,
        }));
      }
      const oldest = now().getTime() - 90 * DAY;
      if (events.length > 0 && events.every((e) => Date.parse(e.dateTime) < oldest)) events = [];
      body = JSON.stringify({
        '@odata.context': `${origin}/${route.version}/$metadata#Collection(microsoft.graph.exchangeMessageTraceDetail)`,
        value: events,
      });
    } else {
      const page = listPage(route.version, params, includeUnknown);
      if (!page.ok) {
        sendError(ctx, page.status, page.code, page.message);
        return;
      }
      const listUrl = `${origin}/${route.version}/admin/exchange/tracing/messageTraces`;
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
        '@odata.context': `${origin}/${route.version}/$metadata#admin/exchange/tracing/messageTraces`,
      };
      if (nextLink !== undefined) payload['@odata.nextLink'] = nextLink;
      payload['value'] = rows;
      body = JSON.stringify(payload);
      if (fault?.kind === 'damagedRow' && rows.length > 0) {
        // An invalid number inside the first row: the page's structure is untouched.
        const first = JSON.stringify(rows[0]);
        body = body.replace(first, first.replace(/"size":(\d+)/, '"size":$1x'));
      }
    }

    if (fault?.kind === 'drip') {
      const full = Buffer.from(body);
      record.status = 200;
      res.writeHead(200, { ...baseHeaders(ctx), 'Content-Type': JSON_ODATA, 'Content-Length': String(full.length), ...extra });
      for (let i = 0; i < full.length && !closed && !res.destroyed; i++) {
        res.write(full.subarray(i, i + 1));
        await sleep(fault.intervalMs);
      }
      if (!res.destroyed) res.end();
      return;
    }
    if (fault?.kind === 'oversized') {
      record.status = 200;
      res.writeHead(200, { ...baseHeaders(ctx), 'Content-Type': JSON_ODATA, ...extra });
      const chunk = 'x'.repeat(64 * 1024);
      res.write('{"value":[],"padding":"');
      for (let sent = 0; sent < fault.bytes && !closed && !res.destroyed; sent += chunk.length) {
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
        setImmediate(() => req.socket.destroy());
      });
      return;
    }
    send(ctx, 200, body, JSON_ODATA, extra);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(`graph simulator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': JSON_ERROR, 'request-id': randomUUID(), 'client-request-id': randomUUID() });
        res.end(JSON.stringify({ error: { code: 'InternalServerError', message: 'The simulator failed to answer this request.' } }));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  origin = `http://${hostPart}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url: origin,
    tenant,
    faults,
    requests,
    setAddressWildcards(mode: AddressWildcards): void {
      wildcards = mode;
    },
    close(): Promise<void> {
      if (closing) return closing;
      closed = true;
      for (const wake of [...wakers]) wake();
      closing = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
