/**
 * What `npm pack` ships works once installed: this checkout's dist/ (which `npm test` has just
 * built with `npm run build`, the script prepack runs after `clean`; npm test skips its type check,
 * which changes no output file) is packed from a scratch copy
 * of the package's files, installed into an empty folder from the tarball, and the installed bin
 * answers a real MCP client in --demo mode. Packing runs without scripts, so dist/ is not compiled
 * a second time; that prepack builds dist/ from nothing is held by the script it runs.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDemoServer } from '../support/installed-demo.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** This test's Node first on PATH, so npm, tsc and the bin's `#!/usr/bin/env node` all use it. */
const PATH = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
const npmEnv = { ...process.env, PATH, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

interface PackResult {
  filename: string;
  size: number;
  files: Array<{ path: string }>;
}

describe('the npm package', () => {
  let work: string;
  let packed: PackResult;
  let bin: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'npm-package-'));
    const source = join(work, 'source');
    if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/ is missing: run npm run build (npm test does)');
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'mcp.json.example', 'src', 'dist']) {
      cpSync(join(ROOT, f), join(source, f), { recursive: true });
    }
    const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: source, env: npmEnv, maxBuffer: 16 << 20 });
    packed = (JSON.parse(stdout) as PackResult[])[0]!;

    const installed = join(work, 'installed');
    cpSync(join(work, packed.filename), join(installed, packed.filename));
    await run('npm', ['install', '--prefer-offline', '--omit=dev', `./${packed.filename}`], { cwd: installed, env: npmEnv, maxBuffer: 16 << 20 });
    bin = join(installed, 'node_modules', '.bin', 'message-trace-mcp');
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('builds dist/ from nothing before packing (prepack: clean, then the build npm test runs)', () => {
    expect(pkg.scripts.prepack).toBe('npm run clean --silent && npm run build --silent');
    expect(pkg.scripts.clean).toMatch(/rmSync\('dist',\{recursive:true,force:true\}\)/);
  });

  it('ships the built server, README, LICENSE and example config, without sources or source maps', () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of ['dist/index.js', 'dist/server.js', 'dist/demo/simulator/server.js', 'README.md', 'LICENSE', 'mcp.json.example', 'package.json']) {
      expect(paths).toContain(p);
    }
    expect(paths.filter((p) => !/^(dist\/.+\.js|README\.md|LICENSE|mcp\.json\.example|package\.json)$/.test(p))).toEqual([]);
  });

  it('installs a bin that prints its version', async () => {
    const { stdout } = await run(bin, ['--version'], { env: { PATH } });
    expect(stdout).toBe(`${pkg.version}\n`);
  });

  it('installed, answers an MCP client in --demo mode: both tools, a diagnosis, the prompts', async () => {
    await checkDemoServer({ command: bin, args: ['--demo'], env: { PATH, MESSAGE_TRACE_LOG: 'warn' } });
  }, 60_000);
});
