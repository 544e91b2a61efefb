import { afterAll, describe, expect, it } from 'vitest';
import { TRACE_STATUSES } from '../../../src/graph/types.js';
import { startGraphSimulator } from '../../../src/demo/simulator/server.js';
import { ADVERSARIAL_SUBJECTS, LONG_SUBJECT, generateTenant } from '../../../src/demo/simulator/tenant.js';
import { DAY, HOUR, NOW, dateFilter, defaultTenant, listAll, listUrl } from './helpers.js';

const domainOf = (a: string): string => a.slice(a.lastIndexOf('@') + 1).toLowerCase();

describe('generateTenant', () => {
  const tenant = defaultTenant();

  it('is deterministic: the same seed gives the same rows and details, another seed does not', () => {
    const again = generateTenant({ now: NOW });
    expect(again.rows).toEqual(tenant.rows);
    expect(again.stories).toEqual(tenant.stories);
    const sample = tenant.rows[123]!;
    expect(again.details(sample.id, sample.recipientAddress)).toEqual(tenant.details(sample.id, sample.recipientAddress));
    const other = generateTenant({ now: NOW, seed: 7 });
    expect(other.rows.map((r) => r.id)).not.toEqual(tenant.rows.map((r) => r.id));
    expect(other.stories.publishedSample.traceId).toBe(tenant.stories.publishedSample.traceId);
  });

  it('holds thousands of rows over the last 90 days, newest first', () => {
    expect(tenant.rows.length).toBeGreaterThan(3000);
    for (let i = 1; i < tenant.rows.length; i++) {
      expect(tenant.rows[i - 1]!.receivedDateTime >= tenant.rows[i]!.receivedDateTime).toBe(true);
    }
    const newest = Date.parse(tenant.rows[0]!.receivedDateTime);
    const oldest = Date.parse(tenant.rows.at(-1)!.receivedDateTime);
    expect(newest).toBeLessThanOrEqual(NOW.getTime());
    expect(NOW.getTime() - newest).toBeLessThan(HOUR);
    expect(NOW.getTime() - oldest).toBeGreaterThan(80 * DAY);
    expect(NOW.getTime() - oldest).toBeLessThan(90 * DAY);
    for (const r of tenant.rows) expect(r.receivedDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('has every status, all three directions and multi-recipient messages', () => {
    const statuses = new Set(tenant.rows.map((r) => r.status));
    for (const s of TRACE_STATUSES) expect(statuses, s).toContain(s);
    const own = new Set(tenant.domains);
    const inbound = tenant.rows.filter((r) => !own.has(domainOf(r.senderAddress)) && own.has(domainOf(r.recipientAddress)));
    const outbound = tenant.rows.filter((r) => own.has(domainOf(r.senderAddress)) && !own.has(domainOf(r.recipientAddress)));
    const internal = tenant.rows.filter((r) => own.has(domainOf(r.senderAddress)) && own.has(domainOf(r.recipientAddress)));
    expect(inbound.length).toBeGreaterThan(500);
    expect(outbound.length).toBeGreaterThan(500);
    expect(internal.length).toBeGreaterThan(500);
    for (const r of inbound) expect(r.toIP).toBe('');
    // Delivered outbound mail left for an MX; only the dropped OOF story never left.
    const sentOut = outbound.filter((r) => r.status === 'delivered' && r.id !== tenant.stories.oofDrop.traceId);
    for (const r of sentOut) expect(r.toIP, r.recipientAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const perId = new Map<string, number>();
    for (const r of tenant.rows) perId.set(r.id, (perId.get(r.id) ?? 0) + 1);
    expect([...perId.values()].filter((n) => n >= 3).length).toBeGreaterThan(50);
    expect(new Set(tenant.rows.map((r) => `${r.id}|${r.recipientAddress.toLowerCase()}`)).size).toBe(tenant.rows.length);
    expect(tenant.domains).toContain('contoso.com');
  });

  it('carries hostile and exotic subjects, including one of 10,000 characters, in the default window', () => {
    expect(LONG_SUBJECT).toHaveLength(10_000);
    const recent = tenant.rows.filter((r) => Date.parse(r.receivedDateTime) >= NOW.getTime() - 48 * HOUR);
    const subjects = new Set(recent.map((r) => r.subject));
    for (const s of [...ADVERSARIAL_SUBJECTS, LONG_SUBJECT]) expect(subjects.has(s), JSON.stringify(s.slice(0, 40))).toBe(true);
    const all = tenant.rows.map((r) => r.subject).join('\n');
    expect(all).toMatch(/Ignore previous instructions/);
    expect(all).toMatch(/\u200b/);
    expect(all).toMatch(/\u001b\[31m/);
    expect(all).toMatch(/[\u4e00-\u9fff]/);
    expect(all).toMatch(/\p{Extended_Pictographic}/u);
    expect(all).toMatch(/O'Brien/);
  });

  it('generates 50,000 bulk rows, merged into one sorted list', () => {
    // How fast is the bench's business (npm run bench builds such a tenant), not this test's.
    const big = generateTenant({ now: NOW, bulkRows: { count: 50_000, senderAddress: 'digest@news.fabrikam.com' } });
    const bulk = big.rows.filter((r) => r.senderAddress === 'digest@news.fabrikam.com');
    expect(bulk).toHaveLength(50_000);
    expect(big.rows.length).toBe(tenant.rows.length + 50_000);
    for (const r of bulk) {
      expect(r.status).toBe('delivered');
      expect(Date.parse(r.receivedDateTime)).toBeGreaterThanOrEqual(NOW.getTime() - HOUR);
    }
    for (let i = 1; i < big.rows.length; i++) expect(big.rows[i - 1]!.receivedDateTime >= big.rows[i]!.receivedDateTime).toBe(true);
    expect(big.details(bulk[0]!.id, bulk[0]!.recipientAddress)!.some((e) => e.event === 'Deliver')).toBe(true);
  });
});

describe('bulk rows over HTTP', () => {
  const sims: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.close()));
  });

  it('serves 12,000 matching rows in pages of 5,000, each exactly once', async () => {
    const tenant = generateTenant({ now: NOW, messages: 200, bulkRows: { count: 12_000, senderAddress: 'alerts@contoso.com', withinMinutes: 30 } });
    const sim = await startGraphSimulator({ now: () => NOW, tenant, rateLimit: false });
    sims.push(sim);
    const { rows, pages } = await listAll(
      listUrl(sim, { $filter: dateFilter(NOW.getTime() - HOUR, NOW, "senderAddress eq 'alerts@contoso.com'"), $top: '5000' }),
    );
    expect(pages.map((p) => p.json.value.length)).toEqual([5000, 5000, 2000]);
    expect(new Set(rows.map((r) => r.id)).size).toBe(12_000);
  });
});
