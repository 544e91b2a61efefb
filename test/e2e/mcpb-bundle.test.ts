/**
 * The Claude Desktop bundle: bundle/build.js packs the built dist/ with @anthropic-ai/mcpb; the
 * bundle unpacks with the same tool, its manifest passes the tool's validator, it carries the
 * production dependencies only, and the server starts the way the manifest tells a host to start
 * it (${__dirname} and ${user_config.*} substituted), answering a real MCP client.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDemoServer } from '../support/installed-demo.js';
import { NPM_CI_PRODUCTION, productionInstall } from '../support/production-install.js';
import { sharedSchemaValidator } from '../support/schema-validator.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MCPB = join(ROOT, 'node_modules/@anthropic-ai/mcpb/dist/cli/cli.js');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const PATH = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);

interface Manifest {
  version: string;
  server: { entry_point: string; mcp_config: { command: string; args: string[]; env: Record<string, string> } };
  tools: Array<{ name: string; description: string }>;
  user_config: Record<string, { type: string; required?: boolean; sensitive?: boolean; default?: string }>;
  privacy_policies: string[];
}

/** The manifest's launch as a host resolves it; `values` fills user_config (unfilled: the raw placeholder). */
function launch(manifest: Manifest, dir: string, values: Record<string, string> | 'unfilled') {
  const fill = (s: string) =>
    s.replace(/\$\{__dirname\}/g, dir).replace(/\$\{user_config\.([\w-]+)\}/g, (whole, key: string) => (values === 'unfilled' ? whole : (values[key] ?? manifest.user_config[key]?.default ?? '')));
  const { command, args, env } = manifest.server.mcp_config;
  return {
    // A host runs a "node" server with the Node.js it provides: here, the one running the tests.
    command: command === 'node' ? process.execPath : command,
    args: args.map(fill),
    env: { PATH, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, fill(v)])) },
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

describe('the Claude Desktop bundle (npm run bundle)', () => {
  let work: string;
  let bundle: string;
  let dir: string;
  let manifest: Manifest;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mcpb-'));
    bundle = join(work, 'message-trace-mcp.mcpb');
    // The production dependencies come from the install the tests keep (the same npm ci from the
    // same lock file that build.js runs on its own), so the bundle does not install them again.
    const modules = await productionInstall();
    await run(process.execPath, [join(ROOT, 'bundle/build.js'), bundle, '--modules-from', modules], { cwd: ROOT, env: { ...process.env, PATH }, maxBuffer: 16 << 20 });
    dir = join(work, 'unpacked');
    await run(process.execPath, [MCPB, 'unpack', bundle, dir], { env: { ...process.env, PATH } });
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs on its own with the command of the kept install, and refuses a --modules-from folder of another lock file', async () => {
    expect(readFileSync(join(ROOT, 'bundle/build.js'), 'utf8')).toContain(`execFileSync('npm', [${NPM_CI_PRODUCTION.map((a) => `'${a}'`).join(', ')}]`);
    const failed = run(process.execPath, [join(ROOT, 'bundle/build.js'), join(work, 'other.mcpb'), '--modules-from', work], { cwd: ROOT, env: { ...process.env, PATH } });
    await expect(failed).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/--modules-from .*: not an install of this package-lock\.json/) });
    expect(existsSync(join(work, 'other.mcpb'))).toBe(false);
  });

  it("passes the mcpb tool's own validator", async () => {
    const { stdout } = await run(process.execPath, [MCPB, 'validate', join(dir, 'manifest.json')]);
    expect(stdout).toMatch(/Manifest schema validation passes/);
  });

  it('carries the built server and the production dependencies only', () => {
    expect(existsSync(join(dir, manifest.server.entry_point))).toBe(true);
    const packages = new Set(readdirSync(join(dir, 'node_modules')).flatMap((n) => (n.startsWith('@') ? readdirSync(join(dir, 'node_modules', n)).map((m) => `${n}/${m}`) : [n])));
    for (const dep of Object.keys(pkg.dependencies)) expect(packages, dep).toContain(dep);
    for (const dev of Object.keys(pkg.devDependencies)) expect(packages, dev).not.toContain(dev);
    expect(filesUnder(dir).filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
    // For the report: what a user downloads.
    expect(statSync(bundle).size).toBeLessThan(30 * 1024 * 1024);
  });

  it('agrees with package.json and maps every setting into the server environment, secrets marked sensitive', () => {
    expect(manifest.version).toBe(pkg.version);
    const env = manifest.server.mcp_config.env;
    const used = Object.values(env).flatMap((v) => Array.from(v.matchAll(/\$\{user_config\.([\w-]+)\}/g), (m) => m[1]!));
    expect(used.sort()).toEqual(Object.keys(manifest.user_config).sort());
    expect(env).toMatchObject({
      AZURE_TENANT_ID: '${user_config.tenant_id}',
      AZURE_CLIENT_ID: '${user_config.client_id}',
      AZURE_CLIENT_CERTIFICATE_PATH: '${user_config.certificate_path}',
      AZURE_CLIENT_SECRET: '${user_config.client_secret}',
    });
    expect(manifest.user_config.client_secret!.sensitive).toBe(true);
    expect(manifest.user_config.certificate_password!.sensitive).toBe(true);
    for (const [key, option] of Object.entries(manifest.user_config)) if (!option.required) expect(option.default, key).toBe('');
    expect(manifest.privacy_policies).toContain('https://github.com/message-trace-mcp/message-trace-mcp#privacy-policy');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/^## Privacy policy$/m);
  });

  it('started as the manifest says, with --demo, answers an MCP client: the listed tools (read-only), a diagnosis, the prompts', async () => {
    const l = launch(manifest, dir, { tenant_id: '11111111-2222-3333-4444-555555555555', client_id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' });
    await checkDemoServer({ ...l, args: [...l.args, '--demo'], cwd: work });
    expect(manifest.tools.map((t) => t.name).sort()).toEqual(['get_trace_details', 'search_traces']);
    for (const t of manifest.tools) expect(t.description).toMatch(/^Read-only\./);
  });

  it('started with nothing filled in, lists its tools and says which settings are missing', async () => {
    const l = launch(manifest, dir, 'unfilled');
    const client = new Client({ name: 'bundle-test', version: '1' }, { jsonSchemaValidator: sharedSchemaValidator });
    await client.connect(new StdioClientTransport({ ...l, cwd: work, stderr: 'ignore' }));
    try {
      expect((await client.listTools()).tools).toHaveLength(2);
      const r = await client.callTool({ name: 'search_traces', arguments: {} });
      expect(r.isError).toBe(true);
      const text = (r.content as Array<{ text: string }>)[0]!.text;
      expect(text).toMatch(/AZURE_TENANT_ID/);
      expect(text).not.toContain('user_config');
    } finally {
      await client.close();
    }
  });
});
