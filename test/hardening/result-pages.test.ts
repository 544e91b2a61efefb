/**
 * Result sets that real clients can read: every single resources/read stays under 8 MiB (the SDK's
 * stdio client refuses more than 10 MiB and disconnects), through numbered pages that the answer
 * lists and resources/templates/list announces. Page 1 keeps the set's original URI.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RequestBudget } from '../../src/graph/budget.js';
import { generateTenant } from '../../src/demo/simulator/tenant.js';
import { startHarness, structured, text, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MiB = 1024 * 1024;

async function read(uri: string): Promise<string> {
  const r = await h!.client.readResource({ uri });
  return (r.contents[0] as { text: string }).text;
}

describe('result set pages', () => {
  it('a set larger than a page is read in numbered pages, each within the budget, together every row once', async () => {
    const pageBytes = 64 * 1024;
    h = await startHarness({ results: { pageBytes }, budget: new RequestBudget(1_000_000), sim: { rateLimit: false } });
    const r = await h.call('search_traces', { startDateTime: new Date(Date.now() - 5 * 86_400_000).toISOString(), limit: 0 });
    const set = structured(r).resultSet;
    expect(set.pages).toBeGreaterThan(2);
    expect(set.morePages).toHaveLength(set.pages - 1);
    // Discoverable from the answer: structured, text and resource links.
    const links = r.content.filter((c) => c.type === 'resource_link').map((c) => (c as { uri: string }).uri);
    for (const p of set.morePages) {
      expect(links).toContain(p.csvUri);
      expect(links).toContain(p.jsonUri);
      expect(text(r)).toContain(p.csvUri);
    }
    // …and from resources/templates/list and resources/list.
    const templates = (await h.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(expect.arrayContaining(['message-trace://results/{id}/page/{page}.csv', 'message-trace://results/{id}/page/{page}.json']));
    const listed = (await h.client.listResources()).resources.map((x) => x.uri);
    expect(listed).toEqual(expect.arrayContaining(set.morePages.map((p: { csvUri: string }) => p.csvUri)));

    const uris = [{ csv: set.csvUri, json: set.jsonUri }, ...set.morePages.map((p: { csvUri: string; jsonUri: string }) => ({ csv: p.csvUri, json: p.jsonUri }))];
    const seen = new Set<string>();
    let header: string | undefined;
    for (const [i, u] of uris.entries()) {
      const csv = await read(u.csv);
      const json = JSON.parse(await read(u.json));
      expect(Buffer.byteLength(csv)).toBeLessThan(pageBytes + 1024);
      expect(Buffer.byteLength(JSON.stringify(json))).toBeLessThan(pageBytes + 2048);
      const lines = csv.trimEnd().split('\r\n');
      header ??= lines[0];
      expect(lines[0]).toBe(header); // every page is a whole CSV file
      for (const line of lines.slice(1)) {
        expect(seen.has(line), 'a row on two pages').toBe(false);
        seen.add(line);
      }
      expect(json.rows).toHaveLength(lines.length - 1);
      expect(json.page).toBe(i + 1);
      if (i + 1 < uris.length) expect(json.nextPage).toBe(uris[i + 1]!.json);
    }
    expect(seen.size).toBe(set.rows);
    await expect(h.client.readResource({ uri: set.csvUri.replace('.csv', `/page/${set.pages + 1}.csv`) })).rejects.toThrow(/has \d+ pages/);
  });

  it('a 50,000-row set: every read under 8 MiB, as CSV and as JSON', async () => {
    const now = new Date();
    const tenant = generateTenant({ now, bulkRows: { count: 50_000, senderAddress: 'digest@news.fabrikam.com' } });
    h = await startHarness({ sim: { tenant, rateLimit: false }, budget: new RequestBudget(1_000_000), now: () => now });
    const r = await h.call('search_traces', { startDateTime: new Date(now.getTime() - 2 * 3_600_000).toISOString(), limit: 0 }, { timeout: 120_000 });
    const set = structured(r).resultSet;
    expect(set.rows).toBeGreaterThanOrEqual(50_000);
    expect(set.pages).toBeGreaterThan(1);
    let total = 0;
    for (const u of [{ csv: set.csvUri, json: set.jsonUri }, ...(set.morePages ?? []).map((p: { csvUri: string; jsonUri: string }) => ({ csv: p.csvUri, json: p.jsonUri }))]) {
      for (const uri of [u.csv, u.json]) {
        const body = await read(uri);
        expect(Buffer.byteLength(body), uri).toBeLessThan(8 * MiB);
        if (uri.endsWith('.csv')) total += body.trimEnd().split('\r\n').length - 1;
      }
    }
    expect(total).toBe(set.rows);
  }, 180_000);
});
