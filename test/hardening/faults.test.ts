/**
 * Faults through the simulator's fault switches, over real HTTP, through the MCP client: each one
 * either succeeds after bounded retries or ends with isError / complete: false and the right
 * explanation; never hangs past the cap, never returns rows twice, never sends the token to a
 * foreign origin, and the next call works normally.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { explainTokenFailure } from '../../src/auth/credential.js';
import { loadConfig } from '../../src/config.js';
import type { Fault } from '../../src/demo/simulator/faults.js';
import { TEST_TOKEN, startHarness, structured, text, type Harness } from '../support/harness.js';

let h: Harness | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const nineDays = () => new Date(Date.now() - 9 * 86_400_000).toISOString();

/** Ground truth: rows of the tenant inside the answer's window. */
function truthCount(hh: Harness, window: { start: string; end: string }): number {
  const s = Date.parse(window.start);
  const e = Date.parse(window.end);
  return hh.sim.tenant.rows.filter((r) => {
    const t = Date.parse(r.receivedDateTime);
    return t >= s && t <= e;
  }).length;
}

async function searchOk(hh: Harness, args: Record<string, unknown> = {}) {
  const r = await hh.call('search_traces', { limit: 5, ...args });
  expect(r.isError, text(r)).toBeFalsy();
  const s = structured(r);
  expect(s.totals.traces).toBe(truthCount(hh, s.window));
  return s;
}

describe('transient faults are retried and the answer is exact', () => {
  const recoverable: Array<[string, Fault]> = [
    ['429 with Retry-After in seconds', { kind: 'throttle', retryAfter: '1' }],
    ['429 with Retry-After as an HTTP date', { kind: 'throttle', retryAfter: new Date(Date.now() + 1500).toUTCString() }],
    ['429 without Retry-After', { kind: 'throttle' }],
    ['503', { kind: 'status', status: 503 }],
    ['504', { kind: 'status', status: 504 }],
    ['a connection reset before the response', { kind: 'reset' }],
    ['a connection reset mid-body', { kind: 'resetMidBody' }],
    ['a truncated JSON body', { kind: 'malformedJson' }],
    ['an HTML error page from a proxy', { kind: 'html', status: 502 }],
  ];
  it.each(recoverable)('survives %s', async (_label, fault) => {
    h = await startHarness();
    h.sim.faults.add(fault);
    await searchOk(h);
    expect(h.sim.faults.pending()).toBe(0);
    await searchOk(h);
  });

  it('follows an empty page that carries a nextLink and still counts every row once', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_MAX_ROWS: '100000' } });
    h.sim.faults.add({ kind: 'emptyPageWithNext' }, { route: 'list' });
    const s = await searchOk(h, { startDateTime: nineDays() });
    expect(s.complete).toBe(true);
  });
});

describe('a damaged row in an otherwise readable page', () => {
  it('is skipped and said so; the other rows of the page count', async () => {
    h = await startHarness();
    h.sim.faults.add({ kind: 'damagedRow' }, { route: 'list' });
    const r = await h.call('search_traces', { limit: 5 });
    expect(r.isError, text(r)).toBeFalsy();
    const s = structured(r);
    expect(s.totals.traces).toBe(truthCount(h, s.window) - 1);
    expect(s.notes.join(' ')).toContain('1 row(s) that were unreadable or had no trace id or recipient were skipped, so the totals leave them out.');
    expect(h.sim.requests.filter((q) => q.path.endsWith('/messageTraces'))).toHaveLength(1); // not retried: the page itself was fine
    await searchOk(h);
  });
});

describe('faults that do not go away end with a clear error, within the cap', () => {
  const persistent: Array<[string, Fault, RegExp]> = [
    ['503 every time', { kind: 'status', status: 503 }, /server error \(HTTP 503, ServiceUnavailable\)[\s\S]*Try again in a few minutes/],
    ['a truncated body every time', { kind: 'malformedJson' }, /not readable JSON \(it was cut off or malformed\)/],
    ['an HTML page every time', { kind: 'html', status: 502 }, /HTML page[\s\S]*proxy/],
    ['resets every time', { kind: 'reset' }, /Could not reach Graph at 127\.0\.0\.1:\d+: the connection was reset/],
  ];
  it.each(persistent)('reports %s', async (_label, fault, pattern) => {
    h = await startHarness();
    h.sim.faults.add(fault, { times: Infinity });
    const r = await h.call('search_traces', {});
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(pattern);
    expect(text(r)).toMatch(/Fix: /);
    h.sim.faults.clear();
    await searchOk(h);
  });

  it('gives up on a server that accepts and never answers, naming the host', async () => {
    h = await startHarness({ graphOptions: { headersTimeoutMs: 400, maxAttempts: 2 } });
    h.sim.faults.add({ kind: 'hang' });
    const r = await h.call('search_traces', {});
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/did not answer in time/);
    expect(h.sim.requests.length).toBeLessThanOrEqual(2); // maxAttempts, not one retry after another
    await searchOk(h);
  });
});

describe('paging links that cannot be trusted', () => {
  it('stops at a nextLink that loops back, complete: false, no row counted twice', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_MAX_ROWS: '100000' } });
    h.sim.faults.add({ kind: 'nextLinkLoop' }, { route: 'list', times: 5 });
    const r = await h.call('search_traces', { startDateTime: nineDays(), limit: 100 });
    const s = structured(r);
    expect(s.complete).toBe(false);
    expect(s.notes.join(' ')).toMatch(/pointed back to a page already read/);
    const keys = s.rows.map((x: any) => `${x.traceId}|${x.recipientAddress}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(s.totals.traces).toBeLessThanOrEqual(truthCount(h, s.window));
  });

  it('refuses a nextLink to a foreign origin: complete: false, and the foreign host receives nothing', async () => {
    const foreignHits: IncomingMessage[] = [];
    const foreign = createHttpServer((req, res) => {
      foreignHits.push(req);
      res.end('{}');
    });
    servers.push(foreign);
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.2', r));
    const foreignPort = (foreign.address() as AddressInfo).port;
    const row = { id: 'eaaafa9a-788c-47f0-357c-08de5bf702e0', recipientAddress: 'a@contoso.com', senderAddress: 'b@contoso.com', status: 'delivered', subject: 's', size: 1, receivedDateTime: new Date().toISOString(), messageId: '<m@x>', fromIP: '', toIP: '' };
    const graph = createHttpServer((req, res) => {
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ value: [row], '@odata.nextLink': `http://127.0.0.2:${foreignPort}/v1.0/admin/exchange/tracing/messageTraces?$skiptoken=x` }));
    });
    servers.push(graph);
    await new Promise<void>((r) => graph.listen(0, '127.0.0.1', r));
    h = await startHarness({ env: { MESSAGE_TRACE_GRAPH_URL: `http://127.0.0.1:${(graph.address() as AddressInfo).port}` } });
    const s = structured(await h.call('search_traces', {}));
    expect(s.complete).toBe(false);
    expect(s.notes.join(' ')).toMatch(/Refused to follow a link to http:\/\/127\.0\.0\.2:\d+/);
    expect(s.totals.traces).toBe(1);
    expect(foreignHits).toHaveLength(0);
  });

  it('the simulator\'s foreign nextLink also ends paging with complete: false', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_MAX_ROWS: '100000' } });
    h.sim.faults.add({ kind: 'nextLinkForeign' }, { route: 'list' });
    const s = structured(await h.call('search_traces', { startDateTime: nineDays() }));
    expect(s.complete).toBe(false);
    expect(s.notes.join(' ')).toMatch(/evil\.example\.net/);
  });
});

describe('token endpoint failure', () => {
  it('answers with the setting to check, then works once sign-in works', async () => {
    const env = { AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555', AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', AZURE_CLIENT_SECRET: 'secret-value-123' };
    const auth = loadConfig(env).auth;
    let fail = true;
    h = await startHarness({
      tokens: {
        delegated: false,
        getToken: async () => {
          if (fail) throw explainTokenFailure(auth, new Error('AADSTS7000215: Invalid client secret provided.'));
          return TEST_TOKEN;
        },
      },
    });
    const r = await h.call('search_traces', {});
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/Could not get a Microsoft Graph token[\s\S]*AZURE_CLIENT_SECRET/);
    expect(h.sim.requests).toHaveLength(0);
    fail = false;
    await searchOk(h);
  });
});
