import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCredential, createTokenSource, decodeJwtClaims, explainTokenFailure } from '../../src/auth/credential.js';
import { loadConfig, type AuthConfig } from '../../src/config.js';
import { TraceError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';

const APP = { AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555', AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' };
const warnings: string[] = [];
const log: Logger = { debug() {}, info() {}, error() {}, warn: (m) => warnings.push(m) };

function jwt(claims: Record<string, unknown>): string {
  return `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.x`;
}

describe('credential factory', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ ...APP, AZURE_CLIENT_SECRET: 's' }, 'ClientSecretCredential'],
    [{ ...APP, AZURE_CLIENT_CERTIFICATE_PATH: '/nonexistent/cert.pem' }, 'ClientCertificateCredential'],
    [{ ...APP, AZURE_FEDERATED_TOKEN_FILE: '/var/run/token' }, 'WorkloadIdentityCredential'],
    [{ MESSAGE_TRACE_AUTH: 'managed-identity' }, 'ManagedIdentityCredential'],
    [{ MESSAGE_TRACE_AUTH: 'azure-cli' }, 'AzureCliCredential'],
    [{ ...APP, MESSAGE_TRACE_AUTH: 'device-code' }, 'DeviceCodeCredential'],
  ];
  for (const [env, expected] of cases) {
    it(`builds a ${expected} for ${JSON.stringify(Object.keys(env))}`, async () => {
      const config = loadConfig(env);
      expect(config.problems).toEqual([]);
      const cred = await buildCredential(config.auth, log);
      expect(cred.constructor.name).toBe(expected);
    });
  }

  it('builds no credential for a token the user holds, and tells delegated from app tokens', async () => {
    const app = createTokenSource({ mode: 'access-token', token: jwt({ roles: ['x'] }), reason: '' }, log);
    expect(app.delegated).toBe(false);
    expect(await app.getToken(new AbortController().signal)).toContain('.');
    expect(createTokenSource({ mode: 'access-token', token: jwt({ scp: 'x' }), reason: '' }, log).delegated).toBe(true);
    expect(decodeJwtClaims('not-a-jwt')).toBeUndefined();
  });

  it('builds the credential once per process and maps a failure to the setting to check', async () => {
    let built = 0;
    const fakeIdentity = {
      ClientSecretCredential: class {
        constructor() {
          built++;
        }
        async getToken(): Promise<never> {
          throw new Error('AADSTS700016: Application with identifier was not found in the directory. secret=hunter2');
        }
      },
    } as unknown as typeof import('@azure/identity');
    const auth = loadConfig({ ...APP, AZURE_CLIENT_SECRET: 'hunter2' }).auth;
    const tokens = createTokenSource(auth, log, fakeIdentity);
    for (let i = 0; i < 3; i++) {
      const err = await tokens.getToken(new AbortController().signal).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TraceError);
      expect((err as TraceError).fix).toMatch(/AZURE_CLIENT_ID/);
      expect((err as TraceError).describe()).not.toContain('hunter2');
    }
    expect(built).toBe(1);
    expect(warnings.join('\n')).not.toContain('hunter2');
  });

  it('names the variable for each common sign-in failure', () => {
    const auth: AuthConfig = { mode: 'client-secret', tenantId: 't', clientId: 'c', clientSecret: 's', reason: '' };
    expect(explainTokenFailure(auth, new Error('AADSTS7000215: Invalid client secret')).fix).toMatch(/AZURE_CLIENT_SECRET/);
    expect(explainTokenFailure(auth, new Error('AADSTS90002: Tenant not found')).fix).toMatch(/AZURE_TENANT_ID/);
    expect(explainTokenFailure(auth, new Error('AADSTS65001: consent')).fix).toMatch(/admin consent/);
    const cert: AuthConfig = { mode: 'client-certificate', tenantId: 't', clientId: 'c', certificatePath: '/x.pem', reason: '' };
    expect(explainTokenFailure(cert, new Error('ENOENT: no such file, open /x.pem')).fix).toMatch(/AZURE_CLIENT_CERTIFICATE_PATH/);
    expect(explainTokenFailure(cert, new Error('AADSTS700027: Client assertion failed')).fix).toMatch(/Upload the certificate/);
    expect(explainTokenFailure({ mode: 'azure-cli', reason: '' }, new Error('Please run az login')).fix).toMatch(/az login/);
    expect(explainTokenFailure({ mode: 'managed-identity', reason: '' }, new Error('no IMDS')).why).toMatch(/No managed identity/);
  });

  it('sends the device-code prompt to the stderr logger, never to stdout', async () => {
    let options: { userPromptCallback?: (info: { message: string; userCode: string; verificationUri: string }) => void } = {};
    const fakeIdentity = {
      DeviceCodeCredential: class {
        constructor(opts: typeof options) {
          options = opts;
        }
      },
    } as unknown as typeof import('@azure/identity');
    const auth = loadConfig({ ...APP, MESSAGE_TRACE_AUTH: 'device-code' }).auth;
    await buildCredential(auth, log, fakeIdentity);
    const writes: unknown[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: unknown) => {
      writes.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      options.userPromptCallback!({ message: 'To sign in, open https://microsoft.com/devicelogin and enter ABC123', userCode: 'ABC123', verificationUri: 'https://microsoft.com/devicelogin' });
    } finally {
      process.stdout.write = original;
    }
    expect(writes).toEqual([]);
    expect(warnings.at(-1)).toMatch(/Sign-in needed: To sign in, open https:\/\/microsoft.com\/devicelogin and enter ABC123/);
  });
});

describe('start-up cost', () => {
  it('imports @azure/identity only lazily (no static import in the built server)', () => {
    const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.js')) files.push(p);
      }
    };
    walk(dist);
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      expect(src, f).not.toMatch(/^import[^(]*['"]@azure\/identity['"]/m);
    }
    expect(readFileSync(join(dist, 'auth/credential.js'), 'utf8')).toMatch(/await import\('@azure\/identity'\)/);
  });
});
