import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readListPage, type ListPage } from '../../src/graph/list-page.js';
import { loadSample } from '../support/sample.js';

/** A body as undici hands it over: an ArrayBuffer of its own (Buffer.from may share Node's pool). */
function body(text: string): Buffer {
  const encoded = Buffer.from(text, 'utf8');
  const own = Buffer.allocUnsafeSlow(encoded.length);
  encoded.copy(own);
  return own;
}

const rowsOf = (page: ListPage): unknown[] => [...page.rows()];

describe('readListPage: a Graph list page read row by row', () => {
  it('reads the published list response exactly as JSON.parse does', () => {
    const published = loadSample().listMessageTraces.response;
    const text = JSON.stringify(published, null, 2);
    const page = readListPage(body(text));
    expect(page.hasValueList).toBe(true);
    expect(page.rowCount).toBe(published.value.length);
    expect(rowsOf(page)).toEqual(published.value);
    const { value: _value, ...members } = published as unknown as Record<string, unknown>;
    expect(page.members).toEqual(members);
  });

  it('gives the next link, and where each row\'s JSON lies', () => {
    const rows = [{ id: 'a', s: 'x,}]"' }, { id: 'b' }];
    const text = `{"@odata.context":"ctx","value":[ ${JSON.stringify(rows[0])} ,\n${JSON.stringify(rows[1])}],"@odata.nextLink":"https://graph.microsoft.com/next"}`;
    const page = readListPage(body(text));
    expect(page.nextLink).toBe('https://graph.microsoft.com/next');
    for (let i = 0; i < rows.length; i++) {
      const { bytes, start, end } = page.rowJson(i);
      expect(JSON.parse(Buffer.from(bytes).toString('utf8', start, end))).toEqual(rows[i]);
    }
    expect(rowsOf(page)).toEqual(rows);
  });

  it('skips a UTF-8 byte order mark, as a text decode does', () => {
    const page = readListPage(body('\uFEFF{"value":[{"id":"é"}]}'));
    expect(rowsOf(page)).toEqual([{ id: 'é' }]);
  });

  it('keeps the other rows when one element is not valid JSON, and marks that one', () => {
    const page = readListPage(body('{"value":[{"a":1},{"a":tru},{"a":"\u0001"},{"a":3}]}'));
    expect(rowsOf(page)).toEqual([{ a: 1 }, undefined, undefined, { a: 3 }]);
  });

  it('reads elements of any JSON type, nested or not', () => {
    const value = [1, 'two', null, true, [3, [4]], { a: { b: [5, { c: '}' }] } }, -1.5e3];
    expect(rowsOf(readListPage(body(JSON.stringify({ value }))))).toEqual(value);
  });

  it('follows nesting of any depth, and refuses it unbalanced', () => {
    const deep = (n: number): unknown => (n === 0 ? { leaf: '[{' } : [deep(n - 1), { n }]);
    const value = [deep(100), { id: 'after' }];
    expect(rowsOf(readListPage(body(JSON.stringify({ value }))))).toEqual(value);
    expect(() => readListPage(body(`{"value":[${'['.repeat(70)}${']'.repeat(69)}}]}`))).toThrow(SyntaxError);
  });

  it('says when there is no value list', () => {
    expect(readListPage(body('{}')).hasValueList).toBe(false);
    expect(readListPage(body('{"error":{"code":"x"}}')).hasValueList).toBe(false);
    expect(readListPage(body('{"value":{"not":"a list"}}')).hasValueList).toBe(false);
    expect(readListPage(body('{"value":[]}')).rowCount).toBe(0);
  });

  it('takes the last of repeated keys, as JSON.parse does', () => {
    expect(rowsOf(readListPage(body('{"value":[1],"value":[2,3]}')))).toEqual([2, 3]);
    expect(readListPage(body('{"value":[1],"value":7}')).hasValueList).toBe(false);
    expect(readListPage(body('{"value":7,"value":[1]}')).hasValueList).toBe(true);
  });

  it.each([
    ['cut off in a row', '{"value":[{"id":"a"},{"id":"b'],
    ['cut off after the list', '{"value":[{"id":"a"}]'],
    ['unbalanced brackets', '{"value":[{"id":[1}]}'],
    ['trailing data', '{"value":[]} {"value":[]}'],
    ['not an object', '[{"id":"a"}]'],
    ['an HTML page', '<html><body>Proxy error</body></html>'],
    ['empty', ''],
    ['a missing comma', '{"value":[{"a":1} {"a":2}]}'],
  ])('refuses a body that is not one JSON object: %s', (_, text) => {
    expect(() => readListPage(body(text))).toThrow(SyntaxError);
  });

  it('frees a body it has to itself on release, and leaves a shared one alone', () => {
    const own = readListPage(body('{"value":[{"id":"a"}]}'));
    const ownBytes = own.rowJson(0).bytes;
    own.release();
    expect(ownBytes.byteLength).toBe(0);
    expect(own.rowCount).toBe(0);

    const slab = Buffer.allocUnsafeSlow(64).fill(0x20);
    const text = '{"value":[{"id":"a"}]}';
    slab.write(text, 8);
    const shared = readListPage(slab.subarray(8, 8 + text.length));
    shared.release();
    expect(slab.buffer.byteLength).toBe(64);
  });

  it('reads any page as JSON.parse does, however it is laid out (property)', () => {
    const member = fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== 'value'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
    fc.assert(
      fc.property(
        // Enough elements to cross several 50-row batches.
        fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 130 }),
        member,
        member,
        fc.constantFrom(undefined, 1, '\t'),
        (value, before, after, indent) => {
          const text = JSON.stringify({ ...before, value, ...after }, null, indent);
          const expected = JSON.parse(text) as { value: unknown[] };
          const page = readListPage(body(text));
          expect(page.rowCount).toBe(value.length);
          expect(rowsOf(page)).toEqual(expected.value);
          const { value: _v, ...members } = expected as Record<string, unknown>;
          expect(page.members).toEqual(members);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses every cut-off body (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1, maxLength: 20 }), fc.double({ min: 0, max: 1, noNaN: true }), (value, at) => {
        const text = JSON.stringify({ '@odata.context': 'ctx', value });
        const cut = Math.floor(at * (text.length - 1)); // always short of the final "}"
        expect(() => readListPage(body(text.slice(0, cut)))).toThrow(SyntaxError);
      }),
      { numRuns: 300 },
    );
  });
});
