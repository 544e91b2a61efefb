/**
 * Builds the Claude Desktop bundle (message-trace-mcp.mcpb) from the built dist/ with Anthropic's
 * own tool (@anthropic-ai/mcpb): bundle/manifest.json, dist/, the production dependencies only,
 * README and LICENSE, staged in a scratch folder and packed there (`mcpb pack` validates the
 * manifest first). `npm run bundle` builds dist/ from nothing, then runs this.
 *
 * Usage: node bundle/build.js [output.mcpb] [--modules-from DIR]
 *   output.mcpb        default: message-trace-mcp.mcpb in the repo root
 *   --modules-from DIR copy DIR/node_modules instead of installing: DIR must hold this checkout's
 *                      package-lock.json and node_modules installed from it by the same
 *                      `npm ci --omit=dev --ignore-scripts` (the tests pass the production install
 *                      they keep between runs, test/support/production-install.ts).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const fromAt = args.indexOf('--modules-from');
const modulesFrom = fromAt === -1 ? undefined : resolve(args.splice(fromAt, 2)[1] ?? '');
const out = resolve(args[0] ?? join(ROOT, 'message-trace-mcp.mcpb'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(ROOT, 'bundle/manifest.json'), 'utf8'));

function fail(message) {
  process.stderr.write(`bundle: ${message}\n`);
  process.exit(1);
}

if (manifest.version !== pkg.version) fail(`bundle/manifest.json has version ${manifest.version}, package.json ${pkg.version}: make them equal.`);
if (!existsSync(join(ROOT, 'dist/index.js'))) fail('dist/index.js is missing: run "npm run bundle" (it builds first).');
if (modulesFrom !== undefined) {
  const lock = (dir) => (existsSync(join(dir, 'package-lock.json')) ? readFileSync(join(dir, 'package-lock.json')) : undefined);
  if (!lock(modulesFrom)?.equals(lock(ROOT)) || !existsSync(join(modulesFrom, 'node_modules/.package-lock.json'))) {
    fail(`--modules-from ${modulesFrom}: not an install of this package-lock.json (it needs the same package-lock.json and the node_modules npm ci made from it).`);
  }
}

const stage = mkdtempSync(join(tmpdir(), 'mcpb-stage-'));
try {
  cpSync(join(ROOT, 'bundle/manifest.json'), join(stage, 'manifest.json'));
  for (const f of ['dist', 'package.json', 'package-lock.json', 'README.md', 'LICENSE']) cpSync(join(ROOT, f), join(stage, f), { recursive: true });
  // The lock file pins what the package installs; no dev dependency, no install script runs.
  const env = { ...process.env, PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter) };
  if (modulesFrom !== undefined) cpSync(join(modulesFrom, 'node_modules'), join(stage, 'node_modules'), { recursive: true });
  else execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: stage, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const mcpb = join(ROOT, 'node_modules/@anthropic-ai/mcpb/dist/cli/cli.js');
  // mcpb prints its file listing on stdout; keep it on stderr so stdout carries only the result.
  execFileSync(process.execPath, [mcpb, 'pack', stage, out], { env, stdio: ['ignore', 2, 'inherit'] });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
process.stdout.write(`${out} (${(statSync(out).size / 1024 / 1024).toFixed(1)} MB)\n`);
