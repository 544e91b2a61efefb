import { describe, expect, it } from 'vitest';
import { loadHttpConfig, resourceUrl } from '../../src/http/config.js';

const TENANT = '7e1f2c3d-0a1b-4c5d-8e9f-0123456789ab';
const base = { AZURE_TENANT_ID: TENANT, MESSAGE_TRACE_HTTP_AUDIENCE: 'api://mt, c0ffee00-0000-4000-8000-000000000001' };

describe('loadHttpConfig', () => {
  it.each([
    'MESSAGE_TRACE_HTTP_ADDRESS',
    'MESSAGE_TRACE_HTTP_PUBLIC_URL',
    'AZURE_AUTHORITY_HOST',
    'MESSAGE_TRACE_HTTP_CALLS_PER_MINUTE',
    'AZURE_TENANT_ID',
    'MESSAGE_TRACE_HTTP_ALLOWED_HOSTS',
  ])('a wrong %s is described, never echoed (it may be a pasted secret)', (setting) => {
    const secret = 'Xy8Q~s3cr3t.v4lu3_th4t-l00ks/l1ke+a=secret';
    const c = loadHttpConfig({ ...base, [setting]: secret });
    const problem = c.problems.find((p) => p.setting === setting);
    expect(problem).toBeDefined();
    expect(JSON.stringify(c.problems)).not.toContain('s3cr3t');
    expect(problem!.problem).toMatch(/\d+ characters/);
  });

  it('defaults: loopback 8080, Entra on login.microsoftonline.com, role MessageTrace.Read, 60 calls a minute', () => {
    const c = loadHttpConfig(base);
    expect(c.problems).toEqual([]);
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.entra).toEqual({
      tenantId: TENANT,
      authorityHost: 'https://login.microsoftonline.com',
      audiences: ['api://mt', 'c0ffee00-0000-4000-8000-000000000001'],
      role: 'MessageTrace.Read',
      scope: 'api://mt/.default',
    });
    expect(c.callsPerMinute).toBe(60);
    expect(c.allowedHosts).toEqual(['127.0.0.1', 'localhost', '[::1]']);
    expect(resourceUrl(c, 8080).href).toBe('http://127.0.0.1:8080/mcp');
  });

  it('a public URL adds its host to the allowed hosts and is the resource; 0.0.0.0 is never an allowed Host', () => {
    const c = loadHttpConfig({ ...base, MESSAGE_TRACE_HTTP_ADDRESS: '0.0.0.0:8080', MESSAGE_TRACE_HTTP_PUBLIC_URL: 'https://mt.contoso.com' });
    expect(c.problems).toEqual([]);
    expect(c.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]', 'mt.contoso.com']);
    expect(resourceUrl(c, 8080).href).toBe('https://mt.contoso.com/mcp');
    expect(loadHttpConfig({ ...base, MESSAGE_TRACE_HTTP_ALLOWED_HOSTS: 'a.example, B.example' }).allowedHosts).toEqual(['a.example', 'b.example']);
    expect(loadHttpConfig({ ...base, MESSAGE_TRACE_HTTP_ADDRESS: '[::1]:9000' }).listen).toEqual({ host: '::1', port: 9000 });
  });

  it('without an audience: a problem naming the variable, unless --demo on loopback (no sign-in)', () => {
    const missing = loadHttpConfig({ AZURE_TENANT_ID: TENANT });
    expect(missing.problems.map((p) => p.setting)).toEqual(['MESSAGE_TRACE_HTTP_AUDIENCE']);
    expect(missing.problems[0]?.fix).toMatch(/--http --demo/);
    const demo = loadHttpConfig({}, { demo: true });
    expect(demo.problems).toEqual([]);
    expect(demo.entra).toBeUndefined();
    const exposed = loadHttpConfig({ MESSAGE_TRACE_HTTP_ADDRESS: '0.0.0.0:8080' }, { demo: true });
    expect(exposed.problems[0]?.problem).toMatch(/only allowed on a loopback address/);
  });

  it('collects every bad setting with its fix', () => {
    const c = loadHttpConfig({
      AZURE_TENANT_ID: 'contoso.onmicrosoft.com',
      MESSAGE_TRACE_HTTP_AUDIENCE: 'api://mt',
      MESSAGE_TRACE_HTTP_ADDRESS: 'localhost',
      MESSAGE_TRACE_HTTP_PUBLIC_URL: 'http://mt.contoso.com/mcp',
      AZURE_AUTHORITY_HOST: 'http://login.example.com',
      MESSAGE_TRACE_HTTP_CALLS_PER_MINUTE: '0',
    });
    expect(c.problems.map((p) => p.setting).sort()).toEqual([
      'AZURE_AUTHORITY_HOST',
      'AZURE_TENANT_ID',
      'MESSAGE_TRACE_HTTP_ADDRESS',
      'MESSAGE_TRACE_HTTP_CALLS_PER_MINUTE',
      'MESSAGE_TRACE_HTTP_PUBLIC_URL',
    ]);
    for (const p of c.problems) expect(p.fix.length).toBeGreaterThan(10);
    expect(loadHttpConfig({ ...base, AZURE_AUTHORITY_HOST: 'http://127.0.0.1:9999' }).entra?.authorityHost).toBe('http://127.0.0.1:9999');
    expect(loadHttpConfig({ ...base, MESSAGE_TRACE_HTTP_PUBLIC_URL: 'https://x.example/api' }).problems[0]?.setting).toBe('MESSAGE_TRACE_HTTP_PUBLIC_URL');
  });
});
