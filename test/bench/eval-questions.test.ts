/**
 * `npm run eval:questions` (bench/eval-questions.js): the twelve admin questions, put to the built
 * server over stdio by the SDK's Client, are all answered with every key fact matching the
 * simulator's own data, within the call and context targets of issue #19. The targets are counts
 * (calls, characters), not times, so they are asserted here.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mtm-eval-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Fact {
  fact: string;
  ok: boolean;
  expected: unknown;
  got: unknown;
}
interface Results {
  questions: Array<{
    question: string;
    answered: boolean;
    error?: string;
    facts: Fact[];
    calls: Array<{ tool: string; isError: boolean; graphRequests: number; reportedGraphRequests: number; contentChars: number }>;
  }>;
  summary: { questions: number; answered: number; callsMedian: number; callsMax: number; contentCharsPerCall: number };
  targets: Array<{ measure: string; holds: boolean }>;
}

describe('npm run eval:questions', () => {
  it('answers all twelve questions with every fact checked, within 2 calls median, 3 max and 6,000 content characters per call', async () => {
    const out = join(dir, 'results.json');
    const child = spawn(process.execPath, ['bench/eval-questions.js', '--json', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).not.toMatch(/eval:questions failed/);
    expect(stdout, stdout).not.toMatch(/FACT FAILED|ERROR:/);

    const r = JSON.parse(readFileSync(out, 'utf8')) as Results;
    expect(r.questions).toHaveLength(12);
    for (const q of r.questions) {
      expect(q.error, q.question).toBeUndefined();
      // Every question checks several facts, each against the tenant, and all of them hold.
      expect(q.facts.length, q.question).toBeGreaterThanOrEqual(3);
      expect(q.facts.filter((f) => !f.ok), q.question).toEqual([]);
      expect(q.answered, q.question).toBe(true);
      for (const c of q.calls) {
        expect(c.isError).toBe(false);
        expect(c.graphRequests, `${q.question}: ${c.tool}`).toBe(c.reportedGraphRequests);
        expect(c.contentChars).toBeGreaterThan(0);
      }
    }
    expect(r.summary.answered).toBe(12);
    expect(r.summary.callsMedian).toBeLessThanOrEqual(2);
    expect(r.summary.callsMax).toBeLessThanOrEqual(3);
    expect(r.summary.contentCharsPerCall).toBeLessThanOrEqual(6000);
    expect(r.targets.every((t) => t.holds)).toBe(true);
    expect(stdout).toMatch(/Answered \(every fact checked\): 12\/12/);
    expect(code).toBe(0);
  });
});
