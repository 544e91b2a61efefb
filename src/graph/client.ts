/**
 * The one place that talks HTTP to Microsoft Graph: keep-alive undici dispatcher (proxy-aware),
 * bearer token only to the configured origin, retries for 429/5xx/resets honouring Retry-After,
 * a capped and cancellable total wait, the tenant request budget, and errors mapped to
 * actionable TraceErrors.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { ApiVersion } from '../config.js';
import { registerSecret } from '../output/secrets.js';
import type { RequestBudget } from './budget.js';
import { utf8BomLength } from '../shapes.js';
import { TraceError } from '../errors.js';
import { budgetSpentError, cancelledError, errorFromResponse, throttledError } from './errors.js';
import { noteGraphRequest } from './request-count.js';

export const USER_AGENT = 'message-trace-mcp/0.1';
/** The longest Retry-After honoured: one 429 (999999999 s, a date in 9999) must not lock the server out. */
export const MAX_RETRY_AFTER_MS = 300_000;
/** Overall deadline for one response, headers and body together (the idle timeouts alone let a drip run forever). */
export const RESPONSE_DEADLINE_MS = 90_000;
/** Most bytes one response body may have: a real page of 5,000 rows is a few MB. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Supplies a bearer token for each request (the credential caches it). */
export interface TokenSource {
  getToken(signal: AbortSignal): Promise<string>;
  /** True when tokens are a user's (delegated), which changes the permission advice. */
  readonly delegated: boolean;
}

/**
 * How long one tool call may spend waiting (Retry-After, backoff, budget) in total. Shared by
 * every request of that call, so that the call answers well inside a host's ~60 s tool timeout.
 */
export class WaitAllowance {
  constructor(public remainingMs: number) {}
}

/** True for 127.0.0.0/8, ::1 and localhost: the only hosts a token may be sent to over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A bearer token goes only over https, or over plain http to this machine (the simulator, a local proxy). */
export function mayCarryToken(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

export interface WaitInfo {
  ms: number;
  reason: string;
}

/** A body's bytes as JSON: UTF-8 (invalid sequences replaced), a byte order mark skipped. */
export function parseJsonBytes(bytes: Buffer): unknown {
  return JSON.parse(bytes.toString('utf8', utf8BomLength(bytes)));
}

export interface GetOptions {
  signal: AbortSignal;
  allowance: WaitAllowance;
  /** Told before every wait so the caller can send progress. */
  onWait?: (info: WaitInfo) => void;
  /** Names the call in errors, e.g. "listing message traces". */
  what: string;
  /** Attempts for this request (default: the client's); 1 = no retry, the failure is the answer. */
  maxAttempts?: number;
  /** Told each time a request is actually sent (it took a budget slot), retries included. */
  onSend?: () => void;
}

export interface GraphResponse<T = unknown> {
  body: T;
  requestId: string | undefined;
}

export interface GraphClientOptions {
  origin: string;
  apiVersion: ApiVersion;
  tokens: TokenSource;
  budget: RequestBudget;
  dispatcher?: Dispatcher;
  maxAttempts?: number;
  baseDelayMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  responseDeadlineMs?: number;
  maxBodyBytes?: number;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

type Undici = typeof import('undici');
let undici: Undici | undefined;
/**
 * undici, loaded on the first Graph request rather than at start-up: it is ~110 modules and
 * ~100 ms of a cold start, and a host starts the server long before the first tool call. (undici
 * is CommonJS, so require() gives the very module an import would.)
 */
function loadUndici(): Undici {
  return (undici ??= createRequire(import.meta.url)('undici') as Undici);
}

/** The shared dispatcher: keep-alive, HTTP(S)_PROXY/NO_PROXY aware, bounded timeouts. */
export function createDispatcher(): Dispatcher {
  return new (loadUndici().EnvHttpProxyAgent)({
    connections: 8,
    keepAliveTimeout: 30_000,
    headersTimeout: 30_000,
    bodyTimeout: 60_000,
    connect: { timeout: 10_000 },
  });
}

/** The variables EnvHttpProxyAgent routes by (NO_PROXY only narrows them). */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * fetch() that goes the way Graph requests go: through HTTP(S)_PROXY unless NO_PROXY matches.
 * Node's global fetch ignores those variables, so on a proxied network anything else this server
 * fetches (HTTP mode's signing keys) would fail where Graph works. Without a proxy variable it is
 * Node's own fetch: that one is loaded anyway (the HTTP front's Request and Response are its
 * classes), while undici's fetch is a second implementation, +8 MB at idle and +12 MB of peak RSS
 * in the --http load benchmark, paid only where a proxy needs it.
 */
export function proxyAwareFetch(): typeof fetch {
  let viaProxy: typeof fetch | undefined;
  const proxied = (): typeof fetch => {
    const { fetch: undiciFetch } = loadUndici();
    const dispatcher = createDispatcher();
    return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
      undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher })) as unknown as typeof fetch;
  };
  return (input, init) => {
    if (!PROXY_VARIABLES.some((name) => process.env[name])) return fetch(input, init);
    return (viaProxy ??= proxied())(input, init);
  };
}

/** Parse Retry-After: delta-seconds or an HTTP date. Returns milliseconds, or undefined. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  const trimmed = raw.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'ECONNREFUSED', 'UND_ERR_CLOSED']);

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function errorCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const cause = (err as { cause?: unknown }).cause;
    if (cause && typeof cause === 'object' && typeof (cause as { code?: unknown }).code === 'string') {
      return (cause as { code: string }).code;
    }
  }
  return '';
}

function proxyFor(url: URL): string | undefined {
  const env = process.env;
  const proxy = url.protocol === 'https:' ? (env.https_proxy ?? env.HTTPS_PROXY) : (env.http_proxy ?? env.HTTP_PROXY);
  if (!proxy) return undefined;
  try {
    return new URL(proxy).host;
  } catch {
    return proxy.replace(/\/\/[^@]*@/, '//');
  }
}

/** The body's bytes, refusing more than `max` (announced or streamed) with a clear error. */
async function readBody(body: AsyncIterable<Buffer> & { destroy(): unknown }, contentLength: string | undefined, max: number, what: string): Promise<Buffer> {
  const tooLarge = (): TraceError => {
    body.destroy();
    return new TraceError({
      kind: 'protocol',
      what: `Graph's answer while ${what} was larger than ${Math.round(max / 1048576)} MB, so reading it stopped.`,
      why: 'No message trace answer is that large: the endpoint (or something in between) sent far more than a page of rows or events.',
      fix: 'Try again with a shorter time range or more filters; if it repeats, check MESSAGE_TRACE_GRAPH_URL points at Microsoft Graph and any proxy in between.',
    });
  };
  if (contentLength !== undefined && Number(contentLength) > max) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > max) throw tooLarge();
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
}

function deadlineError(url: URL, ms: number, what: string): TraceError {
  return new TraceError({
    kind: 'timeout',
    what: `Graph at ${url.host} did not finish its answer within ${Math.round(ms / 1000)} s (headers and body) while ${what}.`,
    why: 'The answer arrived too slowly: a stalled or trickling connection, or an overloaded service.',
    fix: 'Try again with a shorter time range or more filters; if it keeps happening, check the network path to Graph.',
  });
}

export class GraphClient {
  readonly origin: string;
  readonly apiVersion: ApiVersion;
  private readonly tokens: TokenSource;
  private readonly budget: RequestBudget;
  /** Built on the first request (see loadUndici), unless one was given. */
  private dispatcher: Dispatcher | undefined;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly headersTimeoutMs: number;
  private readonly bodyTimeoutMs: number;
  private readonly responseDeadlineMs: number;
  private readonly maxBodyBytes: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(opts: GraphClientOptions) {
    this.origin = new URL(opts.origin).origin;
    this.apiVersion = opts.apiVersion;
    this.tokens = opts.tokens;
    this.budget = opts.budget;
    this.dispatcher = opts.dispatcher;
    this.maxAttempts = opts.maxAttempts ?? 4;
    this.baseDelayMs = opts.baseDelayMs ?? 1_000;
    this.headersTimeoutMs = opts.headersTimeoutMs ?? 20_000;
    this.bodyTimeoutMs = opts.bodyTimeoutMs ?? 30_000;
    this.responseDeadlineMs = opts.responseDeadlineMs ?? RESPONSE_DEADLINE_MS;
    this.maxBodyBytes = opts.maxBodyBytes ?? MAX_BODY_BYTES;
    this.random = opts.random ?? Math.random;
    this.sleep = opts.sleep ?? ((ms, signal) => sleepTimer(ms, undefined, { signal }));
  }

  /** Requests the budget lets this server send right now without waiting. */
  requestsAvailable(): number {
    return this.budget.waitMs() > 0 ? 0 : this.budget.remaining();
  }

  /** Absolute URL for a path under the configured API version, e.g. `/admin/exchange/...`. */
  url(pathAndQuery: string): string {
    return `${this.origin}/${this.apiVersion}${pathAndQuery}`;
  }

  /**
   * Refuse any URL a token must not go to: another origin (e.g. a hostile `@odata.nextLink`),
   * or plain http to a non-loopback host.
   */
  checkUrl(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TraceError({
        kind: 'unsafeUrl',
        what: 'Graph returned a next-page link that is not a valid URL.',
        why: 'Paging links must be absolute URLs on the Graph origin.',
        fix: 'Narrow the search so it fits in one page, or try again later.',
      });
    }
    if (parsed.origin !== this.origin) {
      throw new TraceError({
        kind: 'unsafeUrl',
        what: `Refused to follow a link to ${parsed.origin}: it is not the configured Graph origin (${this.origin}).`,
        why: 'The access token is only ever sent to the configured Graph origin; a paging link elsewhere could leak it.',
        fix: 'If you use a Graph proxy or simulator, set MESSAGE_TRACE_GRAPH_URL to its origin. Otherwise report the response: Graph should not send such links.',
      });
    }
    if (!mayCarryToken(parsed)) {
      throw new TraceError({
        kind: 'unsafeUrl',
        what: `Refused to send the token over plain http to ${parsed.host}.`,
        why: 'Tokens go over plain http only to loopback addresses.',
        fix: 'Use an https:// Graph URL.',
      });
    }
    return parsed;
  }

  private backoff(attempt: number): number {
    const ceiling = this.baseDelayMs * 2 ** attempt;
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  private async wait(ms: number, reason: string, opts: GetOptions): Promise<void> {
    opts.onWait?.({ ms, reason });
    opts.allowance.remainingMs -= ms;
    try {
      await this.sleep(ms, opts.signal);
    } catch {
      throw cancelledError();
    }
  }

  private networkError(err: unknown, url: URL): TraceError {
    const code = errorCode(err);
    const proxy = proxyFor(url);
    const via = proxy ? ` through the proxy ${proxy}` : '';
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new TraceError({
        kind: 'timeout',
        what: `Graph at ${url.host} did not answer in time${via} (${code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting' : 'waiting for the response'}).`,
        why: 'The service or the network path to it is slow or stalled.',
        fix: 'Try again with a shorter time range or more filters; if it keeps timing out, check the network path to Graph.',
      });
    }
    if (code === 'UND_ERR_PRX_CONN' || code === 'UND_ERR_PRX_TLS' || (proxy && code === 'ECONNREFUSED')) {
      return new TraceError({
        kind: 'network',
        what: `Could not reach ${url.host} through the proxy ${proxy ?? '(from HTTPS_PROXY)'} (${code}).`,
        why: 'The proxy refused the connection or the tunnel to Graph failed.',
        fix: 'Check HTTPS_PROXY/NO_PROXY in the server entry\'s env block (hosts pass only a few variables to the server), and that the proxy allows graph.microsoft.com.',
      });
    }
    const reason =
      code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'its name could not be resolved (DNS)'
        : code === 'ECONNREFUSED'
          ? 'the connection was refused'
          : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
            ? 'the connection was reset'
            : `a network error occurred${code ? ` (${code})` : ''}`;
    return new TraceError({
      kind: 'network',
      what: `Could not reach Graph at ${url.host}${via}: ${reason}.`,
      why: 'The machine running this server has no working network path to Microsoft Graph.',
      fix: proxy
        ? 'Check the proxy settings (HTTPS_PROXY, NO_PROXY) and that the proxy allows graph.microsoft.com.'
        : 'Check the network, DNS and firewall. Behind a corporate proxy, set HTTPS_PROXY (and NO_PROXY) in the server entry\'s env block.',
    });
  }

  /**
   * GET a Graph URL and return its parsed JSON body. `parse` reads a successful body's bytes
   * (default: decode and JSON.parse); when it throws, the response is unreadable and retried like a 5xx.
   */
  async getJson(url: string, opts: GetOptions): Promise<GraphResponse>;
  async getJson<T>(url: string, opts: GetOptions, parse: (body: Buffer) => T): Promise<GraphResponse<T>>;
  async getJson(url: string, opts: GetOptions, parse: (body: Buffer) => unknown = parseJsonBytes): Promise<GraphResponse> {
    const target = this.checkUrl(url);
    for (let attempt = 0; ; attempt++) {
      if (opts.signal.aborted) throw cancelledError();

      let token: string;
      for (;;) {
        try {
          token = await this.tokens.getToken(opts.signal);
          registerSecret(token);
        } catch (err) {
          if (opts.signal.aborted) throw cancelledError();
          throw err;
        }
        // The budget slot is checked and taken in one synchronous step, after the last await
        // before sending: concurrent requests cannot both take the last free slot.
        const budgetWait = this.budget.tryTake();
        if (budgetWait === 0) break;
        if (budgetWait > opts.allowance.remainingMs) {
          // Held back by a 429 Graph sent, or only by this server's own pacing: say which.
          throw this.budget.blockedByGraph() ? throttledError(budgetWait / 1000) : budgetSpentError(budgetWait / 1000, this.budget.limit);
        }
        await this.wait(budgetWait, 'pacing to stay inside the tenant quota (100 requests / 5 min)', opts);
      }
      noteGraphRequest();
      opts.onSend?.();

      let statusCode: number;
      let headers: Record<string, string | string[] | undefined>;
      let bytes: Buffer;
      // The whole response, headers and body, within one deadline (cancellation still wins).
      const deadline = AbortSignal.timeout(this.responseDeadlineMs);
      try {
        const res = await loadUndici().request(target, {
          method: 'GET',
          dispatcher: (this.dispatcher ??= createDispatcher()),
          signal: AbortSignal.any([opts.signal, deadline]),
          headersTimeout: this.headersTimeoutMs,
          bodyTimeout: this.bodyTimeoutMs,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            prefer: 'include-unknown-enum-members',
            'client-request-id': randomUUID(),
            'user-agent': USER_AGENT,
          },
        });
        statusCode = res.statusCode;
        headers = res.headers as Record<string, string | string[] | undefined>;
        bytes = await readBody(res.body, header(res.headers as Record<string, string | string[] | undefined>, 'content-length'), this.maxBodyBytes, opts.what);
      } catch (err) {
        if (opts.signal.aborted) throw cancelledError();
        if (err instanceof TraceError) throw err;
        if (deadline.aborted) throw deadlineError(target, this.responseDeadlineMs, opts.what);
        const code = errorCode(err);
        if (RETRYABLE_NETWORK.has(code) && attempt + 1 < (opts.maxAttempts ?? this.maxAttempts)) {
          const delay = this.backoff(attempt);
          if (delay <= opts.allowance.remainingMs) {
            await this.wait(delay, `retrying after a network error (${code})`, opts);
            continue;
          }
        }
        throw this.networkError(err, target);
      }

      const requestId = header(headers, 'request-id');
      const contentType = header(headers, 'content-type') ?? '';

      if (statusCode >= 200 && statusCode < 300) {
        try {
          return { body: parse(bytes), requestId };
        } catch {
          // A truncated or non-JSON 200 is treated like a transient server fault.
          if (attempt + 1 < (opts.maxAttempts ?? this.maxAttempts)) {
            const delay = this.backoff(attempt);
            if (delay <= opts.allowance.remainingMs) {
              await this.wait(delay, 'retrying after an unreadable response', opts);
              continue;
            }
          }
          throw new TraceError({
            kind: 'protocol',
            what: `Graph's answer while ${opts.what} was not readable JSON${contentType.includes('html') ? ' (an HTML page, probably from a proxy)' : ' (it was cut off or malformed)'}.`,
            why: 'The response was damaged on the way, or something between this server and Graph answered instead.',
            fix: 'Try again. If it repeats, check any proxy between this machine and graph.microsoft.com.',
            requestId,
            status: statusCode,
          });
        }
      }

      let body: unknown;
      try {
        body = parseJsonBytes(bytes);
      } catch {
        body = undefined;
      }

      if (RETRYABLE_STATUS.has(statusCode)) {
        const retryAfter = parseRetryAfter(header(headers, 'retry-after'));
        const capped = retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_MS;
        const delay = retryAfter === undefined ? this.backoff(attempt) : Math.min(retryAfter, MAX_RETRY_AFTER_MS);
        if (statusCode === 429) this.budget.blockFor(delay);
        const canRetry = attempt + 1 < (opts.maxAttempts ?? this.maxAttempts) && delay <= opts.allowance.remainingMs;
        if (canRetry) {
          await this.wait(
            delay,
            statusCode === 429 ? 'Graph is throttling (429); waiting as asked' : `Graph answered ${statusCode}; retrying`,
            opts,
          );
          continue;
        }
        if (statusCode === 429) throw throttledError(delay / 1000, requestId, capped);
      }

      if (body === undefined && contentType.includes('html')) {
        throw new TraceError({
          kind: statusCode >= 500 ? 'server' : 'protocol',
          what: `Something between this server and Graph answered HTTP ${statusCode} with an HTML page while ${opts.what}.`,
          why: 'A proxy, firewall or gateway answered instead of Microsoft Graph.',
          fix: 'Check the proxy settings (HTTPS_PROXY, NO_PROXY) and that graph.microsoft.com is allowed; then try again.',
          requestId,
          status: statusCode,
        });
      }

      throw errorFromResponse({
        status: statusCode,
        body,
        requestId,
        retryAfterSeconds: (() => {
          const ms = parseRetryAfter(header(headers, 'retry-after'));
          return ms === undefined ? undefined : Math.min(ms, MAX_RETRY_AFTER_MS) / 1000;
        })(),
        what: opts.what,
        delegated: this.tokens.delegated,
      });
    }
  }

  /** Requests this server may still send now without pacing (its own share of the tenant quota). */
  requestsLeft(): number {
    return this.budget.remaining();
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }
}
