/**
 * Values from Graph that have a strict shape (trace ids, timestamps, IPs) are shown as they are
 * only when they have that shape; anything else is mail-adjacent data of unknown origin and is
 * fenced like a subject. This keeps ids usable as tool arguments without trusting the response.
 */
import { isIP } from 'node:net';
import { normaliseStatus } from '../graph/types.js';
import { fenceUntrusted } from './untrusted.js';

const GUID_SHAPE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function shownTraceId(raw: string): string {
  return GUID_SHAPE.test(raw) ? raw : fenceUntrusted(raw, 60);
}

export function shownDateTime(raw: string): string {
  return ISO_INSTANT.test(raw) && !Number.isNaN(Date.parse(raw)) ? raw : fenceUntrusted(raw, 60);
}

/** An IP as is; blank stays blank (Graph leaves toIP blank for inbound mail). */
export function shownIp(raw: string): string {
  return raw === '' || isIP(raw) !== 0 ? raw : fenceUntrusted(raw, 60);
}

/** A status as one of Graph's names; anything else becomes 'unknown'. */
export function shownStatus(raw: string): string {
  return normaliseStatus(raw) ?? 'unknown';
}
