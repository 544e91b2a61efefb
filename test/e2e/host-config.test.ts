/**
 * mcp.json.example is valid JSON and every server entry starts the built server as written, answering
 * initialize and tools/list: the clone form (node /absolute/path/to/message-trace-mcp/dist/index.js)
 * and the npx form (npx -y message-trace-mcp, once published) both run this checkout's dist/index.js,
 * args and env kept.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { sharedSchemaValidator } from '../support/schema-validator.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const example = JSON.parse(readFileSync(`${ROOT}mcp.json.example`, 'utf8'));
/** The clone form's entry point, as the example writes it for the user to replace. */
const CLONE_ENTRY = '/absolute/path/to/message-trace-mcp/dist/index.js';

interface Entry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

function entries(): Array<[string, Entry]> {
  const out: Array<[string, Entry]> = [];
  for (const [host, block] of Object.entries<any>(example)) {
    if (host.startsWith('_')) continue;
    const servers = block.mcpServers ?? block.servers;
    for (const [name, entry] of Object.entries<any>(servers)) out.push([`${host}/${name}`, entry]);
  }
  return out;
}

describe('mcp.json.example', () => {
  it('has entries for Claude, VS Code (with a password input) and Copilot CLI', () => {
    expect(example.claudeDesktopAndClaudeCode.mcpServers['message-trace']).toMatchObject({ command: 'node', args: [CLONE_ENTRY] });
    for (const host of ['claudeDesktopAndClaudeCode', 'vscode', 'githubCopilotCli']) {
      const servers = example[host].mcpServers ?? example[host].servers;
      expect(servers['message-trace-npx'], host).toMatchObject({ command: 'npx', args: ['-y', 'message-trace-mcp'] });
      expect(servers['message-trace-npx']._comment, host).toMatch(/published/);
    }
    const input = example.vscode.inputs[0];
    expect(input).toMatchObject({ type: 'promptString', password: true });
    expect(JSON.stringify(example.vscode.servers)).toContain(`\${input:${input.id}}`);
    expect(example.githubCopilotCli.mcpServers['message-trace'].type).toBe('local');
  });

  // Entries that launch the same process (same flags, same environment) are started once: a second
  // start of an identical launch would prove nothing more, and each start costs a server's boot.
  const launches = new Map<string, Promise<{ tools: string[]; demoSearch?: boolean }>>();
  function launch(flags: string[], env: Record<string, string>) {
    const key = JSON.stringify([flags, env]);
    let started = launches.get(key);
    if (!started) launches.set(key, (started = startAndList(flags, env)));
    return started;
  }
  async function startAndList(flags: string[], env: Record<string, string>) {
    const transport = new StdioClientTransport({ command: process.execPath, args: [`${ROOT}dist/index.js`, ...flags], env: { ...env, MESSAGE_TRACE_LOG: 'silent' }, stderr: 'ignore' });
    const client = new Client({ name: 'host-config-test', version: '1' }, { jsonSchemaValidator: sharedSchemaValidator });
    await client.connect(transport);
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name).sort();
      if (!flags.includes('--demo')) return { tools };
      const r = await client.callTool({ name: 'search_traces', arguments: { limit: 1 } });
      return { tools, demoSearch: !r.isError };
    } finally {
      await client.close();
    }
  }

  it.each(entries())('%s starts the server and lists both tools', async (_name, entry) => {
    const flags = entry.command === 'npx' ? entry.args.slice(2) : entry.args.slice(1);
    if (entry.command === 'npx') expect(entry.args.slice(0, 2)).toEqual(['-y', 'message-trace-mcp']);
    else expect([entry.command, entry.args[0]]).toEqual(['node', CLONE_ENTRY]);
    const env = Object.fromEntries(Object.entries(entry.env ?? {}).map(([k, v]) => [k, v.replace(/\$\{input:[^}]+\}/, 'from-input')]));
    const started = await launch(flags, env);
    expect(started.tools).toEqual(['get_trace_details', 'search_traces']);
    if (entry.args.includes('--demo')) expect(started.demoSearch).toBe(true);
  });
});
