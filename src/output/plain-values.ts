/**
 * Values from Graph that have a strict shape (trace ids, timestamps, IPs) are shown as they are
 * only when they have that shape; anything else is mail-adjacent data of unknown origin and is
 * fenced like a subject. This keeps ids usable as tool arguments without trusting the response.
 */
import { isIP } from 'node:net';
import { normaliseStatus } from '../graph/types.js';
import { fenceUntrusted } from './untrusted.js';
import { isGuidShape, parseIsoInstant } from '../shapes.js';


export function shownTraceId(raw: string): string {
  return isGuidShape(raw) ? raw : fenceUntrusted(raw, 60);
}

export function shownDateTime(raw: string): string {
  return parseIsoInstant(raw) !== undefined ? raw : fenceUntrusted(raw, 60);
}

/** An IP as is; blank stays blank (Graph leaves toIP blank for inbound mail). */
export function shownIp(raw: string): string {
  return raw === '' || isIP(raw) !== 0 ? raw : fenceUntrusted(raw, 60);
}

/** A status as one of Graph's names; anything else becomes 'unknown'. */
export function shownStatus(raw: string): string {
  return normaliseStatus(raw) ?? 'unknown';
}
