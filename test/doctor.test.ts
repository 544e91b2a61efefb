import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor, type DoctorLimits } from '../src/doctor.js';
import { startGraphSimulator, type GraphSimulator } from '../src/demo/simulator/server.js';
import { AUDIENCE, ROLE, startTokenIssuer, TENANT_ID, type TokenIssuer } from './support/token-issuer.js';

const SECRET = 'very-secret-client-secret-value';

function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ aud: 'https://graph.microsoft.com', exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}.sig`;
}

const APP_TOKEN = jwt({ roles: ['ExchangeMessageTrace.Read.All'], tid: '11111111-2222-3333-4444-555555555555' });

let sim: GraphSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function doctor(
  env: Record<string, string>,
  tokens?: Parameters<typeof runDoctor>[0]['tokens'],
  more: { nodeVersion?: string; limits?: Partial<DoctorLimits>; http?: boolean } = {},
) {
  let out = '';
  const code = await runDoctor({ env, write: (s) => (out += s), ...(tokens ? { tokens } : {}), ...more });
  // The README's promise, for every case below: exit 0 exactly when no check failed.
  expect(code === 0, out).toBe(!/^FAIL /m.test(out));
  expect(code === 0, out).toBe(out.includes('All checks passed'));
  return { code, out };
}

describe('--check (the setup doctor)', () => {
  it('passes every check against a working tenant, one line each, exit 0', async () => {
    sim = await startGraphSimulator();
    const { code, out } = await doctor({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: APP_TOKEN });
    expect(code).toBe(0);
    expect(out).toMatch(/^OK {3}configuration: authentication access-token, because MESSAGE_TRACE_ACCESS_TOKEN is set/m);
    expect(out).toMatch(/^OK {3}permission: application \(roles\) token carries ExchangeMessageTrace.Read.All/m);
    expect(out).toMatch(/^OK {3}network: /m);
    expect(out).toMatch(/^OK {3}message trace: a \$top=1 list call succeeded/m);
    expect(out).not.toContain(APP_TOKEN);
    expect(sim.requests.at(-1)!.query.$top).toBe('1');
  });

  it('fails on missing configuration with the fix, and never prints a secret', async () => {
    const { code, out } = await doctor({ AZURE_CLIENT_SECRET: SECRET });
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL configuration: AZURE_TENANT_ID/m);
    expect(out).toMatch(/fix: /);
    expect(out).not.toContain(SECRET);
  });

  it('diagnoses a token without the permission (roles) and a delegated token without scp', async () => {
    sim = await startGraphSimulator();
    const noRole = await doctor({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: jwt({ roles: ['Mail.Read'] }) });
    expect(noRole.code).toBe(1);
    expect(noRole.out).toMatch(/FAIL permission: the application \(roles\) token does not carry ExchangeMessageTrace.Read.All \(it has: Mail.Read\)/);
    expect(noRole.out).toMatch(/Grant admin consent/);
    const delegated = await doctor({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: jwt({ scp: 'User.Read' }) });
    expect(delegated.out).toMatch(/FAIL permission: the delegated \(scp\) token/);
  });

  it('diagnoses the wrong tenant from the token', async () => {
    sim = await startGraphSimulator();
    const token = APP_TOKEN;
    const { code, out } = await doctor(
      { MESSAGE_TRACE_GRAPH_URL: sim.url, AZURE_TENANT_ID: '99999999-2222-3333-4444-555555555555', AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', AZURE_CLIENT_SECRET: SECRET },
      { delegated: false, getToken: async () => token },
    );
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL token: the token is for tenant 11111111-2222-3333-4444-555555555555, not AZURE_TENANT_ID/);
    expect(out).not.toContain(SECRET);
  });

  it('reports a sign-in failure with the variable to check', async () => {
    sim = await startGraphSimulator();
    const { explainTokenFailure } = await import('../src/auth/credential.js');
    const env = { MESSAGE_TRACE_GRAPH_URL: sim.url, AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555', AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', AZURE_CLIENT_SECRET: SECRET };
    const { loadConfig } = await import('../src/config.js');
    const auth = loadConfig(env).auth;
    const { code, out } = await doctor(env, {
      delegated: false,
      getToken: async () => {
        throw explainTokenFailure(auth, new Error(`AADSTS7000215: Invalid client secret provided. ${SECRET}`));
      },
    });
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL sign-in: Could not get a Microsoft Graph token \(client-secret, AADSTS7000215\)/);
    expect(out).toMatch(/AZURE_CLIENT_SECRET/);
    expect(out).not.toContain(SECRET);
  });

  for (const [label, fault, pattern] of [
    ['the missing service principal (401)', { kind: 'servicePrincipal', status: 401 }, /FAIL message trace: .*Transport Data Platform[\s\S]*New-MgServicePrincipal[\s\S]*several hours/],
    ['the missing service principal (403)', { kind: 'servicePrincipal', status: 403 }, /FAIL message trace: .*service principal/],
    ['missing consent', { kind: 'consentMissing' }, /FAIL message trace: .*ExchangeMessageTrace.Read.All[\s\S]*Grant admin consent/],
    ['throttling', { kind: 'throttle', retryAfter: '120' }, /FAIL message trace: .*throttling[\s\S]*120 seconds/],
  ] as const) {
    it(`diagnoses ${label} from the list call`, async () => {
      sim = await startGraphSimulator();
      sim.faults.add(fault as never);
      const { code, out } = await doctor({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: APP_TOKEN });
      expect(code).toBe(1);
      expect(out).toMatch(pattern);
    });
  }

  it('diagnoses an unreachable Graph origin, naming the host', async () => {
    sim = await startGraphSimulator();
    const url = sim.url;
    await sim.close();
    sim = undefined;
    const { code, out } = await doctor({ MESSAGE_TRACE_GRAPH_URL: url, MESSAGE_TRACE_ACCESS_TOKEN: APP_TOKEN });
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`FAIL network: could not reach ${new URL(url).host.replace(/\./g, '\\.')}`));
  });

  it('on a Node.js older than 22.19 prints one FAIL line with the fix and nothing else, exit 1', async () => {
    for (const old of ['20.11.1', '22.18.0', '18.20.4']) {
      const { code, out } = await doctor({ MESSAGE_TRACE_ACCESS_TOKEN: APP_TOKEN }, undefined, { nodeVersion: old });
      expect(code).toBe(1);
      expect(out.split('\n').filter((l) => /^(OK|WARN|FAIL)/.test(l))).toEqual([`FAIL Node.js: message-trace-mcp needs Node.js 22.19 or newer, and this is ${old}.`]);
      expect(out).toMatch(/^ {5}fix: Install Node.js 22/m);
    }
    for (const fine of ['22.19.0', '24.1.0']) {
      const { out } = await doctor({}, undefined, { nodeVersion: fine });
      expect(out).not.toMatch(/Node\.js:/);
      expect(out).toMatch(/^FAIL configuration:/m);
    }
  });

  it('calls a token that is not a JWT "not verifiable here" (WARN), and lets the list call decide', async () => {
    sim = await startGraphSimulator();
    const accepted = await doctor({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: 'an-opaque-token' });
    expect(accepted.out).toMatch(/^WARN token: not verifiable here: it is not a JWT/m);
    expect(accepted.out).toMatch(/^OK {3}sign-in: not needed: MESSAGE_TRACE_ACCESS_TOKEN supplies the token/m);
    expect(accepted.out).not.toMatch(/acquired/);
    expect(accepted.code).toBe(0);
    await sim.close();

    sim = await startGraphSimulator({ acceptToken: () => false });
    const rejected = await doctor({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: 'an-opaque-token' });
    expect(rejected.out).toMatch(/^WARN token: not verifiable here/m);
    expect(rejected.out).toMatch(/^FAIL message trace: /m);
    expect(rejected.code).toBe(1);
  });

  it('reports a sign-in that never finishes as a timeout, naming the sign-in host and the limit', async () => {
    const env = { AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555', AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', AZURE_CLIENT_SECRET: SECRET };
    const never = {
      delegated: false,
      getToken: (signal: AbortSignal) => new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    const { code, out } = await doctor(env, never, { limits: { signInMs: 200 } });
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL sign-in: timed out: login\.microsoftonline\.com gave no token within 0\.2 s/m);
    const sovereign = await doctor({ ...env, AZURE_AUTHORITY_HOST: 'https://login.example.test' }, { delegated: false, getToken: () => new Promise<string>(() => {}) }, { limits: { signInMs: 200 } });
    expect(sovereign.out).toMatch(/^FAIL sign-in: timed out: login\.example\.test gave no token within 0\.2 s/m);
    expect(out + sovereign.out).not.toContain(SECRET);
  });

  it('reports a Graph origin that accepts the connection and never answers as a timeout, naming host and limit', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const { code, out } = await doctor({ MESSAGE_TRACE_GRAPH_URL: `http://${host}`, MESSAGE_TRACE_ACCESS_TOKEN: APP_TOKEN }, undefined, { limits: { networkMs: 300 } });
      expect(code).toBe(1);
      expect(out).toContain(`FAIL network: timed out: ${host} did not answer within 0.3 s`);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports a list call that never answers as a timeout, naming host and limit', async () => {
    sim = await startGraphSimulator();
    sim.faults.add({ kind: 'hang' });
    const { code, out } = await doctor({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: APP_TOKEN }, undefined, { limits: { listMs: 300 } });
    expect(code).toBe(1);
    expect(out).toContain(`FAIL message trace: timed out: ${new URL(sim.url).host} did not answer the $top=1 list call within 0.3 s`);
  });
});

describe('--check --http (the HTTP mode\'s settings and signing keys)', () => {
  const httpEnv = (issuer: TokenIssuer, graphUrl: string) => ({
    MESSAGE_TRACE_GRAPH_URL: graphUrl,
    MESSAGE_TRACE_ACCESS_TOKEN: APP_TOKEN,
    MESSAGE_TRACE_HTTP_ADDRESS: '127.0.0.1:8123',
    MESSAGE_TRACE_HTTP_AUDIENCE: AUDIENCE,
    AZURE_TENANT_ID: TENANT_ID,
    AZURE_AUTHORITY_HOST: issuer.authorityHost,
  });

  it('passes with valid settings and reachable signing keys, then checks Graph as usual', async () => {
    const issuer = await startTokenIssuer();
    try {
      sim = await startGraphSimulator();
      const { code, out } = await doctor(httpEnv(issuer, sim.url), undefined, { http: true });
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`^OK {3}HTTP settings: listens on 127\\.0\\.0\\.1:8123; callers need an Entra ID token of tenant ${TENANT_ID} for ${AUDIENCE} with the app role ${ROLE}$`, 'm'));
      expect(out).toMatch(/^OK {3}signing keys: fetched through the tenant's OpenID configuration/m);
      expect(issuer.requests.some((r) => r.endsWith('/.well-known/openid-configuration'))).toBe(true);
      expect(out).toMatch(/^OK {3}message trace: /m);
    } finally {
      await issuer.close();
    }
  });

  it('fails on HTTP settings the server would refuse, naming the variable and the fix', async () => {
    sim = await startGraphSimulator();
    const { code, out } = await doctor({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: APP_TOKEN }, undefined, { http: true });
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL HTTP settings: MESSAGE_TRACE_HTTP_AUDIENCE: /m);
    expect(out).toMatch(/fix: Set MESSAGE_TRACE_HTTP_AUDIENCE/);
    expect(sim.requests).toHaveLength(0);
  });

  it('fails when the signing keys cannot be fetched, and says requests would get 503', async () => {
    const issuer = await startTokenIssuer();
    await issuer.stop();
    try {
      sim = await startGraphSimulator();
      const { code, out } = await doctor(httpEnv(issuer, sim.url), undefined, { http: true });
      expect(code).toBe(1);
      expect(out).toMatch(/^FAIL signing keys: the OpenID configuration at \S+ could not be fetched/m);
      expect(out).toMatch(/503/);
    } finally {
      await issuer.close();
    }
  });

  it('without --http, the HTTP settings are not checked', async () => {
    sim = await startGraphSimulator();
    const { code, out } = await doctor({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: APP_TOKEN, MESSAGE_TRACE_HTTP_ADDRESS: 'not an address' });
    expect(code).toBe(0);
    expect(out).not.toMatch(/HTTP settings/);
  });
});
