/**
 * Input field schemas shared by the tools. Each carries its own error text naming the field and
 * the accepted form, because that text is what a model reads when it gets an argument wrong.
 */
import { isIP } from 'node:net';
import * as z from 'zod';
import { TRACE_STATUSES } from '../graph/types.js';
import { isPlainAddress } from '../trace/addresses.js';

export const MAX_LIST = 20;

/** 8-4-4-4-12 hex digits. Real trace ids are not RFC 4122 UUIDs, so only the shape is checked. */
export const TRACE_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function address(field: string) {
  return z
    .string({ error: `${field} must be an SMTP address like user@contoso.com` })
    .trim()
    .refine((s) => isPlainAddress(s), { error: (iss) => `${field} must be an SMTP address like user@contoso.com (got ${JSON.stringify(String(iss.input).slice(0, 80))})` });
}

export function addressOrList(field: string) {
  return z.union([address(field), z.array(address(field)).min(1).max(MAX_LIST)], {
    error: `${field} must be one SMTP address (user@contoso.com) or a list of 1 to ${MAX_LIST} addresses`,
  });
}

export const statusEnum = z.enum(TRACE_STATUSES, {
  error: `status must be one of: ${TRACE_STATUSES.join(', ')}`,
});

export const statusOrList = z.union([statusEnum, z.array(statusEnum).min(1).max(TRACE_STATUSES.length)], {
  error: `status must be one of ${TRACE_STATUSES.join(', ')}, or a list of them`,
});

export const traceId = z
  .string({ error: 'traceId must be a message trace id: 8-4-4-4-12 hex digits, as in search_traces results' })
  .trim()
  .regex(TRACE_ID, { error: 'traceId must be a message trace id: 8-4-4-4-12 hex digits (e.g. eaaafa9a-788c-47f0-357c-08de5bf702e0), as in search_traces results' });

export const messageId = z
  .string({ error: 'messageId must be the Message-ID header value, e.g. <abc123@contoso.com>' })
  .trim()
  .min(3, { error: 'messageId must be the Message-ID header value, e.g. <abc123@contoso.com>' })
  .max(998, { error: 'messageId is longer than a Message-ID header can be (998 characters)' })
  .refine((s) => !/[\u0000-\u001f\u007f\s]/.test(s), { error: 'messageId must not contain spaces or control characters; give the Message-ID header value, e.g. <abc123@contoso.com>' })
  .transform((s) => (s.startsWith('<') ? s : `<${s}`))
  .transform((s) => (s.endsWith('>') ? s : `${s}>`));

export function ipAddress(field: string) {
  return z
    .string({ error: `${field} must be an IPv4 or IPv6 address` })
    .trim()
    .refine((s) => isIP(s) !== 0, { error: (iss) => `${field} must be an IPv4 or IPv6 address (got ${JSON.stringify(String(iss.input).slice(0, 60))})` });
}

export function dateTime(field: string) {
  return z
    .string({ error: `${field} must be an ISO 8601 date-time with a time zone, e.g. 2026-11-20T08:00:00Z` })
    .trim()
    .max(40, { error: `${field} must be an ISO 8601 date-time with a time zone, e.g. 2026-11-20T08:00:00Z` });
}

export const responseFormat = z.enum(['concise', 'detailed'], { error: 'responseFormat must be concise or detailed' });

/** Strict objects: unknown keys are rejected with the list of accepted ones. */
export function strictInput<T extends z.ZodRawShape>(shape: T) {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `Unknown argument(s): ${iss.keys.join(', ')}. Accepted arguments: ${accepted}.`
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
