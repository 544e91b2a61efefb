/**
 * `npm run demo`: starts the built server in --demo mode over stdio, connects a real MCP client,
 * and walks through three questions an admin would ask, printing each tool call and the answer a
 * model would see. This is a CLI for people: it prints to stdout (the server's stdout stays
 * inside the pipe to the client).
 */
import { fileURLToPath } from 'node:url';
import { Client, type CallToolResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const ENTRY = fileURLToPath(new URL('../index.js', import.meta.url));
const MAX_LINES = 28;

const out = (s = ''): void => {
  process.stdout.write(`${s}\n`);
};

function textOf(r: CallToolResult): string {
  return r.content
    .map((c) => (c.type === 'text' ? c.text : c.type === 'resource_link' ? `(full rows: ${c.uri})` : `[${c.type}]`))
    .join('\n');
}

function show(r: CallToolResult): void {
  const lines = textOf(r).split('\n');
  for (const l of lines.slice(0, MAX_LINES)) out(`   ${l}`);
  if (lines.length > MAX_LINES) out(`   … (${lines.length - MAX_LINES} more lines)`);
}

async function ask(client: Client, question: string, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  out('');
  out(`━━ ${question}`);
  out(`→ ${name} ${JSON.stringify(args)}`);
  const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (r.isError) out('   (the tool answered with an error)');
  show(r);
  return r;
}

type Row = { traceId: string; recipientAddress: string; status: string };

function rowsOf(r: CallToolResult): Row[] {
  const s = r.structuredContent as { rows?: Row[] } | undefined;
  return s?.rows ?? [];
}

async function main(): Promise<number> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY, '--demo'],
    env: { MESSAGE_TRACE_LOG: 'warn' },
    stderr: 'inherit',
  });
  // 'auto': a current host's way to connect (2026-07-28, falling back to initialize for older servers).
  const client = new Client({ name: 'message-trace-demo', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(transport);
  try {
    const info = client.getServerVersion();
    out(`Connected to ${info?.name} ${info?.version} on MCP ${client.getNegotiatedProtocolVersion()} (demo tenant: simulated Graph on loopback, no real mail data).`);
    const { tools } = await client.listTools();
    out(`Tools: ${tools.map((t) => t.name).join(', ')}`);

    const dayAgo = new Date(Date.now() - 24 * 3_600_000).toISOString();
    const failed = await ask(client, '1. "What failed in the last 24 hours?"', 'search_traces', { status: 'failed', startDateTime: dayAgo, limit: 8 });
    const failedRow = rowsOf(failed).find((r) => r.status === 'failed');
    if (!failedRow) throw new Error('the demo tenant has no failed row in the last 24 hours');

    await ask(client, `2. "Why didn't ${failedRow.recipientAddress} get that message?"`, 'get_trace_details', {
      traceId: failedRow.traceId,
      recipientAddress: failedRow.recipientAddress,
    });

    const weekAgo = new Date(Date.now() - 7 * 24 * 3_600_000).toISOString();
    const quarantined = await ask(client, '3. "What was quarantined this week, and why?"', 'search_traces', { status: 'quarantined', startDateTime: weekAgo, limit: 5 });
    const qRow = rowsOf(quarantined)[0];
    if (!qRow) throw new Error('the demo tenant has no quarantined row this week');
    await ask(client, `   …and the first one in detail`, 'get_trace_details', { traceId: qRow.traceId, recipientAddress: qRow.recipientAddress });

    out('');
    out('Done. Point your MCP host at the server (see README.md) to ask your own questions.');
    return 0;
  } finally {
    const pid = transport.pid;
    await client.close();
    out(`(demo server process ${pid ?? '?'} stopped)`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
