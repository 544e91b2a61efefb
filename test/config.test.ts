import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { isLoopbackHost } from '../src/graph/client.js';

const APP = { AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555', AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' };

describe('loadConfig', () => {
  it('with nothing set: default Graph origin and v1.0, and one problem that explains every way to fix it', () => {
    const c = loadConfig({});
    expect(c.graphOrigin).toBe('https://graph.microsoft.com');
    expect(c.apiVersion).toBe('v1.0');
    expect(c.auth.mode).toBe('none');
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]!.fix).toMatch(/AZURE_CLIENT_CERTIFICATE_PATH.*MESSAGE_TRACE_ACCESS_TOKEN.*--demo/s);
  });

  it('reads a setting a bundle host left as its ${user_config.…} placeholder as not set', () => {
    const c = loadConfig({ ...APP, AZURE_CLIENT_SECRET: 's', AZURE_CLIENT_CERTIFICATE_PATH: '${user_config.certificate_path}' });
    expect(c.auth.mode).toBe('client-secret');
    expect(c.problems).toEqual([]);
    const unfilled = loadConfig({ AZURE_TENANT_ID: '${user_config.tenant_id}', AZURE_CLIENT_ID: '${user_config.client_id}', AZURE_CLIENT_SECRET: '${user_config.client_secret}' });
    expect(unfilled.auth.mode).toBe('none');
    expect(JSON.stringify(unfilled.problems)).not.toContain('user_config');
  });

  it('an access token wins and builds no credential', () => {
    const c = loadConfig({ ...APP, AZURE_CLIENT_SECRET: 's', MESSAGE_TRACE_ACCESS_TOKEN: 'tok' });
    expect(c.auth).toMatchObject({ mode: 'access-token', token: 'tok' });
    expect(c.problems).toEqual([]);
  });

  it('a client secret wins over a certificate, like EnvironmentCredential', () => {
    expect(loadConfig({ ...APP, AZURE_CLIENT_SECRET: 's', AZURE_CLIENT_CERTIFICATE_PATH: '/c.pem' }).auth.mode).toBe('client-secret');
    expect(loadConfig({ ...APP, AZURE_CLIENT_CERTIFICATE_PATH: '/c.pem', AZURE_CLIENT_CERTIFICATE_PASSWORD: 'p' }).auth).toMatchObject({
      mode: 'client-certificate',
      certificatePath: '/c.pem',
      certificatePassword: 'p',
    });
  });

  it('picks workload identity and managed identity from their environment', () => {
    expect(loadConfig({ ...APP, AZURE_FEDERATED_TOKEN_FILE: '/var/run/token' }).auth.mode).toBe('workload-identity');
    expect(loadConfig({ IDENTITY_ENDPOINT: 'http://169.254.169.254' }).auth.mode).toBe('managed-identity');
  });

  it('delegated modes only when asked for', () => {
    expect(loadConfig({ MESSAGE_TRACE_AUTH: 'azure-cli' }).auth.mode).toBe('azure-cli');
    expect(loadConfig({ ...APP, MESSAGE_TRACE_AUTH: 'device-code' }).auth.mode).toBe('device-code');
    const c = loadConfig({ MESSAGE_TRACE_AUTH: 'device-code' });
    expect(c.auth.mode).toBe('none');
    expect(c.problems.map((p) => p.setting)).toEqual(['AZURE_TENANT_ID', 'AZURE_CLIENT_ID']);
  });

  it('names the missing piece when the app ids are set without a credential', () => {
    const c = loadConfig(APP);
    expect(c.auth.mode).toBe('none');
    expect(c.problems[0]!.setting).toBe('AZURE_CLIENT_CERTIFICATE_PATH');
  });

  it('names a wrong tenant or client id', () => {
    const c = loadConfig({ AZURE_TENANT_ID: 'not a tenant', AZURE_CLIENT_ID: 'nope', AZURE_CLIENT_SECRET: 's' });
    expect(c.problems.map((p) => p.setting).sort()).toEqual(['AZURE_CLIENT_ID', 'AZURE_TENANT_ID']);
  });

  it('refuses plain http to a non-loopback Graph URL, allows loopback', () => {
    const bad = loadConfig({ MESSAGE_TRACE_GRAPH_URL: 'http://graph.example.com', MESSAGE_TRACE_ACCESS_TOKEN: 't' });
    expect(bad.graphOrigin).toBe('https://graph.microsoft.com');
    expect(bad.problems[0]!.setting).toBe('MESSAGE_TRACE_GRAPH_URL');
    for (const url of ['http://127.0.0.1:8080', 'http://localhost:1234', 'http://[::1]:99']) {
      const ok = loadConfig({ MESSAGE_TRACE_GRAPH_URL: url, MESSAGE_TRACE_ACCESS_TOKEN: 't' });
      expect(ok.problems).toEqual([]);
      expect(ok.graphOrigin).toBe(new URL(url).origin);
    }
  });

  it('rejects unknown API versions, modes and numbers with the accepted values', () => {
    const c = loadConfig({ MESSAGE_TRACE_ACCESS_TOKEN: 't', MESSAGE_TRACE_API_VERSION: 'v2', MESSAGE_TRACE_AUTH: 'magic', MESSAGE_TRACE_MAX_ROWS: 'lots' });
    const text = JSON.stringify(c.problems);
    expect(text).toContain('v1.0 (the default) or beta');
    expect(text).toContain('device-code');
    expect(text).toContain('MESSAGE_TRACE_MAX_ROWS');
    expect(loadConfig({ MESSAGE_TRACE_ACCESS_TOKEN: 't', MESSAGE_TRACE_API_VERSION: 'BETA' }).apiVersion).toBe('beta');
  });

  it('never puts a secret into a problem text', () => {
    const c = loadConfig({ AZURE_CLIENT_SECRET: 'super-secret-value', AZURE_TENANT_ID: 'bad tenant' });
    expect(JSON.stringify(c.problems)).not.toContain('super-secret-value');
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from the rest', () => {
    for (const h of ['127.0.0.1', '127.255.0.9', 'localhost', '[::1]', '::1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['10.0.0.1', 'graph.microsoft.com', '128.0.0.1', 'localhost.evil.com']) expect(isLoopbackHost(h)).toBe(false);
  });
});

describe('runtimeProblem', () => {
  it('names an old Node.js and the fix, accepts 22.19+', async () => {
    const { runtimeProblem } = await import('../src/config.js');
    expect(runtimeProblem('20.20.2')?.problem).toMatch(/needs Node.js 22.19 or newer, and this is 20.20.2/);
    expect(runtimeProblem('22.18.0')).toBeDefined();
    expect(runtimeProblem('22.19.0')).toBeUndefined();
    expect(runtimeProblem('24.1.0')).toBeUndefined();
  });
});
