/**
 * The bin's own flags, as a user types them: --version and --help answer on stdout and exit 0;
 * an unknown flag prints the usage on stderr and exits 2 (a usage error, nothing on stdout).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = `${ROOT}dist/index.js`;
const VERSION = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version as string;

function bin(...args: string[]) {
  return spawnSync(process.execPath, [ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('message-trace-mcp flags', () => {
  it.each(['--version', '-v'])('%s prints the package version on stdout and exits 0', (flag) => {
    const run = bin(flag);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${VERSION}\n`);
    expect(run.stderr).toBe('');
  });

  it.each(['--help', '-h'])('%s prints the usage on stdout and exits 0', (flag) => {
    const run = bin(flag);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^message-trace-mcp \S+: /);
    for (const f of ['--demo', '--check', '--version', '--help']) expect(run.stdout).toContain(f);
    expect(run.stderr).toBe('');
  });

  it('an unknown flag prints the usage on stderr and exits 2', () => {
    const run = bin('--frobnicate');
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Unknown argument\(s\): --frobnicate\n/);
    expect(run.stderr).toContain('Usage:');
  });
});

/** A system Node.js older than 22.19, when the machine has one (the real path --check must handle). */
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
  if (!existsSync(p)) return false;
  const v = spawnSync(p, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
  const [major = 0, minor = 0] = v.split('.').map(Number);
  return major > 0 && (major < 22 || (major === 22 && minor < 19));
});

describe.runIf(OLD_NODE)(`--check on an older Node.js (${OLD_NODE})`, () => {
  it('prints one FAIL line naming the version and the fix, no stack trace, exit 1', () => {
    const run = spawnSync(OLD_NODE!, [ENTRY, '--check'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555', AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', AZURE_CLIENT_SECRET: 'not-a-real-secret' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    const checks = run.stdout.split('\n').filter((l) => /^(OK|WARN|FAIL)/.test(l));
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatch(/^FAIL Node\.js: message-trace-mcp needs Node\.js 22\.19 or newer, and this is \d+\.\d+\.\d+\.$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
