/**
 * Both tools' inputs, fuzzed through the real MCP client → server → Graph simulator: invalid
 * values for every field (wrong types, huge strings, controls, injection strings, invalid GUIDs,
 * IPs and dates, lists over the cap), unknown keys, nested junk. Every call must come back as a
 * result (no JSON-RPC error, no hang); an invalid field gives `isError` whose text names the field
 * and the accepted form, short and free of control/invisible characters; and the server keeps
 * answering normally afterwards.
 *
 * Cases: per-field properties (search_traces 200 + get_trace_details 200) + window rules 100 +
 * cross-field rules 100 + junk objects 2 × 150 + element cap 50 = 950 generated tool calls, plus
 * about 40 fixed ones (non-object arguments, lone surrogates, prototype keys); about 3 s.
 */
import fc from 'fast-check';
import { isIP } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { RequestBudget } from '../../src/graph/budget.js';
import { TRACE_STATUSES } from '../../src/graph/types.js';
import { generateTenant } from '../../src/demo/simulator/tenant.js';
import { getTraceDetailsInput } from '../../src/tools/get-trace-details.js';
import { GUID_SHAPE } from '../../src/shapes.js';
import { searchTracesInput } from '../../src/tools/search-traces.js';
import { isPlainAddress } from '../../src/output/addresses.js';
import { startHarness, type Harness } from '../support/harness.js';
import {
  FORBIDDEN_IN_TEXT,
  INJECTIONS,
  NINETY_DAYS,
  adversarialText,
  expectCleanOutput,
  hugeText,
  ipArb,
  isoInZone,
  recentDateArb,
  resultText,
  statusArb,
  traceIdArb,
} from './fuzz-arbitraries.js';

/** The accepted argument names, as the tools declare them. */
const SEARCH_FIELDS = Object.keys(searchTracesInput.shape);
const DETAILS_FIELDS = Object.keys(getTraceDetailsInput.shape);
/** A validation error must stay short whatever the input size. */
const MAX_ERROR_CHARS = 3_000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    sim: { rateLimit: false, tenant: generateTenant({ now: new Date(), messages: 300 }) },
    budget: new RequestBudget(1_000_000),
  });
});
afterAll(async () => {
  await h.close();
});

/** tools/call with any arguments; a hang shows up as the client's timeout error, failing the property. */
async function call(name: string, args: unknown): Promise<CallToolResult> {
  return (await h.client.request({ method: 'tools/call', params: { name, arguments: args as Record<string, unknown> } }, CallToolResultSchema, {
    timeout: 15_000,
  })) as CallToolResult;
}

function expectRejected(r: CallToolResult, patterns: RegExp[]): void {
  const text = resultText(r);
  expect(r.isError, text.slice(0, 500)).toBe(true);
  for (const p of patterns) expect(text, `error text should match ${p}`).toMatch(p);
  expect(text.length).toBeLessThan(MAX_ERROR_CHARS);
  const bad = FORBIDDEN_IN_TEXT.exec(text);
  expect(bad, `U+${bad?.[0].codePointAt(0)?.toString(16)} echoed in the error`).toBeNull();
}

// ---------------------------------------------------------------------------------------------
// Invalid values, per field

const nonString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }));
const nastyString = fc.oneof(adversarialText, hugeText);

const badAddress = fc.oneof(
  nastyString.filter((s) => !isPlainAddress(s.trim())),
  fc.tuple(fc.emailAddress(), fc.constantFrom(' ', '«', '»', '"', '\u0000', '\u202e', '\u200b', '(', ')', ',', ';', ':', '[', '\\', 'é', '@')).map(([e, c]) => e.replace('@', `${c}@`)),
  fc.emailAddress().map((e) => `${'x'.repeat(255)}${e}`),
  fc.emailAddress().map((e) => e.replace('@', '')),
  fc.emailAddress().map((e) => `${e}.`),
  fc.constantFrom('', ' ', '@', 'a@', '@b.com', 'a@@b.com', 'a@b..com', 'a@-b.com', '<a@b.com>', '"a b"@c.com', 'Alex <alex@contoso.com>', 'a@b.com, c@d.com', "' or 1 eq 1@x.com"),
  nonString,
  fc.array(fc.emailAddress(), { minLength: 21, maxLength: 30 }), // over the cap of 20
  fc.constant([]),
  fc.tuple(fc.array(fc.emailAddress(), { maxLength: 5 }), fc.constantFrom('not an address', '', 42, null)).map(([list, bad]) => [...list, bad]),
);

const badStatus = fc.oneof(
  nastyString.filter((s) => !(TRACE_STATUSES as readonly string[]).includes(s)),
  fc.constantFrom('Delivered', 'FAILED', 'bounced', 'unknownFutureValue', 'delivered ', 'failed,pending', "failed' or 1 eq 1"),
  nonString.filter((v) => !Array.isArray(v)),
  fc.constant([]),
  fc.array(statusArb, { minLength: 9, maxLength: 12 }),
  fc.tuple(fc.array(statusArb, { maxLength: 3 }), fc.constantFrom('nope', 'Failed', '', 7)).map(([l, b]) => [...l, b]),
);

const badMessageId = fc.oneof(
  fc.constantFrom('', ' ', 'a', '<>', 'a b@c', '<abc\u0000@x>', '<abc\t@x>', '<a\nb@c>', '<ab\u00a0c@d>', '<ab\u2028c@d>', '<a\ud800b@c>'),
  fc.tuple(adversarialText, fc.constantFrom(' ', '\u0001', '\u001b', '\u3000')).map(([s, c]) => `<${s}${c}x@y>`),
  fc.integer({ min: 999, max: 50_000 }).map((n) => `<${'m'.repeat(n)}@x>`),
  nonString,
);

const badTraceId = fc.oneof(
  nastyString.filter((s) => !GUID_SHAPE.test(s.trim())),
  traceIdArb.map((u) => `${u.slice(0, 3)}g${u.slice(4)}`),
  traceIdArb.map((u) => u.replace(/-/g, '')),
  traceIdArb.map((u) => `{${u}}`),
  traceIdArb.map((u) => `${u}' or 1 eq 1`),
  traceIdArb.map((u) => u.slice(0, 35)),
  nonString,
);

const badSubject = fc.oneof(
  fc.constant(''),
  fc.integer({ min: 257, max: 100_000 }).map((n) => 's'.repeat(n)),
  nonString,
);

const badIp = fc.oneof(
  nastyString.filter((s) => isIP(s.trim()) === 0),
  fc.ipV4Extended().filter((s) => isIP(s) === 0),
  fc.ipV4().map((ip) => `${ip}:25`),
  fc.ipV6().map((ip) => `${ip}/64`),
  fc.ipV4().map((ip) => `${ip}.1`),
  fc.constantFrom('999.1.1.1', '1.2.3', '256.0.0.1', '::g', '1:2:3:4:5:6:7:8:9', 'localhost', '0x7f.1', "1.2.3.4' or 1 eq 1", ''),
  nonString,
);

const now = () => Date.now();
const badDate = fc.oneof(
  fc.constantFrom(
    '', 'yesterday', 'now', 'today', '2026-11-20', '2026-11-20T08:00:00', '2026-11-20 08:00:00Z', '20261120T080000Z', '2026-13-01T00:00:00Z',
    '2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '2026-04-31T10:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T23:60:00Z',
    '2026-01-01T23:59:60Z', '2026-01-01T00:00:00+25:00', '2026-01-01T00:00:00+14:60', '2026-01-01T00:00:00 UTC', 'Mon, 20 Nov 2026 08:00:00 GMT',
    "2026-01-01T00:00:00Z' or 1 eq 1", '1700000000', 'Z',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toString()),
  fc.date({ noInvalidDate: true }).map((d) => `${d.toISOString()}${'0'.repeat(30)}`),
  nastyString,
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({})),
);

const badLimit = fc.oneof(
  fc.integer({ min: 101 }),
  fc.integer({ max: -1 }),
  fc.double({ min: 0, max: 100, noNaN: true }).filter((x) => !Number.isInteger(x)),
  fc.constantFrom('5', '', 'ten', null, true, [5], { n: 5 }, 1e308, -0.5),
);

const badEnum = fc
  .oneof(adversarialText, fc.constantFrom('Concise', 'DETAILED', 'verbose', 'json', 'contains ', 'Contains', 'startswith', 'equals'), nonString)
  .filter((v) => !['contains', 'startsWith', 'endsWith', 'concise', 'detailed'].includes(v as string));

// `__proto__` is left out: the SDK's request schema drops that key before the tool sees it (see
// the prototype test below).
const unknownKey = fc
  .oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...INJECTIONS, 'sender', 'recipient', 'from', 'to', 'id', 'filter', '$filter', 'Subject', 'SenderAddress', 'constructor', 'prototype', 'toString', 'hasOwnProperty'), hugeText.map((s) => s.slice(0, 50_000)))
  .filter((k) => k !== '__proto__' && !SEARCH_FIELDS.includes(k) && !DETAILS_FIELDS.includes(k));

/** The offending field, a bad value for it, and what the error must say. */
interface BadCase {
  field: string;
  value: unknown;
  expect: RegExp[];
}

const fieldCase = (field: string, value: fc.Arbitrary<unknown>, expect: RegExp[]): fc.Arbitrary<BadCase> => value.map((v) => ({ field, value: v, expect }));

const searchBadCase: fc.Arbitrary<BadCase> = fc.oneof(
  fieldCase('senderAddress', badAddress, [/senderAddress/, /SMTP address/]),
  fieldCase('recipientAddress', badAddress, [/recipientAddress/, /SMTP address/]),
  fieldCase('status', badStatus, [/status/, /one of/, /filteredAsSpam/]),
  fieldCase('messageId', badMessageId, [/messageId/, /Message-ID/]),
  fieldCase('traceId', badTraceId, [/traceId/, /8-4-4-4-12 hex/]),
  fieldCase('subject', badSubject, [/subject must/]),
  fieldCase('subjectMatch', badEnum, [/subjectMatch must be contains, startsWith or endsWith/]),
  fieldCase('fromIP', badIp, [/fromIP/, /IPv4 or IPv6/]),
  fieldCase('toIP', badIp, [/toIP/, /IPv4 or IPv6/]),
  fieldCase('startDateTime', badDate, [/startDateTime/, /ISO 8601/, /zone/]),
  fieldCase('endDateTime', badDate, [/endDateTime/, /ISO 8601/, /zone/]),
  fieldCase('limit', badLimit, [/limit must be a whole number from 0 to 100/]),
  fieldCase('responseFormat', badEnum, [/responseFormat must be concise, detailed or csv/]),
  fc.tuple(unknownKey, fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => ({ field: k, value: v, expect: [/Unknown argument\(s\)/, /Accepted arguments: senderAddress, recipientAddress/] })),
  // Report arguments, when the tool has them.
  ...(SEARCH_FIELDS.includes('timeZone') ? [fieldCase('timeZone', fc.oneof(nastyString, nonString, fc.constantFrom('Europe/Nowhere', 'Mars/Olympus', 'Local', 'GMT+25')), [/timeZone must be an IANA time zone/])] : []),
  ...(SEARCH_FIELDS.includes('groupBy') ? [fieldCase('groupBy', fc.oneof(nastyString, nonString, fc.constant([])), [/groupBy must/])] : []),
  ...(SEARCH_FIELDS.includes('direction') ? [fieldCase('direction', fc.oneof(nastyString, nonString, fc.constant([])), [/direction must be one of/])] : []),
  ...(SEARCH_FIELDS.includes('top') ? [fieldCase('top', badLimit, [/top must be a whole number/])] : []),
  ...(['senderDomain', 'recipientDomain'] as const)
    .filter((f) => SEARCH_FIELDS.includes(f))
    .map((f) => fieldCase(f, fc.oneof(nastyString.filter((x) => !/^[\s@*]*[A-Za-z0-9.-]*$/.test(x)), nonString, fc.constant([]), fc.emailAddress(), fc.domain().map((d) => `*.${d}`)), [new RegExp(f)])),
);

/** Valid arguments the bad one is mixed into (none of them reaches Graph: validation fails first). */
const searchBase = fc.record(
  {
    senderAddress: fc.emailAddress().filter((a) => !a.includes('*')), // '*' is a (refused) wildcard in search_traces
    status: fc.oneof(statusArb, fc.subarray([...TRACE_STATUSES], { minLength: 1 })),
    subject: fc.string({ minLength: 1, maxLength: 20 }),
    limit: fc.integer({ min: 0, max: 100 }),
    responseFormat: fc.constantFrom('concise', 'detailed'),
    fromIP: ipArb,
  },
  { requiredKeys: [] },
);

describe('search_traces rejects every invalid field with its name and accepted form', () => {
  it('one bad field among valid ones (200 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(searchBase, searchBadCase, async (base, bad) => {
        const args: Record<string, unknown> = { ...base };
        Object.defineProperty(args, bad.field, { value: bad.value, enumerable: true, configurable: true, writable: true });
        expectRejected(await call('search_traces', args), bad.expect);
      }),
      { numRuns: 200 },
    );
  });

  it('window rules: a start older than 90 days, or after the end, is refused with the fix (100 cases)', async () => {
    const tooOld = recentDateArb(now, NINETY_DAYS + 3_600_000, 5 * 365 * 86_400_000).map((d) => ({
      args: { startDateTime: d.text },
      expect: [/startDateTime/, /90 days/, /at or after/],
    }));
    const reversed = fc
      .tuple(recentDateArb(now, 60_000, NINETY_DAYS - 86_400_000), fc.integer({ min: 1_000, max: 30 * 86_400_000 }), fc.constantFrom<'Z' | number>('Z', 60, -300))
      .map(([end, gap, zone]) => ({
        args: { startDateTime: isoInZone(end.t + gap, zone, 0), endDateTime: end.text },
        expect: [/startDateTime/, /after/, /endDateTime|Swap/],
      }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(tooOld, reversed), async (c) => {
        expectRejected(await call('search_traces', c.args), c.expect);
      }),
      { numRuns: 100 },
    );
  });
});

const detailsBadCase: fc.Arbitrary<{ base: Record<string, unknown>; bad: BadCase }> = fc.oneof(
  fc.tuple(traceIdArb, badAddress.filter((v) => !Array.isArray(v) || v.length > 0)).map(([id, v]) => ({
    base: { traceId: id },
    bad: { field: 'recipientAddress', value: v, expect: [/recipientAddress/, /SMTP address/] },
  })),
  fc.tuple(fc.emailAddress(), badTraceId).map(([to, v]) => ({ base: { recipientAddress: to }, bad: { field: 'traceId', value: v, expect: [/traceId/, /8-4-4-4-12 hex/] } })),
  fc.tuple(fc.emailAddress(), badMessageId).map(([to, v]) => ({ base: { recipientAddress: to }, bad: { field: 'messageId', value: v, expect: [/messageId/, /Message-ID/] } })),
  fc.tuple(fc.emailAddress(), fc.constantFrom('startDateTime', 'endDateTime'), badDate).map(([to, field, v]) => ({
    base: { recipientAddress: to, messageId: '<abc@contoso.com>' },
    bad: { field, value: v, expect: [new RegExp(field), /ISO 8601/] },
  })),
  fc.tuple(fc.emailAddress(), traceIdArb, badEnum).map(([to, id, v]) => ({
    base: { recipientAddress: to, traceId: id },
    bad: { field: 'responseFormat', value: v, expect: [/responseFormat must be concise or detailed/] },
  })),
  fc.tuple(fc.emailAddress(), traceIdArb, unknownKey, fc.jsonValue({ maxDepth: 2 })).map(([to, id, k, v]) => ({
    base: { recipientAddress: to, traceId: id },
    bad: { field: k, value: v, expect: [/Unknown argument\(s\)/, /Accepted arguments: traceId, messageId, recipientAddress/] },
  })),
);

describe('get_trace_details rejects every invalid field with its name and accepted form', () => {
  it('one bad field among valid ones (200 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(detailsBadCase, async ({ base, bad }) => {
        const args: Record<string, unknown> = { ...base };
        Object.defineProperty(args, bad.field, { value: bad.value, enumerable: true, configurable: true, writable: true });
        expectRejected(await call('get_trace_details', args), bad.expect);
      }),
      { numRuns: 200 },
    );
  });

  it('cross-field rules: neither id, both ids, or a window with traceId (100 cases)', async () => {
    const date = recentDateArb(now, 60_000, 5 * 86_400_000).map((d) => d.text);
    const cases = fc.oneof(
      fc.record({ recipientAddress: fc.emailAddress(), responseFormat: fc.constantFrom('concise', 'detailed') }, { requiredKeys: ['recipientAddress'] }).map((args) => ({
        args,
        expect: [/Give traceId and recipientAddress \(from a search_traces row\), or messageId/],
      })),
      fc.tuple(fc.emailAddress(), traceIdArb, fc.constantFrom('<a@b>', 'abc@contoso.com')).map(([to, id, mid]) => ({
        args: { recipientAddress: to, traceId: id, messageId: mid },
        expect: [/Give traceId or messageId, not both/],
      })),
      fc.tuple(fc.emailAddress(), traceIdArb, fc.constantFrom('startDateTime', 'endDateTime'), date).map(([to, id, field, d]) => ({
        args: { recipientAddress: to, traceId: id, [field]: d },
        expect: [/startDateTime\/endDateTime only apply with messageId/],
      })),
    );
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        expectRejected(await call('get_trace_details', c.args), c.expect);
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Junk: random objects over the accepted and unknown keys

const junkObject = (fields: string[]) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...fields), fc.constantFrom(...fields), unknownKey), fc.oneof(fc.jsonValue({ maxDepth: 3 }), adversarialText, fc.emailAddress(), statusArb, traceIdArb), {
    maxKeys: 6,
  });

describe('nested junk and wrong types never break a call', () => {
  for (const [tool, fields] of [
    ['search_traces', SEARCH_FIELDS],
    ['get_trace_details', DETAILS_FIELDS],
  ] as const) {
    it(`${tool}: any object gives a result: a clean error, or a clean answer (150 cases)`, async () => {
      await fc.assert(
        fc.asyncProperty(junkObject([...fields]), async (args) => {
          const r = await call(tool, args);
          const text = resultText(r);
          expect(text.length).toBeGreaterThan(0);
          if (Object.keys(args).some((k) => !(fields as readonly string[]).includes(k))) {
            expect(r.isError).toBe(true);
            expect(text).toMatch(/Unknown argument\(s\)/);
          }
          if (r.isError) {
            expect(text.length).toBeLessThan(MAX_ERROR_CHARS);
            expect(FORBIDDEN_IN_TEXT.exec(text)).toBeNull();
          } else expectCleanOutput(r);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('arguments with more than 200 elements are refused without being walked (50 cases)', async () => {
    const big = fc.oneof(
      fc.integer({ min: 201, max: 5_000 }).map((n) => ({ recipientAddress: Array.from({ length: n }, (_, i) => `u${i}@contoso.com`) })),
      fc.integer({ min: 201, max: 2_000 }).map((n) => ({ status: Array.from({ length: n }, () => 'failed') })),
      fc.integer({ min: 50, max: 400 }).map((depth) => {
        let v: unknown = 'x';
        for (let i = 0; i < depth; i++) v = { a: v, b: [1, 2] };
        return { senderAddress: v };
      }),
    );
    await fc.assert(
      fc.asyncProperty(big, fc.constantFrom('search_traces', 'get_trace_details'), async (args, tool) => {
        const r = await call(tool, args);
        expect(r.isError).toBe(true);
        expect(resultText(r)).toMatch(/more than the maximum of 200 elements/);
      }),
      { numRuns: 50 },
    );
  });
});

describe('non-object arguments', () => {
  const nonObjects: unknown[] = ['senderAddress=a@b.com', '', 42, true, null, [], [{ senderAddress: 'a@b.com' }], ["' or 1 eq 1"]];

  it('end the call with an error, never a hang, and the server keeps answering', async () => {
    for (const tool of ['search_traces', 'get_trace_details']) {
      for (const args of nonObjects) {
        const outcome = await call(tool, args).then(
          (r) => ({ result: r }),
          (e: unknown) => ({ error: e as Error }),
        );
        if ('result' in outcome) expect(outcome.result.isError).toBe(true);
        else expect(outcome.error.message).toMatch(/arguments/);
      }
    }
    expect((await call('search_traces', { limit: 1 })).isError).toBeFalsy();
  });

  // The SDK refuses a non-object `arguments` before any handler runs (a -32602 listing zod's
  // issues); server.ts's transport wrapper answers it as the tool would instead.
  it.each([
    ['search_traces', /^Arguments must be an object with these fields: senderAddress, recipientAddress, /],
    ['get_trace_details', /^Arguments must be an object with these fields: traceId, messageId, recipientAddress, /],
  ])('%s answers with isError naming the accepted fields', async (tool, text) => {
    for (const args of nonObjects) {
      const r = await call(tool, args);
      expect(r.isError).toBe(true);
      expect(resultText(r)).toMatch(text);
    }
  });
});

describe('lone surrogates', () => {
  const subjects = ['a\ud800', '\udfffx', 'ok \ud83d end'];

  it('(setup) a subject with a lone surrogate reaches Graph changed: U+FFFD instead of the character', async () => {
    for (const subject of subjects) {
      const before = h.sim.requests.length;
      const r = await call('search_traces', { subject });
      if (r.isError) continue; // fixed: see below
      const filter = h.sim.requests.slice(before).map((q) => q.query.$filter ?? '').join(' ');
      expect(filter).toContain('\ufffd');
    }
  });

  // Found by this file: a lone UTF-16 surrogate in subject was URL-encoded as U+FFFD, so Graph was
  // silently asked for another subject. search_traces now uses `subjectText`, which refuses it.
  it('a subject with a lone surrogate is refused, naming subject', async () => {
    for (const subject of subjects) expectRejected(await call('search_traces', { subject }), [/subject must be well-formed text/]);
  });
});

describe('prototype keys', () => {
  it('a "__proto__" argument (as JSON.parse makes it) is dropped whole: nothing in it is applied, nothing is polluted', async () => {
    for (const json of ['{"__proto__": {"limit": 500}}', '{"__proto__": {"status": "bogus", "polluted": 1}, "limit": 1}', '{"__proto__": []}', '{"constructor": {"prototype": {"polluted": 1}}}']) {
      const args = JSON.parse(json) as Record<string, unknown>;
      const r = await call('search_traces', args);
      if (!r.isError) {
        expectCleanOutput(r);
        expect((r.structuredContent as { rows: unknown[] }).rows.length).toBeLessThanOrEqual(20);
      } else expect(resultText(r)).toMatch(/Unknown argument\(s\): constructor/);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    }
  });
});

describe('the server survives all of it', () => {
  it('a normal search and a normal details call still succeed', async () => {
    const search = await h.client.callTool({ name: 'search_traces', arguments: { status: 'failed', limit: 3 } }, undefined, { timeout: 15_000 });
    expect(search.isError).toBeFalsy();
    expectCleanOutput(search as CallToolResult);
    const story = h.sim.tenant.stories.failedRecipientNotFound;
    const details = await h.client.callTool({ name: 'get_trace_details', arguments: { traceId: story.traceId, recipientAddress: story.recipientAddress } }, undefined, {
      timeout: 15_000,
    });
    expect(details.isError).toBeFalsy();
    expectCleanOutput(details as CallToolResult);
  });
});
