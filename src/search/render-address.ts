/**
 * Addresses in reports and kept result sets. As AddressRenderer.address, except for an address
 * that is not a plain SMTP address (a non-ASCII local part, stray characters) when redaction is
 * on: the renderer would show it fenced but whole, and the text redaction after it masks only
 * the ASCII tail ("zoë.ångströuser1@…"). Here such an address gets a pseudonym from the same
 * renderer, through a stand-in address made from its hash, so it stays stable within the answer
 * and hides the whole local part.
 */
import { createHash } from 'node:crypto';
import { AddressRenderer, domainOf, isPlainAddress } from '../output/addresses.js';
import { fenceUntrusted, sanitizeText, truncateText } from '../output/untrusted.js';

/**
 * `fenced`: non-plain addresses in «…» (for answers a model reads); otherwise sanitized plain
 * text (for CSV).
 */
export function renderAddress(addr: AddressRenderer, raw: string, fenced = true): string {
  const clean = sanitizeText(raw);
  if (isPlainAddress(clean)) return addr.address(clean);
  if (addr.redact && clean) {
    const standIn = `x${createHash('sha256').update(clean.toLowerCase()).digest('hex').slice(0, 16)}@${domainOf(clean)}`;
    if (isPlainAddress(standIn)) return addr.address(standIn);
    return fenced ? '«redacted»' : 'redacted';
  }
  return fenced ? fenceUntrusted(clean, 120) : truncateText(clean, 254);
}
