/**
 * The cold-start baseline: the smallest reasonable MCP server on the same SDK as ours
 * (@modelcontextprotocol/server v2, served with serveStdio for both protocol revisions), with two
 * trivial tools (zod input schemas, like ours). `npm run bench` starts it side by side with
 * dist/index.js; whatever start-up cost we add on top of this is ours.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as z from 'zod';

function newServer() {
  const server = new McpServer({ name: 'baseline', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Echo the text back.', inputSchema: z.object({ text: z.string() }) },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  server.registerTool(
    'add',
    { description: 'Add two numbers.', inputSchema: z.object({ a: z.number(), b: z.number() }) },
    ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );
  return server;
}

process.stdin.on('end', () => process.exit(0));
serveStdio(newServer);
