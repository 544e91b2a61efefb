/**
 * `message-trace-mcp --check`: the setup doctor. Run in a terminal with the environment the host
 * gives the server; checks configuration, sign-in, reachability and one real list call, in order,
 * one line each (OK / FAIL + the fix). Exit code 0 only when the server would work. Prints no
 * secret and no token.
 */
import { request } from 'undici';
import { createTokenSource, decodeJwtClaims, isDelegatedMode } from './auth/credential.js';
import { loadConfig, type Config } from './config.js';
import { RequestBudget } from './graph/budget.js';
import { GraphClient, WaitAllowance, createDispatcher, type TokenSource } from './graph/client.js';
import { TraceError } from './errors.js';
import { silentLogger, type Logger } from './log.js';
import { registerSecret, scrubSecrets } from './output/secrets.js';

export const REQUIRED_PERMISSION = 'ExchangeMessageTrace.Read.All';

export interface DoctorOptions {
  env: Record<string, string | undefined>;
  demo?: boolean;
  write: (s: string) => void;
  log?: Logger;
  /** Test seam: the token source (default: built from the configuration). */
  tokens?: TokenSource;
}

interface Check {
  ok: boolean;
  name: string;
  detail: string;
  fix?: string;
}

function line(c: Check): string {
  const head = `${c.ok ? 'OK  ' : 'FAIL'} ${c.name}: ${c.detail}`;
  return c.fix ? `${head}\n     fix: ${c.fix.replace(/\n/g, '\n          ')}\n` : `${head}\n`;
}

function claimList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return v.split(' ').filter(Boolean);
  return [];
}

/** What the token's claims say about permission, audience, tenant and expiry. */
export function checkTokenClaims(token: string, config: Config, nowMs = Date.now()): Check {
  const claims = decodeJwtClaims(token);
  if (!claims) {
    return { ok: true, name: 'token', detail: 'acquired (not a JWT, so its permissions cannot be read here; the list call below tests them)' };
  }
  const aud = typeof claims.aud === 'string' ? claims.aud : '';
  if (aud && !/graph\.microsoft\.com|00000003-0000-0000-c000-000000000000/i.test(aud)) {
    return {
      ok: false,
      name: 'token',
      detail: `the token is for another resource (aud ${aud}), not Microsoft Graph`,
      fix: 'Get a token for https://graph.microsoft.com (scope https://graph.microsoft.com/.default).',
    };
  }
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  if (exp !== undefined && exp < nowMs) {
    return { ok: false, name: 'token', detail: `the token expired at ${new Date(exp).toISOString()}`, fix: 'Get a fresh token (they last about an hour) and update MESSAGE_TRACE_ACCESS_TOKEN, or use an app registration so the server renews tokens itself.' };
  }
  const tid = typeof claims.tid === 'string' ? claims.tid : undefined;
  const wantTenant = 'tenantId' in config.auth ? config.auth.tenantId : undefined;
  if (tid && wantTenant && /^[0-9a-f-]{36}$/i.test(wantTenant) && tid.toLowerCase() !== wantTenant.toLowerCase()) {
    return { ok: false, name: 'token', detail: `the token is for tenant ${tid}, not AZURE_TENANT_ID ${wantTenant}`, fix: 'Set AZURE_TENANT_ID to the tenant whose mail you want to trace.' };
  }
  const delegated = 'scp' in claims;
  const granted = delegated ? claimList(claims.scp) : claimList(claims.roles);
  const kind = delegated ? 'delegated (scp)' : 'application (roles)';
  if (!granted.some((p) => p.toLowerCase() === REQUIRED_PERMISSION.toLowerCase())) {
    return {
      ok: false,
      name: 'permission',
      detail: `the ${kind} token does not carry ${REQUIRED_PERMISSION}${granted.length ? ` (it has: ${granted.slice(0, 8).join(', ')})` : ' (it has none)'}`,
      fix: delegated
        ? `Add the delegated Microsoft Graph permission ${REQUIRED_PERMISSION} to the app and grant admin consent; sign in with an account that holds an Exchange admin role.`
        : `In Entra: App registrations → your app → API permissions → Add a permission → Microsoft Graph → Application permissions → ${REQUIRED_PERMISSION} → Grant admin consent. Then run --check again (a new token is needed).`,
    };
  }
  return { ok: true, name: 'permission', detail: `${kind} token carries ${REQUIRED_PERMISSION}${tid ? ` for tenant ${tid}` : ''}` };
}

async function checkReachable(config: Config): Promise<Check> {
  const proxy = process.env.https_proxy ?? process.env.HTTPS_PROXY;
  const via = proxy && config.graphOrigin.startsWith('https:') ? ' through the proxy from HTTPS_PROXY' : '';
  const dispatcher = createDispatcher();
  try {
    const res = await request(config.graphOrigin, { method: 'GET', dispatcher, signal: AbortSignal.timeout(10_000), headersTimeout: 10_000 });
    await res.body.dump();
    return { ok: true, name: 'network', detail: `${new URL(config.graphOrigin).host} answered${via} (HTTP ${res.statusCode})` };
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err instanceof Error ? err.name : 'error');
    return {
      ok: false,
      name: 'network',
      detail: `could not reach ${new URL(config.graphOrigin).host}${via} (${code})`,
      fix: proxy
        ? 'Check HTTPS_PROXY / NO_PROXY and that the proxy allows graph.microsoft.com.'
        : 'Check the network, DNS and firewall; behind a corporate proxy set HTTPS_PROXY (and NO_PROXY) in the server entry\'s env block.',
    };
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

function failureCheck(name: string, err: unknown): Check {
  if (err instanceof TraceError) return { ok: false, name, detail: err.message, fix: `${err.why} ${err.fix}` };
  return { ok: false, name, detail: 'an unexpected error occurred', fix: 'Run again; if it repeats, report it.' };
}

/** Run every check in order; returns the exit code (0 = the server would work). */
export async function runDoctor(opts: DoctorOptions): Promise<number> {
  // Every line passes the secrets filter: a Graph error or a claim could echo a token.
  const out = (s: string): void => opts.write(scrubSecrets(s));
  const log = opts.log ?? silentLogger;
  let closeDemo: (() => Promise<void>) | undefined;
  let config: Config;
  if (opts.demo) {
    const { startGraphSimulator } = await import('./demo/simulator/server.js');
    const sim = await startGraphSimulator();
    closeDemo = () => sim.close();
    config = loadConfig({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: 'demo-token-not-a-secret' });
  } else {
    config = loadConfig(opts.env);
  }
  try {
    out(`message-trace-mcp --check: ${config.graphOrigin}/${config.apiVersion}\n`);

    if (config.problems.length > 0) {
      for (const p of config.problems) out(line({ ok: false, name: 'configuration', detail: `${p.setting}: ${p.problem}`, fix: p.fix }));
      return 1;
    }
    const delegatedNote = isDelegatedMode(config.auth.mode) ? ', delegated: you act as yourself' : '';
    out(line({ ok: true, name: 'configuration', detail: `authentication ${config.auth.mode}, because ${config.auth.reason}${delegatedNote}` }));

    const tokens = opts.tokens ?? createTokenSource(config.auth, log);
    let token: string;
    try {
      token = await tokens.getToken(AbortSignal.timeout(60_000));
    } catch (err) {
      out(line(failureCheck('sign-in', err)));
      return 1;
    }
    registerSecret(token);
    out(line({ ok: true, name: 'sign-in', detail: 'a Microsoft Graph token was acquired' }));
    const claims = checkTokenClaims(token, config);
    out(line(claims));
    if (!claims.ok) return 1;

    const reach = await checkReachable(config);
    out(line(reach));
    if (!reach.ok) return 1;

    const client = new GraphClient({
      origin: config.graphOrigin,
      apiVersion: config.apiVersion,
      tokens: { delegated: tokens.delegated, getToken: async () => token },
      budget: new RequestBudget(config.requestBudget),
      maxAttempts: 1,
    });
    try {
      const { body } = await client.getJson(client.url('/admin/exchange/tracing/messageTraces?%24top=1'), {
        signal: AbortSignal.timeout(30_000),
        allowance: new WaitAllowance(0),
        what: 'listing one message trace',
      });
      const rows = Array.isArray((body as { value?: unknown }).value) ? (body as { value: unknown[] }).value.length : 0;
      out(line({ ok: true, name: 'message trace', detail: `a $top=1 list call succeeded (${rows} row${rows === 1 ? '' : 's'} in the last 48 hours)` }));
    } catch (err) {
      out(line(failureCheck('message trace', err)));
      return 1;
    } finally {
      await client.close().catch(() => undefined);
    }
    out('All checks passed: the server will work with these settings.\n');
    return 0;
  } finally {
    await closeDemo?.();
  }
}
