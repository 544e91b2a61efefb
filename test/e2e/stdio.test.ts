/**
 * End to end: the built dist/index.js as a host runs it, over stdio, speaking raw JSON-RPC. Every
 * stdout line must be one valid JSON-RPC message; the process must exit promptly when stdin closes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = `${ROOT}dist/index.js`;

interface Proc {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: string[];
  request(method: string, params?: unknown): Promise<any>;
  notify(method: string, params?: unknown): void;
  exited: Promise<number | null>;
}

let running: Proc | undefined;

function start(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [ENTRY, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiting = new Map<number, (msg: any) => void>();
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      try {
        const msg = JSON.parse(line);
        if (typeof msg.id === 'number' && waiting.has(msg.id)) {
          waiting.get(msg.id)!(msg);
          waiting.delete(msg.id);
        }
      } catch {
        /* asserted later */
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => stderr.push(c));
  let nextId = 1;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr,
    exited,
    request(method, params) {
      const id = nextId++;
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) })}\n`);
      return new Promise((resolve, reject) => {
        waiting.set(id, resolve);
        setTimeout(() => reject(new Error(`timeout waiting for ${method}; stderr: ${stderr.join('')}`)), 15_000).unref();
      });
    },
    notify(method, params) {
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) })}\n`);
    },
  };
}

async function initialize(p: Proc) {
  const init = await p.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } });
  p.notify('notifications/initialized');
  return init;
}

function assertProtocolOnly(lines: string[]) {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const msg = JSON.parse(line);
    expect(msg.jsonrpc).toBe('2.0');
    expect('id' in msg || 'method' in msg).toBe(true);
  }
}

beforeAll(() => {
  if (!existsSync(ENTRY)) throw new Error('dist/index.js is missing: run "npm run build" first (npm test does it).');
});

afterEach(async () => {
  if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
  running = undefined;
});

describe('dist/index.js over stdio', () => {
  it('serves the demo tenant: initialize, tools/list, search_traces, get_trace_details; stdout is only JSON-RPC', async () => {
    const p = (running = start(['--demo']));
    const init = await initialize(p);
    expect(init.result.serverInfo.name).toBe('message-trace-mcp');
    expect(init.result.instructions).toMatch(/search_traces/);
    const list = await p.request('tools/list');
    expect(list.result.tools.map((t: any) => t.name).sort()).toEqual(['get_trace_details', 'search_traces']);
    const search = await p.request('tools/call', { name: 'search_traces', arguments: { status: 'failed', startDateTime: new Date(Date.now() - 24 * 3_600_000).toISOString() } });
    expect(search.result.isError).toBeFalsy();
    const row = search.result.structuredContent.rows[0];
    expect(row).toBeDefined();
    const details = await p.request('tools/call', { name: 'get_trace_details', arguments: { traceId: row.traceId, recipientAddress: row.recipientAddress } });
    expect(details.result.isError).toBeFalsy();
    expect(details.result.structuredContent.outcome.state).toBeTypeOf('string');
    const bad = await p.request('tools/call', { name: 'search_traces', arguments: { nope: 1 } });
    expect(bad.result.isError).toBe(true);
    assertProtocolOnly(p.lines);
    p.child.stdin.end();
    expect(await p.exited).toBe(0);
  });

  it('starts without any configuration, lists tools, and reports the missing settings from the call', async () => {
    const p = (running = start([]));
    await initialize(p);
    const list = await p.request('tools/list');
    expect(list.result.tools).toHaveLength(2);
    const r = await p.request('tools/call', { name: 'search_traces', arguments: {} });
    expect(r.result.isError).toBe(true);
    expect(r.result.content[0].text).toMatch(/AZURE_TENANT_ID[\s\S]*--demo/);
    assertProtocolOnly(p.lines);
    p.child.kill('SIGTERM');
    await p.exited;
  });
});
