/**
 * `message-trace-mcp --check`: the setup doctor. Run in a terminal with the environment the host
 * gives the server; checks the Node.js version, configuration, sign-in, reachability and one real
 * list call, in order, one line each (OK / WARN / FAIL + the fix). Exit code 0 only when the server
 * would work. Prints no secret and no token.
 *
 * Nothing here loads undici before the Node.js check: on an older Node it fails to load at all.
 */
import { createTokenSource, decodeJwtClaims, isDelegatedMode } from './auth/credential.js';
import { loadConfig, runtimeProblem, type Config } from './config.js';
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
  /** The Node.js version to check (default: the running one). */
  nodeVersion?: string;
  /** Time limits of the checks (tests shorten them). */
  limits?: Partial<DoctorLimits>;
  /** `--check --http`: also check the HTTP mode's settings and the tenant's signing keys. */
  http?: boolean;
}

export interface DoctorLimits {
  /** Getting a token; device code waits for a person, so it gets `deviceCodeMs`. */
  signInMs: number;
  deviceCodeMs: number;
  /** The first answer of the Graph origin. */
  networkMs: number;
  /** The one list call. */
  listMs: number;
}

const LIMITS: DoctorLimits = { signInMs: 60_000, deviceCodeMs: 300_000, networkMs: 10_000, listMs: 30_000 };

interface Check {
  ok: boolean;
  /** Passed, with something the doctor cannot verify (shown as WARN; does not fail the run). */
  warn?: boolean;
  name: string;
  detail: string;
  fix?: string;
}

function line(c: Check): string {
  const head = `${c.ok ? (c.warn ? 'WARN' : 'OK  ') : 'FAIL'} ${c.name}: ${c.detail}`;
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
    return {
      ok: true,
      warn: true,
      name: 'token',
      detail: 'not verifiable here: it is not a JWT, so its audience, tenant, expiry and permissions cannot be read; the list call below shows whether Graph accepts it',
    };
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

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/** Who issues the token in this authentication mode, for a sign-in that times out. */
function signInService(config: Config, env: DoctorOptions['env']): string {
  switch (config.auth.mode) {
    case 'managed-identity':
      return 'the managed identity endpoint';
    case 'azure-cli':
      return 'the Azure CLI (az account get-access-token)';
    default: {
      let host = 'login.microsoftonline.com';
      try {
        if (env.AZURE_AUTHORITY_HOST) host = new URL(env.AZURE_AUTHORITY_HOST).host;
      } catch {
        host = 'the AZURE_AUTHORITY_HOST';
      }
      return host;
    }
  }
}

/** Settles with `work`, or rejects with `timedOut` when `ms` pass first (the signal is aborted then). */
async function withinLimit<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T | typeof timedOut> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<typeof timedOut>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(timedOut);
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), limit]);
  } catch (err) {
    if (controller.signal.aborted) return timedOut;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
const timedOut = Symbol('timed out');

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

async function checkReachable(config: Config, limitMs: number): Promise<Check> {
  const proxy = process.env.https_proxy ?? process.env.HTTPS_PROXY;
  const via = proxy && config.graphOrigin.startsWith('https:') ? ' through the proxy from HTTPS_PROXY' : '';
  const host = new URL(config.graphOrigin).host;
  const { request } = await import('undici');
  const dispatcher = createDispatcher();
  try {
    const res = await withinLimit(limitMs, async (signal) => {
      const r = await request(config.graphOrigin, { method: 'GET', dispatcher, signal, headersTimeout: limitMs });
      await r.body.dump();
      return r;
    });
    if (res === timedOut) return networkTimeout(host, via, limitMs);
    return { ok: true, name: 'network', detail: `${host} answered${via} (HTTP ${res.statusCode})` };
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err instanceof Error ? err.name : 'error');
    if (TIMEOUT_CODES.has(code)) return networkTimeout(host, via, limitMs);
    return {
      ok: false,
      name: 'network',
      detail: `could not reach ${new URL(config.graphOrigin).host}${via} (${code})`,
      fix: proxy
        ? 'Check HTTPS_PROXY / NO_PROXY and that the proxy allows graph.microsoft.com.'
        : 'Check the network, DNS and firewall; behind a corporate proxy set HTTPS_PROXY (and NO_PROXY) in the server entry\'s env block.',
    };
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
}

function networkTimeout(host: string, via: string, limitMs: number): Check {
  return {
    ok: false,
    name: 'network',
    detail: `timed out: ${host} did not answer${via} within ${seconds(limitMs)}`,
    fix: 'Check the network path to Graph (firewall, DNS, proxy); behind a corporate proxy set HTTPS_PROXY (and NO_PROXY) in the server entry\'s env block.',
  };
}

function listTimeout(config: Config, limitMs: number): Check {
  return {
    ok: false,
    name: 'message trace',
    detail: `timed out: ${new URL(config.graphOrigin).host} did not answer the $top=1 list call within ${seconds(limitMs)}`,
    fix: 'Graph or the network path to it is slow or stalled; run --check again in a few minutes, and check the proxy (HTTPS_PROXY) if it keeps timing out.',
  };
}

/**
 * `--check --http`: the HTTP settings as the server would read them, then, when callers must sign
 * in, the tenant's OpenID configuration and signing keys (without them every request gets 503).
 * Returns the checks in order; the first failure ends the list.
 */
async function httpChecks(env: DoctorOptions['env'], demo: boolean, limitMs: number): Promise<Check[]> {
  const { loadHttpConfig } = await import('./http/config.js');
  const http = loadHttpConfig(env, { demo });
  if (http.problems.length > 0) return http.problems.map((p) => ({ ok: false, name: 'HTTP settings', detail: `${p.setting}: ${p.problem}`, fix: p.fix }));
  const { host, port } = http.listen;
  const who = http.entra
    ? `callers need an Entra ID token of tenant ${http.entra.tenantId} for ${http.entra.audiences.join(' or ')} with the app role ${http.entra.role}`
    : 'no sign-in (--demo on a loopback address)';
  const settings: Check = { ok: true, name: 'HTTP settings', detail: `listens on ${host}:${port}; ${who}` };
  if (!http.entra) return [settings];
  const { EntraTokenVerifier } = await import('./http/entra-token.js');
  const verifier = new EntraTokenVerifier(http.entra);
  const problem = await withinLimit(limitMs, () => verifier.prefetch());
  const fix =
    'Check AZURE_TENANT_ID (and AZURE_AUTHORITY_HOST if you set it) and the network path to the sign-in service (firewall; behind a proxy HTTPS_PROXY and NO_PROXY). Until the keys can be fetched, the server answers every request with 503.';
  if (problem === timedOut) return [settings, { ok: false, name: 'signing keys', detail: `timed out: ${verifier.configurationUrl} gave no keys within ${seconds(limitMs)}`, fix }];
  if (problem) return [settings, { ok: false, name: 'signing keys', detail: problem, fix }];
  return [settings, { ok: true, name: 'signing keys', detail: `fetched through the tenant's OpenID configuration (${verifier.configurationUrl})` }];
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
  const limits = { ...LIMITS, ...opts.limits };
  const tooOld = runtimeProblem(opts.nodeVersion);
  if (tooOld) {
    out(line({ ok: false, name: 'Node.js', detail: tooOld.problem, fix: tooOld.fix }));
    return 1;
  }
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

    if (opts.http) {
      const checks = await httpChecks(opts.env, opts.demo ?? false, limits.networkMs);
      for (const c of checks) out(line(c));
      if (checks.some((c) => !c.ok)) return 1;
    }

    if (config.problems.length > 0) {
      for (const p of config.problems) out(line({ ok: false, name: 'configuration', detail: `${p.setting}: ${p.problem}`, fix: p.fix }));
      return 1;
    }
    const delegatedNote = isDelegatedMode(config.auth.mode) ? ', delegated: you act as yourself' : '';
    out(line({ ok: true, name: 'configuration', detail: `authentication ${config.auth.mode}, because ${config.auth.reason}${delegatedNote}` }));

    const tokens = opts.tokens ?? createTokenSource(config.auth, log);
    const signInMs = config.auth.mode === 'device-code' ? limits.deviceCodeMs : limits.signInMs;
    let token: string;
    try {
      const got = await withinLimit(signInMs, (signal) => tokens.getToken(signal));
      if (got === timedOut) {
        const service = signInService(config, opts.env);
        out(line({
          ok: false,
          name: 'sign-in',
          detail: `timed out: ${service} gave no token within ${seconds(signInMs)}`,
          fix: config.auth.mode === 'device-code'
            ? 'Complete the sign-in in the browser with the code shown on stderr, within the time limit.'
            : `Check the network path to ${service} (firewall, proxy: HTTPS_PROXY) and run --check again.`,
        }));
        return 1;
      }
      token = got;
    } catch (err) {
      out(line(failureCheck('sign-in', err)));
      return 1;
    }
    registerSecret(token);
    out(
      line(
        config.auth.mode === 'access-token'
          ? { ok: true, name: 'sign-in', detail: 'not needed: MESSAGE_TRACE_ACCESS_TOKEN supplies the token' }
          : { ok: true, name: 'sign-in', detail: 'a Microsoft Graph token was acquired' },
      ),
    );
    const claims = checkTokenClaims(token, config);
    out(line(claims));
    if (!claims.ok) return 1;

    const reach = await checkReachable(config, limits.networkMs);
    out(line(reach));
    if (!reach.ok) return 1;

    const client = new GraphClient({
      origin: config.graphOrigin,
      apiVersion: config.apiVersion,
      tokens: { delegated: tokens.delegated, getToken: async () => token },
      budget: new RequestBudget(config.requestBudget),
      maxAttempts: 1,
      // The doctor's own limit, named in its message, runs out first.
      headersTimeoutMs: limits.listMs + 1_000,
      bodyTimeoutMs: limits.listMs + 1_000,
    });
    try {
      const listed = await withinLimit(limits.listMs, (signal) =>
        client.getJson(client.url('/admin/exchange/tracing/messageTraces?%24top=1'), { signal, allowance: new WaitAllowance(0), what: 'listing one message trace' }),
      );
      if (listed === timedOut) {
        out(line(listTimeout(config, limits.listMs)));
        return 1;
      }
      const { body } = listed;
      const rows = Array.isArray((body as { value?: unknown }).value) ? (body as { value: unknown[] }).value.length : 0;
      out(line({ ok: true, name: 'message trace', detail: `a $top=1 list call succeeded (${rows} row${rows === 1 ? '' : 's'} in the last 48 hours)` }));
    } catch (err) {
      out(line(err instanceof TraceError && err.kind === 'timeout' ? listTimeout(config, limits.listMs) : failureCheck('message trace', err)));
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
