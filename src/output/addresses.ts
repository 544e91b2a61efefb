/**
 * Addresses in tool output. A plain, well-formed SMTP address is shown as is (sanitized) so a
 * model can pass it straight back to get_trace_details; anything else is fenced as untrusted
 * text. With redaction on (MESSAGE_TRACE_REDACT=addresses) the local part is replaced by a
 * stable pseudonym, the same one for the same address throughout one response.
 */
import { fenceUntrusted, sanitizeText } from './untrusted.js';

const PLAIN_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$/;
const PLAIN_DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$/;

export function isPlainAddress(s: string): boolean {
  return s.length <= 254 && PLAIN_ADDRESS.test(s);
}

/** The domain part of an address, lower-cased; '' when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1).toLowerCase() : '';
}

export class AddressRenderer {
  private readonly pseudonyms = new Map<string, string>();

  constructor(readonly redact: boolean) {}

  /**
   * An address for output: plain, redacted, or fenced when it is not a plain address. With
   * redaction, anything with an @ is an address to mask, plain or not (an internationalised
   * local part like zoë.ångström@ is not "plain" but is still someone's address): the alias keeps
   * the domain, plain when it is a DNS name, else fenced.
   */
  address(raw: string): string {
    const clean = sanitizeText(raw);
    const plain = isPlainAddress(clean);
    if (!this.redact) return plain ? clean : fenceUntrusted(clean, 120);
    const at = clean.lastIndexOf('@');
    if (at < 0) return fenceUntrusted(clean, 120); // not an address: nothing to mask
    const key = clean.toLowerCase();
    let alias = this.pseudonyms.get(key);
    if (!alias) {
      alias = `user${this.pseudonyms.size + 1}@${this.domain(clean.slice(at + 1))}`;
      this.pseudonyms.set(key, alias);
    }
    return alias;
  }

  /** A domain for output: plain when it looks like a DNS name, fenced otherwise. */
  domain(raw: string): string {
    const clean = sanitizeText(raw);
    return PLAIN_DOMAIN.test(clean) && clean.length <= 253 ? clean.toLowerCase() : fenceUntrusted(clean, 80);
  }
}

const ADDRESS_IN_TEXT = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+/g;

/**
 * Redaction for free text and whole results: every address-looking substring in every string is
 * replaced by the renderer's stable pseudonym (already pseudonymous ones are left alone).
 */
export function redactAddressesDeep<T>(value: T, addr: AddressRenderer): T {
  const visit = (v: unknown): unknown => {
    // The match may sit inside a «…» fence: an alias whose domain had to be fenced (a name over
    // 253 characters) gets ‹›, as fenceUntrusted does, so it cannot nest or close that fence.
    if (typeof v === 'string') return v.replace(ADDRESS_IN_TEXT, (m) => (/^user\d+@/.test(m) ? m : addr.address(m).replace(/«/g, '‹').replace(/»/g, '›')));
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    return v;
  };
  return visit(value) as T;
}
