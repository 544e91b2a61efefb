import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilterSyntaxError, parseDateTimeOffset, parseFilter } from '../../../src/demo/simulator/filter-grammar.js';
import type { GraphSimulator } from '../../../src/demo/simulator/server.js';
import { DAY, NOW, get, listUrl, startSim } from './helpers.js';

function rejects(text: string): FilterSyntaxError {
  try {
    parseFilter(text);
  } catch (err) {
    expect(err).toBeInstanceOf(FilterSyntaxError);
    return err as FilterSyntaxError;
  }
  throw new Error(`parseFilter accepted: ${text}`);
}

describe('parseFilter: accepted forms', () => {
  it('parses every documented eq property', () => {
    for (const prop of ['id', 'messageId', 'senderAddress', 'recipientAddress', 'status', 'fromIP', 'toIP']) {
      const value = prop === 'status' ? 'delivered' : 'x@contoso.com';
      expect(parseFilter(`${prop} eq '${value}'`)).toEqual([{ kind: 'eq', property: prop, value }]);
    }
  });

  it('parses the date range with Z, offsets, fractions and no seconds', () => {
    const c = parseFilter('receivedDateTime ge 2026-01-20T00:00:00Z and receivedDateTime le 2026-01-23T01:30:00+01:30');
    expect(c).toHaveLength(2);
    expect(c[0]).toMatchObject({ kind: 'receivedDateTime', operator: 'ge', literal: '2026-01-20T00:00:00Z' });
    expect((c[0] as { value: Date }).value.toISOString()).toBe('2026-01-20T00:00:00.000Z');
    expect((c[1] as { value: Date }).value.toISOString()).toBe('2026-01-23T00:00:00.000Z');
    expect(parseDateTimeOffset('2026-03-04T05:06:07.1234567Z').toISOString()).toBe('2026-03-04T05:06:07.123Z');
    expect(parseDateTimeOffset('2026-03-04T05:06-02:00').toISOString()).toBe('2026-03-04T07:06:00.000Z');
  });

  it('parses the subject functions, case-insensitively, with doubled quotes', () => {
    expect(parseFilter("contains(subject, 'Weekly digest')")).toEqual([{ kind: 'subject', fn: 'contains', value: 'Weekly digest' }]);
    expect(parseFilter("STARTSWITH(subject,'RE:')")).toEqual([{ kind: 'subject', fn: 'startsWith', value: 'RE:' }]);
    expect(parseFilter("endswith(subject,'it''s')")).toEqual([{ kind: 'subject', fn: 'endsWith', value: "it's" }]);
    expect(parseFilter("recipientAddress eq 'pat.o''neil@contoso.com'")).toEqual([
      { kind: 'eq', property: 'recipientAddress', value: "pat.o'neil@contoso.com" },
    ]);
    expect(parseFilter("messageId eq '<AB12@x.prod.outlook.com>'")).toEqual([{ kind: 'eq', property: 'messageId', value: '<AB12@x.prod.outlook.com>' }]);
    expect(parseFilter("senderAddress eq ''''")).toEqual([{ kind: 'eq', property: 'senderAddress', value: "'" }]);
    expect(parseFilter("toIP eq ''")).toEqual([{ kind: 'eq', property: 'toIP', value: '' }]);
  });

  it('joins clauses with and (any case), allows parentheses, and the documented example', () => {
    const c = parseFilter(
      "(receivedDateTime ge 2026-01-20T00:00:00Z AND receivedDateTime le 2026-01-23T00:00:00Z) And contains(subject, 'Weekly digest') and recipientAddress eq 'test@contoso.com'",
    );
    expect(c.map((x) => x.kind)).toEqual(['receivedDateTime', 'receivedDateTime', 'subject', 'eq']);
    expect(parseFilter("((status eq 'Failed'))")).toEqual([{ kind: 'eq', property: 'status', value: 'Failed' }]);
  });

  it('accepts property names and operators case-insensitively', () => {
    expect(parseFilter("RecipientAddress EQ 'a@b.c'")).toEqual([{ kind: 'eq', property: 'recipientAddress', value: 'a@b.c' }]);
  });
});

describe('parseFilter: rejected forms name what was rejected', () => {
  const cases: [string, RegExp][] = [
    ["recipientAddress eq 'a@x.com' or recipientAddress eq 'b@x.com'", /'or' at position 31 is not supported/],
    ["not (status eq 'failed')", /'not' at position 1 is not supported/],
    ["recipientAddress in ('a@x.com','b@x.com')", /operator 'in' is not supported on recipientAddress/],
    ["status ne 'delivered'", /operator 'ne' is not supported on status/],
    ['receivedDateTime lt 2026-01-20T00:00:00Z', /operator 'lt' is not supported on receivedDateTime/],
    ['receivedDateTime gt 2026-01-20T00:00:00Z', /operator 'gt' is not supported on receivedDateTime/],
    ['receivedDateTime eq 2026-01-20T00:00:00Z', /operator 'eq' is not supported on receivedDateTime/],
    ["subject eq 'Quarterly Report'", /'eq' is not supported on subject/],
    ["contains(senderAddress,'contoso')", /contains\(\) is supported only on subject, not on 'senderAddress'/],
    ["startswith(recipientAddress,'adele')", /startsWith\(\) is supported only on subject, not on 'recipientAddress'/],
    ["foo eq 'bar'", /unknown property 'foo'/],
    ['size eq 100', /property 'size' at position 1 cannot be used/],
    ["tolower(subject) eq 'x'", /function 'tolower' at position 1 is not supported/],
    ["recipientAddress eq 'unterminated", /unterminated string literal starting at position 21/],
    ["(status eq 'failed'", /unbalanced parenthesis: '\(' at position 1 is never closed/],
    ["status eq 'failed')", /unbalanced parenthesis: unexpected '\)' at position 19/],
    ["contains(subject,'x'", /'\(' at position 9 of contains\(\) is never closed/],
    ["status eq 'failed' junk", /unexpected 'junk' at position 20; expected 'and' or the end/],
    ["status eq 'failed' and", /unexpected end of the filter/],
    ["status eq 'failed' and status eq 'delivered'", /'status' is given twice/],
    ["contains(subject,'a') and startsWith(subject,'b')", /subject is given twice/],
    ['receivedDateTime ge 2026-01-20T00:00:00Z and receivedDateTime ge 2026-01-21T00:00:00Z', /'receivedDateTime ge' is given twice/],
    ["receivedDateTime ge '2026-01-20T00:00:00Z'", /unquoted DateTimeOffset literal/],
    ['receivedDateTime ge 2026-01-20T00:00:00', /no time-zone designator.*%2B/],
    ['receivedDateTime ge 2026-02-30T00:00:00Z', /not a valid date and time/],
    ['receivedDateTime ge 2026-01-20', /not a DateTimeOffset literal/],
    ['status eq delivered', /expected a quoted string after 'status eq'/],
    ["status eq 'bogus'", /'bogus' is not a valid exchangeMessageTraceStatus value/],
    ['status eq "failed"', /double quote at position 11; string literals use single quotes/],
    ["id eq 'a' ; drop", /unexpected character ';' at position 11/],
    ['', /\$filter is empty/],
    ["status 'failed'", /expected an operator after 'status'/],
    ["contains('x', subject)", /must name the property first/],
  ];
  it.each(cases)('rejects %j', (text, pattern) => {
    const err = rejects(text);
    expect(err.message).toMatch(pattern);
    expect(err.message.startsWith('Invalid filter clause: ')).toBe(true);
  });
});

describe('$filter over HTTP', () => {
  let sim: GraphSimulator;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('answers 400 BadRequest naming the rejected construct', async () => {
    const bad: [string, string][] = [
      ["recipientAddress eq 'a@x.com' or recipientAddress eq 'b@x.com'", "'or'"],
      ["not (status eq 'failed')", "'not'"],
      ["recipientAddress in ('a@x.com')", "'in'"],
      ["status ne 'failed'", "'ne'"],
      ["subject eq 'x'", 'subject'],
      ["contains(senderAddress,'x')", "'senderAddress'"],
      ["bogus eq 'x'", "'bogus'"],
      ["status eq 'failed", 'unterminated string'],
      ["(status eq 'failed'", 'unbalanced parenthesis'],
      ["status eq 'failed' trailing", "'trailing'"],
      ["status eq 'failed' and status eq 'pending'", 'given twice'],
    ];
    for (const [filter, named] of bad) {
      const r = await get(listUrl(sim, { $filter: filter }));
      expect(r.status, filter).toBe(400);
      expect(r.json.error.code).toBe('BadRequest');
      expect(r.json.error.message).toContain(named);
    }
  });

  it('applies accepted filters: quotes, case-insensitive subject and status, toIP blank', async () => {
    const range = `receivedDateTime ge ${new Date(NOW.getTime() - 9 * DAY).toISOString()} and receivedDateTime le ${NOW.toISOString()}`;
    const quoted = await get(listUrl(sim, { $filter: `${range} and contains(subject,'O''Brien''s ''final''')`, $top: '5000' }));
    expect(quoted.status).toBe(200);
    expect(quoted.json.value.length).toBeGreaterThan(0);
    for (const r of quoted.json.value) expect(r.subject).toContain("O'Brien's 'final'");

    const upper = await get(listUrl(sim, { $filter: `${range} and startsWith(subject,'ACTION REQUIRED')` }));
    expect(upper.json.value.map((r: any) => r.subject)).toContain('Action required: your password expires today');

    const ends = await get(listUrl(sim, { $filter: `${range} and endsWith(subject,'GPJ.EXE')`, $top: '5000' }));
    expect(ends.json.value.length).toBeGreaterThan(0);

    const status = await get(listUrl(sim, { $filter: `${range} and status eq 'DELIVERED'`, $top: '5000' }));
    expect(status.json.value.length).toBeGreaterThan(100);
    expect(new Set(status.json.value.map((r: any) => r.status))).toEqual(new Set(['delivered']));

    const inbound = await get(listUrl(sim, { $filter: `${range} and toIP eq ''`, $top: '5000' }));
    expect(inbound.json.value.length).toBeGreaterThan(0);
    for (const r of inbound.json.value) expect(r.toIP).toBe('');

    const apostrophe = await get(listUrl(sim, { $filter: `${range} and recipientAddress eq 'PAT.O''NEIL@contoso.com'`, $top: '5000' }));
    expect(apostrophe.json.value.length).toBeGreaterThan(0);
    for (const r of apostrophe.json.value) expect(r.recipientAddress).toBe("pat.o'neil@contoso.com");
  });
});
