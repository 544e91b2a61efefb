import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SERVICE_PRINCIPAL_MISSING_MESSAGE } from '../../../src/demo/simulator/published-sample.js';
import { CONSENT_MISSING_MESSAGE, THROTTLE_MESSAGE, type GraphSimulator } from '../../../src/demo/simulator/server.js';
import { defaultTenant, detailsUrl, get, listAll, listUrl, startSim, TOKEN } from './helpers.js';

let sim: GraphSimulator;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.faults.clear();
});

const auth = { authorization: `Bearer ${TOKEN}` };

describe('faults answered over HTTP', () => {
  it('status: Graph-shaped error with optional Retry-After and message', async () => {
    sim.faults.add({ kind: 'status', status: 503, retryAfter: '2' });
    sim.faults.add({ kind: 'status', status: 500, message: 'Boom' });
    sim.faults.add({ kind: 'status', status: 504 });
    const a = await get(listUrl(sim));
    expect(a.status).toBe(503);
    expect(a.headers.get('retry-after')).toBe('2');
    expect(a.json.error.code).toBe('ServiceUnavailable');
    expect(a.json.error.innerError['request-id']).toBe(a.headers.get('request-id'));
    const b = await get(listUrl(sim));
    expect(b.status).toBe(500);
    expect(b.json.error.message).toBe('Boom');
    expect(b.headers.get('retry-after')).toBeNull();
    const c = await get(listUrl(sim));
    expect(c.status).toBe(504);
    expect(c.json.error.code).toBe('GatewayTimeout');
    expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(200);
  });

  it('throttle: 429 with the message-trace text, Retry-After only when given', async () => {
    sim.faults.add({ kind: 'throttle' });
    sim.faults.add({ kind: 'throttle', retryAfter: '7' });
    const a = await get(listUrl(sim));
    expect(a.status).toBe(429);
    expect(a.json.error.message).toBe(THROTTLE_MESSAGE);
    expect(a.headers.get('retry-after')).toBeNull();
    const b = await get(listUrl(sim));
    expect(b.headers.get('retry-after')).toBe('7');
  });

  it('servicePrincipal: the published text as 401 Unauthorized or 403 Forbidden', async () => {
    sim.faults.add({ kind: 'servicePrincipal', status: 401 });
    sim.faults.add({ kind: 'servicePrincipal', status: 403 });
    const a = await get(listUrl(sim));
    expect(a.status).toBe(401);
    expect(a.json.error.code).toBe('Unauthorized');
    expect(a.json.error.message).toBe(SERVICE_PRINCIPAL_MISSING_MESSAGE);
    expect(a.json.error.message).toMatch(/^Service principal-less Authentication failed: the service principal for App ID 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373 was not found/);
    const b = await get(listUrl(sim));
    expect(b.status).toBe(403);
    expect(b.json.error.code).toBe('Forbidden');
    expect(b.json.error.message).toBe(SERVICE_PRINCIPAL_MISSING_MESSAGE);
  });

  it('consentMissing and invalidToken', async () => {
    sim.faults.add({ kind: 'consentMissing' });
    sim.faults.add({ kind: 'invalidToken' });
    const a = await get(listUrl(sim));
    expect(a.status).toBe(403);
    expect(a.json.error.code).toBe('Authorization_RequestDenied');
    expect(a.json.error.message).toBe(CONSENT_MISSING_MESSAGE);
    const b = await get(listUrl(sim));
    expect(b.status).toBe(401);
    expect(b.json.error.code).toBe('InvalidAuthenticationToken');
    expect(b.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('delay: waits, then answers normally', async () => {
    sim.faults.add({ kind: 'delay', ms: 300 });
    const t0 = Date.now();
    const r = await get(listUrl(sim, { $top: '3' }));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(r.status).toBe(200);
    expect(r.json.value).toHaveLength(3);
  });

  it('hang: accepts and never answers', async () => {
    sim.faults.add({ kind: 'hang' });
    await expect(get(listUrl(sim), { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(sim.requests.at(-1)!.status).toBe(0);
    expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(200);
  });

  it('reset: the socket is destroyed before any response', async () => {
    sim.faults.add({ kind: 'reset' });
    await expect(fetch(listUrl(sim), { headers: auth })).rejects.toThrow();
    expect(sim.requests.at(-1)!.status).toBe(0);
  });

  it('resetMidBody: 200 headers and part of the body, then the socket dies', async () => {
    sim.faults.add({ kind: 'resetMidBody' });
    const res = await fetch(listUrl(sim, { $top: '50' }), { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    await expect(res.text()).rejects.toThrow();
  });

  it('malformedJson: 200 application/json whose body does not parse', async () => {
    sim.faults.add({ kind: 'malformedJson' });
    const r = await get(listUrl(sim, { $top: '5' }));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.text.startsWith('{"@odata.context"')).toBe(true);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it('html: a proxy error page, 502 by default', async () => {
    sim.faults.add({ kind: 'html' });
    sim.faults.add({ kind: 'html', status: 503 });
    const a = await get(listUrl(sim));
    expect(a.status).toBe(502);
    expect(a.headers.get('content-type')).toMatch(/^text\/html/);
    expect(a.text).toMatch(/<html>.*502 Bad Gateway/s);
    const b = await get(listUrl(sim));
    expect(b.status).toBe(503);
    expect(b.text).toContain('503 Service Unavailable');
  });

  it('nextLinkLoop: the nextLink points back at the first page', async () => {
    const first = await get(listUrl(sim, { $top: '100' }));
    sim.faults.add({ kind: 'nextLinkLoop' });
    const second = await get(first.json['@odata.nextLink']);
    expect(second.status).toBe(200);
    expect(second.json.value).toHaveLength(100);
    expect(second.json['@odata.nextLink']).toBe(listUrl(sim, { $top: '100' }));
  });

  it('nextLinkForeign: the nextLink is on another origin', async () => {
    sim.faults.add({ kind: 'nextLinkForeign' });
    const r = await get(listUrl(sim, { $top: '100' }));
    expect(r.json.value).toHaveLength(100);
    const next = new URL(r.json['@odata.nextLink']);
    expect(next.origin).toBe('https://evil.example.net');
    expect(next.pathname).toBe('/v1.0/admin/exchange/tracing/messageTraces');
  });

  it('emptyPageWithNext: value [] and a nextLink that loses no rows', async () => {
    const normal = await listAll(listUrl(sim, { $top: '400' }));
    sim.faults.add({ kind: 'emptyPageWithNext' });
    const first = await get(listUrl(sim, { $top: '400' }));
    expect(first.status).toBe(200);
    expect(first.json.value).toEqual([]);
    expect(new URL(first.json['@odata.nextLink']).origin).toBe(sim.url);
    const rest = await listAll(first.json['@odata.nextLink']);
    expect(rest.rows).toEqual(normal.rows);
  });
});

describe('damagedRow', () => {
  it('puts an invalid token in the first row and leaves the page around it intact', async () => {
    const normal = await get(listUrl(sim, { $top: '100' }));
    sim.faults.add({ kind: 'damagedRow' });
    const r = await get(listUrl(sim, { $top: '100' }));
    expect(r.status).toBe(200);
    expect(r.json).toBeUndefined(); // JSON.parse refuses the whole body
    const size = normal.json.value[0].size as number;
    expect(r.text).toContain(`"size":${size}x`);
    expect(r.text.replace(`"size":${size}x`, `"size":${size}`)).toBe(normal.text);
    expect((await get(listUrl(sim, { $top: '100' }))).json.value).toEqual(normal.json.value);
  });
});

describe('fault queue', () => {
  it('is FIFO, honours times and routes, and reports pending()', async () => {
    const ref = defaultTenant().stories.deliveredInbox;
    const details = detailsUrl(sim, ref.traceId, ref.recipientAddress);
    sim.faults.add({ kind: 'status', status: 500 }, { route: 'details' });
    sim.faults.add({ kind: 'status', status: 502 }, { times: 2 });
    expect(sim.faults.pending()).toBe(3);
    expect((await get(listUrl(sim))).status).toBe(502); // the details fault is skipped by a list request
    expect((await get(details)).status).toBe(500);
    expect((await get(details)).status).toBe(502);
    expect(sim.faults.pending()).toBe(0);
    expect((await get(details)).status).toBe(200);
  });

  it('paging faults only apply to list requests, even with route any', async () => {
    const ref = defaultTenant().stories.deliveredInbox;
    sim.faults.add({ kind: 'emptyPageWithNext' });
    const d = await get(detailsUrl(sim, ref.traceId, ref.recipientAddress));
    expect(d.json.value.length).toBeGreaterThan(0);
    expect(sim.faults.pending()).toBe(1);
    expect(() => sim.faults.add({ kind: 'nextLinkLoop' }, { route: 'details' })).toThrow(/list route/);
  });

  it('supports unlimited faults until clear(), and validates input', async () => {
    sim.faults.add({ kind: 'status', status: 503 }, { times: Infinity });
    expect(sim.faults.pending()).toBe(Infinity);
    for (let i = 0; i < 3; i++) expect((await get(listUrl(sim))).status).toBe(503);
    sim.faults.clear();
    expect(sim.faults.pending()).toBe(0);
    expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(200);
    expect(() => sim.faults.add({ kind: 'status', status: 200 })).toThrow();
    expect(() => sim.faults.add({ kind: 'delay', ms: -1 })).toThrow();
    expect(() => sim.faults.add({ kind: 'throttle' }, { times: 0 })).toThrow();
    expect(() => sim.faults.add({ kind: 'nope' } as never)).toThrow();
  });

  it('unauthenticated requests do not consume faults', async () => {
    sim.faults.add({ kind: 'status', status: 500 });
    expect((await get(listUrl(sim), { token: null })).status).toBe(401);
    expect(sim.faults.pending()).toBe(1);
    expect((await get(listUrl(sim))).status).toBe(500);
  });
});

describe('close()', () => {
  it('returns promptly with a hanging request and a sleeping delay', async () => {
    const own = await startSim();
    own.faults.add({ kind: 'hang' });
    own.faults.add({ kind: 'delay', ms: 60_000 });
    // Settle into values at once, so that the rejections are never unhandled.
    const outcome = (p: Promise<Response>): Promise<unknown> => p.then((res) => res.status, (err: unknown) => err);
    const hanging = outcome(fetch(listUrl(own), { headers: auth }));
    const delayed = outcome(fetch(listUrl(own), { headers: auth }));
    await new Promise((r) => setTimeout(r, 100));
    expect(own.requests).toHaveLength(2);
    const t0 = Date.now();
    await own.close();
    // Not held by the 60 s delay nor by the hanging request (a bound far from both).
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(await hanging).toBeInstanceOf(Error);
    expect(await delayed).toBeInstanceOf(Error);
    await expect(fetch(listUrl(own), { headers: auth })).rejects.toThrow();
    await own.close(); // idempotent
  });
});
