import { afterEach, describe, expect, it } from 'vitest';
import { THROTTLE_MESSAGE, type GraphSimulator } from '../../../src/demo/simulator/server.js';
import { defaultTenant, detailsUrl, get, listUrl, startSim } from './helpers.js';

let sim: GraphSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('rolling rate limit', () => {
  it('shares one window between list and details; over the limit → 429 with Retry-After and the throttle text', async () => {
    sim = await startSim({ rateLimit: { requests: 3, windowMs: 1000 } });
    const ref = defaultTenant().stories.deliveredInbox;
    expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(200);
    expect((await get(detailsUrl(sim, ref.traceId, ref.recipientAddress))).status).toBe(200);
    expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(200);
    const limited = await get(detailsUrl(sim, ref.traceId, ref.recipientAddress));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.json.error.code).toBe('TooManyRequests');
    expect(limited.json.error.message).toBe(THROTTLE_MESSAGE);
    expect(limited.headers.get('request-id')).toBeTruthy();
    expect(sim.requests.at(-1)!.status).toBe(429);
  });

  it('does not count rejected requests, and frees slots as the window rolls', async () => {
    sim = await startSim({ rateLimit: { requests: 3, windowMs: 1000 } });
    for (let i = 0; i < 3; i++) expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(200);
    const t3 = Date.now(); // every accepted request arrived before t3
    await sleep(300);
    for (let i = 0; i < 4; i++) expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(429);
    // At t3 + 1.1 s the accepted requests have left the window; had the 429s (sent after
    // t3 + 300 ms) been counted, they would still fill it.
    await sleep(Math.max(0, t3 + 1100 - Date.now()));
    expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(200);
  });

  it('computes Retry-After in whole seconds until the oldest counted request leaves the window', async () => {
    sim = await startSim({ rateLimit: { requests: 2, windowMs: 4500 } });
    await get(listUrl(sim, { $top: '1' }));
    await get(listUrl(sim, { $top: '1' }));
    const r = await get(listUrl(sim, { $top: '1' }));
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('5');
  });

  it('does not count requests refused for their token, nor unknown paths; counts 400s', async () => {
    sim = await startSim({ rateLimit: { requests: 3, windowMs: 60_000 } });
    for (let i = 0; i < 5; i++) expect((await get(listUrl(sim), { token: null })).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await get(`${sim.url}/v1.0/nope`)).status).toBe(404);
    expect((await get(listUrl(sim, { $top: '0' }))).status).toBe(400);
    expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(200);
    expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(200);
    expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(429);
  });

  it('counts answers replaced by a fault, except 429 ones', async () => {
    sim = await startSim({ rateLimit: { requests: 2, windowMs: 60_000 } });
    sim.faults.add({ kind: 'throttle' }, { times: 3 });
    for (let i = 0; i < 3; i++) expect((await get(listUrl(sim))).status).toBe(429);
    sim.faults.add({ kind: 'status', status: 503 });
    expect((await get(listUrl(sim))).status).toBe(503);
    expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(200);
    expect((await get(listUrl(sim, { $top: '1' }))).status).toBe(429);
  });

  it('defaults to 100 requests per 5 minutes, and can be switched off', async () => {
    sim = await startSim({ rateLimit: undefined });
    const url = detailsUrl(sim, '00000000-0000-0000-0000-000000000000', 'nobody@contoso.com');
    const statuses = await Promise.all(Array.from({ length: 100 }, () => get(url).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await get(url);
    expect(over.status).toBe(429);
    const wait = Number(over.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(290);
    expect(wait).toBeLessThanOrEqual(300);
    await sim.close();

    sim = await startSim({ rateLimit: false });
    const url2 = detailsUrl(sim, '00000000-0000-0000-0000-000000000000', 'nobody@contoso.com');
    const many = await Promise.all(Array.from({ length: 150 }, () => get(url2).then((r) => r.status)));
    expect(many.every((s) => s === 200)).toBe(true);
  });
});
