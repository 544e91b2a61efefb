/**
 * CI's test counts (.ci/test-counts.js), proven on a real vitest run over a scratch project: a
 * file that fails to load counts as failed, an expected failure (it.fails) is not counted as passed,
 * and skipped tests are printed apart.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COUNTS = join(ROOT, '.ci/test-counts.js');

const FILES: Record<string, string> = {
  'passing.test.ts': `import { it } from 'vitest';\nit('a', () => {});\nit('b', () => {});\n`,
  'mixed.test.ts': `import { expect, it } from 'vitest';\nit('passes', () => {});\nit('fails', () => { expect(1).toBe(2); });\n`,
  'expected.test.ts': `import { expect, it } from 'vitest';\nit.fails('known bug', () => { expect(1).toBe(2); });\nit.skip('later', () => {});\nit.todo('someday');\n`,
  'broken.test.ts': `import './no-such-module.js';\nimport { it } from 'vitest';\nit('never runs', () => {});\n`,
};

/** Environment for a child vitest: none of the parent run's worker variables. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VITEST|TEST|NODE_OPTIONS$)/.test(k)) env[k] = v;
  return { ...env, CI: 'true', NO_COLOR: '1', ...extra };
}

async function exitOf(p: Promise<{ stdout: string }>): Promise<{ code: number; stdout: string }> {
  try {
    return { code: 0, stdout: (await p).stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '' };
  }
}

describe('.ci/test-counts.js', () => {
  let dir: string;
  let countsFile: string;
  let vitest: { code: number; stdout: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ci-counts-'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: { include: ['*.test.ts'], pool: 'threads', maxWorkers: 1 } };\n`);
    countsFile = join(dir, 'counts.json');
    const bin = join(ROOT, 'node_modules/vitest/vitest.mjs');
    vitest = await exitOf(
      run(process.execPath, [bin, 'run', '--root', dir, '--reporter=dot', `--reporter=${COUNTS}`], {
        cwd: dir,
        env: childEnv({ TEST_COUNTS_FILE: countsFile }),
      }),
    );
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records every kind of result', () => {
    expect(vitest.code).not.toBe(0);
    const counts = JSON.parse(readFileSync(countsFile, 'utf8'));
    expect(counts).toEqual({
      passed: 3,
      failed: 1,
      skipped: 1,
      todo: 1,
      expectedFailures: 1,
      failedFiles: ['broken.test.ts'],
      unhandledErrors: 0,
    });
  });

  it('prints the expected failures and skips apart, and ends with "N passed, N failed, N skipped"', async () => {
    const { code, stdout } = await exitOf(run(process.execPath, [COUNTS, countsFile]));
    const lines = stdout.trimEnd().split('\n');
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe('3 passed, 2 failed, 2 skipped');
    expect(lines).toContain('test file failed to load or broke outside a test: broken.test.ts');
    expect(lines.at(-2)).toMatch(/^1 expected failures \(it\.fails\), 1 skipped, 1 todo; 1 test files failed/);
  });

  it('passes only a run that ran tests and had no failure', async () => {
    const clean = join(dir, 'clean.json');
    writeFileSync(clean, JSON.stringify({ passed: 5, failed: 0, skipped: 0, todo: 0, expectedFailures: 1, failedFiles: [], unhandledErrors: 0 }));
    const ok = await exitOf(run(process.execPath, [COUNTS, clean]));
    expect(ok.code).toBe(0);
    expect(ok.stdout.trimEnd().split('\n').at(-1)).toBe('5 passed, 0 failed');

    writeFileSync(clean, JSON.stringify({ passed: 0, failed: 0, skipped: 0, todo: 0, expectedFailures: 0, failedFiles: [], unhandledErrors: 0 }));
    expect((await exitOf(run(process.execPath, [COUNTS, clean]))).code).toBe(1);

    const missing = await exitOf(run(process.execPath, [COUNTS, join(dir, 'nothing.json')]));
    expect(missing.code).toBe(1);
    expect(missing.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed');
  });
});
