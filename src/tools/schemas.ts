/**
 * Input field schemas shared by the tools. Each carries its own error text naming the field and
 * the accepted form, because that text is what a model reads when it gets an argument wrong.
 */
import { isIP } from 'node:net';
import * as z from 'zod';
import { TRACE_STATUSES } from '../graph/types.js';
import { isPlainAddress } from '../output/addresses.js';
import { domainFilterValue, normaliseDomain, wildcardDomain } from '../search/domain-filter.js';
import { GUID_SHAPE, hasIsoInstantShape, parseIsoInstant } from '../shapes.js';

export const MAX_LIST = 20;

/**
 * A whole number from `min` to `max`. One message, said once: each check stops at its failure
 * (9.5e+301 is neither a safe integer nor ≤ max, and was reported twice).
 */
export function wholeNumber(field: string, min: number, max: number) {
  const error = `${field} must be a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error, abort: true }).min(min, { error, abort: true }).max(max, { error, abort: true });
}

/** Characters an error message must not echo raw: controls, format (zero-width, bidi), invisible, lone surrogates. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\u2028\u2029]/gu;

/** A rejected input for an error message: cut to `max` characters, quoted, unprintable characters escaped as \uXXXX. */
export function quoteInput(value: unknown, max: number): string {
  const text = String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut).replace(UNPRINTABLE, (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
}

/** True when the string has no lone surrogate: such a string cannot be sent in a URL without changing. */
export function isWellFormedText(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}


export function address(field: string) {
  return z
    .string({ error: `${field} must be an SMTP address like user@contoso.com` })
    .trim()
    .refine((s) => isPlainAddress(s), { error: (iss) => `${field} must be an SMTP address like user@contoso.com (got ${quoteInput(iss.input, 80)})` });
}

export function addressOrList(field: string) {
  const error = `${field} must be one SMTP address (user@contoso.com) or a list of 1 to ${MAX_LIST} addresses`;
  return z.union([address(field), z.array(address(field)).min(1, { error }).max(MAX_LIST, { error })], { error });
}

/**
 * A search address: a full SMTP address, or `*@domain` (the handler turns it into the domain
 * filter). Any other pattern is refused, pointing to the domain field: Graph documents no
 * wildcard, and a pattern sent as an address would match nothing and read as "no mail".
 */
function searchAddress(field: string, domainField: string) {
  const refusal = (input: unknown): string => {
    const text = String(input).trim();
    const at = text.lastIndexOf('@');
    const domain = normaliseDomain((at >= 0 ? text.slice(at + 1) : text).replace(/\*/g, '').replace(/^\./, ''));
    const example = `${domainField}${domain ? ` (e.g. ${domainField}: "${domain}")` : ' (e.g. "contoso.com")'}`;
    if (text.includes('*')) {
      return `${field} takes full SMTP addresses (user@contoso.com), not patterns (got ${quoteInput(text, 80)}). For every address at a domain use ${example}; Graph would read a pattern as a literal address and find nothing.`;
    }
    const hint = at <= 0 && domain ? `; for every address at ${domain} use ${example}` : '';
    return `${field} must be an SMTP address like user@contoso.com (got ${quoteInput(text, 80)})${hint}`;
  };
  return z
    .string({ error: `${field} must be an SMTP address like user@contoso.com` })
    .trim()
    .refine((s) => wildcardDomain(s) !== undefined ? wildcardDomain(s) !== '' : isPlainAddress(s) && !s.includes('*'), { error: (iss) => refusal(iss.input) });
}

/** search_traces' sender/recipient: addresses, or `*@domain` read as the matching domain filter. */
export function searchAddressOrList(field: string, domainField: string) {
  const error = `${field} must be one SMTP address (user@contoso.com) or a list of 1 to ${MAX_LIST} addresses; for a whole domain use ${domainField}`;
  const one = searchAddress(field, domainField);
  return z.union([one, z.array(one).min(1, { error }).max(MAX_LIST, { error })], { error });
}

/**
 * A domain filter: the exact part after the @, case-insensitive, one or a list. `@contoso.com`
 * and `*@contoso.com` are accepted as contoso.com; a subdomain wildcard or an address is refused
 * with what to give instead.
 */
export function domainOrList(field: string, addressField: string) {
  const accepted = `${field} must be a domain name like contoso.com (the part of the address after the @), or a list of 1 to ${MAX_LIST} of them`;
  const refusal = (input: unknown): string => {
    const text = String(input).trim();
    if (/[*?%]/.test(text)) {
      return `${field} matches domains exactly; wildcards are not supported (got ${quoteInput(text, 80)}). Give the domain itself (contoso.com), and list subdomains separately (mail.contoso.com).`;
    }
    if (/.@/.test(text)) return `${field} takes a domain, not an address (got ${quoteInput(text, 80)}): give ${quoteInput(text.slice(text.lastIndexOf('@') + 1), 80)}, or use ${addressField} for one address.`;
    return `${accepted} (got ${quoteInput(text, 80)})`;
  };
  const one = z
    .string({ error: accepted })
    .trim()
    // Refine only (no transform, which would hide this message behind the union's): the handler
    // normalises with the same domainFilterValue.
    .refine((s) => domainFilterValue(s) !== '', { error: (iss) => refusal(iss.input) });
  return z.union([one, z.array(one).min(1, { error: accepted }).max(MAX_LIST, { error: accepted })], { error: accepted });
}

export const statusEnum = z.enum(TRACE_STATUSES, {
  error: `status must be one of: ${TRACE_STATUSES.join(', ')}`,
});

const statusListError = `status must be one of ${TRACE_STATUSES.join(', ')}, or a list of 1 to ${TRACE_STATUSES.length} of them`;
export const statusOrList = z.union(
  [statusEnum, z.array(statusEnum).min(1, { error: statusListError }).max(TRACE_STATUSES.length, { error: statusListError })],
  { error: statusListError },
);

export const traceId = z
  .string({ error: 'traceId must be a message trace id: 8-4-4-4-12 hex digits, as in search_traces results' })
  .trim()
  .regex(GUID_SHAPE, { error: 'traceId must be a message trace id: 8-4-4-4-12 hex digits (e.g. eaaafa9a-788c-47f0-357c-08de5bf702e0), as in search_traces results' });

/** A Message-ID header value as given (prompts take it as is; the tools add angle brackets). */
export const messageIdText = z
  .string({ error: 'messageId must be the Message-ID header value, e.g. <abc123@contoso.com>' })
  .trim()
  .min(3, { error: 'messageId must be the Message-ID header value, e.g. <abc123@contoso.com>' })
  .max(998, { error: 'messageId is longer than a Message-ID header can be (998 characters)' })
  .refine((s) => !/[\u0000-\u001f\u007f\s]/.test(s) && isWellFormedText(s), { error: 'messageId must not contain spaces or control characters; give the Message-ID header value, e.g. <abc123@contoso.com>' });

export const messageId = messageIdText
  .transform((s) => (s.startsWith('<') ? s : `<${s}`))
  .transform((s) => (s.endsWith('>') ? s : `${s}>`));

export function ipAddress(field: string) {
  return z
    .string({ error: `${field} must be an IPv4 or IPv6 address` })
    .trim()
    .refine((s) => isIP(s) !== 0, { error: (iss) => `${field} must be an IPv4 or IPv6 address (got ${quoteInput(iss.input, 60)})` });
}

export function dateTime(field: string) {
  const accepted = `${field} must be an ISO 8601 date-time with a time zone, e.g. 2026-11-20T08:00:00Z or 2026-11-20T09:00:00+01:00`;
  return z
    .string({ error: accepted })
    .trim()
    .max(40, { error: accepted, abort: true })
    .refine((s) => parseIsoInstant(s) !== undefined, { error: (iss) => `${accepted} (got ${quoteInput(iss.input, 40)}${hasIsoInstantShape(String(iss.input).trim()) ? ', which is not a real date and time' : ''})` });
}

/** Subject text to match: 1 to 256 characters of well-formed text (a lone surrogate would reach Graph as U+FFFD). */
export const subjectText = z
  .string({ error: 'subject must be text' })
  .min(1, { error: 'subject must not be empty' })
  .max(256, { error: 'subject must be at most 256 characters' })
  .refine(isWellFormedText, { error: 'subject must be well-formed text (it contains a lone UTF-16 surrogate, which cannot be sent to Graph)' });

export const responseFormat = z.enum(['concise', 'detailed'], { error: 'responseFormat must be concise or detailed' });

/** An unknown argument name for an error message: as is when it is a plain identifier, else quoted and cut. */
function argumentName(key: string): string {
  return /^[A-Za-z0-9_$.-]{1,40}$/.test(key) ? key : quoteInput(key, 40);
}

/** Strict objects: unknown keys are rejected with the list of accepted ones. */
export function strictInput<T extends z.ZodRawShape>(shape: T) {
  const accepted = Object.keys(shape).join(', ');
  const unknown = (keys: string[]): string =>
    keys.slice(0, 5).map(argumentName).join(', ') + (keys.length > 5 ? ` and ${keys.length - 5} more` : '');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `Unknown argument(s): ${unknown(iss.keys)}. Accepted arguments: ${accepted}.`
        : iss.code === 'invalid_type'
          ? `Arguments must be an object with these fields: ${accepted}.`
          : undefined,
  });
}

/** One value or a list → a de-duplicated list (case-insensitive for strings). */
export function asList<T extends string>(v: T | T[] | undefined): T[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  const seen = new Set<string>();
  return list.filter((x) => {
    const k = x.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
