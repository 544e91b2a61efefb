/**
 * The simulator's two readings of `eq '*@domain'` on addresses: as a domain wildcard (what a
 * third-party lab observed Graph doing) or as literal text (what the documented `eq` means).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../../src/demo/simulator/server.js';
import { DAY, NOW, dateFilter, defaultTenant, key, listAll, listUrl, rowsIn, startSim } from './helpers.js';

const domainOf = (a: string) => a.slice(a.lastIndexOf('@') + 1).toLowerCase();
const START = NOW.getTime() - 7 * DAY;

let honours: GraphSimulator;
let literal: GraphSimulator;
beforeAll(async () => {
  [honours, literal] = await Promise.all([startSim(), startSim({ addressWildcards: 'literal' })]);
});
afterAll(async () => {
  await Promise.all([honours.close(), literal.close()]);
});

describe("address wildcards ('*@domain')", () => {
  it('by default reads *@domain as every address at that domain, case-insensitively, and nothing else', async () => {
    const want = rowsIn(defaultTenant(), START, NOW.getTime(), (r) => domainOf(r.senderAddress) === 'contoso.com');
    expect(want.length).toBeGreaterThan(50);
    const { rows } = await listAll(listUrl(honours, { $filter: dateFilter(START, NOW, "senderAddress eq '*@CONTOSO.com'"), $top: '5000' }));
    expect(rows.map(key).sort()).toEqual(want.map(key).sort());

    const to = rowsIn(defaultTenant(), START, NOW.getTime(), (r) => domainOf(r.recipientAddress) === 'gmail.com');
    expect(to.length).toBeGreaterThan(0);
    const got = await listAll(listUrl(honours, { $filter: dateFilter(START, NOW, "recipientAddress eq '*@gmail.com'"), $top: '5000' }));
    expect(got.rows.map(key).sort()).toEqual(to.map(key).sort());
  });

  it('matches nothing for other patterns (subdomain or partial wildcards)', async () => {
    for (const pattern of ['*contoso*', '*@*.com', 'adele*@contoso.com']) {
      const { rows } = await listAll(listUrl(honours, { $filter: dateFilter(START, NOW, `senderAddress eq '${pattern}'`) }));
      expect(rows, pattern).toHaveLength(0);
    }
  });

  it('with addressWildcards: literal, *@domain is compared as text and matches nothing', async () => {
    const { rows } = await listAll(listUrl(literal, { $filter: dateFilter(START, NOW, "senderAddress eq '*@contoso.com'") }));
    expect(rows).toHaveLength(0);
    const exact = rowsIn(defaultTenant(), START, NOW.getTime(), (r) => r.senderAddress.toLowerCase() === 'adele.vance@contoso.com');
    const plain = await listAll(listUrl(literal, { $filter: dateFilter(START, NOW, "senderAddress eq 'adele.vance@contoso.com'"), $top: '5000' }));
    expect(plain.rows.map(key).sort()).toEqual(exact.map(key).sort());
  });
});
