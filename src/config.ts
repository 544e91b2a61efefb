/**
 * Reads the server's configuration from the environment. It never throws: whatever is wrong is
 * collected as `problems`, each naming the setting and the fix, so that the server can start,
 * list its tools, and report the problem from the first tool call (a host shows tool results to
 * the user; it hides a crashed server's stderr).
 */
import { mayCarryToken } from './graph/client.js';
import { isGuidShape } from './shapes.js';
import { registerSecret } from './output/secrets.js';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const DEFAULT_GRAPH_URL = 'https://graph.microsoft.com';
export const API_VERSIONS = ['v1.0', 'beta'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

export const AUTH_MODES = [
  'auto',
  'access-token',
  'client-secret',
  'client-certificate',
  'workload-identity',
  'managed-identity',
  'azure-cli',
  'device-code',
] as const;
export type AuthModeSetting = (typeof AUTH_MODES)[number];

export type AuthConfig =
  | { mode: 'access-token'; token: string; reason: string }
  | { mode: 'client-secret'; tenantId: string; clientId: string; clientSecret: string; reason: string }
  | {
      mode: 'client-certificate';
      tenantId: string;
      clientId: string;
      certificatePath: string;
      certificatePassword?: string;
      reason: string;
    }
  | { mode: 'workload-identity'; tenantId: string; clientId: string; tokenFilePath: string; reason: string }
  | { mode: 'managed-identity'; clientId?: string; reason: string }
  | { mode: 'azure-cli'; tenantId?: string; reason: string }
  | { mode: 'device-code'; tenantId: string; clientId: string; reason: string }
  | { mode: 'none'; reason: string };

export interface ConfigProblem {
  /** The environment variable (or flag) at fault. */
  setting: string;
  /** What is wrong, in one sentence. */
  problem: string;
  /** The exact fix. */
  fix: string;
}

export interface Config {
  graphOrigin: string;
  apiVersion: ApiVersion;
  auth: AuthConfig;
  /** Most rows one search may page through before it stops with `complete: false`. */
  maxRows: number;
  /** Requests this server allows itself per rolling 5 minutes (Graph allows the tenant 100). */
  requestBudget: number;
  /** Mask the local part of addresses in tool output. */
  redactAddresses: boolean;
  /** The tenant's own domains, when the admin lists them (used to tell internal from external mail). */
  tenantDomains: string[];
  problems: ConfigProblem[];
}

type Env = Record<string, string | undefined>;

const TENANT_DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

/**
 * A wrongly set value, described rather than echoed: whatever was pasted into a variable may be a
 * secret (a client secret in AZURE_CLIENT_ID), and problems are shown in tool results and logs.
 */
export function described(raw: string): string {
  const n = Array.from(raw).length;
  return `got ${n} character${n === 1 ? '' : 's'}`;
}

/**
 * A Claude Desktop bundle's `${user_config.key}` placeholder that the host left as it was: some
 * versions pass an optional setting the user left empty that way instead of as "".
 */
const UNFILLED_PLACEHOLDER = /^\$\{user_config\.[\w.-]+\}$/;

/** A setting's value, trimmed; undefined when unset, blank, or a bundle placeholder left as it was. */
export function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v && !UNFILLED_PLACEHOLDER.test(v) ? v : undefined;
}

/**
 * A URL setting that tokens or signing keys travel over: parsed, and https (plain http only to a
 * loopback address). Problems describe the value, never echo it: it may be a pasted secret.
 */
export function secureUrlSetting(
  setting: string,
  raw: string,
  problems: ConfigProblem[],
  words: { fix: string; insecure: string; insecureFix: string },
): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push({ setting, problem: `its value is not a URL (${described(raw)}).`, fix: words.fix });
    return undefined;
  }
  if (!mayCarryToken(url)) {
    problems.push({ setting, problem: `${url.origin} is not https, and ${words.insecure}`, fix: words.insecureFix });
    return undefined;
  }
  return url;
}

function readGraphOrigin(env: Env, problems: ConfigProblem[]): string {
  const raw = value(env, 'MESSAGE_TRACE_GRAPH_URL');
  if (!raw) return DEFAULT_GRAPH_URL;
  const url = secureUrlSetting('MESSAGE_TRACE_GRAPH_URL', raw, problems, {
    fix: `Set it to the Graph origin, e.g. ${DEFAULT_GRAPH_URL}, or remove it to use that default.`,
    insecure: 'a bearer token is only sent over plain http to a loopback address (127.0.0.1, ::1, localhost).',
    insecureFix: `Use an https:// URL (normally ${DEFAULT_GRAPH_URL}).`,
  });
  if (!url) return DEFAULT_GRAPH_URL;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.username || url.password) {
    problems.push({
      setting: 'MESSAGE_TRACE_GRAPH_URL',
      problem: `its value has a ${[url.username || url.password ? 'user name or password' : '', url.pathname !== '/' && url.pathname !== '' ? 'path' : '', url.search ? 'query' : ''].filter(Boolean).join(', ')}; only the origin (scheme, host, port) is used.`,
      fix: `Set it to ${url.origin}; choose the API version with MESSAGE_TRACE_API_VERSION.`,
    });
  }
  return url.origin;
}

/**
 * A setting with a fixed set of values, read case-insensitively: unset gives the default; any
 * other value is a problem (naming what it is not) and gives the default too.
 */
function readChoice<T extends string>(
  env: Env,
  problems: ConfigProblem[],
  setting: string,
  choices: readonly T[],
  fallback: T,
  isNot: string,
  fix: string,
): T {
  const raw = value(env, setting);
  if (!raw) return fallback;
  const found = choices.find((c) => c === raw.toLowerCase());
  if (found) return found;
  problems.push({ setting, problem: `its value is not ${isNot} (${described(raw)}).`, fix });
  return fallback;
}

function readApiVersion(env: Env, problems: ConfigProblem[]): ApiVersion {
  return readChoice(env, problems, 'MESSAGE_TRACE_API_VERSION', API_VERSIONS, 'v1.0', 'a Graph API version this server supports', 'Set it to v1.0 (the default) or beta.');
}

function readPositiveInt(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: ConfigProblem[],
): number {
  const raw = value(env, name);
  if (!raw) return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  problems.push({
    setting: name,
    problem: `its value is not a whole number from ${min} to ${max} (${described(raw)}).`,
    fix: `Set it to a whole number from ${min} to ${max}, or remove it to use the default (${fallback}).`,
  });
  return fallback;
}

function checkTenant(tenantId: string, problems: ConfigProblem[]): void {
  if (!isGuidShape(tenantId) && !TENANT_DOMAIN.test(tenantId)) {
    problems.push({
      setting: 'AZURE_TENANT_ID',
      problem: `its value is neither a GUID nor a domain name (${described(tenantId)}).`,
      fix: 'Set it to the Directory (tenant) ID shown on the app registration\'s Overview page in the Entra admin center.',
    });
  }
}

function checkClientId(clientId: string, problems: ConfigProblem[]): void {
  if (!isGuidShape(clientId)) {
    problems.push({
      setting: 'AZURE_CLIENT_ID',
      problem: `its value is not a GUID (${described(clientId)}).`,
      fix: 'Set it to the Application (client) ID shown on the app registration\'s Overview page.',
    });
  }
}

function readAuthMode(env: Env, problems: ConfigProblem[]): AuthModeSetting {
  return readChoice<AuthModeSetting>(env, problems, 'MESSAGE_TRACE_AUTH', AUTH_MODES, 'auto', 'an authentication mode', `Set it to one of: ${AUTH_MODES.join(', ')} (or remove it to choose automatically).`);
}

/** Needs a tenant and client id; records a problem naming each one that is missing. */
function requireApp(
  env: Env,
  mode: string,
  problems: ConfigProblem[],
): { tenantId: string; clientId: string } | undefined {
  const tenantId = value(env, 'AZURE_TENANT_ID');
  const clientId = value(env, 'AZURE_CLIENT_ID');
  if (!tenantId) {
    problems.push({
      setting: 'AZURE_TENANT_ID',
      problem: `Authentication mode ${mode} needs the tenant, and AZURE_TENANT_ID is not set.`,
      fix: 'Set AZURE_TENANT_ID to your Directory (tenant) ID, in the env block of the server entry in your MCP host configuration.',
    });
  }
  if (!clientId) {
    problems.push({
      setting: 'AZURE_CLIENT_ID',
      problem: `Authentication mode ${mode} needs the app registration, and AZURE_CLIENT_ID is not set.`,
      fix: 'Set AZURE_CLIENT_ID to the Application (client) ID of the app that holds ExchangeMessageTrace.Read.All.',
    });
  }
  if (!tenantId || !clientId) return undefined;
  checkTenant(tenantId, problems);
  checkClientId(clientId, problems);
  return { tenantId, clientId };
}

const NO_CREDENTIALS_FIX =
  'Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH (recommended) or AZURE_CLIENT_SECRET in the env block of this server in your MCP host configuration; or MESSAGE_TRACE_ACCESS_TOKEN to a Graph token you already hold; or MESSAGE_TRACE_AUTH=azure-cli / device-code to sign in as yourself. To try the server without a tenant, start it with --demo.';

function readAuth(env: Env, problems: ConfigProblem[]): AuthConfig {
  const mode = readAuthMode(env, problems);
  const token = value(env, 'MESSAGE_TRACE_ACCESS_TOKEN');
  const secret = value(env, 'AZURE_CLIENT_SECRET');
  const certPath = value(env, 'AZURE_CLIENT_CERTIFICATE_PATH');
  const certPassword = value(env, 'AZURE_CLIENT_CERTIFICATE_PASSWORD');
  const tokenFile = value(env, 'AZURE_FEDERATED_TOKEN_FILE');
  // Whatever is configured as a secret is masked in every output from here on.
  for (const configured of [token, secret, certPassword]) registerSecret(configured);
  const onAzure = Boolean(value(env, 'IDENTITY_ENDPOINT') || value(env, 'MSI_ENDPOINT'));

  const none = (reason: string): AuthConfig => ({ mode: 'none', reason });
  const missing = (setting: string, problem: string, fix: string): AuthConfig => {
    problems.push({ setting, problem, fix });
    return none(problem);
  };
  /** An app mode's own setting (beside the app ids) is missing. */
  const notSet = (setting: string, fix: string): AuthConfig => missing(setting, `MESSAGE_TRACE_AUTH=${mode} but ${setting} is not set.`, fix);

  switch (mode) {
    case 'access-token':
      return token
        ? { mode: 'access-token', token, reason: 'MESSAGE_TRACE_AUTH=access-token' }
        : missing(
            'MESSAGE_TRACE_ACCESS_TOKEN',
            'MESSAGE_TRACE_AUTH=access-token but MESSAGE_TRACE_ACCESS_TOKEN is empty.',
            'Set MESSAGE_TRACE_ACCESS_TOKEN to a Microsoft Graph access token that carries ExchangeMessageTrace.Read.All.',
          );
    case 'client-secret': {
      const app = requireApp(env, mode, problems);
      if (!secret) return notSet('AZURE_CLIENT_SECRET', 'Set AZURE_CLIENT_SECRET to a client secret value of the app registration (Certificates & secrets).');
      return app ? { mode, ...app, clientSecret: secret, reason: 'MESSAGE_TRACE_AUTH=client-secret' } : none('incomplete app settings');
    }
    case 'client-certificate': {
      const app = requireApp(env, mode, problems);
      if (!certPath) return notSet('AZURE_CLIENT_CERTIFICATE_PATH', 'Set AZURE_CLIENT_CERTIFICATE_PATH to a PEM file holding the certificate and its private key.');
      return app
        ? {
            mode,
            ...app,
            certificatePath: certPath,
            ...(certPassword ? { certificatePassword: certPassword } : {}),
            reason: 'MESSAGE_TRACE_AUTH=client-certificate',
          }
        : none('incomplete app settings');
    }
    case 'workload-identity': {
      const app = requireApp(env, mode, problems);
      if (!tokenFile) return notSet('AZURE_FEDERATED_TOKEN_FILE', 'Run the server in a pod with Azure workload identity enabled, which sets AZURE_FEDERATED_TOKEN_FILE.');
      return app ? { mode, ...app, tokenFilePath: tokenFile, reason: 'MESSAGE_TRACE_AUTH=workload-identity' } : none('incomplete app settings');
    }
    case 'managed-identity': {
      const clientId = value(env, 'AZURE_CLIENT_ID');
      return { mode, ...(clientId ? { clientId } : {}), reason: 'MESSAGE_TRACE_AUTH=managed-identity' };
    }
    case 'azure-cli': {
      const tenantId = value(env, 'AZURE_TENANT_ID');
      return { mode, ...(tenantId ? { tenantId } : {}), reason: 'MESSAGE_TRACE_AUTH=azure-cli (delegated: your own az login)' };
    }
    case 'device-code': {
      const app = requireApp(env, mode, problems);
      return app ? { mode, ...app, reason: 'MESSAGE_TRACE_AUTH=device-code (delegated: you sign in with a code)' } : none('incomplete app settings');
    }
    case 'auto':
      break;
  }

  // Automatic choice, most explicit first.
  if (token) return { mode: 'access-token', token, reason: 'MESSAGE_TRACE_ACCESS_TOKEN is set' };
  const hasAppIds = Boolean(value(env, 'AZURE_TENANT_ID') || value(env, 'AZURE_CLIENT_ID'));
  if (secret || certPath) {
    const app = requireApp(env, secret ? 'client-secret' : 'client-certificate', problems);
    if (!app) return none('incomplete app settings');
    // Like @azure/identity's EnvironmentCredential, a secret wins over a certificate.
    if (secret) return { mode: 'client-secret', ...app, clientSecret: secret, reason: 'AZURE_CLIENT_SECRET is set' };
    return {
      mode: 'client-certificate',
      ...app,
      certificatePath: certPath as string,
      ...(certPassword ? { certificatePassword: certPassword } : {}),
      reason: 'AZURE_CLIENT_CERTIFICATE_PATH is set',
    };
  }
  if (tokenFile) {
    const app = requireApp(env, 'workload-identity', problems);
    return app
      ? { mode: 'workload-identity', ...app, tokenFilePath: tokenFile, reason: 'AZURE_FEDERATED_TOKEN_FILE is set' }
      : none('incomplete app settings');
  }
  if (onAzure) {
    const clientId = value(env, 'AZURE_CLIENT_ID');
    return {
      mode: 'managed-identity',
      ...(clientId ? { clientId } : {}),
      reason: 'a managed identity endpoint (IDENTITY_ENDPOINT/MSI_ENDPOINT) is present',
    };
  }
  if (hasAppIds) {
    return missing(
      'AZURE_CLIENT_CERTIFICATE_PATH',
      'AZURE_TENANT_ID/AZURE_CLIENT_ID are set but no credential for the app is: neither AZURE_CLIENT_CERTIFICATE_PATH nor AZURE_CLIENT_SECRET.',
      'Set AZURE_CLIENT_CERTIFICATE_PATH (a PEM with certificate and private key; recommended) or AZURE_CLIENT_SECRET in the server entry\'s env block.',
    );
  }
  return missing('AZURE_TENANT_ID', 'No Microsoft Graph credentials are configured.', NO_CREDENTIALS_FIX);
}

/** Build the configuration from environment variables; collects problems instead of throwing. */
export function loadConfig(env: Env = process.env): Config {
  const problems: ConfigProblem[] = [];
  const graphOrigin = readGraphOrigin(env, problems);
  const apiVersion = readApiVersion(env, problems);
  const auth = readAuth(env, problems);
  const maxRows = readPositiveInt(env, 'MESSAGE_TRACE_MAX_ROWS', 50_000, 1, 1_000_000, problems);
  const requestBudget = readPositiveInt(env, 'MESSAGE_TRACE_REQUEST_BUDGET', 90, 1, 100, problems);
  const redactRaw = value(env, 'MESSAGE_TRACE_REDACT');
  if (redactRaw && redactRaw.toLowerCase() !== 'addresses' && redactRaw.toLowerCase() !== 'none') {
    problems.push({
      setting: 'MESSAGE_TRACE_REDACT',
      problem: `its value is not a redaction mode (${described(redactRaw)}).`,
      fix: 'Set it to addresses (mask the local part of every address) or none.',
    });
  }
  const tenantDomains = (value(env, 'MESSAGE_TRACE_DOMAINS') ?? '')
    .split(/[,;\s]+/)
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);
  return {
    graphOrigin,
    apiVersion,
    auth,
    maxRows,
    requestBudget,
    redactAddresses: redactRaw?.toLowerCase() === 'addresses',
    tenantDomains,
    problems,
  };
}

/* The runtime is configuration too. */
/** undici 8 needs Node.js 22.19+; on an older runtime every Graph call would fail obscurely. */
export function runtimeProblem(version = process.versions.node): ConfigProblem | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 19)) return undefined;
  return {
    setting: 'Node.js',
    problem: `message-trace-mcp needs Node.js 22.19 or newer, and this is ${version}.`,
    fix: 'Install Node.js 22 LTS (or newer) and point the host\'s "command" at it (npx uses the node on PATH).',
  };
}

/** One readable paragraph for a list of problems: what, and the fix for each. */
export function describeProblems(problems: ConfigProblem[]): string {
  return problems.map((p) => `${p.setting}: ${p.problem} Fix: ${p.fix}`).join('\n');
}
