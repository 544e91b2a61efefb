/**
 * The HTTP front of `--http`: node:http routing and every check a request passes before the MCP
 * handler sees it. Knows nothing of the MCP SDK: the endpoint it forwards to is a web-standard
 * `fetch(request, caller)`.
 *
 *   GET /healthz                                   200, nothing else (no checks: probes use any Host)
 *   GET /.well-known/oauth-protected-resource[/mcp] RFC 9728 metadata (unauthenticated)
 *   /mcp  Host allow-list → Origin → no token in the query → bearer token → body ≤ 1 MB → endpoint
 *
 * SIGTERM (via drain()) stops accepting, lets in-flight requests finish for up to 10 s, then closes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { MAX_BODY_BYTES, MCP_PATH, resourceUrl, type HttpConfig } from './config.js';
import type { Caller, EntraTokenVerifier, TokenVerdict } from './entra-token.js';

/** Past this much discarded body the connection is cut instead of read to the end. */
const MAX_DISCARD_BYTES = 32 * 1024 * 1024;
export const DRAIN_MS = 10_000;
const METADATA_PATH = '/.well-known/oauth-protected-resource';

/** Where an authenticated /mcp request goes: the MCP SDK's handler, adapted by its wiring. */
export interface McpEndpoint {
  fetch(request: Request, caller: Caller | undefined): Promise<Response>;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  config: HttpConfig;
  /** undefined: no sign-in (`--http --demo` on loopback only). */
  verifier: EntraTokenVerifier | undefined;
  endpoint: McpEndpoint;
  log: Logger;
}

export interface RunningHttpServer {
  /** The public URL of /mcp (the resource). */
  url: URL;
  port: number;
  /** Stop accepting, wait for in-flight requests (at most `ms`), close. True when all finished. */
  drain(ms?: number): Promise<boolean>;
}

function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

/** Header-safe text: printable ASCII without quotes or backslashes. */
function headerText(s: string): string {
  return s.replace(/[^\x20-\x7e]|["\\]/g, (c) => (c === '→' ? '>' : c === '"' ? "'" : ' '));
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** A JSON-RPC error body, as MCP clients expect from the endpoint. */
function rpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code: -32000, message }, id: null }, headers);
}

/** Read the body up to MAX_BODY_BYTES; past it, discard the rest (so the 413 reaches the client). */
async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) over = true;
    if (over) {
      if (size > MAX_DISCARD_BYTES) {
        req.destroy();
        return 'too-large';
      }
      continue;
    }
    chunks.push(chunk);
  }
  return over ? 'too-large' : Buffer.concat(chunks, size);
}

/** The front's state: options, the allowed hosts, the public URLs (known once listening) and the requests in flight. */
interface Front {
  opts: HttpServerOptions;
  allowed: Set<string>;
  resource: URL;
  metadataUrl: string;
  inFlight: number;
  draining: boolean;
  /** Called when the last in-flight request finishes during a drain. */
  idle: (() => void) | undefined;
}

function challenge(front: Front, error?: { code: string; description: string }): Record<string, string> {
  return {
    'www-authenticate': `Bearer resource_metadata="${front.metadataUrl}"${error ? `, error="${error.code}", error_description="${headerText(error.description)}"` : ''}`,
  };
}

function refuse(front: Front, res: ServerResponse, verdict: Exclude<TokenVerdict, { ok: true }>): void {
  front.opts.log.info(`refused a /mcp request: ${verdict.status} ${verdict.description}`);
  if (verdict.status === 503) {
    sendJson(res, 503, { error: 'temporarily_unavailable', error_description: verdict.description }, { 'retry-after': '30' });
    return;
  }
  sendJson(res, verdict.status, { error: verdict.error, error_description: verdict.description }, challenge(front, { code: verdict.error, description: verdict.description }));
}

/** 'missing': no token at all (the challenge then carries no error, as RFC 6750 asks). */
async function authenticate(verifier: EntraTokenVerifier | undefined, req: IncomingMessage, url: URL): Promise<TokenVerdict | { ok: true; caller: undefined } | 'missing'> {
  if (!verifier) return { ok: true, caller: undefined };
  if (url.searchParams.has('access_token')) {
    return { ok: false, status: 401, error: 'invalid_token', description: 'A token in the URL is refused (it ends up in logs); send it in the Authorization header as "Bearer <token>".' };
  }
  const header = req.headers.authorization;
  if (header === undefined) return 'missing';
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  if (!match) return { ok: false, status: 401, error: 'invalid_token', description: 'The Authorization header is not "Bearer <token>".' };
  return verifier.verify(match[1] as string);
}

/** The Host allow-list, then the Origin (browsers): false when refused (answered 403). */
function hostAndOriginAllowed(front: Front, req: IncomingMessage, res: ServerResponse): boolean {
  const { allowed, opts } = front;
  const host = hostnameOf(req.headers.host);
  if (!host || !allowed.has(host)) {
    opts.log.info(`refused a /mcp request for Host ${JSON.stringify(req.headers.host ?? '')} (not in MESSAGE_TRACE_HTTP_ALLOWED_HOSTS)`);
    rpcError(res, 403, `Host not allowed: add it to MESSAGE_TRACE_HTTP_ALLOWED_HOSTS if clients reach this server by that name.`);
    return false;
  }
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).hostname || undefined;
  } catch {
    originHost = undefined;
  }
  if (!originHost || !allowed.has(originHost)) {
    opts.log.info(`refused a /mcp request from Origin ${JSON.stringify(origin)}`);
    rpcError(res, 403, 'Origin not allowed: browser pages may only call this server from an allowed host.');
    return false;
  }
  return true;
}

/** The caller, or undefined when refused (answered 401, 403 or 503). */
async function signedIn(front: Front, req: IncomingMessage, res: ServerResponse, url: URL): Promise<{ caller: Caller | undefined } | undefined> {
  const verdict = await authenticate(front.opts.verifier, req, url);
  if (verdict === 'missing') {
    sendJson(res, 401, { error: 'unauthorized', error_description: 'Sign in: this server needs an Entra ID access token (Authorization: Bearer).' }, challenge(front));
    return undefined;
  }
  if (!verdict.ok) {
    refuse(front, res, verdict);
    return undefined;
  }
  return { caller: verdict.caller };
}

/** The request body (none for GET and HEAD), or 'refused' when over 1 MB (answered 413). */
async function requestBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined | 'refused'> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_DISCARD_BYTES) {
    rpcError(res, 413, `Request body over ${MAX_BODY_BYTES} bytes.`, { connection: 'close' });
    req.destroy();
    return 'refused';
  }
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
  if (body === 'too-large') {
    if (!res.destroyed) rpcError(res, 413, `Request body over ${MAX_BODY_BYTES} bytes.`);
    return 'refused';
  }
  return body;
}

/** The web-standard request the endpoint gets: the same method, headers (but the token) and body. */
function webRequest(req: IncomingMessage, body: Buffer | undefined, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    // The token stays here: nothing behind this point needs it.
    if (value === undefined || name === 'authorization') continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return new Request(`http://${req.headers.host}${req.url ?? MCP_PATH}`, {
    method: req.method ?? 'POST',
    headers,
    signal,
    ...(body && body.length > 0 ? { body } : {}),
  });
}

/**
 * Wait until a stalled response can take more, or the client is gone. Whichever listener did not
 * fire is removed: a long stream stalls many times, and leftover 'close' listeners pile up (Node
 * warns past 10).
 */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Write the endpoint's response: status, headers and body. Streamed (SSE) answers honour backpressure. */
async function relay(response: Response, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const out: Record<string, string> = {};
  for (const [name, value] of response.headers) out[name] = value;
  res.writeHead(response.status, out);
  if (!response.body) return;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (signal.aborted) break;
      if (!res.write(chunk)) await drainedOrClosed(res);
    }
  } catch {
    // the client went away; the handler's signal already cancelled the call
  }
}

async function serveMcp(front: Front, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (!hostAndOriginAllowed(front, req, res)) return;
  const who = await signedIn(front, req, res, url);
  if (!who) return;
  const body = await requestBody(req, res);
  if (body === 'refused') return;

  // A vanished client cancels the call.
  const abort = new AbortController();
  let finished = false;
  res.on('close', () => {
    if (!finished) abort.abort();
  });
  const response = await front.opts.endpoint.fetch(webRequest(req, body, abort.signal), who.caller);
  await relay(response, res, abort.signal);
  finished = true;
  res.end();
}

function metadata(front: Front, res: ServerResponse): void {
  const { verifier, config } = front.opts;
  if (!verifier || !config.entra) {
    sendJson(res, 404, { error: 'not_found', error_description: 'This server runs without sign-in (demo).' });
    return;
  }
  sendJson(
    res,
    200,
    {
      resource: front.resource.href,
      authorization_servers: [verifier.expectedIssuer],
      scopes_supported: [config.entra.scope],
      bearer_methods_supported: ['header'],
      resource_name: 'Exchange Online message trace (message-trace-mcp)',
    },
    { 'access-control-allow-origin': '*', 'cache-control': 'max-age=3600' },
  );
}

/** The routes (see the top); /mcp requests are counted in flight for the drain. */
async function handle(front: Front, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    res.writeHead(front.draining ? 503 : 200, { 'content-length': '0', 'cache-control': 'no-store' }).end();
    return;
  }
  if (url.pathname === METADATA_PATH || url.pathname === `${METADATA_PATH}${MCP_PATH}`) {
    if (req.method === 'GET' || req.method === 'HEAD') metadata(front, res);
    else sendJson(res, 405, { error: 'method_not_allowed' }, { allow: 'GET' });
    return;
  }
  if (url.pathname !== MCP_PATH) {
    sendJson(res, 404, { error: 'not_found', error_description: `MCP is served at ${MCP_PATH}.` });
    return;
  }
  if (front.draining) {
    rpcError(res, 503, 'The server is shutting down; retry in a moment.', { connection: 'close', 'retry-after': '5' });
    return;
  }
  front.inFlight++;
  try {
    await serveMcp(front, req, res, url);
  } finally {
    front.inFlight--;
    if (front.inFlight === 0) front.idle?.();
  }
}

/** Stop accepting, wait for in-flight requests (at most `ms`), close. True when all finished. */
async function drain(front: Front, server: Server, ms: number): Promise<boolean> {
  front.draining = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const allDone =
    front.inFlight === 0 ||
    (await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      front.idle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    }));
  await front.opts.endpoint.close().catch(() => undefined);
  server.closeAllConnections();
  await closed;
  return allDone;
}

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const { config, log } = opts;
  const front: Front = {
    opts,
    allowed: new Set(config.allowedHosts),
    resource: resourceUrl(config, config.listen.port),
    metadataUrl: '',
    inFlight: 0,
    draining: false,
    idle: undefined,
  };
  const server = createServer((req, res) => {
    handle(front, req, res).catch((err: unknown) => {
      log.error(`HTTP request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) rpcError(res, 500, 'Internal server error; the server log has the details.');
      else res.end();
    });
  });
  // Tool calls may wait up to ~40 s on Graph throttling; headers must still come promptly.
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  front.resource = resourceUrl(config, port);
  front.metadataUrl = `${front.resource.origin}${METADATA_PATH}${MCP_PATH}`;

  return {
    url: front.resource,
    port,
    drain: (ms = DRAIN_MS) => drain(front, server, ms),
  };
}
