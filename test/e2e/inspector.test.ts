/**
 * The MCP Inspector's CLI (@modelcontextprotocol/inspector, a dev dependency: it runs from
 * node_modules, no network) against the built server in demo mode, as a developer would run it:
 * `npx @modelcontextprotocol/inspector --cli node dist/index.js --demo --method tools/list`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
/** The package's `inspector` bin (what npx runs). */
const INSPECTOR = join(dirname(require.resolve('@modelcontextprotocol/inspector/package.json')), 'clients/launcher/build/index.js');
/** The CLI keeps a server catalog; keep it out of the user's home. */
const home = mkdtempSync(join(tmpdir(), 'mcp-inspector-'));

afterAll(() => rmSync(home, { recursive: true, force: true }));

function inspector(...args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [INSPECTOR, '--cli', process.execPath, `${ROOT}dist/index.js`, '--demo', ...args],
      { cwd: ROOT, timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json'), MESSAGE_TRACE_LOG: 'warn' } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`inspector ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout));
      },
    );
  });
}

describe('MCP Inspector CLI', () => {
  it('lists both tools and calls each of them', async () => {
    // Each run is its own inspector and server: the two that need nothing from another run side by side.
    const [list, search] = await Promise.all([
      inspector('--method', 'tools/list'),
      inspector('--method', 'tools/call', '--tool-name', 'search_traces', '--tool-arg', 'status=failed', '--tool-arg', 'limit=1'),
    ]);
    expect(list.tools.map((t: { name: string }) => t.name)).toEqual(['search_traces', 'get_trace_details']);
    expect(search.isError).toBeFalsy();
    expect(search.content[0].text).toMatch(/matching status failed/);
    const row = search.structuredContent.rows[0];
    expect(row.traceId).toMatch(/^[0-9a-f-]{36}$/);

    const details = await inspector('--method', 'tools/call', '--tool-name', 'get_trace_details', '--tool-arg', `traceId=${row.traceId}`, '--tool-arg', `recipientAddress=${row.recipientAddress}`);
    expect(details.isError).toBeFalsy();
    expect(details.structuredContent.outcome.state).toBe('failed');
  }, 180_000);
});
