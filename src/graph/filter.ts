/**
 * Builds the `$filter` for `GET /admin/exchange/tracing/messageTraces`, using only what Graph
 * documents (https://learn.microsoft.com/en-us/graph/api/resources/exchangemessagetrace):
 * `eq` on ids, addresses, status and IPs; `ge` + `le` on receivedDateTime; contains /
 * startsWith / endsWith on subject; clauses joined with `and`. Graph silently ignores `or` and
 * `in` (they are not among the operators the resource page lists), so a list of values is never folded into one filter: the caller runs
 * one query per value. Every value goes through `odataString`, so no input can change the
 * filter's structure.
 */
import type { TraceStatus } from './types.js';

export type SubjectMatch = 'contains' | 'startsWith' | 'endsWith';

/** One single-valued query against the list endpoint. */
export interface TraceQuery {
  start: Date;
  end: Date;
  senderAddress?: string;
  recipientAddress?: string;
  status?: TraceStatus;
  messageId?: string;
  traceId?: string;
  subject?: { text: string; match: SubjectMatch };
  fromIP?: string;
  toIP?: string;
}

/** An OData string literal: single quotes, with embedded quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `YYYY-MM-DDThh:mm:ssZ`, the form the Graph docs give for receivedDateTime bounds. */
export function odataDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function buildFilter(q: TraceQuery): string {
  const clauses: string[] = [
    `receivedDateTime ge ${odataDateTime(q.start)}`,
    `receivedDateTime le ${odataDateTime(q.end)}`,
  ];
  const eq = (prop: string, v: string | undefined): void => {
    if (v !== undefined) clauses.push(`${prop} eq ${odataString(v)}`);
  };
  eq('id', q.traceId);
  eq('messageId', q.messageId);
  eq('senderAddress', q.senderAddress);
  eq('recipientAddress', q.recipientAddress);
  eq('status', q.status);
  eq('fromIP', q.fromIP);
  eq('toIP', q.toIP);
  if (q.subject) clauses.push(`${q.subject.match}(subject,${odataString(q.subject.text)})`);
  return clauses.join(' and ');
}

/** The list URL path + query for one query: `/admin/exchange/tracing/messageTraces?$filter=…&$top=…`. */
export function listPath(q: TraceQuery, top: number): string {
  const params = new URLSearchParams();
  params.set('$filter', buildFilter(q));
  params.set('$top', String(top));
  // URLSearchParams encodes spaces as '+', which OData servers read as a literal plus in some
  // stacks; use %20 to be unambiguous.
  return `/admin/exchange/tracing/messageTraces?${params.toString().replace(/\+/g, '%20')}`;
}

/** The detail URL path for one trace and recipient (OData function call, quoted parameter). */
export function detailsPath(traceId: string, recipientAddress: string): string {
  // encodeURIComponent keeps the quotes literal, as in the documented request form.
  const literal = encodeURIComponent(odataString(recipientAddress));
  return `/admin/exchange/tracing/messageTraces/${encodeURIComponent(traceId)}/getDetailsByRecipient(recipientAddress=${literal})`;
}
