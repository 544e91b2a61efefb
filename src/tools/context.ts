/**
 * What tool handlers get from the server (dependencies, injected for tests), and the helpers that
 * turn answers and failures into MCP tool results.
 */
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { describeProblems, type Config } from '../config.js';
import type { GraphClient, WaitInfo } from '../graph/client.js';
import { TraceError } from '../graph/errors.js';
import type { Logger } from '../log.js';

export interface ToolDeps {
  config: Config;
  /** The shared Graph client, built on first use. */
  graph: () => GraphClient;
  log: Logger;
  now: () => Date;
  /** Total wait (Retry-After, backoff, pacing) one tool call may spend, in ms. */
  waitAllowanceMs: number;
}

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export const READ_ONLY_ANNOTATIONS = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
} as const;

/** A successful answer: the structured object, and the same facts as text. */
export function answer(structured: object, text: string): CallToolResult {
  return {
    content: [{ type: 'text', text }],
    structuredContent: structured as Record<string, unknown>,
  };
}

/** A failure the user can act on: isError with what, why and the fix. No structured content. */
export function failure(err: unknown, log: Logger): CallToolResult {
  let text: string;
  if (err instanceof TraceError) {
    text = err.describe();
    log.info(`tool call failed (${err.kind}): ${err.message}`);
  } else {
    // Unexpected: log the detail to stderr for the operator, give the user no stack trace.
    log.error(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    text =
      'The server hit an unexpected internal error while answering.\nWhy: this is a bug in message-trace-mcp, not a problem with your tenant.\nFix: try again; if it repeats, report it with the server\'s stderr log.';
  }
  return { isError: true, content: [{ type: 'text', text }] };
}

/** A tool call cannot reach Graph while the configuration is broken: say which setting and how to fix it. */
export function configFailure(config: Config): CallToolResult | undefined {
  if (config.problems.length === 0) return undefined;
  return {
    isError: true,
    content: [
      {
        type: 'text',
        text: `message-trace-mcp is not configured correctly, so it cannot call Microsoft Graph.\n${describeProblems(config.problems)}\nAfter changing the settings, restart the server (most hosts restart it when you save the config). Run "message-trace-mcp --check" in a terminal with the same settings for a step-by-step check.`,
      },
    ],
  };
}

/** Sends progress notifications only when the client asked for them (sent a progress token). */
export function progressReporter(extra: ToolExtra): (message: string) => void {
  const token = extra._meta?.progressToken;
  let progress = 0;
  return (message: string) => {
    if (token === undefined || extra.signal.aborted) return;
    progress++;
    void extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, message } })
      .catch(() => undefined);
  };
}

export function waitMessage(info: WaitInfo): string {
  return `${info.reason} (${Math.ceil(info.ms / 1000)} s)`;
}
