/**
 * senderDomain / recipientDomain through a real MCP client, the server and the Graph simulator,
 * on both simulator readings of `*@domain` (honoured as a domain wildcard, or literal text):
 * every total is checked against the simulated tenant's own rows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AddressWildcards } from '../../src/demo/simulator/server.js';
import { startHarness, structured, text, type Harness } from '../support/harness.js';
import { domainOf, rowsIn, statusCounts } from './ground-truth.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DAY = 86_400_000;
const NOW = new Date();
const WEEK = { start: new Date(NOW.getTime() - 7 * DAY).toISOString(), end: NOW.toISOString() };
const week = { startDateTime: WEEK.start, endDateTime: WEEK.end };

function harness(mode: AddressWildcards, env?: Record<string, string>): Promise<Harness> {
  return startHarness({ now: () => NOW, sim: { now: () => NOW, addressWildcards: mode }, ...(env ? { env } : {}) });
}

/** The $filter values the server sent to the list endpoint. */
function filtersSent(x: Harness): string[] {
  return x.sim.requests.filter((r) => /messageTraces$/.test(r.path)).map((r) => r.query.$filter ?? '');
}

const graphRequests = (x: Harness) => x.sim.requests.length;

describe.each<AddressWildcards>(['domain', 'literal'])('domain filters when the simulator reads *@domain as %s', (mode) => {
  it('answers a 7-day domain question exactly, alone and with status, first and later in the process', async () => {
    h = await harness(mode);
    const all = rowsIn(h.sim.tenant.rows, WEEK);
    const fromContoso = rowsIn(h.sim.tenant.rows, WEEK, (r) => domainOf(r.senderAddress) === 'contoso.com');
    expect(fromContoso.length).toBeGreaterThan(20);

    // First domain search of the process: the exact baseline, then the one-off wildcard check.
    const first = structured(await h.call('search_traces', { ...week, senderDomain: 'Contoso.COM' }));
    expect(first.totals.traces).toBe(fromContoso.length);
    expect(first.totals.byStatus).toEqual(statusCounts(fromContoso));
    expect(first.complete).toBe(true);
    expect(first.rowsRead).toBe(all.length);
    expect(first.graphRequests).toBe(graphRequests(h));
    expect(first.notes.join(' ')).toMatch(new RegExp(`${all.length.toLocaleString('en-US')} rows read to find the ${fromContoso.length.toLocaleString('en-US')}`));
    expect(first.notes.join(' ')).toMatch(mode === 'domain' ? /checked once .* it does \(/ : /checked once .* it does not \(/);
    expect(filtersSent(h)[0]).not.toMatch(/senderAddress/);

    // Later: with status. Honoured → Graph is asked for the domain; literal → the window is read.
    const failedTo = rowsIn(h.sim.tenant.rows, WEEK, (r) => domainOf(r.senderAddress) === 'contoso.com' && r.status === 'failed');
    const before = graphRequests(h);
    const second = structured(await h.call('search_traces', { ...week, senderDomain: 'contoso.com', status: 'failed' }));
    expect(second.totals.traces).toBe(failedTo.length);
    expect(second.totals.byStatus).toEqual(statusCounts(failedTo));
    expect(second.graphRequests).toBe(graphRequests(h) - before);
    const sent = filtersSent(h).slice(-second.graphRequests);
    if (mode === 'domain') {
      expect(sent.every((f) => f.includes("senderAddress eq '*@contoso.com'"))).toBe(true);
      expect(second.rowsRead).toBe(failedTo.length);
    } else {
      expect(sent.some((f) => f.includes('*@'))).toBe(false);
      expect(second.rowsRead).toBe(rowsIn(h.sim.tenant.rows, WEEK, (r) => r.status === 'failed').length);
      expect(second.notes.join(' ')).toMatch(/does not honour '\*@domain' on senderAddress/);
    }
  });

  it('ORs a list of domains, ANDs the two sides, and honours recipientDomain with status', async () => {
    h = await harness(mode);
    const consumer = ['gmail.com', 'yahoo.com', 'outlook.com'];
    const want = rowsIn(h.sim.tenant.rows, WEEK, (r) => consumer.includes(domainOf(r.recipientAddress)));
    const s = structured(await h.call('search_traces', { ...week, recipientDomain: consumer }));
    expect(s.totals.traces).toBe(want.length);
    expect(s.totals.byStatus).toEqual(statusCounts(want));

    const both = rowsIn(h.sim.tenant.rows, WEEK, (r) => domainOf(r.senderAddress) === 'contoso.com' && domainOf(r.recipientAddress) === 'gmail.com');
    const b = structured(await h.call('search_traces', { ...week, senderDomain: 'contoso.com', recipientDomain: 'gmail.com' }));
    expect(b.totals.traces).toBe(both.length);

    const pending = rowsIn(h.sim.tenant.rows, WEEK, (r) => domainOf(r.recipientAddress) === 'gmail.com' && ['failed', 'pending'].includes(r.status));
    const p = structured(await h.call('search_traces', { ...week, recipientDomain: 'gmail.com', status: ['failed', 'pending'] }));
    expect(p.totals.traces).toBe(pending.length);
    expect(p.totals.byStatus).toEqual(statusCounts(pending));
  });

  it('reads senderAddress *@domain as senderDomain, and never sends it as an address', async () => {
    h = await harness(mode);
    const want = rowsIn(h.sim.tenant.rows, WEEK, (r) => domainOf(r.senderAddress) === 'contoso.com');
    const r = await h.call('search_traces', { ...week, senderAddress: '*@contoso.com' });
    const s = structured(r);
    expect(s.totals.traces).toBe(want.length);
    expect(s.notes.join(' ')).toMatch(/senderAddress \*@contoso\.com was read as senderDomain contoso\.com/);
    // The only '*@' Graph saw is the one-off wildcard check, never the search itself.
    expect(filtersSent(h).filter((f) => f.includes('*@'))).toHaveLength(s.notes.join(' ').includes('checked once') ? 1 : 0);
  });
});

describe('domain filters: inputs, guard, cap and the other features', () => {
  it('refuses address patterns and invalid domains with the field to use', async () => {
    h = await harness('domain');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ senderAddress: '*contoso*' }, /senderAddress takes full SMTP addresses .*not patterns[\s\S]*use senderDomain \(e\.g\. "contoso\.com"\)/],
      [{ recipientAddress: 'ann*@contoso.com' }, /recipientAddress takes full SMTP addresses[\s\S]*recipientDomain \(e\.g\. recipientDomain: "contoso\.com"\)/],
      [{ senderAddress: '@gmail.com' }, /senderAddress must be an SMTP address[\s\S]*for every address at gmail\.com use senderDomain \(e\.g\. senderDomain: "gmail\.com"\)/],
      [{ senderDomain: '*.contoso.com' }, /senderDomain matches domains exactly; wildcards are not supported/],
      [{ recipientDomain: 'ann@contoso.com' }, /recipientDomain takes a domain, not an address[\s\S]*"contoso\.com"[\s\S]*recipientAddress/],
      [{ senderDomain: 'not a domain' }, /senderDomain must be a domain name like contoso\.com/],
      // Text a URL host parser would cut, decode or read as IPv4 is refused, not searched as something else.
      [{ recipientDomain: 'contoso.com/evil' }, /recipientDomain must be a domain name like contoso\.com/],
      [{ senderDomain: '0/a.a@a.aa' }, /senderDomain takes a domain, not an address/],
      [{ senderDomain: '0x7f.1' }, /senderDomain must be a domain name like contoso\.com/],
      [{ senderDomain: '1.2.3.4' }, /senderDomain must be a domain name like contoso\.com/],
      [{ senderDomain: 'exa%6dple.com' }, /senderDomain matches domains exactly; wildcards are not supported/],
      [{ senderDomain: Array.from({ length: 21 }, (_, i) => `d${i}.com`) }, /senderDomain must be a domain name .* list of 1 to 20/],
      [{ senderAddress: ['ann@contoso.com', '*@fabrikam.com'] }, /mixes full addresses with a domain wildcard[\s\S]*senderDomain/],
      [{ senderAddress: '*@fabrikam.com', senderDomain: 'contoso.com' }, /Give the domains once, in senderDomain/],
    ];
    for (const [args, pattern] of cases) {
      const r = await h.call('search_traces', { ...week, ...args });
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(text(r), JSON.stringify(args)).toMatch(pattern);
    }
    expect(h.sim.requests).toHaveLength(0);
  });

  it('accepts @domain and *@domain in the domain field', async () => {
    h = await harness('literal');
    const want = rowsIn(h.sim.tenant.rows, WEEK, (r) => domainOf(r.senderAddress) === 'contoso.com');
    for (const senderDomain of ['@contoso.com', '*@contoso.com']) {
      expect(structured(await h.call('search_traces', { ...week, senderDomain })).totals.traces).toBe(want.length);
    }
  });

  it('never trusts a narrowed "none": when Graph stops honouring *@domain, the window is read again', async () => {
    h = await harness('domain');
    await h.call('search_traces', { ...week, senderDomain: 'contoso.com' }); // the check: honoured
    h.sim.setAddressWildcards('literal');
    const want = rowsIn(h.sim.tenant.rows, WEEK, (r) => domainOf(r.senderAddress) === 'fabrikam.com');
    expect(want.length).toBeGreaterThan(0);
    const s = structured(await h.call('search_traces', { ...week, senderDomain: 'fabrikam.com' }));
    expect(s.totals.traces).toBe(want.length);
    expect(s.notes.join(' ')).toMatch(/never trusted, so the window was read again/);
    // The verdict is withdrawn: the next search reads the window without the wildcard.
    const n = h.sim.requests.length;
    await h.call('search_traces', { ...week, senderDomain: 'fabrikam.com' });
    expect(filtersSent(h).slice(n - h.sim.requests.length).some((f) => f.includes('*@'))).toBe(false);
  });

  it('a domain with no mail in the window is a confirmed zero', async () => {
    h = await harness('domain');
    await h.call('search_traces', { ...week, senderDomain: 'contoso.com' });
    const s = structured(await h.call('search_traces', { ...week, senderDomain: 'no-mail-here.example' }));
    expect(s.totals.traces).toBe(0);
    expect(s.complete).toBe(true);
  });

  it('stops at the row cap with complete: false and suggests a shorter window', async () => {
    h = await harness('literal', { MESSAGE_TRACE_MAX_ROWS: '50' });
    const s = structured(await h.call('search_traces', { ...week, senderDomain: 'contoso.com' }));
    expect(s.complete).toBe(false);
    expect(s.rowsRead).toBe(50);
    expect(s.notes.join(' ')).toMatch(/row cap .* Ask for a shorter window \(e\.g\. the last 3 days\)/);
  });

  it('works with groupBy, direction and the exports', async () => {
    h = await harness('domain', { MESSAGE_TRACE_DOMAINS: 'contoso.com,contoso.onmicrosoft.com,4wrvkx.onmicrosoft.com' });
    const want = rowsIn(h.sim.tenant.rows, WEEK, (r) => domainOf(r.recipientAddress) === 'gmail.com' && domainOf(r.senderAddress) === 'contoso.com');
    expect(want.length).toBeGreaterThan(0);
    const r = await h.call('search_traces', { ...week, recipientDomain: 'gmail.com', direction: 'outbound', groupBy: ['day', 'status'] });
    const s = structured(r);
    expect(s.totals.traces).toBe(want.length);
    expect(s.report.totals.total).toBe(want.length);
    expect(s.resultSet.rows).toBe(want.length);
    const csv = await h.client.readResource({ uri: s.resultSet.csvUri });
    const body = (csv.contents[0] as { text: string }).text;
    expect(body.trim().split('\n')).toHaveLength(want.length + 1);
  });
});
