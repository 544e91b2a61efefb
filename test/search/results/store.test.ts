import { describe, expect, it } from 'vitest';
import type { MessageTraceRow } from '../../../src/graph/types.js';
import { AddressRenderer } from '../../../src/output/addresses.js';
import { traceRow } from '../../support/rows.js';
import { csvField, ResultStore, resultUri, toCsv, toJson, type KeptResult } from '../../../src/search/results/store.js';

let n = 0;
function row(over: Partial<MessageTraceRow> = {}): MessageTraceRow {
  n++;
  return traceRow(over, n);
}

function keepRows(store: ResultStore, count: number, opts: { redact?: boolean; timeZone?: string; addresses?: AddressRenderer } = {}): KeptResult {
  const c = store.collect({
    description: 'status failed',
    window: { start: '2026-05-01T00:00:00.000Z', end: '2026-05-03T00:00:00.000Z' },
    timeZone: opts.timeZone ?? 'UTC',
    addresses: opts.addresses ?? new AddressRenderer(opts.redact ?? false),
  });
  for (let i = 0; i < count; i++) c.add(row(), i % 3 === 0 ? 'outbound' : 'inbound');
  return store.keep(c, true)!;
}

/** A minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      fields.push(field);
      records.push(fields);
      fields = [];
      field = '';
      i++;
    } else field += ch;
  }
  return records;
}

describe('ResultStore bounds', () => {
  it('keeps the last N searches; older ids read as expired, never-seen ones as unknown', () => {
    const changes: number[] = [];
    const store = new ResultStore({ maxResults: 3, maxRows: 1000, onChange: () => changes.push(store.list().length) });
    const ids = Array.from({ length: 5 }, () => keepRows(store, 2).id);
    expect(store.list().map((r) => r.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(store.lookup(ids[0]!)).toEqual({ missing: 'expired' });
    expect(store.lookup(ids[1]!)).toEqual({ missing: 'expired' });
    expect(store.lookup('nope')).toEqual({ missing: 'unknown' });
    expect('result' in store.lookup(ids[4]!)).toBe(true);
    expect(changes).toEqual([1, 2, 3, 3, 3]);
    expect(store.missingMessage(ids[0]!, 'expired')).toMatch(/has expired: only the last 3 searches .* are kept, in memory.*Run search_traces again/);
    expect(store.missingMessage('nope', 'unknown')).toMatch(/"nope" is unknown or has expired.*Run search_traces again/);
  });

  it('evicts the oldest sets until the rows kept fit the row cap', () => {
    const store = new ResultStore({ maxResults: 10, maxRows: 100 });
    const a = keepRows(store, 40);
    const b = keepRows(store, 40);
    expect(store.rowCount).toBe(80);
    const c = keepRows(store, 30);
    expect(store.list().map((r) => r.id)).toEqual([c.id, b.id]);
    expect(store.rowCount).toBe(70);
    expect(store.lookup(a.id)).toEqual({ missing: 'expired' });
    // An evicted set's rows are freed at once, not left for the garbage collector.
    expect(a.rows.length).toBe(0);
    expect(a.rows.byteLength).toBe(0);
  });

  it('evicts older sets only when a new search is kept: a search that never finishes costs nothing', () => {
    let changes = 0;
    const store = new ResultStore({ maxResults: 5, maxRows: 100, onChange: () => changes++ });
    const a = keepRows(store, 60);
    const b = keepRows(store, 30);
    changes = 0;
    const c = store.collect({ description: '', window: { start: '', end: '' }, timeZone: 'UTC', addresses: new AddressRenderer(false) });
    for (let i = 0; i < 11; i++) c.add(row(), 'inbound');
    // Past the bound while collecting, and still nothing is evicted (the search may be cancelled).
    expect(store.lookup(a.id)).toHaveProperty('result');
    expect(store.lookup(b.id)).toHaveProperty('result');
    expect(changes).toBe(0);
    store.keep(c, true);
    expect(store.lookup(a.id)).toEqual({ missing: 'expired' });
    expect(a.rows.length).toBe(0);
    expect(store.rowCount).toBe(41);
    expect(store.list().map((r) => r.rows.length)).toEqual([11, 30]);
  });

  it('caps one search at the row cap, keeping the count it saw', () => {
    const store = new ResultStore({ maxResults: 5, maxRows: 50 });
    keepRows(store, 10);
    const big = keepRows(store, 120);
    expect(big.rows).toHaveLength(50);
    expect(big.directions).toHaveLength(50);
    expect(big.rowsCounted).toBe(120);
    expect(store.rowCount).toBe(50);
    expect(store.list()).toHaveLength(1);
    expect(JSON.parse(toJson(big)).note).toBe('Only the first 50 of 120 rows are kept.');
  });

  it('keeps nothing for a search without rows', () => {
    const store = new ResultStore();
    expect(keepRows(store, 0)).toBeUndefined();
    expect(store.list()).toEqual([]);
  });

  it('does not hold a 10,000-character subject whole', () => {
    const store = new ResultStore();
    const c = store.collect({ description: '', window: { start: '', end: '' }, timeZone: 'UTC', addresses: new AddressRenderer(false) });
    c.add(row({ subject: 'x'.repeat(10_000) }), 'inbound');
    const kept = store.keep(c, true)!;
    expect(kept.rows.get(0).subject.length).toBe(2000);
    expect(JSON.parse(toJson(kept)).rows[0].subject.length).toBeLessThan(1100);
  });
});

describe('ResultStore owners (HTTP mode: one caller\'s sets are invisible to others)', () => {
  const keepFor = (store: ResultStore, owner: string | undefined): KeptResult => {
    const view = store.forOwner(owner);
    const c = view.collect({ description: '', window: { start: '2026-05-01T00:00:00.000Z', end: '2026-05-02T00:00:00.000Z' }, timeZone: 'UTC', addresses: new AddressRenderer(false) });
    c.add(row(), 'inbound');
    return view.keep(c, true)!;
  };

  it('lists and finds a set for its owner only; to anyone else it is an unknown id, also once expired', () => {
    const store = new ResultStore({ maxResults: 2 });
    const alice = keepFor(store, 'alice');
    const bob = keepFor(store, 'bob');
    expect(store.list('alice').map((r) => r.id)).toEqual([alice.id]);
    expect(store.list('bob').map((r) => r.id)).toEqual([bob.id]);
    expect(store.list(undefined)).toEqual([]);
    expect(store.lookup(alice.id, 'alice')).toEqual({ result: alice });
    expect(store.lookup(alice.id, 'bob')).toEqual(store.lookup('000000000000', 'bob'));
    expect(store.lookup(alice.id, undefined)).toEqual({ missing: 'unknown' });
    keepFor(store, 'carol');
    expect(store.lookup(alice.id, 'alice')).toEqual({ missing: 'expired' });
    expect(store.lookup(alice.id, 'bob')).toEqual({ missing: 'unknown' });
  });
});

describe('CSV export', () => {
  it('quotes every field, doubles quotes, neutralises formula starts', () => {
    expect(csvField('plain')).toBe('"plain"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    for (const f of ['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '＝1+1']) expect(csvField(f)).toBe(`"'${f.replace(/"/g, '""')}"`);
    expect(csvField(42)).toBe('"42"');
  });

  it('has a header, one CRLF record per row, sanitized values, local time and direction', () => {
    const store = new ResultStore();
    const c = store.collect({ description: '', window: { start: '', end: '' }, timeZone: 'Europe/Prague', addresses: new AddressRenderer(false) });
    c.add(row({ subject: '=cmd|\' /C calc\'!A0\r\nBcc: x', toIP: '52.101.1.1' }), 'outbound');
    c.add(row({ subject: 'Pay\u200bment, "now"\u001b[31m', status: 'weird' }), 'inbound');
    const csv = toCsv(store.keep(c, true)!);
    expect(csv.endsWith('\r\n')).toBe(true);
    const records = parseCsv(csv);
    expect(records[0]).toEqual(['receivedDateTime', 'localTime', 'traceId', 'senderAddress', 'recipientAddress', 'status', 'direction', 'subject', 'size', 'messageId', 'fromIP', 'toIP']);
    expect(records).toHaveLength(3);
    const [first, second] = [records[1]!, records[2]!];
    expect(first[1]).toBe('2026-05-02 12:00');
    expect(first[5]).toBe('delivered');
    expect(first[6]).toBe('outbound');
    expect(first[7]).toBe("'=cmd|' /C calc'!A0 Bcc: x");
    expect(first[11]).toBe('52.101.1.1');
    expect(second[7]).toBe('Payment, "now"');
    expect(second[5]).toBe('weird');
    for (const r of records.slice(1)) expect(r).toHaveLength(12);
  });

  it('with redaction uses the answer\'s pseudonyms and hides addresses in subjects and message ids', () => {
    const addresses = new AddressRenderer(true);
    const shownInAnswer = addresses.address('bob@contoso.com');
    const store = new ResultStore();
    const c = store.collect({ description: '', window: { start: '', end: '' }, timeZone: 'UTC', addresses });
    c.add(row({ subject: 'Reply to carol@contoso.com please', senderAddress: 'zoë.ångström@contoso.com' }), 'internal');
    const kept = store.keep(c, true)!;
    const csv = toCsv(kept);
    const json = toJson(kept);
    for (const text of [csv, json]) {
      expect(text).not.toMatch(/bob@|carol@|ann@|zoë|ångstr/i);
      expect(text).toContain(shownInAnswer);
    }
    const [header, values] = parseCsv(csv) as [string[], string[]];
    const rec = Object.fromEntries(header.map((h, i) => [h, values[i]]));
    expect(header).not.toContain('localTime');
    expect(rec.senderAddress).toMatch(/^user\d+@contoso\.com$/);
    expect(rec.subject).toMatch(/^Reply to user\d+@contoso\.com please$/);
    // CSV and JSON agree on every pseudonym.
    const j = JSON.parse(json).rows[0];
    expect(j.senderAddress).toBe(rec.senderAddress);
    expect(j.subject).toBe(`«${rec.subject}»`);
  });
});

describe('JSON export', () => {
  it('carries the search, the counts and rows with mail text fenced', () => {
    const store = new ResultStore();
    const kept = keepRows(store, 3);
    const j = JSON.parse(toJson(kept));
    expect(j).toMatchObject({ id: kept.id, search: 'status failed', timeZone: 'UTC', complete: true, rowsCounted: 3, rowsKept: 3 });
    expect(j.note).toBeUndefined();
    expect(j.dataNotice).toMatch(/untrusted mail data/);
    expect(j.rows.map((r: any) => r.direction)).toEqual(['outbound', 'inbound', 'inbound']);
    expect(j.rows[0]).toMatchObject({ subject: '«Hello»', status: 'delivered', size: 1234, senderAddress: 'ann@fabrikam.com' });
    expect(j.rows[0].localTime).toBeUndefined();
    expect(resultUri(kept.id, 'json')).toBe(`message-trace://results/${kept.id}.json`);
  });
});
