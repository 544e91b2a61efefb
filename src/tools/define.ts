/**
 * A tool is one definition: its name, title and description, input and output schemas,
 * annotations and handler. runTool is the one path every call takes (server.ts registers each
 * definition with it): the call's output scope, the configuration check, the handler, and every
 * failure turned into an isError result. No MCP SDK here.
 */
import type * as z from 'zod';
import { AddressRenderer } from '../output/addresses.js';
import { guardOutput } from '../output/guard.js';
import { withOutputScope } from '../output/scope.js';
import { configFailure, failure, type ToolAnswer, type ToolCall, type ToolDeps, type ToolResult } from './context.js';

/** MCP tool annotations: hints for the host about what a call does. */
export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  /**
   * Throws TraceError for failures the user can act on. `addresses` is the call's one address
   * renderer: the answer, its errors and its exports share its pseudonyms.
   */
  handler(input: z.output<I>, call: ToolCall, deps: ToolDeps, addresses: AddressRenderer): Promise<ToolAnswer<z.output<O>>>;
}

/** Declares a tool; the identity function, there for the types (input and result inferred from the schemas). */
export function defineTool<I extends z.ZodType, O extends z.ZodObject>(definition: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return definition;
}

/**
 * One call: refuse while the configuration is broken, run the handler, map any failure to an
 * isError result. All of it runs in the call's output scope, and the result passes the output
 * guard (secrets; addresses when redaction is on) inside it, so that text, structured content,
 * links and error texts agree.
 */
export function runTool<I extends z.ZodType, O extends z.ZodObject>(tool: ToolDefinition<I, O>, input: z.output<I>, call: ToolCall, deps: ToolDeps): Promise<ToolResult> {
  const addresses = new AddressRenderer(deps.config.redactAddresses);
  return withOutputScope(addresses, async () => {
    const broken = configFailure(deps.config);
    if (broken) return broken;
    try {
      const { structured, text, links = [] } = await tool.handler(input, call, deps, addresses);
      return guardOutput<ToolResult>({ content: [{ type: 'text', text }, ...links], structuredContent: structured as Record<string, unknown> });
    } catch (err) {
      return failure(err, deps.log);
    }
  });
}
