/**
 * Turns the auth configuration into a token source. `@azure/identity` is imported lazily on the
 * first token request (it costs ~200 ms of start-up) and exactly one credential is built per
 * process; the credential caches and refreshes tokens itself. Token acquisition failures become
 * TraceErrors that name the setting to check, never echoing a secret.
 */
import type { TokenCredential } from '@azure/identity';
import { GRAPH_SCOPE, type AuthConfig } from '../config.js';
import type { TokenSource } from '../graph/client.js';
import { TraceError } from '../errors.js';
import { cancelledError } from '../graph/errors.js';
import type { Logger } from '../log.js';

type Identity = typeof import('@azure/identity');

/** Delegated modes sign in as a person; their tokens carry `scp`, not `roles`. */
export function isDelegatedMode(mode: AuthConfig['mode']): boolean {
  return mode === 'azure-cli' || mode === 'device-code';
}

/** Decode a JWT's payload without verifying it (only to read claims for diagnostics). */
export function decodeJwtClaims(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const claims = JSON.parse(json) as unknown;
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function buildCredential(auth: AuthConfig, log: Logger, identity?: Identity): Promise<TokenCredential> {
  const id = identity ?? (await import('@azure/identity'));
  switch (auth.mode) {
    case 'client-secret':
      return new id.ClientSecretCredential(auth.tenantId, auth.clientId, auth.clientSecret);
    case 'client-certificate':
      return new id.ClientCertificateCredential(auth.tenantId, auth.clientId, {
        certificatePath: auth.certificatePath,
        ...(auth.certificatePassword ? { certificatePassword: auth.certificatePassword } : {}),
      });
    case 'workload-identity':
      return new id.WorkloadIdentityCredential({
        tenantId: auth.tenantId,
        clientId: auth.clientId,
        tokenFilePath: auth.tokenFilePath,
      });
    case 'managed-identity':
      return auth.clientId ? new id.ManagedIdentityCredential({ clientId: auth.clientId }) : new id.ManagedIdentityCredential();
    case 'azure-cli':
      return new id.AzureCliCredential(auth.tenantId ? { tenantId: auth.tenantId } : {});
    case 'device-code':
      return new id.DeviceCodeCredential({
        tenantId: auth.tenantId,
        clientId: auth.clientId,
        // The default callback prints to stdout, which is the MCP protocol stream.
        userPromptCallback: (info) => log.warn(`Sign-in needed: ${info.message}`),
      });
    case 'access-token':
    case 'none':
      throw new Error(`no credential is built for auth mode ${auth.mode}`);
  }
}

function authorityHost(): string {
  try {
    return process.env.AZURE_AUTHORITY_HOST ? new URL(process.env.AZURE_AUTHORITY_HOST).host : 'login.microsoftonline.com';
  } catch {
    return 'the AZURE_AUTHORITY_HOST';
  }
}

/** Which setting to check for a token failure, from the AADSTS code or the error type. */
export function explainTokenFailure(auth: AuthConfig, err: unknown): TraceError {
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  const aadsts = /AADSTS(\d+)/.exec(message)?.[0];
  const base = (why: string, fix: string) =>
    new TraceError({
      kind: 'auth',
      what: `Could not get a Microsoft Graph token (${auth.mode}${aadsts ? `, ${aadsts}` : ''}).`,
      why,
      fix,
    });
  switch (aadsts) {
    case 'AADSTS7000215':
    case 'AADSTS7000222':
      return base('The client secret is wrong or has expired.', 'Create a new client secret under App registrations → your app → Certificates & secrets, and put its Value (not its ID) in AZURE_CLIENT_SECRET.');
    case 'AADSTS700016':
      return base('No app with that client id exists in the tenant.', 'Check AZURE_CLIENT_ID is the Application (client) ID of your app registration, and AZURE_TENANT_ID is the tenant it lives in.');
    case 'AADSTS90002':
    case 'AADSTS900023':
      return base('The tenant was not found.', 'Check AZURE_TENANT_ID: use the Directory (tenant) ID GUID from the app registration\'s Overview page.');
    case 'AADSTS700027':
    case 'AADSTS700024':
      return base('The certificate was not accepted: it is not registered on the app, or has expired.', 'Upload the certificate\'s public part under App registrations → your app → Certificates & secrets, and check AZURE_CLIENT_CERTIFICATE_PATH points at the matching PEM (certificate + private key).');
    case 'AADSTS65001':
      return base('Admin consent is missing.', 'Grant admin consent for ExchangeMessageTrace.Read.All on the app\'s API permissions page.');
    default:
      break;
  }
  if (auth.mode === 'client-certificate' && /ENOENT|EACCES|certificate|PEM|private key/i.test(message)) {
    return base('The certificate file could not be read or is not a PEM with certificate and private key.', 'Check AZURE_CLIENT_CERTIFICATE_PATH (an absolute path to a readable PEM file) and AZURE_CLIENT_CERTIFICATE_PASSWORD if the key is encrypted.');
  }
  if (auth.mode === 'managed-identity') {
    return base('No managed identity is available here.', 'Run the server on an Azure resource with a managed identity (set AZURE_CLIENT_ID for a user-assigned one), or use an app registration: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH.');
  }
  if (auth.mode === 'azure-cli') {
    return base('The Azure CLI could not give a token (not installed, or not signed in).', 'Run "az login --tenant <your tenant>" in a terminal on this machine, then try again.');
  }
  if (auth.mode === 'workload-identity') {
    return base('The federated token could not be exchanged.', 'Check AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID, and that the app has a federated credential for this workload.');
  }
  if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|network|socket|endpoints_resolution_error/i.test(message)) {
    const host = authorityHost();
    return base(`The sign-in service (${host}) could not be reached.`, 'Check the network (and AZURE_AUTHORITY_HOST if you set it); behind a proxy set HTTPS_PROXY in the server entry\'s env block.');
  }
  return base(
    name === 'AuthenticationRequiredError' ? 'Interactive sign-in is required.' : 'The sign-in service refused the request.',
    'Check AZURE_TENANT_ID, AZURE_CLIENT_ID and the secret or certificate; run message-trace-mcp --check in a terminal with the same settings for a step-by-step diagnosis.',
  );
}

/** The process's one token source for the configured auth mode. */
export function createTokenSource(auth: AuthConfig, log: Logger, identity?: Identity): TokenSource {
  if (auth.mode === 'access-token') {
    const claims = decodeJwtClaims(auth.token);
    const delegated = Boolean(claims && 'scp' in claims);
    return { delegated, getToken: async () => auth.token };
  }
  if (auth.mode === 'none') {
    return {
      delegated: false,
      getToken: async () => {
        throw new TraceError({ kind: 'config', what: 'No credentials are configured.', why: auth.reason, fix: 'See the configuration problems reported by the tool.' });
      },
    };
  }
  let credential: Promise<TokenCredential> | undefined;
  return {
    delegated: isDelegatedMode(auth.mode),
    async getToken(signal: AbortSignal): Promise<string> {
      credential ??= buildCredential(auth, log, identity);
      let token;
      try {
        token = await (await credential).getToken(GRAPH_SCOPE, { abortSignal: signal });
      } catch (err) {
        if (signal.aborted) throw cancelledError();
        // A failed construction must not be cached forever (e.g. a fixed certificate file).
        if (!(err instanceof Error && /AADSTS/.test(err.message))) credential = undefined;
        const mapped = explainTokenFailure(auth, err);
        log.warn(`token acquisition failed: ${mapped.message}`);
        throw mapped;
      }
      if (!token) throw explainTokenFailure(auth, new Error('the credential returned no token'));
      return token.token;
    },
  };
}
