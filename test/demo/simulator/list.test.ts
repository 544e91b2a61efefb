import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageTraceRow } from '../../../src/graph/types.js';
import { startGraphSimulator, type GraphSimulator } from '../../../src/demo/simulator/server.js';
import { generateTenant } from '../../../src/demo/simulator/tenant.js';
import { DAY, GUID_RE, HOUR, NOW, dateFilter, defaultTenant, get, key, listAll, listUrl, rowsIn, startSim } from './helpers.js';

let sim: GraphSimulator;
beforeAll(async () => {
  sim = await startSim({ acceptToken: (t) => t === 'sim-test-token' });
});
afterAll(async () => {
  await sim.close();
});

describe('routes, auth and response shape', () => {
  it('answers the list route under /v1.0 and /beta with @odata.context and Graph headers', async () => {
    for (const version of ['v1.0', 'beta']) {
      const r = await get(listUrl(sim, { $top: '5' }, version));
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.headers.get('request-id')).toMatch(GUID_RE);
      expect(r.headers.get('client-request-id')).toMatch(GUID_RE);
      expect(r.json['@odata.context']).toBe(`${sim.url}/${version}/$metadata#admin/exchange/tracing/messageTraces`);
      expect(r.json.value).toHaveLength(5);
      expect(Object.keys(r.json.value[0]).sort()).toEqual(
        ['fromIP', 'id', 'messageId', 'receivedDateTime', 'recipientAddress', 'senderAddress', 'size', 'status', 'subject', 'toIP'].sort(),
      );
    }
  });

  it('echoes a client-request-id and gives a fresh request-id each time', async () => {
    const mine = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    const a = await get(listUrl(sim, { $top: '1' }), { headers: { 'client-request-id': mine } });
    const b = await get(listUrl(sim, { $top: '1' }));
    expect(a.headers.get('client-request-id')).toBe(mine);
    expect(a.headers.get('request-id')).not.toBe(b.headers.get('request-id'));
  });

  it('requires a bearer token: missing, empty, wrong scheme or rejected → 401 InvalidAuthenticationToken', async () => {
    for (const auth of [undefined, 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer wrong-token']) {
      const r = await get(listUrl(sim), auth === undefined ? { token: null } : { authorization: auth });
      expect(r.status, String(auth)).toBe(401);
      expect(r.json.error.code).toBe('InvalidAuthenticationToken');
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.json.error.innerError['request-id']).toBe(r.headers.get('request-id'));
      expect(r.json.error.innerError['client-request-id']).toBe(r.headers.get('client-request-id'));
      expect(r.json.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    }
    const lower = await get(listUrl(sim, { $top: '1' }), { authorization: 'bearer sim-test-token' });
    expect(lower.status).toBe(200);
    const rec = sim.requests.at(-1)!;
    expect(rec.authorization).toBe('bearer sim-test-token');
    expect(rec.status).toBe(200);
    expect(rec.query).toEqual({ $top: '1' });
  });

  it('404s unknown paths and 405s other methods, Graph-shaped', async () => {
    for (const path of ['/v1.0/me', '/v2.0/admin/exchange/tracing/messageTraces', '/v1.0/admin/exchange/tracing/messageTraces/abc']) {
      const r = await get(`${sim.url}${path}`);
      expect(r.status, path).toBe(404);
      expect(r.json.error.code).toBe('NotFound');
      expect(r.headers.get('request-id')).toMatch(GUID_RE);
    }
    const post = await get(listUrl(sim), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect(post.json.error.message).toContain('POST');
  });

  it('rejects bad $top, repeated options and a forged $skiptoken with 400', async () => {
    for (const top of ['0', '5001', '-1', 'abc', '1.5', '']) {
      const r = await get(listUrl(sim, { $top: top }));
      expect(r.status, top).toBe(400);
      expect(r.json.error.message).toContain('$top');
    }
    for (const top of ['1', '5000']) expect((await get(listUrl(sim, { $top: top }))).status).toBe(200);
    const twice = await get(`${listUrl(sim, { $top: '5' })}&$top=6`);
    expect(twice.status).toBe(400);
    expect(twice.json.error.message).toMatch(/more than once/);
    const forged = await get(listUrl(sim, { $skiptoken: 'abc.def' }));
    expect(forged.status).toBe(400);
    expect(forged.json.error.message).toMatch(/\$skiptoken/);
  });
});

describe('date rules', () => {
  const bad: [string, string, RegExp][] = [
    ['only ge', `receivedDateTime ge ${new Date(NOW.getTime() - DAY).toISOString()}`, /both bounds/],
    ['only le', `receivedDateTime le ${NOW.toISOString()}`, /both bounds/],
    ['range over 10 days', dateFilter(NOW.getTime() - 10 * DAY - 1000, NOW), /must not exceed 10 days/],
    ['start over 90 days ago', dateFilter(NOW.getTime() - 91 * DAY, NOW.getTime() - 85 * DAY), /older than 90 days/],
    ['end in the future', dateFilter(NOW.getTime() - DAY, NOW.getTime() + 1000), /later than the current time/],
    ['start after end', dateFilter(NOW.getTime() - DAY, NOW.getTime() - 2 * DAY), /is after the end date/],
  ];
  it.each(bad)('rejects %s with 400', async (_name, filter, pattern) => {
    const r = await get(listUrl(sim, { $filter: filter }));
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('BadRequest');
    expect(r.json.error.message).toMatch(pattern);
  });

  it('accepts exactly 10 days, a start of exactly 90 days ago, and offsets', async () => {
    expect((await get(listUrl(sim, { $filter: dateFilter(NOW.getTime() - 10 * DAY, NOW), $top: '1' }))).status).toBe(200);
    expect((await get(listUrl(sim, { $filter: dateFilter(NOW.getTime() - 90 * DAY, NOW.getTime() - 89 * DAY), $top: '1' }))).status).toBe(200);
    // 13:00+01:00 is NOW (12:00Z): allowed as an end bound.
    const offset = await get(listUrl(sim, { $filter: 'receivedDateTime ge 2026-11-19T13:00:00+01:00 and receivedDateTime le 2026-11-20T13:00:00+01:00', $top: '1' }));
    expect(offset.status).toBe(200);
  });

  it('explains an unencoded + that arrived as a space', async () => {
    const raw = `${sim.url}/v1.0/admin/exchange/tracing/messageTraces?$filter=receivedDateTime%20ge%202026-11-19T13:00:00+01:00%20and%20receivedDateTime%20le%202026-11-20T12:00:00Z`;
    const r = await get(raw);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain('%2B');
  });

  it('filters on the range inclusively', async () => {
    const tenant = defaultTenant();
    const target = tenant.rows[40]!;
    const t = Date.parse(target.receivedDateTime);
    const r = await get(listUrl(sim, { $filter: dateFilter(t, t), $top: '5000' }));
    expect(r.status).toBe(200);
    expect(r.json.value.map(key)).toEqual(rowsIn(tenant, t, t).map(key));
    expect(r.json.value.map(key)).toContain(key(target));
  });
});

describe('paging', () => {
  it('without a date filter returns exactly the rows of the last 48 hours, newest first', async () => {
    const tenant = defaultTenant();
    const { rows, pages } = await listAll(listUrl(sim, { $top: '250' }));
    const truth = rowsIn(tenant, NOW.getTime() - 48 * HOUR, NOW.getTime());
    expect(truth.length).toBeGreaterThan(500);
    expect(rows.map(key)).toEqual(truth.map(key));
    expect(pages.length).toBe(Math.ceil(truth.length / 250));
    // Older rows exist but were not returned.
    expect(tenant.rows.some((r) => Date.parse(r.receivedDateTime) < NOW.getTime() - 48 * HOUR)).toBe(true);
  });

  it('covers every matching row exactly once, newest first, with absolute nextLinks carrying $filter and $top', async () => {
    const tenant = defaultTenant();
    const start = NOW.getTime() - 10 * DAY;
    const filter = dateFilter(start, NOW);
    const { rows, pages } = await listAll(listUrl(sim, { $filter: filter, $top: '137' }));
    const truth = rowsIn(tenant, start, NOW.getTime());
    expect(truth.length).toBeGreaterThan(1000);
    expect(rows.map(key)).toEqual(truth.map(key));
    expect(new Set(rows.map(key)).size).toBe(rows.length);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i - 1]!.receivedDateTime >= rows[i]!.receivedDateTime).toBe(true);
    }
    pages.forEach((page, i) => {
      const next = page.json['@odata.nextLink'];
      if (i === pages.length - 1) {
        expect(next).toBeUndefined();
        expect(page.json.value.length).toBeLessThanOrEqual(137);
      } else {
        expect(page.json.value).toHaveLength(137);
        const u = new URL(next);
        expect(u.origin).toBe(sim.url);
        expect(u.pathname).toBe('/v1.0/admin/exchange/tracing/messageTraces');
        expect(u.searchParams.get('$filter')).toBe(filter);
        expect(u.searchParams.get('$top')).toBe('137');
        expect(u.searchParams.get('$skiptoken')).toBeTruthy();
      }
    });
  });

  it('defaults to 1000 rows a page and refuses a skiptoken reused with another query', async () => {
    const bulkSim = await startGraphSimulator({
      now: () => NOW,
      rateLimit: false,
      tenant: generateTenant({ now: NOW, messages: 100, bulkRows: { count: 2600, senderAddress: 'news@bulk.example', withinMinutes: 30 } }),
    });
    try {
      const first = await get(listUrl(bulkSim, { $filter: dateFilter(NOW.getTime() - HOUR, NOW, "senderAddress eq 'NEWS@bulk.example'") }));
      expect(first.json.value).toHaveLength(1000);
      const next = new URL(first.json['@odata.nextLink']);
      expect(next.searchParams.has('$top')).toBe(false);
      const all = await listAll(first.json['@odata.nextLink']);
      expect(all.rows.length + 1000).toBe(2600);
      const token = next.searchParams.get('$skiptoken')!;
      const mixed = await get(listUrl(bulkSim, { $top: '10', $skiptoken: token }));
      expect(mixed.status).toBe(400);
      expect(mixed.json.error.message).toMatch(/does not belong to this query/);
    } finally {
      await bulkSim.close();
    }
  });

  it('keeps the default 48-hour window fixed across pages while the clock moves', async () => {
    let clock = NOW.getTime();
    const moving = await startGraphSimulator({ now: () => new Date(clock), tenant: defaultTenant(), rateLimit: false });
    try {
      const first = await get(listUrl(moving, { $top: '300' }));
      clock += 6 * HOUR;
      const rest = await listAll(first.json['@odata.nextLink']);
      const truth = rowsIn(defaultTenant(), NOW.getTime() - 48 * HOUR, NOW.getTime());
      expect([...first.json.value, ...rest.rows].map(key)).toEqual(truth.map(key));
    } finally {
      await moving.close();
    }
  });
});

describe('recalled and Prefer: include-unknown-enum-members', () => {
  const range = dateFilter(NOW.getTime() - 10 * DAY, NOW);

  it('shows recalled rows as unknownFutureValue unless the Prefer header asks for them', async () => {
    const tenant = defaultTenant();
    const story = tenant.stories.recalled;
    const without = await get(listUrl(sim, { $filter: `id eq '${story.traceId}'` }));
    expect(without.json.value).toHaveLength(1);
    expect(without.json.value[0].status).toBe('unknownFutureValue');
    expect(without.headers.get('preference-applied')).toBeNull();
    const withPrefer = await get(listUrl(sim, { $filter: `id eq '${story.traceId}'` }), { prefer: 'odata.maxpagesize=10, include-unknown-enum-members' });
    expect(withPrefer.json.value[0].status).toBe('recalled');
    expect(withPrefer.headers.get('preference-applied')).toBe('include-unknown-enum-members');
    expect(sim.requests.at(-1)!.prefer).toBe('odata.maxpagesize=10, include-unknown-enum-members');
  });

  it("status eq 'recalled' finds them either way; unknownFutureValue matches them only without the header", async () => {
    const truth = rowsIn(defaultTenant(), NOW.getTime() - 10 * DAY, NOW.getTime(), (r) => r.status === 'recalled');
    expect(truth.length).toBeGreaterThan(1);
    const plain = await get(listUrl(sim, { $filter: `${range} and status eq 'recalled'` }));
    expect(plain.json.value.map(key)).toEqual(truth.map(key));
    expect(new Set(plain.json.value.map((r: MessageTraceRow) => r.status))).toEqual(new Set(['unknownFutureValue']));
    const preferred = await get(listUrl(sim, { $filter: `${range} and status eq 'Recalled'` }), { prefer: 'include-unknown-enum-members' });
    expect(new Set(preferred.json.value.map((r: MessageTraceRow) => r.status))).toEqual(new Set(['recalled']));
    const sentinel = await get(listUrl(sim, { $filter: `${range} and status eq 'unknownFutureValue'` }));
    expect(sentinel.json.value.map(key)).toEqual(truth.map(key));
    const sentinelPreferred = await get(listUrl(sim, { $filter: `${range} and status eq 'unknownFutureValue'` }), { prefer: 'include-unknown-enum-members' });
    expect(sentinelPreferred.json.value).toEqual([]);
  });
});

describe('eq filters', () => {
  it('id eq returns every recipient row of the message; messageId and sender match case-insensitively', async () => {
    const tenant = defaultTenant();
    const story = tenant.stories.groupExpansion;
    const byId = await get(listUrl(sim, { $filter: `id eq '${story.traceId.toUpperCase()}'` }));
    expect(byId.json.value.length).toBe(tenant.rows.filter((r) => r.id === story.traceId).length);
    expect(byId.json.value.length).toBeGreaterThanOrEqual(4);
    const byMsg = await get(listUrl(sim, { $filter: `messageId eq '${story.messageId.toLowerCase()}' and senderAddress eq '${story.senderAddress.toUpperCase()}'` }));
    expect(byMsg.json.value.map(key).sort()).toEqual(byId.json.value.map(key).sort());
    const none = await get(listUrl(sim, { $filter: "senderAddress eq 'nobody@nowhere.example'" }));
    expect(none.status).toBe(200);
    expect(none.json.value).toEqual([]);
    expect(none.json['@odata.nextLink']).toBeUndefined();
  });
});
