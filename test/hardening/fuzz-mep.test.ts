/**
 * The MEP `data` parser, fuzzed: whatever text the MEPs carry (quotes, ampersands, entity-like
 * text, markup, unicode, bidi and zero-width characters), escaped XML parses back to exactly the
 * same facts; and any string at all, well-formed or hostile, gives facts or a short error of the
 * parser's own words, never an exception, never a piece of the input.
 *
 * Cases: 3 properties × 300 runs = 900 (about 2 s).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mepXml, type Mep, type MepType } from '../../src/demo/simulator/events.js';
import { MEP_MAX_FACTS, MEP_MAX_INPUT_CHARS, parseMepData } from '../../src/details/decode/mep.js';
import { INJECTIONS, adversarialText, hugeText } from './fuzz-arbitraries.js';

const RUNS = 300;

/** Text legal in an XML 1.0 attribute once escaped: no C0 controls, no U+FFFE/FFFF, no lone surrogates; tab/CR/LF are normalised to spaces by XML itself, so they are left out too. */
const xmlText = fc
  .oneof(adversarialText, fc.constantFrom('&', '&amp;', '&lt;', '&#65;', '&#x42;', '&quot;&quot;', '<', '>', '"', "'", ']]>', '&nbsp;', '&lol9;', '&&&&'))
  .map((s) => s.replace(/[\u0000-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, ''));
const mepArb: fc.Arbitrary<Mep> = fc.tuple(
  xmlText.filter((n) => n.trim() !== ''),
  fc.constantFrom<MepType>('String', 'Blob', 'DateTime'),
  xmlText,
);

describe('parseMepData', () => {
  it('round-trips any escaped MEP list: same names, types and values, in order', () => {
    fc.assert(
      fc.property(fc.array(mepArb, { maxLength: 300 }), (meps) => {
        const xml = mepXml(meps);
        const parsed = parseMepData(xml);
        if (xml.length > MEP_MAX_INPUT_CHARS) {
          expect(parsed).toEqual({ facts: [], error: expect.stringMatching(/^data too large/) });
          return;
        }
        expect(parsed.error).toBeUndefined();
        expect(parsed.facts).toEqual(meps.slice(0, MEP_MAX_FACTS).map(([name, type, value]) => ({ name: name.trim(), type, value })));
      }),
      { numRuns: RUNS },
    );
  });

  it('many escaped characters in ordinary data are not mistaken for an entity bomb', () => {
    fc.assert(
      // Up to 10,000 references (60,000 characters of `&quot;`): still under the 64 KB input cap.
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom('&', '"', '<', '>', "'"), (n, ch) => {
        const parsed = parseMepData(mepXml([['RecipientStatus', 'String', ch.repeat(n)]]));
        expect(parsed).toEqual({ facts: [{ name: 'RecipientStatus', type: 'String', value: ch.repeat(n) }] });
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws, and an error never quotes the input', () => {
    const hostile = fc.oneof(
      adversarialText,
      hugeText,
      fc.constantFrom(...INJECTIONS),
      fc.tuple(fc.integer({ min: 1, max: 400 }), fc.constantFrom('<a>', '<root>', '<MEP>', '<!--', '<![CDATA[', '<?x ', '&')).map(([n, t]) => t.repeat(n)),
      fc.tuple(fc.array(mepArb, { maxLength: 5 }), fc.nat(), adversarialText).map(([meps, at, junk]) => {
        const xml = mepXml(meps);
        const cut = at % (xml.length + 1);
        return `${xml.slice(0, cut)}${junk}${xml.slice(cut)}`;
      }),
    );
    fc.assert(
      fc.property(hostile, (data) => {
        const parsed = parseMepData(data);
        expect(Array.isArray(parsed.facts)).toBe(true);
        if (parsed.error !== undefined) {
          expect(parsed.facts).toEqual([]);
          expect(parsed.error.length).toBeLessThan(120);
          expect(parsed.error).toMatch(/^[A-Za-z0-9 ,.;:()<>/_-]+$/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
