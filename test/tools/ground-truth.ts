/** Ground truth for search_traces tests, computed straight from the simulated tenant's rows. */
import type { MessageTraceRow } from '../../src/graph/types.js';

export function rowsIn(rows: MessageTraceRow[], window: { start: string; end: string }, pred: (r: MessageTraceRow) => boolean = () => true): MessageTraceRow[] {
  const s = Date.parse(window.start);
  const e = Date.parse(window.end);
  return rows.filter((r) => {
    const t = Date.parse(r.receivedDateTime);
    return t >= s && t <= e && pred(r);
  });
}

/** Graph status → the canonical camelCase name search_traces reports. */
export function statusOf(r: MessageTraceRow): string {
  return r.status.charAt(0).toLowerCase() + r.status.slice(1);
}

export function countBy<T>(items: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) {
    const k = key(x);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

export function statusCounts(rows: MessageTraceRow[]): Record<string, number> {
  return countBy(rows, statusOf);
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** The direction rule, restated: sender and recipient in the tenant → internal, sender only → outbound, else inbound. */
export function directionOf(r: MessageTraceRow, tenantDomains: string[]): string {
  const inTenant = (a: string) => tenantDomains.includes(domainOf(a));
  if (!inTenant(r.senderAddress)) return 'inbound';
  return inTenant(r.recipientAddress) ? 'internal' : 'outbound';
}
