/**
 * HTTP mode's settings (MESSAGE_TRACE_HTTP_*), read the way src/config.ts reads the Graph
 * settings: every problem is collected with the setting and the fix. Unlike a Graph setting, a
 * bad HTTP setting stops the start (exit 2): a server that cannot check its callers must not serve.
 */
import { described, secureUrlSetting, value, type ConfigProblem } from '../config.js';
import { isLoopbackHost } from '../graph/client.js';
import { isGuidShape } from '../shapes.js';

export const DEFAULT_ADDRESS = '127.0.0.1:8080';
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
export const DEFAULT_ROLE = 'MessageTrace.Read';
export const DEFAULT_CALLS_PER_MINUTE = 60;
export const MCP_PATH = '/mcp';
/** Larger MCP requests get 413: no tool argument comes near it. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface EntraSettings {
  tenantId: string;
  /** Origin of the sign-in authority, e.g. https://login.microsoftonline.com. */
  authorityHost: string;
  /** Accepted `aud` values: the server app's Application ID URI and/or client id. */
  audiences: string[];
  /** The app role a caller's token must carry in `roles`. */
  role: string;
  /** What the protected-resource metadata offers as scopes_supported. */
  scope: string;
}

export interface HttpConfig {
  listen: { host: string; port: number };
  /** The public URL of /mcp when set; otherwise derived from the listening address at start. */
  publicUrl: URL | undefined;
  /** Host names (no port) a request's Host and a browser's Origin may name. */
  allowedHosts: string[];
  /** undefined only for `--http --demo` on loopback without an audience: no sign-in. */
  entra: EntraSettings | undefined;
  callsPerMinute: number;
  problems: ConfigProblem[];
}

type Env = Record<string, string | undefined>;


function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A host as URL.hostname spells it (IPv6 in brackets, lower case). */
function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}`).hostname;
  } catch {
    return undefined;
  }
}

function readAddress(env: Env, problems: ConfigProblem[]): { host: string; port: number } {
  const raw = value(env, 'MESSAGE_TRACE_HTTP_ADDRESS') ?? DEFAULT_ADDRESS;
  const fallback = { host: '127.0.0.1', port: 8080 };
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s/]+):(\d{1,5})$/.exec(raw);
  const port = match ? Number(match[2]) : NaN;
  const host = match ? hostnameOf(match[1] as string) : undefined;
  if (!match || !host || port > 65535) {
    problems.push({
      setting: 'MESSAGE_TRACE_HTTP_ADDRESS',
      problem: `its value is not host:port (${described(raw)}).`,
      fix: `Set it to the address to listen on, e.g. ${DEFAULT_ADDRESS} (this machine only) or 0.0.0.0:8080 (every interface, as in a container).`,
    });
    return fallback;
  }
  return { host: host.replace(/^\[|\]$/g, ''), port };
}

function readPublicUrl(env: Env, problems: ConfigProblem[]): URL | undefined {
  const raw = value(env, 'MESSAGE_TRACE_HTTP_PUBLIC_URL');
  if (!raw) return undefined;
  const fix = 'Set it to the URL clients use to reach this server, e.g. https://message-trace.contoso.com/mcp (or just the origin; /mcp is added).';
  const url = secureUrlSetting('MESSAGE_TRACE_HTTP_PUBLIC_URL', raw, problems, {
    fix,
    insecure: 'callers would send their tokens in the clear (plain http is only for loopback).',
    insecureFix: fix,
  });
  if (!url) return undefined;
  const path = url.pathname.replace(/\/+$/, '');
  if ((path !== '' && path !== MCP_PATH) || url.search || url.hash || url.username || url.password) {
    problems.push({
      setting: 'MESSAGE_TRACE_HTTP_PUBLIC_URL',
      problem: `its value has a path other than ${MCP_PATH}, a query or credentials; the server serves MCP at ${MCP_PATH}.`,
      fix,
    });
    return undefined;
  }
  return new URL(MCP_PATH, url.origin);
}

function readAuthorityHost(env: Env, problems: ConfigProblem[]): string {
  const raw = value(env, 'AZURE_AUTHORITY_HOST');
  if (!raw) return DEFAULT_AUTHORITY_HOST;
  const url = secureUrlSetting('AZURE_AUTHORITY_HOST', raw, problems, {
    fix: `Set it to the sign-in authority of your cloud (default ${DEFAULT_AUTHORITY_HOST}), or remove it.`,
    insecure: 'the signing keys that decide who may call this server are only fetched over plain http from a loopback address.',
    insecureFix: `Use an https:// authority (normally ${DEFAULT_AUTHORITY_HOST}).`,
  });
  return url ? url.origin : DEFAULT_AUTHORITY_HOST;
}

function readCallsPerMinute(env: Env, problems: ConfigProblem[]): number {
  const raw = value(env, 'MESSAGE_TRACE_HTTP_CALLS_PER_MINUTE');
  if (!raw) return DEFAULT_CALLS_PER_MINUTE;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 1 && n <= 100_000) return n;
  problems.push({
    setting: 'MESSAGE_TRACE_HTTP_CALLS_PER_MINUTE',
    problem: `its value is not a whole number from 1 to 100000 (${described(raw)}).`,
    fix: `Set it to the tool calls one caller may make per minute, or remove it for the default (${DEFAULT_CALLS_PER_MINUTE}).`,
  });
  return DEFAULT_CALLS_PER_MINUTE;
}

function readEntra(env: Env, problems: ConfigProblem[]): EntraSettings | undefined {
  const audiences = list(value(env, 'MESSAGE_TRACE_HTTP_AUDIENCE'));
  const tenantId = value(env, 'AZURE_TENANT_ID');
  if (!tenantId) {
    problems.push({
      setting: 'AZURE_TENANT_ID',
      problem: 'HTTP mode accepts tokens of one tenant, and AZURE_TENANT_ID is not set.',
      fix: 'Set AZURE_TENANT_ID to your Directory (tenant) ID (a GUID, from the app registration\'s Overview page).',
    });
  } else if (!isGuidShape(tenantId)) {
    problems.push({
      setting: 'AZURE_TENANT_ID',
      problem: `its value is not a GUID (${described(tenantId)}), and a token's tid claim is always the tenant's GUID.`,
      fix: 'Set AZURE_TENANT_ID to the Directory (tenant) ID GUID shown on the app registration\'s Overview page.',
    });
  }
  const authorityHost = readAuthorityHost(env, problems);
  const role = value(env, 'MESSAGE_TRACE_HTTP_ROLE') ?? DEFAULT_ROLE;
  const scope = value(env, 'MESSAGE_TRACE_HTTP_SCOPE') ?? `${audiences[0] ?? ''}/.default`;
  if (!tenantId || !isGuidShape(tenantId) || audiences.length === 0) return undefined;
  return { tenantId: tenantId.toLowerCase(), authorityHost, audiences, role, scope };
}

/**
 * HTTP settings from the environment. `demo`: `--http --demo`, which may run without sign-in,
 * but only on a loopback address.
 */
export function loadHttpConfig(env: Env = process.env, opts: { demo?: boolean } = {}): HttpConfig {
  const problems: ConfigProblem[] = [];
  const listen = readAddress(env, problems);
  const publicUrl = readPublicUrl(env, problems);
  const callsPerMinute = readCallsPerMinute(env, problems);
  const hasAudience = list(value(env, 'MESSAGE_TRACE_HTTP_AUDIENCE')).length > 0;
  let entra: EntraSettings | undefined;
  if (hasAudience) {
    entra = readEntra(env, problems);
  } else if (!opts.demo) {
    problems.push({
      setting: 'MESSAGE_TRACE_HTTP_AUDIENCE',
      problem: 'HTTP mode only serves callers with an Entra ID token for this server, and MESSAGE_TRACE_HTTP_AUDIENCE (the token audience to accept) is not set.',
      fix: 'Set MESSAGE_TRACE_HTTP_AUDIENCE to the server app registration\'s Application ID URI and/or client id (comma-separated), and AZURE_TENANT_ID; see README "Remote deployment". To try HTTP mode without sign-in: message-trace-mcp --http --demo on a loopback address.',
    });
  } else if (!isLoopbackHost(listen.host)) {
    problems.push({
      setting: 'MESSAGE_TRACE_HTTP_AUDIENCE',
      problem: `--http --demo without MESSAGE_TRACE_HTTP_AUDIENCE serves without sign-in, which is only allowed on a loopback address, and ${listen.host} is not one.`,
      fix: 'Set MESSAGE_TRACE_HTTP_ADDRESS=127.0.0.1:8080 for the demo, or set MESSAGE_TRACE_HTTP_AUDIENCE and AZURE_TENANT_ID to require sign-in.',
    });
  }

  const allowedRaw = list(value(env, 'MESSAGE_TRACE_HTTP_ALLOWED_HOSTS'));
  const allowedHosts = new Set<string>();
  if (allowedRaw.length > 0) {
    for (const h of allowedRaw) {
      // A host name or IP literal, nothing else: URL would read "host/path" or "user@host" as a host.
      const name = /^[A-Za-z0-9.\-[\]:]+$/.test(h) ? hostnameOf(h) : undefined;
      if (name) allowedHosts.add(name);
      else
        problems.push({
          setting: 'MESSAGE_TRACE_HTTP_ALLOWED_HOSTS',
          problem: `one of its entries is not a host name (${described(h)}).`,
          fix: 'List host names without scheme or port, comma-separated, e.g. message-trace.contoso.com,localhost.',
        });
    }
  } else {
    // A wildcard listen address is never what a client puts in Host.
    if (listen.host !== '0.0.0.0' && listen.host !== '::') allowedHosts.add(hostnameOf(listen.host) as string);
    for (const h of ['localhost', '127.0.0.1', '[::1]']) allowedHosts.add(h);
    if (publicUrl) allowedHosts.add(publicUrl.hostname);
  }
  return { listen, publicUrl, allowedHosts: [...allowedHosts], entra, callsPerMinute, problems };
}

/** The public URL of /mcp: the configured one, else the address the server listens on. */
export function resourceUrl(config: HttpConfig, port: number): URL {
  if (config.publicUrl) return config.publicUrl;
  const { host } = config.listen;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return new URL(`http://${shown}:${port}${MCP_PATH}`);
}
