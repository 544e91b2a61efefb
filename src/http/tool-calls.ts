/**
 * What HTTP mode does around every tool call: the caller's per-minute allowance first, then the
 * call (its Graph requests counted), then one audit line. Kept apart from the MCP SDK: server.ts
 * wraps each tool handler with `guardToolCall`.
 */
import { countGraphRequests } from '../graph/request-count.js';
import type { ToolResult } from '../tools/context.js';
import { auditLine, type AuditOutcome } from './audit.js';
import type { CallLimiter } from './call-limit.js';
import type { Caller } from './entra-token.js';

export interface ToolCallGuard {
  limiter: CallLimiter | undefined;
  /** Mask addresses in the logged arguments (MESSAGE_TRACE_REDACT=addresses). */
  redact: boolean;
  /** Where audit lines go (stderr in production). */
  write: (line: string) => void;
}

export function rateLimited(perMinute: number, retryAfterSeconds: number): ToolResult {
  return {
    isError: true,
    content: [
      {
        type: 'text',
        text: `Not run: you made ${perMinute} tool calls in the last minute, the most this server allows one caller (MESSAGE_TRACE_HTTP_CALLS_PER_MINUTE), so that everyone shares the tenant's Graph quota.\nFix: retry in ${retryAfterSeconds} s; meanwhile prefer one narrow search (groupBy for reports) over many calls.`,
      },
    ],
  };
}

/** Run one tool call for `caller` under the guard. */
export async function guardToolCall(
  guard: ToolCallGuard,
  caller: Caller | undefined,
  call: { tool: string; arguments: unknown; signal: AbortSignal },
  run: () => Promise<ToolResult>,
): Promise<ToolResult> {
  const started = performance.now();
  const counter = { requests: 0 };
  let outcome: AuditOutcome = 'error';
  try {
    const admission = guard.limiter?.admit(caller?.key ?? 'anonymous');
    if (admission && !admission.ok) {
      outcome = 'rate-limited';
      return rateLimited(guard.limiter?.perMinute ?? 0, admission.retryAfterSeconds);
    }
    const result = await countGraphRequests(counter, run);
    outcome = call.signal.aborted ? 'cancelled' : result.isError ? 'error' : 'ok';
    return result;
  } finally {
    guard.write(auditLine(caller, { tool: call.tool, arguments: call.arguments, outcome, graphRequests: counter.requests, ms: performance.now() - started }, { redact: guard.redact }));
  }
}
