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

  /** An address for output: plain, redacted, or fenced when it is not a plain address. */
  address(raw: string): string {
    const clean = sanitizeText(raw);
    if (!isPlainAddress(clean)) return fenceUntrusted(clean, 120);
    if (!this.redact) return clean;
    const key = clean.toLowerCase();
    let alias = this.pseudonyms.get(key);
    if (!alias) {
      alias = `user${this.pseudonyms.size + 1}@${domainOf(clean)}`;
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
    if (typeof v === 'string') return v.replace(ADDRESS_IN_TEXT, (m) => (/^user\d+@/.test(m) ? m : addr.address(m)));
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    return v;
  };
  return visit(value) as T;
}
