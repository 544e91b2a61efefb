/**
 * The bin's own flags, as a user types them: --version and --help answer on stdout and exit 0;
 * an unknown flag prints the usage on stderr and exits 2 (a usage error, nothing on stdout).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
