/**
 * Cancellation and shutdown: a client cancel aborts the in-flight HTTP request and the retry wait;
 * stdin closing mid-call ends the process. No wall-clock bounds: the server here never answers (or
 * asks for a wait far longer than the test may take), so a cancel or shutdown that did not work
 * would show as a test timeout, not as a number that a busy machine can push over a limit.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestBudget } from '../../src/graph/budget.js';
import { GraphClient, WaitAllowance } from '../../src/graph/client.js';
import { TraceError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { startGraphSimulator, type GraphSimulator } from '../../src/demo/simulator/server.js';
import { TEST_TOKEN, startHarness, type Harness } from '../support/harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let sim: GraphSimulator | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await sim?.close();
  sim = undefined;
});

function client(url: string) {
  return new GraphClient({ origin: url, apiVersion: 'v1.0', tokens: { delegated: false, getToken: async () => TEST_TOKEN }, budget: new RequestBudget(90) });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('cancellation', () => {
  it('aborts an in-flight request to a server that never answers, at once', async () => {
    sim = await startGraphSimulator({ acceptToken: (t) => t === TEST_TOKEN });
    sim.faults.add({ kind: 'hang' });
    const c = client(sim.url);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await rejection(c.getJson(c.url('/admin/exchange/tracing/messageTraces'), { signal: ac.signal, allowance: new WaitAllowance(40_000), what: 'x' }));
    expect((err as TraceError).kind).toBe('cancelled');
    await c.close();
  });

  it('aborts a Retry-After wait at once', async () => {
    sim = await startGraphSimulator({ acceptToken: (t) => t === TEST_TOKEN });
    sim.faults.add({ kind: 'throttle', retryAfter: '120' });
    const c = client(sim.url);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const err = await rejection(c.getJson(c.url('/admin/exchange/tracing/messageTraces'), { signal: ac.signal, allowance: new WaitAllowance(200_000), what: 'x' }));
    expect((err as TraceError).kind).toBe('cancelled');
    expect(sim.requests.length).toBe(1); // the wait was abandoned, not served and retried
    await c.close();
  });

  it('a client-side cancel of a tool call stops the handler', async () => {
    const events: Array<{ msg: string }> = [];
    const log: Logger = { debug() {}, warn() {}, error() {}, info: (msg) => events.push({ msg }) };
    h = await startHarness({ log });
    h.sim.faults.add({ kind: 'throttle', retryAfter: '1' });
    const ac = new AbortController();
    const call = h.call('search_traces', {}, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 200));
    ac.abort('user cancelled');
    await expect(call).rejects.toThrow();
    for (let i = 0; i < 250 && !events.some((e) => /cancelled/.test(e.msg)); i++) await new Promise((r) => setTimeout(r, 20));
    const handled = events.find((e) => /tool call failed \(cancelled\)/.test(e.msg));
    // "cancelled", not "throttled": the handler ended on the cancel, not at the end of the wait.
    expect(handled).toBeDefined();
    // The next call works normally (after the 1 s Retry-After, which holds every caller back).
    h.sim.faults.clear();
    const r = await h.call('search_traces', { limit: 1 });
    expect(r.isError).toBeFalsy();
  });
});

describe('shutdown', () => {
  it('exits promptly when stdin closes in the middle of a call', async () => {
    sim = await startGraphSimulator({ acceptToken: (t) => t === TEST_TOKEN });
    sim.faults.add({ kind: 'hang' });
    const child = spawn(process.execPath, [`${ROOT}dist/index.js`], {
      env: { PATH: process.env.PATH ?? '', MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: TEST_TOKEN, MESSAGE_TRACE_LOG: 'silent' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const send = (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    for (let i = 0; i < 750 && !out.includes('"id":1'); i++) await new Promise((r) => setTimeout(r, 20));
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'search_traces', arguments: {} } });
    for (let i = 0; i < 750 && sim.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sim.requests.length).toBe(1); // the call is in flight, hanging
    // The Graph request hangs forever: only the stdin close can end the process.
    child.stdin.end();
    expect(await exited).toBe(0);
  });
});
