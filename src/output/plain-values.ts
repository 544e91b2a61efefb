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

/** How much of an echoed Graph text (an error message, an unknown code) is shown. */
export const GRAPH_TEXT_CHARS = 300;

/** Free text from Graph (an error message): sanitized, capped and fenced like mail data. */
export function graphText(raw: unknown): string {
  return fenceUntrusted(raw, GRAPH_TEXT_CHARS);
}

const CODE_SHAPE = /^[A-Za-z][A-Za-z0-9_.-]{0,79}$/;

/** A Graph error code ("InvalidAuthenticationToken") as is; anything else fenced. */
export function shownErrorCode(raw: string): string {
  return CODE_SHAPE.test(raw) ? raw : graphText(raw);
}

/** Graph's request-id header: a GUID as is (to quote in a support case); anything else fenced. */
export function shownRequestId(raw: string): string {
  return isGuidShape(raw) ? raw : fenceUntrusted(raw, 60);
}
