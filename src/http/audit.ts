/**
 * The audit trail of HTTP mode: one JSON line on stderr per tool call, whatever the log level, so
 * a shared deployment can answer "who looked at what" from its container logs. It names the
 * caller by ids (oid, appid, tid), never by token; with MESSAGE_TRACE_REDACT=addresses the
 * addresses in the arguments are masked as in tool output.
 */
import { AddressRenderer, redactAddressesDeep } from '../output/addresses.js';
import type { Caller } from './entra-token.js';

export type AuditOutcome = 'ok' | 'error' | 'rate-limited' | 'cancelled';

export interface ToolCallRecord {
  tool: string;
  arguments: unknown;
  outcome: AuditOutcome;
  graphRequests: number;
  ms: number;
}

const MAX_STRING = 300;

/** Argument values as logged: long strings cut, addresses masked when asked. */
function loggedArguments(args: unknown, redact: boolean): unknown {
  const cut = (v: unknown): unknown => {
    if (typeof v === 'string') return v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}…` : v;
    if (Array.isArray(v)) return v.map(cut);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cut(x)]));
    return v;
  };
  const shown = cut(args ?? {});
  return redact ? redactAddressesDeep(shown, new AddressRenderer(true)) : shown;
}

export function auditLine(caller: Caller | undefined, record: ToolCallRecord, opts: { redact: boolean; now?: Date }): string {
  return `${JSON.stringify({
    audit: 'tool_call',
    time: (opts.now ?? new Date()).toISOString(),
    caller: caller ? { oid: caller.oid ?? null, appid: caller.appid ?? null, tid: caller.tid } : null,
    tool: record.tool,
    arguments: loggedArguments(record.arguments, opts.redact),
    outcome: record.outcome,
    graphRequests: record.graphRequests,
    ms: Math.round(record.ms),
  })}\n`;
}
