/**
 * `node bench/run.js --quick`: the benchmark script still runs end to end against the built
 * server, writes its results, and leaves no process behind. No timing is asserted here: figures
 * depend on the machine and its load (see BENCHMARKS.md for the real runs).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mtm-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Results {
  meta: { quick: boolean; childPids: number[] };
  coldStart: {
    ours: { toolsListMs: { median: number } };
    baseline: { toolsListMs: { median: number } };
    connect: { legacy: { connectMs: { median: number } }; modern: { connectMs: { median: number } }; ratio: { connect: number } };
  };
  search: Record<string, { graphRequests: number; cpuMs: { median: number }; peakRssMb: { median: number } }>;
  details: { rawEvents: number; cpuMsPerCall: { median: number } };
  tokens: Record<string, { raw: { chars: number }; structuredChars: number; textChars: number }>;
  quota: { calls: Array<{ tool: string; graphRequests: number; simulatorSaw: number }> };
  http: { calls: number; errors: number; callers: number; searchesPerCaller: number; latencyMs: { p50: number; p95: number }; peakRssMb: number; drainedExitCode: number };
  targets: Array<{ measure: string; holds: boolean }>;
}

describe('bench/run.js --quick', () => {
  it('measures every part, writes results.json and stops every process it started', async () => {
    const out = join(dir, 'results.json');
    const child = spawn(process.execPath, ['bench/run.js', '--quick', '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).not.toMatch(/bench failed|time limit/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/1\. Cold start/);
    expect(stdout).toMatch(/5\. Quota economy/);
    expect(stdout).toMatch(/6\. --http under load/);

    const r = JSON.parse(readFileSync(out, 'utf8')) as Results;
    expect(r.meta.quick).toBe(true);
    expect(r.coldStart.ours.toolsListMs.median).toBeGreaterThan(0);
    expect(r.coldStart.baseline.toolsListMs.median).toBeGreaterThan(0);
    expect(r.coldStart.connect.legacy.connectMs.median).toBeGreaterThan(0);
    expect(r.coldStart.connect.modern.connectMs.median).toBeGreaterThan(0);
    expect(r.search['5000']?.graphRequests).toBe(1);
    expect(r.search['5000']?.peakRssMb.median).toBeGreaterThan(0);
    expect(r.details.rawEvents).toBeGreaterThan(40);
    expect(r.tokens.detailsSample?.raw.chars).toBeGreaterThan(r.tokens.detailsSample?.textChars ?? Infinity);
    expect(r.quota.calls.map((c) => c.tool)).toEqual(['search_traces', 'get_trace_details', 'search_traces', 'get_trace_details']);
    for (const c of r.quota.calls) expect(c.graphRequests).toBe(c.simulatorSaw);
    expect(r.http.calls).toBe(r.http.callers * r.http.searchesPerCaller);
    expect(r.http.errors).toBe(0);
    expect(r.http.latencyMs.p95).toBeGreaterThanOrEqual(r.http.latencyMs.p50);
    expect(r.http.peakRssMb).toBeGreaterThan(0);
    expect(r.http.drainedExitCode).toBe(0);
    expect(r.targets.length).toBeGreaterThan(0);

    expect(r.meta.childPids.length).toBeGreaterThan(5);
    for (const pid of r.meta.childPids) expect(() => process.kill(pid, 0), `process ${pid} still running`).toThrow(/ESRCH/);
  }, 300_000);
});
