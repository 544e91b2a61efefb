/**
 * The bin keeps V8's young generation at its starting size (src/young-generation.ts), unless the
 * host chose a size itself. Checked on the built dist/index.js: a preloaded probe makes objects
 * that survive collections (which is what makes V8 grow the young generation) once the bin has
 * run, and reports the young generation's size on stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostSetYoungGeneration } from '../../src/young-generation.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = `${ROOT}dist/index.js`;

const PROBE = `
import { getHeapSpaceStatistics } from 'node:v8';
process.on('beforeExit', () => {
  const kept = [];
  for (let i = 0; i < 300_000; i++) kept.push({ id: 'row-' + i, n: i });
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  process.stderr.write('YOUNG_MB ' + (young.space_size / 1048576) + ' ' + kept.length + '\\n');
  process.exit(0);
});
`;

function youngGenerationMb(nodeArgs: string[], env: Record<string, string> = {}): number {
  const dir = mkdtempSync(join(tmpdir(), 'young-'));
  const probe = join(dir, 'probe.mjs');
  writeFileSync(probe, PROBE);
  // An unknown flag: the bin starts, prints its usage to stderr and returns; the probe then runs.
  const run = spawnSync(process.execPath, [...nodeArgs, '--import', probe, ENTRY, '--no-such-flag'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.stdout).toBe(''); // stdout is the protocol: nothing else, ever
  const line = run.stderr.split('\n').find((l) => l.startsWith('YOUNG_MB '));
  if (!line) throw new Error(`no probe output; stderr: ${run.stderr.slice(-500)}`);
  return Number(line.split(' ')[1]);
}

describe('V8 young-generation sizing', () => {
  it('stays at its starting size (2 × 1 MB) in the bin, however much survives', () => {
    expect(youngGenerationMb([])).toBeLessThanOrEqual(2);
  });

  it('is left to V8 when the host sets a size (command line or NODE_OPTIONS)', () => {
    expect(youngGenerationMb(['--max-semi-space-size=16'])).toBeGreaterThan(8);
    expect(youngGenerationMb([], { NODE_OPTIONS: '--max-semi-space-size=16' })).toBeGreaterThan(8);
  });

  it('recognises the host\'s own young-generation flags', () => {
    expect(hostSetYoungGeneration([], undefined)).toBe(false);
    expect(hostSetYoungGeneration(['--enable-source-maps'], '--max-old-space-size=512')).toBe(false);
    expect(hostSetYoungGeneration(['--max-semi-space-size=8'], undefined)).toBe(true);
    expect(hostSetYoungGeneration([], '--max-old-space-size=512 --min_semi_space_size=4')).toBe(true);
    expect(hostSetYoungGeneration(['--semi-space-growth-factor=4'], '')).toBe(true);
  });
});
