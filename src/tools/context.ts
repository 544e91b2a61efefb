/**
 * What tool handlers get from the server (dependencies, injected for tests), what they answer
 * with, and the helpers that turn failures into MCP tool results.
 */
import { describeProblems, type Config } from '../config.js';
import type { GraphClient, WaitInfo } from '../graph/client.js';
import { TraceError } from '../errors.js';
import type { Logger } from '../log.js';
import { guardOutput, guardText } from '../output/guard.js';
import type { ResultStore } from '../search/results/store.js';
import type { RecentRows } from './row-status.js';

export interface ToolDeps {
  config: Config;
  /** The shared Graph client, built on first use. */
  graph: () => GraphClient;
  log: Logger;
  now: () => Date;
  /** Total wait (Retry-After, backoff, pacing) one tool call may spend, in ms. */
  waitAllowanceMs: number;
  /** Keeps each search's full row set for the message-trace://results/ resources. */
  results?: Pick<ResultStore, 'collect' | 'keep'>;
  /** Rows recently listed in answers: get_trace_details reads their status without a request. */
  recentRows?: RecentRows;
}

/** What a handler gets from the MCP request (server.ts builds it): the cancel signal and progress. */
export interface ToolCall {
  /** Aborts when the client cancels the call or disconnects. */
  signal: AbortSignal;
  /** A progress notification, sent only when the client asked for progress. */
  progress(message: string): void;
}

/** A link to a resource (the full row set of a search). */
export type ResourceLinkContent = { type: 'resource_link'; uri: string; name: string; title?: string; mimeType?: string; description?: string };

/** The MCP content blocks the tools answer with (a subset of the protocol's; no SDK types here). */
export type ToolContent = { type: 'text'; text: string } | ResourceLinkContent;

/** A handler's answer: the structured result (typed by the tool's output schema), the same facts as text, and links. */
export interface ToolAnswer<S> {
  structured: S;
  text: string;
  links?: ResourceLinkContent[];
}

/** A tool's answer: text for the model, the same facts as structured content, or isError. */
export type ToolResult = {
  content: ToolContent[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

export const READ_ONLY_ANNOTATIONS = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
} as const;

/** A failure the user can act on: isError with what, why and the fix. No structured content. */
export function failure(err: unknown, log: Logger): ToolResult {
  let text: string;
  if (err instanceof TraceError) {
    text = err.describe();
    log.info(guardText(`tool call failed (${err.kind}): ${err.message}`));
  } else {
    // Unexpected: log the detail to stderr for the operator, give the user no stack trace.
    log.error(guardText(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    text =
      'The server hit an unexpected internal error while answering.\nWhy: this is a bug in message-trace-mcp, not a problem with your tenant.\nFix: try again; if it repeats, report it with the server\'s stderr log.';
  }
  return guardOutput({ isError: true, content: [{ type: 'text', text }] });
}

/** A tool call cannot reach Graph while the configuration is broken: say which setting and how to fix it. */
export function configFailure(config: Config): ToolResult | undefined {
  if (config.problems.length === 0) return undefined;
  return guardOutput({
    isError: true,
    content: [
      {
        type: 'text',
        text: `message-trace-mcp is not configured correctly, so it cannot call Microsoft Graph.\n${describeProblems(config.problems)}\nAfter changing the settings, restart the server (most hosts restart it when you save the config). Run "message-trace-mcp --check" in a terminal with the same settings for a step-by-step check.`,
      },
    ],
  });
}

export function waitMessage(info: WaitInfo): string {
  return `${info.reason} (${Math.ceil(info.ms / 1000)} s)`;
}
