import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64url, SignJWT, UnsecuredJWT } from 'jose';
import { createHmac } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EntraTokenVerifier } from '../../src/http/entra-token.js';
import { AUDIENCE, ROLE, startTokenIssuer, TENANT_ID, type TokenIssuer } from '../support/token-issuer.js';

let issuer: TokenIssuer;
const settings = () => ({ tenantId: TENANT_ID, authorityHost: issuer.authorityHost, audiences: [AUDIENCE, 'c0ffee00-0000-4000-8000-000000000001'], role: ROLE, scope: `${AUDIENCE}/.default` });

beforeAll(async () => {
  issuer = await startTokenIssuer();
});
afterAll(async () => {
  await issuer.close();
});

describe('EntraTokenVerifier', () => {
  it('accepts a token of the tenant with the role, naming the caller by oid', async () => {
    const verdict = await new EntraTokenVerifier(settings()).verify(await issuer.mint());
    expect(verdict).toMatchObject({ ok: true, caller: { key: '11111111-2222-3333-4444-555555555555', oid: '11111111-2222-3333-4444-555555555555', tid: TENANT_ID } });
  });

  it('accepts the v1.0 issuer of the same tenant, the client-id audience, and names an app-only caller by appid', async () => {
    const token = await issuer.mint({ iss: `https://sts.windows.net/${TENANT_ID}/`, aud: 'c0ffee00-0000-4000-8000-000000000001', oid: undefined, azp: undefined, appid: 'abcabcab-0000-4000-8000-000000000002' });
    const verdict = await new EntraTokenVerifier(settings()).verify(token);
    expect(verdict).toMatchObject({ ok: true, caller: { key: 'abcabcab-0000-4000-8000-000000000002', appid: 'abcabcab-0000-4000-8000-000000000002' } });
  });

  it('allows up to five minutes of clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    const v = new EntraTokenVerifier(settings());
    expect((await v.verify(await issuer.mint({ exp: now - 240 }))).ok).toBe(true);
    expect((await v.verify(await issuer.mint({ nbf: now + 240 }))).ok).toBe(true);
  });

  const refusals: Array<[string, () => Promise<string>, RegExp]> = [
    ['wrong aud', () => issuer.mint({ aud: 'api://someone-else' }), /audience/],
    ['wrong iss', () => issuer.mint({ iss: 'https://login.microsoftonline.com/other/v2.0' }), /issuer/],
    ['v1 issuer of another tenant', () => issuer.mint({ iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/' }), /issuer/],
    ['wrong tid', () => issuer.mint({ tid: '00000000-0000-0000-0000-000000000000' }), /another tenant/],
    ['no tid', () => issuer.mint({ tid: undefined }), /tid/],
    ['expired beyond the skew', () => issuer.mint({ exp: Math.floor(Date.now() / 1000) - 400 }), /expired/],
    ['no exp', () => issuer.mint({ exp: undefined }), /exp/],
    ['nbf in the future beyond the skew', () => issuer.mint({ nbf: Math.floor(Date.now() / 1000) + 400 }), /not valid yet/],
    ['unknown kid', () => issuer.mint({}, { kid: 'not-published' }), /key the tenant does not publish/],
    ['published kid, other key', () => issuer.mint({}, { key: issuer.foreignKey }), /signature/],
    ['alg none', async () => new UnsecuredJWT({ iss: issuer.issuer, aud: AUDIENCE, tid: TENANT_ID, oid: 'x', roles: [ROLE], exp: Math.floor(Date.now() / 1000) + 600 }).encode(), /RS256/],
    [
      'HS256 signed with the public key',
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(issuer.publicJwk));
        return new SignJWT({ iss: issuer.issuer, aud: AUDIENCE, tid: TENANT_ID, oid: 'x', roles: [ROLE] })
          .setProtectedHeader({ alg: 'HS256', kid: issuer.publicJwk.kid as string })
          .setExpirationTime('1h')
          .sign(secret);
      },
      /RS256/,
    ],
    [
      'RS256 header over an HMAC signature',
      async () => {
        const head = base64url.encode(JSON.stringify({ alg: 'RS256', kid: issuer.publicJwk.kid }));
        const body = base64url.encode(JSON.stringify({ iss: issuer.issuer, aud: AUDIENCE, tid: TENANT_ID, oid: 'x', roles: [ROLE], exp: Math.floor(Date.now() / 1000) + 600 }));
        const sig = createHmac('sha256', JSON.stringify(issuer.publicJwk)).update(`${head}.${body}`).digest('base64url');
        return `${head}.${body}.${sig}`;
      },
      /signature|valid JWT/,
    ],
    ['malformed', async () => 'not-a-jwt', /not a signed JWT/],
    ['three garbage parts', async () => 'abc.def.ghi', /not a signed JWT/],
    ['no caller claims', () => issuer.mint({ oid: undefined, azp: undefined }), /names no caller/],
  ];
  it.each(refusals)('refuses %s with 401 invalid_token', async (_name, make, why) => {
    const verdict = await new EntraTokenVerifier(settings()).verify(await make());
    expect(verdict).toMatchObject({ ok: false, status: 401, error: 'invalid_token' });
    expect(verdict.ok ? '' : verdict.description).toMatch(why);
  });

  it('refuses a valid token without the role with 403 insufficient_scope', async () => {
    const v = new EntraTokenVerifier(settings());
    expect(await v.verify(await issuer.mint({ roles: ['Other.Role'] }))).toMatchObject({ ok: false, status: 403, error: 'insufficient_scope' });
    expect(await v.verify(await issuer.mint({ roles: undefined, scp: ROLE }))).toMatchObject({ ok: false, status: 403 });
  });

  it('answers 503 while the issuer is down, does not remember the failure, and accepts the same token once it is back', async () => {
    const token = await issuer.mint();
    const v = new EntraTokenVerifier(settings());
    await issuer.stop();
    try {
      const down = await v.verify(token);
      expect(down).toMatchObject({ ok: false, status: 503 });
      expect(down.ok ? '' : down.description).toMatch(/cannot be checked now/);
      expect(down.ok ? '' : down.description).not.toContain(token);
      expect(await v.prefetch()).toMatch(/could not be fetched/);
    } finally {
      await issuer.start();
    }
    expect(await v.verify(token)).toMatchObject({ ok: true });
  });

  it('never fetches keys for a token refused on its form or algorithm', async () => {
    await issuer.stop();
    try {
      const v = new EntraTokenVerifier(settings());
      expect(await v.verify('garbage')).toMatchObject({ status: 401 });
      const none = new UnsecuredJWT({ oid: 'x' }).encode();
      expect(await v.verify(none)).toMatchObject({ status: 401 });
    } finally {
      await issuer.start();
    }
  });
});

describe('EntraTokenVerifier behind a proxy', () => {
  /** A plain HTTP forward proxy on loopback: records each absolute-URI request and relays it. */
  async function startForwardProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const target = new URL(req.url ?? '');
      const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it.each([
    ['through HTTP_PROXY, as Graph requests go', undefined, true],
    ['directly when NO_PROXY names the issuer', '127.0.0.1', false],
  ])('fetches the OpenID configuration and the signing keys %s', async (_name, noProxy, proxied) => {
    const proxy = await startForwardProxy();
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
    process.env.HTTP_PROXY = proxy.url;
    delete process.env.http_proxy;
    delete process.env.no_proxy;
    if (noProxy === undefined) delete process.env.NO_PROXY;
    else process.env.NO_PROXY = noProxy;
    try {
      const before = issuer.requests.length;
      const verdict = await new EntraTokenVerifier(settings()).verify(await issuer.mint());
      expect(verdict).toMatchObject({ ok: true });
      const fetched = issuer.requests.slice(before);
      expect(fetched.length).toBeGreaterThanOrEqual(2);
      // Every request the issuer served came through the proxy (the configuration and the keys), or none.
      expect(proxy.seen).toHaveLength(proxied ? fetched.length : 0);
      if (proxied) {
        expect(proxy.seen.some((u) => u.endsWith('/.well-known/openid-configuration'))).toBe(true);
        expect(proxy.seen.some((u) => !u.endsWith('/.well-known/openid-configuration'))).toBe(true);
      }
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await proxy.close();
    }
  });
});
