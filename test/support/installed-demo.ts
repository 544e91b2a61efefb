/**
 * What a user's MCP host sees from an installed server in demo mode, asked by a real MCP client
 * over stdio: both tools (read-only), a search, a diagnosis of a failed recipient, and the prompts.
 * Shared by the tests of the npm tarball and of the Claude Desktop bundle.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { expect } from 'vitest';
import { sharedSchemaValidator } from './schema-validator.js';

export interface Launch {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export async function checkDemoServer(launch: Launch): Promise<void> {
  const stderr: string[] = [];
  const transport = new StdioClientTransport({
    command: launch.command,
    args: launch.args,
    ...(launch.cwd ? { cwd: launch.cwd } : {}),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...launch.env },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
  const client = new Client({ name: 'installed-demo-check', version: '1' }, { jsonSchemaValidator: sharedSchemaValidator });
  try {
    await client.connect(transport);
  } catch (e) {
    throw new Error(`the installed server did not answer initialize: ${(e as Error).message}; stderr: ${stderr.join('').slice(-1000)}`, { cause: e });
  }
  try {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['get_trace_details', 'search_traces']);
    for (const t of tools) expect(t.annotations?.readOnlyHint, t.name).toBe(true);

    const since = new Date(Date.now() - 24 * 3_600_000).toISOString();
    const search = await client.callTool({ name: 'search_traces', arguments: { status: 'failed', startDateTime: since } });
    expect(search.isError, JSON.stringify(search.content)).toBeFalsy();
    const rows = (search.structuredContent as any).rows as Array<{ traceId: string; recipientAddress: string }>;
    expect(rows.length).toBeGreaterThan(0);

    const details = await client.callTool({ name: 'get_trace_details', arguments: { traceId: rows[0]!.traceId, recipientAddress: rows[0]!.recipientAddress } });
    expect(details.isError, JSON.stringify(details.content)).toBeFalsy();
    const s = details.structuredContent as any;
    expect(s.outcome.state).toBe('failed');
    expect(s.diagnosis.meaning.length).toBeGreaterThan(10);
    expect(s.diagnosis.fixOwner).toBeTypeOf('string');
    expect((details.content as Array<{ type: string; text?: string }>)[0]!.text).toMatch(/Diagnosis[\s\S]*Who fixes it: /);

    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['check_message_delivery', 'daily_mail_flow_report', 'investigate_undelivered_mail', 'triage_mail_flow']);
    const prompt = await client.getPrompt({ name: 'investigate_undelivered_mail', arguments: { senderAddress: 'a@contoso.com', recipientAddress: 'b@fabrikam.com' } });
    expect(JSON.stringify(prompt.messages)).toMatch(/search_traces[\s\S]*get_trace_details/);
  } finally {
    await client.close();
  }
}
