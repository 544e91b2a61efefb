/**
 * The strict shapes of values that cross the server's edges: trace ids, ISO 8601 instants, JSON
 * bodies. Each rule has its home here, so the tool schemas, the Graph client, the configuration
 * and the output guards agree on what a value is.
 */

/** 8-4-4-4-12 hex digits. Real trace ids are not RFC 4122 UUIDs, so only the shape is checked. */
export const GUID_SHAPE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuidShape(s: string): boolean {
  return GUID_SHAPE.test(s);
}

/** `YYYY-MM-DDThh:mm[:ss[.fraction]]` and a zone: Z, ±hh:mm or ±hhmm. */
const ISO_INSTANT_SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i;

/** True when the text has the ISO 8601 date-time shape with a zone, whether or not the date exists. */
export function hasIsoInstantShape(s: string): boolean {
  return ISO_INSTANT_SHAPE.test(s);
}

/**
 * The instant an ISO 8601 date-time with a zone names, in epoch milliseconds; undefined unless the
 * text has that shape and its date and time exist. JavaScript's Date would read 2026-02-30 as
 * 2 March and 24:00 as the next day, and Date.parse accepts free text; Graph accepts neither.
 */
export function parseIsoInstant(s: string): number | undefined {
  const m = ISO_INSTANT_SHAPE.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second, zoneHours, zoneMinutes] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const exists = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && zoneHours <= 14 && zoneMinutes <= 59;
  if (!exists) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

/** Bytes of a UTF-8 byte order mark at the start of a body (Graph behind some proxies sends one). */
export function utf8BomLength(bytes: Uint8Array): 0 | 3 {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}
