/**
 * Integration harness: the real Graph simulator on loopback, the real server with a real undici
 * client, and an MCP Client over an in-memory transport pair. The client is the SDK v1 one, on
 * 2025-11-25 (an in-memory pair only carries that revision); test/e2e runs both revisions over stdio.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '../../src/config.js';
import type { RequestBudget } from '../../src/graph/budget.js';
import type { TokenSource } from '../../src/graph/client.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { answeringNonObjectArguments, createServer, type ServerDeps } from '../../src/server.js';
import { startGraphSimulator, type GraphSimulator, type SimulatorOptions } from '../../src/demo/simulator/server.js';
import { sharedSchemaValidator } from './schema-validator.js';

export const TEST_TOKEN = 'test-token-7f3c9a1e';

export interface Harness {
  sim: GraphSimulator;
  client: Client;
  call(name: string, args: Record<string, unknown>, opts?: Parameters<Client['callTool']>[2]): Promise<CallToolResult>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: SimulatorOptions;
  env?: Record<string, string>;
  tokens?: TokenSource;
  budget?: RequestBudget;
  waitAllowanceMs?: number;
  now?: () => Date;
  log?: Logger;
  graphOptions?: ServerDeps['graphOptions'];
  results?: ServerDeps['results'];
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const sim = await startGraphSimulator({ acceptToken: (t) => t === TEST_TOKEN, ...opts.sim });
  const config = loadConfig({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: TEST_TOKEN, ...opts.env });
  const created = createServer({
    config,
    log: opts.log ?? silentLogger,
    tokens: opts.tokens ?? { delegated: false, getToken: async () => TEST_TOKEN },
    ...(opts.budget ? { budget: opts.budget } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    waitAllowanceMs: opts.waitAllowanceMs ?? 10_000,
    graphOptions: { baseDelayMs: 20, ...opts.graphOptions },
    ...(opts.results ? { results: opts.results } : {}),
  });
  const client = new Client({ name: 'test-client', version: '1.0.0' }, { jsonSchemaValidator: sharedSchemaValidator });
  const [clientT, serverT] = InMemoryTransport.createLinkedPair();
  const server = created.newServer();
  await Promise.all([server.connect(answeringNonObjectArguments(serverT)), client.connect(clientT)]);
  await client.listTools(); // caches output schemas so the client validates structuredContent
  return {
    sim,
    client,
    call: async (name, args, callOpts) => (await client.callTool({ name, arguments: args }, undefined, callOpts)) as CallToolResult,
    async close() {
      await client.close();
      await server.close();
      await created.close();
      await sim.close();
    },
  };
}

export function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

export function structured<T = Record<string, any>>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool returned isError: ${text(result)}`);
  return result.structuredContent as T;
}
