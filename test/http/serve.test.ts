/**
 * `--http` end to end in one process: real HTTP on loopback, the local token issuer, the Graph
 * simulator, and both MCP client generations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT } from 'jose';
import { INITIALIZE_BODY, MCP_HEADERS, startHttpHarness, type HttpHarness } from '../support/http-harness.js';
import { AUDIENCE, ROLE, startTokenIssuer, TENANT_ID, type TokenIssuer } from '../support/token-issuer.js';

let issuer: TokenIssuer;
let h: HttpHarness;

beforeAll(async () => {
  issuer = await startTokenIssuer();
  h = await startHttpHarness({ issuer, env: { MESSAGE_TRACE_HTTP_CALLS_PER_MINUTE: '4' } });
});
afterAll(async () => {
  await h?.close();
  await issuer?.close();
});

type ToolAnswer = { isError?: boolean; content: Array<{ type: string; text?: string; uri?: string }>; structuredContent?: Record<string, unknown> };
const textOf = (r: ToolAnswer): string => r.content.map((c) => c.text ?? '').join('\n');
const auditFor = (oid: string) => h.audit.map((l) => JSON.parse(l)).filter((a) => a.caller?.oid === oid);

describe('--http with a valid token', () => {
  it('serves a 2026-07-28 client and a 2025-11-25 client the same tools and answers', async () => {
    const oid = 'aaaaaaaa-0000-4000-8000-000000000001';
    const token = await issuer.mint({ oid });
    const modern = await h.modern(token);
    const legacy = await h.legacy(token);
    expect(modern.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect((legacy.transport as { protocolVersion?: string }).protocolVersion).toBe('2025-11-25');
    expect((await modern.listTools()).tools.map((t) => t.name)).toEqual(['search_traces', 'get_trace_details']);
    expect((await legacy.listTools()).tools.map((t) => t.name)).toEqual(['search_traces', 'get_trace_details']);
    const args = { status: 'failed', startDateTime: '2026-11-25T00:00:00Z', endDateTime: '2026-11-30T00:00:00Z' };
    const a = (await modern.callTool({ name: 'search_traces', arguments: args })) as ToolAnswer;
    const b = (await legacy.callTool({ name: 'search_traces', arguments: args })) as ToolAnswer;
    expect(a.isError).toBeFalsy();
    expect(textOf(a)).toMatch(/failed/);
    // Same answer apart from the result-set id each search gets.
    const strip = (r: ToolAnswer) => JSON.stringify(r.structuredContent).replace(/[0-9a-f]{12}/g, 'ID');
    expect(strip(b)).toBe(strip(a));
  });

  it('writes one audit line per tool call: time, caller ids, tool, arguments, outcome, Graph requests, ms; never the token', async () => {
    const oid = 'aaaaaaaa-0000-4000-8000-000000000002';
    const token = await issuer.mint({ oid, azp: 'bbbbbbbb-0000-4000-8000-000000000002' });
    const client = await h.modern(token);
    await client.callTool({ name: 'search_traces', arguments: { senderAddress: 'nobody@contoso.com' } });
    const lines = auditFor(oid);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      audit: 'tool_call',
      caller: { oid, appid: 'bbbbbbbb-0000-4000-8000-000000000002', tid: TENANT_ID },
      tool: 'search_traces',
      arguments: { senderAddress: 'nobody@contoso.com' },
      outcome: 'ok',
    });
    expect(lines[0].graphRequests).toBeGreaterThanOrEqual(1);
    expect(typeof lines[0].ms).toBe('number');
    expect(Number.isNaN(Date.parse(lines[0].time))).toBe(false);
    const all = h.audit.join('');
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[2]);
    expect(all).not.toMatch(/Bearer|eyJ/);
  });

  it('a caller over MESSAGE_TRACE_HTTP_CALLS_PER_MINUTE gets an isError answer saying when to retry; other callers are not affected', async () => {
    const busy = await h.modern(await issuer.mint({ oid: 'aaaaaaaa-0000-4000-8000-000000000003' }));
    const before = h.sim.requests.length;
    const answers: ToolAnswer[] = [];
    for (let i = 0; i < 5; i++) answers.push((await busy.callTool({ name: 'search_traces', arguments: { senderAddress: `a${i}@contoso.com` } })) as ToolAnswer);
    expect(answers.slice(0, 4).every((a) => !a.isError)).toBe(true);
    expect(answers[4]?.isError).toBe(true);
    expect(textOf(answers[4] as ToolAnswer)).toMatch(/4 tool calls in the last minute.*\n.*retry in \d+ s/s);
    expect(h.sim.requests.length - before).toBe(4);
    expect(auditFor('aaaaaaaa-0000-4000-8000-000000000003').map((a) => [a.outcome, a.graphRequests > 0])).toEqual([
      ['ok', true],
      ['ok', true],
      ['ok', true],
      ['ok', true],
      ['rate-limited', false],
    ]);
    const other = await h.legacy(await issuer.mint({ oid: 'aaaaaaaa-0000-4000-8000-000000000004' }));
    expect(((await other.callTool({ name: 'search_traces', arguments: {} })) as ToolAnswer).isError).toBeFalsy();
  });

  it('a tools/call whose arguments is not an object gets the tool\'s isError answer (not -32602), audited, with no Graph request', async () => {
    const oid = 'aaaaaaaa-0000-4000-8000-000000000005';
    const token = await issuer.mint({ oid });
    const before = h.sim.requests.length;
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25', authorization: `Bearer ${token}` };
    for (const [id, args] of [[1, 'x'], [2, [1, 2]], [3, null]] as const) {
      const res = await h.raw('/mcp', { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'search_traces', arguments: args } }) });
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body);
      expect(body).toMatchObject({ jsonrpc: '2.0', id, result: { isError: true } });
      expect(body.error).toBeUndefined();
      expect(body.result.content[0].text).toMatch(/^Arguments must be an object with these fields: senderAddress, recipientAddress, /);
    }
    expect(h.sim.requests.length).toBe(before);
    expect(auditFor(oid).map((a) => [a.tool, a.outcome])).toEqual([
      ['search_traces', 'error'],
      ['search_traces', 'error'],
      ['search_traces', 'error'],
    ]);
    // An object (even an empty one) still goes to the tool as sent.
    const ok = await h.raw('/mcp', { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'search_traces', arguments: { limit: 1 } } }) });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/"isError":false|"structuredContent"/);
  });

  it('result sets belong to the caller: readable from a later connection, invisible and unknown to anyone else', async () => {
    const alice = await issuer.mint({ oid: 'aaaaaaaa-0000-4000-8000-00000000000a' });
    const bob = await issuer.mint({ oid: 'aaaaaaaa-0000-4000-8000-00000000000b' });
    const first = await h.modern(alice);
    const found = (await first.callTool({ name: 'search_traces', arguments: { status: 'delivered' } })) as ToolAnswer;
    const link = found.content.find((c) => c.type === 'resource_link' && c.uri?.endsWith('.json'));
    expect(link?.uri).toMatch(/^message-trace:\/\/results\/[0-9a-f]{12}\.json$/);
    const uri = link?.uri as string;

    const later = await h.legacy(alice);
    expect(JSON.stringify((await later.readResource({ uri })).contents[0])).toContain('rowsKept');
    expect((await later.listResources()).resources.map((r) => r.uri)).toContain(uri);

    for (const stranger of [await h.modern(bob), await h.legacy(bob)]) {
      expect((await stranger.listResources()).resources.map((r) => r.uri)).not.toContain(uri);
      const theirs = await stranger.readResource({ uri }).then(
        () => 'read',
        (e: { code?: number; message: string }) => ({ code: e.code, message: e.message.replace(/[0-9a-f]{12}/g, 'ID') }),
      );
      const unknown = await stranger.readResource({ uri: 'message-trace://results/0123456789ab.json' }).then(
        () => 'read',
        (e: { code?: number; message: string }) => ({ code: e.code, message: e.message.replace(/[0-9a-f]{12}/g, 'ID') }),
      );
      expect(theirs).not.toBe('read');
      expect(theirs).toEqual(unknown);
    }
  });
});

describe('--http refusals (and no Graph request for any of them)', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const bad: Array<[string, () => Promise<string>]> = [
    ['wrong aud', () => issuer.mint({ aud: 'api://other' })],
    ['wrong iss', () => issuer.mint({ iss: 'https://login.microsoftonline.com/common/v2.0' })],
    ['wrong tid', () => issuer.mint({ tid: '00000000-0000-4000-8000-000000000000' })],
    ['expired', () => issuer.mint({ exp: now() - 3600, nbf: now() - 7200, iat: now() - 7200 })],
    ['nbf in the future', () => issuer.mint({ nbf: now() + 3600 })],
    ['alg none', async () => new UnsecuredJWT({ iss: issuer.issuer, aud: AUDIENCE, tid: TENANT_ID, oid: 'x', roles: [ROLE] }).setExpirationTime('1h').encode()],
    [
      'HS256 signed with the public key',
      () =>
        new SignJWT({ iss: issuer.issuer, aud: AUDIENCE, tid: TENANT_ID, oid: 'x', roles: [ROLE] })
          .setProtectedHeader({ alg: 'HS256', kid: issuer.publicJwk.kid as string })
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(JSON.stringify(issuer.publicJwk))),
    ],
    ['unknown kid', () => issuer.mint({}, { kid: 'rotated-away' })],
    ['malformed', async () => 'eyJhbGciOiJSUzI1NiJ9.not-base64!.x'],
  ];

  it('401 with WWW-Authenticate resource_metadata and error="invalid_token" for every bad token', async () => {
    const before = h.sim.requests.length;
    const auditBefore = h.audit.length;
    for (const [name, make] of bad) {
      const res = await h.raw('/mcp', { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${await make()}` }, body: INITIALIZE_BODY });
      expect(res.status, name).toBe(401);
      expect(res.headers['www-authenticate'], name).toMatch(/^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp", error="invalid_token"/);
    }
    expect(h.sim.requests.length).toBe(before);
    expect(h.audit.length).toBe(auditBefore);
  });

  it('401 without an error code when no token is sent; a token in the query string is refused even with a good header', async () => {
    const none = await h.raw('/mcp', { method: 'POST', headers: MCP_HEADERS, body: INITIALIZE_BODY });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer resource_metadata="[^"]+"$/);
    const good = await issuer.mint();
    const query = await h.raw(`/mcp?access_token=${good}`, { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${good}` }, body: INITIALIZE_BODY });
    expect(query.status).toBe(401);
    expect(query.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(JSON.parse(query.body).error_description).toMatch(/Authorization header/);
    const basic = await h.raw('/mcp', { method: 'POST', headers: { ...MCP_HEADERS, authorization: 'Basic dXNlcjpwdw==' }, body: INITIALIZE_BODY });
    expect(basic.status).toBe(401);
  });

  it('403 insufficient_scope for a valid token without the app role', async () => {
    const before = h.sim.requests.length;
    const res = await h.raw('/mcp', { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${await issuer.mint({ roles: ['Something.Else'] })}` }, body: INITIALIZE_BODY });
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(JSON.parse(res.body).error_description).toContain(ROLE);
    expect(h.sim.requests.length).toBe(before);
  });

  it('the clients surface a refusal as an error, and no tool runs', async () => {
    const before = h.sim.requests.length;
    await expect(h.modern(await issuer.mint({ aud: 'api://other' }))).rejects.toThrow();
    await expect(h.legacy(undefined)).rejects.toThrow();
    expect(h.sim.requests.length).toBe(before);
  });

  it('Host outside the allow-list and a foreign browser Origin get 403 (DNS rebinding)', async () => {
    const token = await issuer.mint();
    const headers = { ...MCP_HEADERS, authorization: `Bearer ${token}` };
    const rebound = await h.raw('/mcp', { method: 'POST', headers: { ...headers, host: `attacker.example:${h.serving.port}` }, body: INITIALIZE_BODY });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatch(/Host not allowed/);
    const foreign = await h.raw('/mcp', { method: 'POST', headers: { ...headers, origin: 'http://attacker.example' }, body: INITIALIZE_BODY });
    expect(foreign.status).toBe(403);
    const opaque = await h.raw('/mcp', { method: 'POST', headers: { ...headers, origin: 'null' }, body: INITIALIZE_BODY });
    expect(opaque.status).toBe(403);
    const local = await h.raw('/mcp', { method: 'POST', headers: { ...headers, host: `localhost:${h.serving.port}`, origin: `http://localhost:${h.serving.port}` }, body: INITIALIZE_BODY });
    expect(local.status).toBe(200);
  });

  it('a body over 1 MB gets 413, also without a Content-Length', async () => {
    const headers = { ...MCP_HEADERS, authorization: `Bearer ${await issuer.mint()}` };
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_traces', arguments: { subject: 'x'.repeat(1024 * 1024) } } });
    expect((await h.raw('/mcp', { method: 'POST', headers, body: big })).status).toBe(413);
    expect((await h.raw('/mcp', { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' }, body: Buffer.from(big) })).status).toBe(413);
  });
});

describe('--http unauthenticated routes', () => {
  it('GET /healthz: 200 and nothing else', async () => {
    const res = await h.raw('/healthz', { headers: { host: 'pod-10-0-0-7:8080' } });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
  });

  it('RFC 9728 protected-resource metadata at both well-known paths', async () => {
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const res = await h.raw(path);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({
        resource: `http://127.0.0.1:${h.serving.port}/mcp`,
        authorization_servers: [issuer.issuer],
        scopes_supported: [`${AUDIENCE}/.default`],
        bearer_methods_supported: ['header'],
      });
    }
  });
});

describe('--http when the identity provider is down', () => {
  it('starts anyway, answers 503 (never accepts), and accepts the same token once the keys are back', async () => {
    const token = await issuer.mint({ oid: 'aaaaaaaa-0000-4000-8000-0000000000dd' });
    await issuer.stop();
    let fresh: HttpHarness | undefined;
    try {
      fresh = await startHttpHarness({ issuer });
      const res = await fresh.raw('/mcp', { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` }, body: INITIALIZE_BODY });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(fresh.sim.requests).toHaveLength(0);
      await issuer.start();
      const client = await fresh.modern(token);
      expect(((await client.callTool({ name: 'search_traces', arguments: {} })) as ToolAnswer).isError).toBeFalsy();
    } finally {
      await issuer.start();
      await fresh?.close();
    }
  });
});
