/**
 * A local Entra-like token issuer on loopback for HTTP-mode tests: the tenant's OpenID
 * configuration and JWKS over real HTTP, and access tokens minted here with jose. It can be
 * stopped and started again on the same port ("the identity provider is down").
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

export const TENANT_ID = '7e1f2c3d-0a1b-4c5d-8e9f-0123456789ab';
export const AUDIENCE = 'api://message-trace-test';
export const ROLE = 'MessageTrace.Read';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface TokenIssuer {
  /** The authority host (AZURE_AUTHORITY_HOST), e.g. http://127.0.0.1:PORT. */
  authorityHost: string;
  /** The v2.0 issuer, as the OpenID configuration states it. */
  issuer: string;
  /** Requests served (configuration and keys). */
  requests: string[];
  /** A token signed with the published key, valid for an hour, with the role; `claims` override. */
  mint(claims?: JWTPayload, opts?: { kid?: string; key?: SigningKey }): Promise<string>;
  /** A second RSA key that the issuer does not publish. */
  foreignKey: SigningKey;
  /** The published public key (for the HS256 confusion attack). */
  publicJwk: JWK;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startTokenIssuer(): Promise<TokenIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256');
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', use: 'sig', alg: 'RS256' };
  const requests: string[] = [];
  let port = 0;
  let server: Server | undefined;
  let issuer = '';
  let authorityHost = '';

  const listen = async (): Promise<void> => {
    const s = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === `/${TENANT_ID}/v2.0/.well-known/openid-configuration`) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer, jwks_uri: `${authorityHost}/${TENANT_ID}/discovery/v2.0/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
      } else if (req.url === `/${TENANT_ID}/discovery/v2.0/keys`) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: [publicJwk] }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    authorityHost = `http://127.0.0.1:${port}`;
    issuer = `${authorityHost}/${TENANT_ID}/v2.0`;
    server = s;
  };
  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();

  return {
    get authorityHost() {
      return authorityHost;
    },
    get issuer() {
      return issuer;
    },
    requests,
    foreignKey: foreign.privateKey,
    publicJwk,
    async mint(claims = {}, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: issuer,
        aud: AUDIENCE,
        tid: TENANT_ID,
        oid: '11111111-2222-3333-4444-555555555555',
        azp: '99999999-8888-7777-6666-555555555555',
        roles: [ROLE],
        iat: now,
        nbf: now,
        exp: now + 3600,
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: opts.kid ?? publicJwk.kid })
        .sign(opts.key ?? privateKey);
    },
    stop,
    start: () => (server ? Promise.resolve() : listen()),
    close: stop,
  };
}
