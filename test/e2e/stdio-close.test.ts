/**
 * When the stdio transport closes itself — an input line over its 10 MB buffer — the built server
 * exits instead of idling on a paused stdin until SIGTERM. (stdin's own end is in stdio.test.ts.)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('dist/index.js when the transport closes', () => {
  it('exits after an 11 MB input line, with stdin still open', async () => {
    const child = spawn(process.execPath, [`${ROOT}dist/index.js`, '--demo'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stdin.on('error', () => undefined); // the server may close its end first
    // One line, never ended with a newline: the transport's buffer overflows and it closes.
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < 11; i++) child.stdin.write(chunk);
    // stdin stays open: only the transport's close can end the process. A hung process is killed
    // after 60 s and fails the test.
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(killer);
    child.stdin.destroy();
    expect(code).toBe(0);
    expect(stdout).toBe('');
  }, 90_000);
});
