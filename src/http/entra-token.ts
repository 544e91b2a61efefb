/**
 * Checks a caller's Entra ID access token. The signature and the standard claims are checked by
 * `jose` (never by hand); this module decides what to demand: RS256 only, the tenant's keys from
 * its OpenID configuration, the v2.0 or v1.0 issuer of that tenant, `tid`, one of the configured
 * audiences, `exp`/`nbf` with at most 5 minutes of skew, and the app role.
 *
 * Start-up never waits for the identity provider: the configuration and keys are fetched on the
 * first token. A fetch that fails is not remembered, so the same token passes once the keys are
 * reachable again; while they are not, the answer is "cannot check" (503), never acceptance.
 */
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { mayCarryToken, proxyAwareFetch } from '../graph/client.js';
import type { EntraSettings } from './config.js';

export const CLOCK_SKEW_SECONDS = 300;
const FETCH_TIMEOUT_MS = 5_000;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Who called: the identity that owns result sets and is rate-limited. */
export interface Caller {
  /** oid, else appid (v1 tokens) or azp (v2 tokens): stable per user, group member or agent identity. */
  key: string;
  oid?: string;
  appid?: string;
  tid: string;
}

export type TokenVerdict =
  | { ok: true; caller: Caller; expiresAt: number }
  | { ok: false; status: 401; error: 'invalid_token'; description: string }
  | { ok: false; status: 403; error: 'insufficient_scope'; description: string }
  | { ok: false; status: 503; description: string };

interface OpenIdConfiguration {
  issuer: string;
  jwksUri: URL;
}

interface Discovered {
  openId: OpenIdConfiguration;
  keys: JWTVerifyGetKey;
  reload(): Promise<void>;
}

/** The keys could not be fetched: the token cannot be checked now. */
class KeysUnavailable extends Error {}

function allowedUrl(raw: unknown): URL | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const url = new URL(raw);
    if (mayCarryToken(url)) return url;
  } catch {
    // not a URL
  }
  return undefined;
}

export class EntraTokenVerifier {
  /** Where the tenant's OpenID configuration lives. */
  readonly configurationUrl: string;
  /** The tenant's v2.0 issuer as Entra spells it; the metadata names it before any fetch. */
  readonly expectedIssuer: string;
  private readonly v1Issuer: string;
  private discovered: Discovered | undefined;
  private pending: Promise<Discovered> | undefined;

  constructor(
    private readonly settings: EntraSettings,
    private readonly fetchImpl: typeof fetch = proxyAwareFetch(),
  ) {
    this.expectedIssuer = `${settings.authorityHost}/${settings.tenantId}/v2.0`;
    this.configurationUrl = `${this.expectedIssuer}/.well-known/openid-configuration`;
    this.v1Issuer = `https://sts.windows.net/${settings.tenantId}/`;
  }

  /** Fetch the configuration and key set once; a failure is not kept, so the next call retries. */
  private load(): Promise<Discovered> {
    if (this.discovered) return Promise.resolve(this.discovered);
    this.pending ??= this.discover()
      .then((openId) => {
        const remote = createRemoteJWKSet(openId.jwksUri, { timeoutDuration: FETCH_TIMEOUT_MS, [customFetch]: this.fetchImpl });
        const keys: JWTVerifyGetKey = async (header, token) => {
          try {
            return await remote(header, token);
          } catch (err) {
            // No key with this kid (after a refetch) is the token's fault; anything else is the fetch's.
            if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
            throw new KeysUnavailable(`the signing keys at ${openId.jwksUri.href} could not be fetched (${describe(err)})`);
          }
        };
        const reload = (): Promise<void> =>
          remote.reload().catch((err: unknown) => {
            throw new KeysUnavailable(`the signing keys at ${openId.jwksUri.href} could not be fetched (${describe(err)})`);
          });
        this.discovered = { openId, keys, reload };
        return this.discovered;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private async discover(): Promise<OpenIdConfiguration> {
    let body: unknown;
    try {
      const response = await this.fetchImpl(this.configurationUrl, {
        redirect: 'manual',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        headers: { accept: 'application/json' },
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      body = await response.json();
    } catch (err) {
      throw new KeysUnavailable(`the OpenID configuration at ${this.configurationUrl} could not be fetched (${describe(err)})`);
    }
    const doc = (body ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
    const jwksUri = allowedUrl(doc.jwks_uri);
    if (typeof doc.issuer !== 'string' || !jwksUri) {
      throw new KeysUnavailable(`the OpenID configuration at ${this.configurationUrl} has no usable issuer and https jwks_uri`);
    }
    return { issuer: doc.issuer, jwksUri };
  }

  /** Warm the configuration and keys at start-up; a failure is only reported. */
  async prefetch(): Promise<string | undefined> {
    try {
      const { reload } = await this.load();
      await reload();
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  async verify(token: string): Promise<TokenVerdict> {
    const invalid = (description: string): TokenVerdict => ({ ok: false, status: 401, error: 'invalid_token', description });
    if (!COMPACT_JWS.test(token)) return invalid('The token is not a signed JWT.');
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return invalid('The token is not a signed JWT.');
    }
    // Checked before any key is fetched, so a forged alg never costs a request (jose checks it again).
    if (alg !== 'RS256') return invalid('The token is not signed with RS256.');

    let payload: JWTPayload;
    try {
      const { openId, keys } = await this.load();
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ['RS256'],
        issuer: [openId.issuer, this.v1Issuer],
        audience: this.settings.audiences,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp', 'iss', 'aud', 'tid'],
      }));
    } catch (err) {
      if (err instanceof KeysUnavailable) return { ok: false, status: 503, description: `The token cannot be checked now: ${err.message}.` };
      return invalid(rejection(err));
    }

    if (typeof payload.tid !== 'string' || payload.tid.toLowerCase() !== this.settings.tenantId) {
      return invalid('The token was issued for another tenant.');
    }
    const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
    const oid = str(payload.oid);
    const appid = str(payload.appid) ?? str(payload.azp);
    const key = oid ?? appid;
    if (!key) return invalid('The token names no caller (no oid, appid or azp claim).');
    const roles = Array.isArray(payload.roles) ? payload.roles : [];
    if (!roles.includes(this.settings.role)) {
      return {
        ok: false,
        status: 403,
        error: 'insufficient_scope',
        description: `The caller does not hold the app role ${this.settings.role}; an admin assigns it in Enterprise applications → this server's app → Users and groups.`,
      };
    }
    return { ok: true, caller: { key, ...(oid ? { oid } : {}), ...(appid ? { appid } : {}), tid: payload.tid }, expiresAt: payload.exp as number };
  }
}

/** Why jose refused a token, in words a caller can act on (never the token itself). */
function rejection(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'The token has expired.';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'The token is not valid yet (nbf).';
    if (err.claim === 'aud') return 'The token is for another audience (aud).';
    if (err.claim === 'iss') return 'The token is from another issuer (iss).';
    return `The token's ${err.claim} claim is missing or wrong.`;
  }
  if (err instanceof errors.JWKSNoMatchingKey) return 'The token is signed with a key the tenant does not publish (kid).';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'The token\'s signature does not verify.';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'The token is not signed with RS256.';
  return 'The token is not a valid JWT.';
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code = cause && typeof cause === 'object' && 'code' in cause ? ` ${String((cause as { code: unknown }).code)}` : '';
    return `${err.name === 'TimeoutError' ? 'timed out' : err.message}${code}`;
  }
  return String(err);
}
