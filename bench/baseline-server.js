/**
 * The cold-start baseline: the smallest reasonable @modelcontextprotocol/sdk stdio server, with
 * two trivial tools (zod input schemas, like ours). `npm run bench` starts it side by side with
 * dist/index.js; whatever start-up cost we add on top of this is ours.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import * as z from 'zod';

const server = new McpServer({ name: 'baseline', version: '1.0.0' });

server.registerTool(
  'echo',
  { description: 'Echo the text back.', inputSchema: { text: z.string() } },
  ({ text }) => ({ content: [{ type: 'text', text }] }),
);

server.registerTool(
  'add',
  { description: 'Add two numbers.', inputSchema: { a: z.number(), b: z.number() } },
  ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
);

process.stdin.on('end', () => process.exit(0));
await server.connect(new StdioServerTransport());
