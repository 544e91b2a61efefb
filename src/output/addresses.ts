/**
 * Addresses in tool output. A plain, well-formed SMTP address is shown as is so a model can pass
 * it straight back to get_trace_details; anything else is fenced as untrusted text, and an
 * address that only looks plain once hidden characters are removed (`c\u200Beo@…`) is shown
 * fenced with those characters made visible (`«c[U+200B]eo@…»`): it is not the address it
 * resembles. With redaction on (MESSAGE_TRACE_REDACT=addresses) every address, in a field or
 * inside any text, becomes a pseudonym that keeps the domain: the same address gets the same
 * pseudonym everywhere in one answer and its exports.
 */
import type { TextRedactor } from './scope.js';
import { cleanText, fenceUntrusted, revealHidden, sanitizeText } from './untrusted.js';

const PLAIN_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$/;
const PLAIN_DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$/;
/** Longer field values are not addresses; only their start is looked at. */
const FIELD_WINDOW = 1024;

export function isPlainAddress(s: string): boolean {
  return s.length <= 254 && PLAIN_ADDRESS.test(s);
}

/** A DNS name with at least two labels (contoso.com), ASCII; the way domains are matched and shown. */
export function isDomainName(s: string): boolean {
  return s.length <= 253 && s.includes('.') && PLAIN_DOMAIN.test(s);
}

/** The domain part of an address, lower-cased; '' when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1).toLowerCase() : '';
}

// Addresses inside free text, in every shape a person or a mail system writes them: Unicode local
// parts and domains (jörg@exämple.de), quoted local parts ("john smith"@…), IP literals
// (mary@[10.0.0.1]), dotless domains (admin@intranet) and a percent-encoded @ (john%40contoso.com).
// The local part leaves out ' ` = / { | } so that the text around an address (quotes, "key=")
// is not taken for part of it. Over-matching only masks a little more.
const WORD = String.raw`[\p{L}\p{N}\p{M}]`;
const LABEL = String.raw`${WORD}(?:[\p{L}\p{N}\p{M}-]{0,62}${WORD})?`;
const LOCAL = String.raw`(?:"[^"\r\n«»‹›]{1,64}"|[\p{L}\p{N}\p{M}.!#$%&*+?^_~-]{1,64})`;
const DOMAIN = String.raw`(?:\[[^\]\s«»‹›]{1,64}\]|${LABEL}(?:\.${LABEL})*)`;
const ADDRESS_IN_TEXT = new RegExp(`(${LOCAL})(?:@|%40)(${DOMAIN})`, 'gu');

/** One key per address, whatever the form it was written in. */
function addressKey(address: string): string {
  return address.replace(/%40(?!.*%40)/, '@').toLowerCase();
}

export class AddressRenderer implements TextRedactor {
  private readonly pseudonyms = new Map<string, string>();
  /** Local parts of the pseudonyms given out ("user3"), so that a pseudonym is never masked again. */
  private readonly issued = new Set<string>();

  constructor(readonly redact: boolean) {}

  /**
   * An address for output: plain, altered (hidden characters shown), fenced when it is not a plain
   * address, or a pseudonym. `fenced` false gives unfenced text (CSV cells).
   */
  address(raw: string, fenced = true): string {
    const value = (raw.length > FIELD_WINDOW ? raw.slice(0, FIELD_WINDOW) : raw).trim();
    const visible = revealHidden(value);
    const asText = (): string => (fenced ? fenceUntrusted(visible, 120, this) : cleanText(visible, 254, this));
    if (!this.redact) return isPlainAddress(value) ? value : asText();
    // Masked whatever its shape or length: the last @ (or %40) splits it; the local part is
    // never shown, so only its start goes into the key.
    const at = Math.max(raw.lastIndexOf('@'), raw.lastIndexOf('%40'));
    if (at < 0) return asText();
    const local = sanitizeText(revealHidden(raw.slice(Math.max(0, at - FIELD_WINDOW), at)));
    const domain = sanitizeText(raw.slice(at + (raw[at] === '@' ? 1 : 3), at + FIELD_WINDOW));
    if (!local && !domain) return asText();
    return this.pseudonym(`${local}@${domain}`.toLowerCase(), domain);
  }

  /** A domain for output: plain when it looks like a DNS name, fenced otherwise. */
  domain(raw: string): string {
    const clean = sanitizeText(raw.length > FIELD_WINDOW ? raw.slice(0, FIELD_WINDOW) : raw);
    return PLAIN_DOMAIN.test(clean) && clean.length <= 253 ? clean.toLowerCase() : fenceUntrusted(clean, 80, this);
  }

  /** Every address inside `text` replaced by its pseudonym (pseudonyms already given stay). */
  redactText(text: string): string {
    if (!this.redact || (!text.includes('@') && !text.includes('%40'))) return text;
    return text.replace(ADDRESS_IN_TEXT, (match: string, local: string, domain: string) => {
      if (this.issued.has(local.toLowerCase())) return match;
      // The alias may sit inside a «…» fence: a fenced domain gets ‹›, so it cannot close it.
      return this.pseudonym(addressKey(match), domain).replace(/«/g, '‹').replace(/»/g, '›');
    });
  }

  private pseudonym(key: string, domain: string): string {
    let alias = this.pseudonyms.get(key);
    if (!alias) {
      // The domain first: showing it may give out a pseudonym of its own (a%40b inside it).
      const shownDomain = this.domain(domain);
      const local = `user${this.pseudonyms.size + 1}`;
      this.issued.add(local);
      alias = `${local}@${shownDomain}`;
      this.pseudonyms.set(key, alias);
    }
    return alias;
  }
}

/**
 * Redaction for free text and whole results: every address in every string (and object key) is
 * replaced by the renderer's stable pseudonym.
 */
export function redactAddressesDeep<T>(value: T, addr: AddressRenderer): T {
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') return addr.redactText(v);
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [addr.redactText(k), visit(x)]));
    return v;
  };
  return visit(value) as T;
}
