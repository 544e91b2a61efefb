/**
 * The `$filter` builder against the simulator's strict grammar (the documented Graph grammar):
 * for any TraceQuery, whatever its strings hold (quotes, parentheses, `and` / `or` words, OData
 * and URL syntax, unicode, controls), the filter parses and yields exactly the intended clauses,
 * in order, with the intended values. No value can add, remove or change a clause.
 *
 * Cases: 3 properties × 400 runs = 1,200 (pure functions, well under a second).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFilter, listPath, type SubjectMatch, type TraceQuery } from '../../src/graph/filter.js';
import { parseFilter, type FilterClause } from '../../src/demo/simulator/filter-grammar.js';
import { adversarialText, isWellFormed, statusArb } from './fuzz-arbitraries.js';

const RUNS = 400;

/** Values built to look like filter syntax, mixed with any adversarial text. */
const filterWords = fc
  .array(
    fc.constantFrom("'", "''", '(', ')', ',', ' and ', ' or ', ' eq ', 'not ', "status eq 'failed'", 'receivedDateTime', 'contains(subject,', ' in (', '%20', '+', '$filter='),
    { minLength: 1, maxLength: 10 },
  )
  .map((parts) => parts.join(''));
const value = fc.oneof(adversarialText, filterWords);

const dateArb = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });

const queryArb: fc.Arbitrary<TraceQuery> = fc.record(
  {
    start: dateArb,
    end: dateArb,
    senderAddress: value,
    recipientAddress: value,
    status: statusArb,
    messageId: value,
    traceId: value,
    subject: fc.record({ text: value, match: fc.constantFrom<SubjectMatch>('contains', 'startsWith', 'endsWith') }),
    fromIP: value,
    toIP: value,
  },
  { requiredKeys: ['start', 'end'] },
);

/** The eq clauses a query can carry, in the order the builder writes them (filter property, query key). */
const EQ_ORDER = [
  ['id', 'traceId'],
  ['messageId', 'messageId'],
  ['senderAddress', 'senderAddress'],
  ['recipientAddress', 'recipientAddress'],
  ['status', 'status'],
  ['fromIP', 'fromIP'],
  ['toIP', 'toIP'],
] as const;

/** What the filter must say: the window, then each given property once, in the builder's order. */
function intended(q: TraceQuery): FilterClause[] {
  const second = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);
  const literal = (d: Date) => second(d).toISOString().replace('.000Z', 'Z');
  const out: FilterClause[] = [
    { kind: 'receivedDateTime', operator: 'ge', value: second(q.start), literal: literal(q.start) },
    { kind: 'receivedDateTime', operator: 'le', value: second(q.end), literal: literal(q.end) },
  ];
  for (const [property, key] of EQ_ORDER) {
    const v = q[key];
    if (v !== undefined) out.push({ kind: 'eq', property, value: v });
  }
  if (q.subject) out.push({ kind: 'subject', fn: q.subject.match, value: q.subject.text });
  return out;
}

describe('buildFilter round-trips through the strict $filter grammar', () => {
  it('parses to exactly the intended clauses, values unchanged, for any strings', () => {
    fc.assert(
      fc.property(queryArb, (q) => {
        expect(parseFilter(buildFilter(q))).toEqual(intended(q));
      }),
      { numRuns: RUNS },
    );
  });

  it('survives the URL: the $filter the simulator decodes from listPath is the same filter', () => {
    // Lone surrogates cannot be sent in a URL (they become U+FFFD); the tool schemas refuse them.
    const wellFormed = queryArb.filter((q) => [q.senderAddress, q.recipientAddress, q.messageId, q.traceId, q.fromIP, q.toIP, q.subject?.text].every((v) => v === undefined || isWellFormed(v)));
    fc.assert(
      fc.property(wellFormed, fc.integer({ min: 1, max: 5000 }), (q, top) => {
        const path = listPath(q, top);
        expect(path.startsWith('/admin/exchange/tracing/messageTraces?')).toBe(true);
        // The simulator reads the raw query with URLSearchParams, as any OData server would.
        const params = new URLSearchParams(path.slice(path.indexOf('?') + 1));
        expect([...params.keys()].sort()).toEqual(['$filter', '$top']);
        expect(params.get('$top')).toBe(String(top));
        expect(params.get('$filter')).toBe(buildFilter(q));
        expect(parseFilter(params.get('$filter')!)).toEqual(intended(q));
      }),
      { numRuns: RUNS },
    );
  });

  it('one value per property: a value holding a second clause stays one string literal', () => {
    // The sharpest form of the property: a value that is itself a complete filter clause.
    const clauseLike = fc
      .tuple(fc.constantFrom("' or status eq 'failed", "') and (id eq '", "' and senderAddress eq 'x@y.com", "'' and ''", "')) or ((subject eq '"), adversarialText)
      .map(([c, tail]) => `${tail}${c}${tail}`);
    fc.assert(
      fc.property(clauseLike, statusArb, (v, status) => {
        const q: TraceQuery = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-01-02T00:00:00Z'), senderAddress: v, status, subject: { text: v, match: 'contains' } };
        const clauses = parseFilter(buildFilter(q));
        expect(clauses).toHaveLength(5);
        expect(clauses.filter((c) => c.kind === 'eq' && c.property === 'status')).toEqual([{ kind: 'eq', property: 'status', value: status }]);
        expect(clauses).toContainEqual({ kind: 'eq', property: 'senderAddress', value: v });
        expect(clauses).toContainEqual({ kind: 'subject', fn: 'contains', value: v });
      }),
      { numRuns: RUNS },
    );
  });
});
