/**
 * The production dependencies as the Dockerfile installs them (`npm ci --omit=dev --ignore-scripts`
 * from package.json and package-lock.json), kept between test runs in node_modules/.cache: the
 * install is a pure function of the lock file, package.json's dependency fields and the Node
 * version, so it is redone only when one of them changes (and after every `npm ci`, which empties
 * node_modules). It is built in a scratch folder and renamed into place whole, so an interrupted
 * run never leaves half of one.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INPUTS = ['package.json', 'package-lock.json'];
/** What npm ci reads from package.json besides the lock file (a new script must not cost an install). */
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'overrides', 'engines'];

/** The install command, as bundle/build.js runs it too when it is not given this install. */
export const NPM_CI_PRODUCTION = ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'];

/** A folder holding package.json, package-lock.json and their production node_modules/. */
export async function productionInstall(): Promise<string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const hash = createHash('sha256')
    .update(process.version)
    .update(JSON.stringify(DEPENDENCY_FIELDS.map((f) => pkg[f])))
    .update(readFileSync(join(ROOT, 'package-lock.json')));
  const cache = join(ROOT, 'node_modules/.cache/message-trace-mcp');
  const dir = join(cache, `production-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(dir)) return dir;

  const scratch = `${dir}.partial-${process.pid}-${Date.now()}`;
  mkdirSync(scratch, { recursive: true });
  try {
    for (const f of INPUTS) cpSync(join(ROOT, f), join(scratch, f));
    await run('npm', NPM_CI_PRODUCTION, {
      cwd: scratch,
      env: { ...process.env, NODE_ENV: 'production' },
      maxBuffer: 16 << 20,
    });
    try {
      renameSync(scratch, dir);
    } catch (err) {
      // Another run finished the same install meanwhile: either copy is the same.
      if (!existsSync(dir)) throw err;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return dir;
}
