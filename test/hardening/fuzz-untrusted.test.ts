/**
 * The untrusted-text layer, fuzzed: whatever a sender writes, what reaches the model is fenced,
 * capped, and free of control, zero-width, bidi, tag and other invisible characters, and a fence
 * cannot be closed from inside. Addresses come out either as plain SMTP addresses or fenced.
 *
 * Cases: 8 properties × 500 runs = 4,000 (pure functions, about 2 s).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressRenderer, isPlainAddress, redactAddressesDeep } from '../../src/output/addresses.js';
import { fenceUntrusted, revealHidden, sanitizeText, truncateText } from '../../src/output/untrusted.js';
import { FORBIDDEN_IN_OUTPUT, NASTY_CHARS, adversarialText, fencesBalanced, hugeText } from './fuzz-arbitraries.js';

const RUNS = 500;
const anyText = fc.oneof(adversarialText, adversarialText, hugeText.map((s) => s.slice(0, 5_000)));

function expectFenced(out: string, maxChars: number): void {
  expect(out.startsWith('«') && out.endsWith('»')).toBe(true);
  const inner = out.slice(1, -1);
  expect(inner).not.toMatch(/[«»]/);
  expect(fencesBalanced(out)).toBe(true);
  expect(FORBIDDEN_IN_OUTPUT.exec(inner)).toBeNull();
  // The cap counts code points, plus the "…(+N chars)" marker.
  expect(Array.from(inner).length).toBeLessThanOrEqual(maxChars + '…(+1000000 chars)'.length);
}

describe('fenceUntrusted / sanitizeText', () => {
  it('fences, caps and cleans any text', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 1, max: 1_000 }), (raw, max) => {
        expectFenced(fenceUntrusted(raw, max), max);
      }),
      { numRuns: RUNS },
    );
  });

  it('removes every control, format, invisible and lone-surrogate character, one at a time too', () => {
    const single = fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp));
    const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u));
    fc.assert(
      fc.property(fc.array(fc.oneof(single, loneSurrogate, fc.constantFrom(...NASTY_CHARS)), { maxLength: 20 }), (chars) => {
        const clean = sanitizeText(`a${chars.join('')}b`);
        const bad = FORBIDDEN_IN_OUTPUT.exec(clean);
        expect(bad, `U+${bad?.[0].codePointAt(0)?.toString(16)} survived`).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('is idempotent and keeps ordinary text (letters, digits, punctuation, CJK, emoji) as it was', () => {
    const ordinary = fc
      .array(fc.constantFrom(...'abcXYZ0189 .,;:!?-_()[]{}\'"@/#%&*+=<>|~`$^éüßİ中文日本語한국어עבריתعربي😀🎉', ' '), { maxLength: 60 })
      .map((cs) => cs.join(''));
    fc.assert(
      fc.property(anyText, ordinary, (raw, plain) => {
        const once = sanitizeText(raw);
        expect(sanitizeText(once)).toBe(once);
        expect(sanitizeText(plain)).toBe(plain.replace(/ {2,}/g, ' ').trim());
      }),
      { numRuns: RUNS },
    );
  });

  it('truncateText never cuts a surrogate pair and reports what it cut', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer({ min: 0, max: 300 }), (s, max) => {
        const out = truncateText(s, max);
        const n = Array.from(s).length;
        if (n <= max) expect(out).toBe(s);
        else expect(out).toBe(`${Array.from(s).slice(0, max).join('')}…(+${n - max} chars)`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('AddressRenderer', () => {
  const addressLike = fc.oneof(
    fc.emailAddress(),
    anyText,
    fc.tuple(anyText, fc.emailAddress(), anyText).map(([a, e, b]) => `${a}${e}${b}`),
    fc.tuple(fc.emailAddress(), fc.constantFrom(...NASTY_CHARS)).map(([e, c]) => e.replace('@', `${c}@`)),
  );

  it('gives a plain SMTP address or a fenced, cleaned string, never anything else', () => {
    fc.assert(
      fc.property(addressLike, (raw) => {
        const out = new AddressRenderer(false).address(raw);
        if (out.startsWith('«')) expectFenced(out, 120);
        else expect(isPlainAddress(out)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('with redaction, masks every address, plain or not (zoë.ångström@…), keeping only the domain', () => {
    const international = fc
      .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.constantFrom('ë', 'å', 'ö', '中', 'ß', ' ', '"'), fc.domain())
      .map(([a, c, d]) => `${a}${c}${a}@${d}`);
    fc.assert(
      fc.property(fc.oneof(addressLike, international), (raw) => {
        const out = new AddressRenderer(true).address(raw);
        // Hidden characters are shown ([U+001B]), not removed, so "a\u001b@b" is still an address.
        const clean = sanitizeText(revealHidden(raw));
        const at = clean.lastIndexOf('@');
        if (at < 0) {
          expectFenced(out, 120);
          return;
        }
        const m = /^user\d+@(.*)$/.exec(out);
        expect(m, out).not.toBeNull();
        const domain = m![1]!;
        if (domain.startsWith('«')) expectFenced(domain, 80);
        else expect(domain).toMatch(/^[a-z0-9.-]{1,253}$/);
        const local = clean.slice(0, at);
        if (local.length >= 4 && !/^user\d+$/i.test(local)) expect(out).not.toContain(local);
      }),
      { numRuns: RUNS },
    );
  });

  it('redaction inside fenced text never nests or breaks a fence', () => {
    const localPart = fc.stringMatching(/^[a-z][a-z0-9.]{3,63}$/).filter((l) => !l.endsWith('.') && !l.includes('..'));
    const longDomain = fc.integer({ min: 4, max: 6 }).map((n) => Array.from({ length: n }, (_, i) => `${String.fromCharCode(97 + i)}`.repeat(63)).join('.'));
    const addr = fc.tuple(localPart, fc.oneof(fc.domain(), longDomain)).map(([l, d]) => `${l}@${d}`);
    fc.assert(
      fc.property(fc.array(fc.oneof(addr, adversarialText), { minLength: 1, maxLength: 6 }), fc.integer({ min: 50, max: 1_000 }), (parts, max) => {
        const text = parts.join(' ');
        // Server text around fenced data never holds a fence character of its own.
        const value = { fenced: fenceUntrusted(text, max), plain: `Mail for ${fenceUntrusted(text, max).slice(1, -1)}`, list: [fenceUntrusted(text, max)] };
        const out = redactAddressesDeep(value, new AddressRenderer(true));
        for (const s of [out.fenced, out.plain, ...out.list]) expect(fencesBalanced(s), s.slice(0, 300)).toBe(true);
        expectFenced(out.fenced, max + 2_000);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives a plain domain or a fenced, cleaned string', () => {
    fc.assert(
      fc.property(addressLike, (raw) => {
        const out = new AddressRenderer(false).domain(raw);
        if (out.startsWith('«')) expectFenced(out, 80);
        else expect(out).toMatch(/^[a-z0-9.-]{1,253}$/);
      }),
      { numRuns: RUNS },
    );
  });
});
