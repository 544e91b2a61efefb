/**
 * Fault injection for the Graph simulator. Faults wait in a FIFO queue; each request takes the
 * first fault that matches its route (and that can apply to it: the paging faults only apply to
 * the list route). A fault added with `times: n` answers the next n matching requests.
 */

export type Fault =
  /**
   * Graph-shaped error body with this status (429, 500, 503, 504, 400, …). A hostile endpoint's
   * version: `code` replaces the error code, `requestId` the request-id header and body field.
   */
  | { kind: 'status'; status: number; retryAfter?: string; message?: string; code?: string; requestId?: string }
  /** 429 with the message-trace throttle text; Retry-After only when given. */
  | { kind: 'throttle'; retryAfter?: string }
  /** The missing service principal error (test/fixtures/sample-responses.json), as 401 Unauthorized or 403 Forbidden. */
  | { kind: 'servicePrincipal'; status: 401 | 403 }
  /** 403 Authorization_RequestDenied: the token lacks ExchangeMessageTrace.Read.All. */
  | { kind: 'consentMissing' }
  /** 401 InvalidAuthenticationToken (expired token). */
  | { kind: 'invalidToken' }
  /** Wait, then answer normally. */
  | { kind: 'delay'; ms: number }
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Destroy the socket before any response. */
  | { kind: 'reset' }
  /** Send 200 headers and part of the body, then destroy the socket. */
  | { kind: 'resetMidBody' }
  /** 200 application/json with a truncated body. */
  | { kind: 'malformedJson' }
  /** A proxy's HTML error page (default 502), content-type text/html. */
  | { kind: 'html'; status?: number }
  /** Answer normally, but @odata.nextLink points back at the first page's URL. */
  | { kind: 'nextLinkLoop' }
  /** Answer normally, but @odata.nextLink is on another origin. */
  | { kind: 'nextLinkForeign' }
  /** 200 with value: [] and a nextLink that resumes where this page should have started. */
  | { kind: 'emptyPageWithNext' }
  /** Answer normally, but the page's first row has an invalid token in it (the page around it stays well-formed). */
  | { kind: 'damagedRow' }
  /** Send 200 headers, then the body one byte every `intervalMs` (each byte within any idle timeout). */
  | { kind: 'drip'; intervalMs: number }
  /** 200 with a JSON body of about `bytes` bytes (a huge padding field), streamed without Content-Length. */
  | { kind: 'oversized'; bytes: number }
  /** A details answer with `count` events (details route only). */
  | { kind: 'manyEvents'; count: number }
  /** The page's rows again (repeats) with a fresh next link every time: paging that never ends (list route only). */
  | { kind: 'junkPages' };

export type FaultRoute = 'list' | 'details' | 'any';

export interface FaultController {
  add(fault: Fault, opts?: { times?: number; route?: FaultRoute }): void;
  clear(): void;
  /** How many more requests the queued faults will answer (Infinity when one is unlimited). */
  pending(): number;
}

/** The simulator side of the controller. */
export interface FaultQueue extends FaultController {
  /** Take the first queued fault matching a request on `route`, or undefined. */
  take(route: 'list' | 'details'): Fault | undefined;
}

interface Entry {
  fault: Fault;
  remaining: number;
  route: FaultRoute;
}

const LIST_ONLY = new Set<Fault['kind']>(['nextLinkLoop', 'nextLinkForeign', 'emptyPageWithNext', 'damagedRow', 'junkPages']);
const DETAILS_ONLY = new Set<Fault['kind']>(['manyEvents']);
const KINDS = new Set<Fault['kind']>([
  'status', 'throttle', 'servicePrincipal', 'consentMissing', 'invalidToken', 'delay', 'hang', 'reset',
  'resetMidBody', 'malformedJson', 'html', 'nextLinkLoop', 'nextLinkForeign', 'emptyPageWithNext', 'damagedRow',
  'drip', 'oversized', 'manyEvents', 'junkPages',
]);

function validate(fault: Fault): void {
  if (!fault || !KINDS.has(fault.kind)) throw new TypeError(`unknown fault kind: ${JSON.stringify((fault as { kind?: unknown })?.kind)}`);
  if (fault.kind === 'status' && !(Number.isInteger(fault.status) && fault.status >= 400 && fault.status <= 599)) {
    throw new RangeError(`fault status must be an integer 400..599, got ${fault.status}`);
  }
  if (fault.kind === 'servicePrincipal' && fault.status !== 401 && fault.status !== 403) {
    throw new RangeError('servicePrincipal fault status must be 401 or 403');
  }
  if (fault.kind === 'html' && fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 200 && fault.status <= 599)) {
    throw new RangeError(`html fault status must be an integer 200..599, got ${fault.status}`);
  }
  if (fault.kind === 'drip' && !(Number.isFinite(fault.intervalMs) && fault.intervalMs >= 0)) {
    throw new RangeError(`drip fault intervalMs must be a finite number >= 0, got ${fault.intervalMs}`);
  }
  if ((fault.kind === 'oversized' && !(Number.isInteger(fault.bytes) && fault.bytes >= 0)) || (fault.kind === 'manyEvents' && !(Number.isInteger(fault.count) && fault.count >= 0))) {
    throw new RangeError(`${fault.kind} fault size must be a whole number >= 0`);
  }
  if (fault.kind === 'delay' && !(Number.isFinite(fault.ms) && fault.ms >= 0)) {
    throw new RangeError(`delay fault ms must be a finite number >= 0, got ${fault.ms}`);
  }
}

export function createFaultQueue(): FaultQueue {
  let entries: Entry[] = [];
  return {
    add(fault, opts = {}) {
      validate(fault);
      const times = opts.times ?? 1;
      if (!(times === Infinity || (Number.isInteger(times) && times >= 1))) {
        throw new RangeError(`fault times must be a positive integer or Infinity, got ${times}`);
      }
      const route = opts.route ?? 'any';
      if (route !== 'list' && route !== 'details' && route !== 'any') throw new RangeError(`unknown fault route: ${String(route)}`);
      if (route === 'details' && LIST_ONLY.has(fault.kind)) {
        throw new RangeError(`fault ${fault.kind} only applies to the list route`);
      }
      if (route === 'list' && DETAILS_ONLY.has(fault.kind)) {
        throw new RangeError(`fault ${fault.kind} only applies to the details route`);
      }
      entries.push({ fault: { ...fault }, remaining: times, route });
    },
    clear() {
      entries = [];
    },
    pending() {
      return entries.reduce((sum, e) => sum + e.remaining, 0);
    },
    take(route) {
      const index = entries.findIndex(
        (e) =>
          (e.route === 'any' || e.route === route) &&
          (route === 'list' || !LIST_ONLY.has(e.fault.kind)) &&
          (route === 'details' || !DETAILS_ONLY.has(e.fault.kind)),
      );
      if (index < 0) return undefined;
      const entry = entries[index] as Entry;
      entry.remaining -= 1;
      if (entry.remaining <= 0) entries.splice(index, 1);
      return entry.fault;
    },
  };
}
