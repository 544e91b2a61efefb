/** Shared helpers for the simulator tests: real HTTP against a real simulator on loopback. */
import type { MessageTraceDetailEvent, MessageTraceRow } from '../../../src/graph/types.js';
import { startGraphSimulator, type GraphSimulator, type SimulatorOptions } from '../../../src/demo/simulator/server.js';
import { generateTenant, type SimTenant } from '../../../src/demo/simulator/tenant.js';

/** A fixed clock for deterministic tests. */
export const NOW = new Date('2026-11-20T12:00:00.000Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const TOKEN = 'sim-test-token';

let cachedTenant: SimTenant | undefined;
/** The default tenant (seed 42) at NOW, generated once per test file. */
export function defaultTenant(): SimTenant {
  cachedTenant ??= generateTenant({ now: NOW });
  return cachedTenant;
}

export function startSim(opts: SimulatorOptions = {}): Promise<GraphSimulator> {
  return startGraphSimulator({ now: () => NOW, tenant: defaultTenant(), rateLimit: false, ...opts });
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface GetOptions {
  /** null = no Authorization header. */
  token?: string | null;
  authorization?: string;
  prefer?: string;
  headers?: Record<string, string>;
  method?: string;
  signal?: AbortSignal;
}

export async function get(url: string, opts: GetOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.authorization !== undefined) headers['authorization'] = opts.authorization;
  else if (opts.token !== null) headers['authorization'] = `Bearer ${opts.token ?? TOKEN}`;
  if (opts.prefer) headers['prefer'] = opts.prefer;
  const init: RequestInit = { method: opts.method ?? 'GET', headers };
  if (opts.signal) init.signal = opts.signal;
  const res = await fetch(url, init);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** URL of the list endpoint with query options (values are percent-encoded). */
export function listUrl(sim: GraphSimulator, params: Record<string, string> = {}, version = 'v1.0'): string {
  const qs = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${sim.url}/${version}/admin/exchange/tracing/messageTraces${qs ? `?${qs}` : ''}`;
}

/** OData single-quoted literal. */
export function q(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function detailsUrl(sim: GraphSimulator, traceId: string, recipient: string, version = 'v1.0'): string {
  return `${sim.url}/${version}/admin/exchange/tracing/messageTraces/${traceId}/getDetailsByRecipient(recipientAddress=${encodeURIComponent(q(recipient))})`;
}

export function dateFilter(start: Date | number, end: Date | number, extra?: string): string {
  const s = new Date(start).toISOString();
  const e = new Date(end).toISOString();
  return `receivedDateTime ge ${s} and receivedDateTime le ${e}${extra ? ` and ${extra}` : ''}`;
}

/** Follow @odata.nextLink to the end; returns every row and the number of pages. */
export async function listAll(url: string, opts: GetOptions = {}, maxPages = 100): Promise<{ rows: MessageTraceRow[]; pages: HttpResult[] }> {
  const rows: MessageTraceRow[] = [];
  const pages: HttpResult[] = [];
  let next: string | undefined = url;
  while (next) {
    const page = await get(next, opts);
    if (page.status !== 200) throw new Error(`page ${pages.length + 1}: HTTP ${page.status} ${page.text}`);
    pages.push(page);
    rows.push(...(page.json.value as MessageTraceRow[]));
    next = page.json['@odata.nextLink'];
    if (pages.length > maxPages) throw new Error('too many pages');
  }
  return { rows, pages };
}

/** Ground truth: tenant rows in [start, end] (inclusive), newest first as stored. */
export function rowsIn(tenant: SimTenant, start: number, end: number, pred: (r: MessageTraceRow) => boolean = () => true): MessageTraceRow[] {
  return tenant.rows.filter((r) => {
    const t = Date.parse(r.receivedDateTime);
    return t >= start && t <= end && pred(r);
  });
}

export function key(r: { id: string; recipientAddress: string }): string {
  return `${r.id}|${r.recipientAddress.toLowerCase()}`;
}

/** Value of one MEP in an event's data XML (attribute values unescaped). */
export function mep(event: MessageTraceDetailEvent, name: string): string | undefined {
  if (!event.data) return undefined;
  const re = new RegExp(`<MEP Name="${name}" (?:String|Integer|Long|Blob|DateTime)="([^"]*)" />`);
  const m = re.exec(event.data);
  return m?.[1]?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
