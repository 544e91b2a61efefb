/** `npm run demo`'s walkthrough: runs, answers the three questions, exits 0, leaves no process behind. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run demo (walkthrough)', () => {
  it('walks through failures, one failure explained, and a quarantine case', async () => {
    const child = spawn(process.execPath, [`${ROOT}dist/demo/walkthrough.js`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(err).not.toMatch(/demo failed/);
    expect(code).toBe(0);
    expect(out).toMatch(/━━ 1\. "What failed in the last 24 hours\?"\n→ search_traces \{"status":"failed"/);
    expect(out).toMatch(/━━ 2\. "Why didn't \S+ get that message\?"\n→ get_trace_details \{"traceId":"[0-9a-f-]{36}","recipientAddress"/);
    expect(out).toMatch(/Diagnosis \d\.\d+\.\d+/);
    expect(out).toMatch(/━━ 3\. "What was quarantined this week, and why\?"/);
    expect(out).toMatch(/Outcome: quarantined/);
    expect(out).toMatch(/Done\./);
    // No server process left behind.
    const pid = Number(/demo server process (\d+) stopped/.exec(out)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  }, 30_000);
});
