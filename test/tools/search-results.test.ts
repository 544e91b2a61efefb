/**
 * The full row set of each search as MCP resources (message-trace://results/{id}.csv|json),
 * through a real MCP client: links in the tool result, list, templates, reads, expiry, redaction.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startHarness, structured, type Harness } from '../support/harness.js';
import { csvRecords } from '../support/csv.js';
import { rowsIn } from './ground-truth.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

async function read(uri: string): Promise<string> {
  const r = await h!.client.readResource({ uri });
  expect(r.contents).toHaveLength(1);
  return (r.contents[0] as { text: string }).text;
}

function links(r: CallToolResult) {
  return r.content.filter((c) => c.type === 'resource_link') as Array<{ uri: string; mimeType?: string; name: string }>;
}

describe('search result resources', () => {
  it('a search links its full row set; the CSV and JSON hold every row of the totals', async () => {
    h = await startHarness();
    const r = await h.call('search_traces', { startDateTime: daysAgo(4), limit: 5 });
    const s = structured(r);
    const truth = rowsIn(h.sim.tenant.rows, s.window);
    expect(s.rows).toHaveLength(5);
    expect(s.resultSet).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/),
      csvUri: `message-trace://results/${s.resultSet.id}.csv`,
      jsonUri: `message-trace://results/${s.resultSet.id}.json`,
      rows: truth.length,
      truncated: false,
      pages: 1,
    });
    expect(links(r).map((l) => [l.uri, l.mimeType])).toEqual([
      [s.resultSet.csvUri, 'text/csv'],
      [s.resultSet.jsonUri, 'application/json'],
    ]);

    const csv = csvRecords(await read(s.resultSet.csvUri));
    expect(csv).toHaveLength(s.totals.traces);
    // Every (trace, recipient) row once: per trace id, as many rows as the tenant has.
    const perTrace = (ids: string[]) => ids.reduce<Record<string, number>>((m, id) => ((m[id.toLowerCase()] = (m[id.toLowerCase()] ?? 0) + 1), m), {});
    expect(perTrace(csv.map((x) => x.traceId!))).toEqual(perTrace(truth.map((x) => x.id)));
    expect(new Set(csv.map((x) => `${x.traceId}|${x.recipientAddress}`)).size).toBe(csv.length);

    const json = JSON.parse(await read(s.resultSet.jsonUri));
    expect(json.rows).toHaveLength(s.totals.traces);
    expect(json).toMatchObject({ id: s.resultSet.id, complete: true, rowsCounted: s.totals.traces, rowsKept: s.totals.traces, window: s.window });
    for (const row of json.rows) expect(row.subject).toMatch(/^«.*»$/);
  });

  it('lists kept results and both templates, and tells the client when the list changes', async () => {
    h = await startHarness();
    let changed = 0;
    h.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
      changed++;
    });
    const { resourceTemplates } = await h.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => [t.name, t.uriTemplate, t.mimeType])).toEqual([
      ['search-results-csv', 'message-trace://results/{id}.csv', 'text/csv'],
      ['search-results-csv-pages', 'message-trace://results/{id}/page/{page}.csv', 'text/csv'],
      ['search-results-json', 'message-trace://results/{id}.json', 'application/json'],
      ['search-results-json-pages', 'message-trace://results/{id}/page/{page}.json', 'application/json'],
    ]);
    expect((await h.client.listResources()).resources).toEqual([]);
    const s = structured(await h.call('search_traces', { status: 'failed', limit: 1 }));
    const { resources } = await h.client.listResources();
    expect(resources.map((x) => x.uri)).toEqual([s.resultSet.csvUri, s.resultSet.jsonUri]);
    expect(resources[0]!.title).toMatch(/search for status failed, .*: \d+ rows/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(changed).toBeGreaterThanOrEqual(1);
  });

  it('keeps only the last 5 searches: an older id reads as expired, a made-up one as unknown (JSON-RPC error)', async () => {
    h = await startHarness();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(structured(await h.call('search_traces', { limit: 0 })).resultSet.id);
    const { resources } = await h.client.listResources();
    expect(resources).toHaveLength(10);
    expect(new Set(resources.map((x) => x.uri.replace(/^message-trace:\/\/results\/|\.(csv|json)$/g, '')))).toEqual(new Set(ids.slice(1)));

    const expired = h.client.readResource({ uri: `message-trace://results/${ids[0]}.csv` });
    // MCP 2026-07-28 numbers "resource not found" -32602 (it was -32002); the SDK sends -32602 on every revision.
    await expect(expired).rejects.toMatchObject({ code: -32602 });
    await expect(h.client.readResource({ uri: `message-trace://results/${ids[0]}.json` })).rejects.toThrow(
      new RegExp(`Search result "${ids[0]}" has expired: only the last 5 searches .* Run search_traces again`),
    );
    await expect(h.client.readResource({ uri: 'message-trace://results/0123456789ab.csv' })).rejects.toThrow(/"0123456789ab" is unknown or has expired .*Run search_traces again/);
    // The newest is still readable.
    expect(await read(`message-trace://results/${ids[5]}.json`)).toContain(ids[5]!);
  });

  it('a direction-filtered search keeps only the rows it counted', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_DOMAINS: 'contoso.com,contoso.onmicrosoft.com,4wrvkx.onmicrosoft.com' } });
    const s = structured(await h.call('search_traces', { direction: 'internal', startDateTime: daysAgo(3), limit: 0 }));
    const csv = csvRecords(await read(s.resultSet.csvUri));
    expect(csv).toHaveLength(s.totals.traces);
    expect(new Set(csv.map((x) => x.direction))).toEqual(new Set(['internal']));
  });

  it('honours MESSAGE_TRACE_REDACT=addresses in the kept rows, with the pseudonyms of the answer', async () => {
    h = await startHarness({ env: { MESSAGE_TRACE_REDACT: 'addresses' } });
    const s = structured(await h.call('search_traces', { startDateTime: daysAgo(3), limit: 10 }));
    const csvText = await read(s.resultSet.csvUri);
    const jsonText = await read(s.resultSet.jsonUri);
    const truth = rowsIn(h.sim.tenant.rows, s.window);
    const locals = new Set(truth.flatMap((x) => [x.senderAddress, x.recipientAddress]).map((a) => a.slice(0, a.lastIndexOf('@')).toLowerCase()).filter((l) => l.length > 3));
    const [csvLower, jsonLower] = [csvText.toLowerCase(), jsonText.toLowerCase()];
    for (const local of locals) {
      expect(csvLower).not.toContain(`${local}@`);
      expect(jsonLower).not.toContain(`${local}@`);
    }
    const csv = new Map(csvRecords(csvText).map((x) => [`${x.traceId} ${x.recipientAddress}`, x]));
    for (const row of s.rows) {
      const match = csv.get(`${row.traceId} ${row.recipientAddress}`);
      expect(match, `${row.traceId} ${row.recipientAddress}`).toBeDefined();
      expect(match!.senderAddress).toBe(row.senderAddress);
    }
  });
});
