/**
 * Secrets never leave, and stdout is only the protocol: the built server, over stdio, driven
 * through every tool path (success, bad input, each Graph fault, sign-in failure) with a known
 * token and secret configured. Neither may appear in stdout, stderr or any tool result, and every
 * stdout line must be one valid JSON-RPC message.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Fault } from '../../src/demo/simulator/faults.js';
import { startGraphSimulator, type GraphSimulator } from '../../src/demo/simulator/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJFeGNoYW5nZU1lc3NhZ2VUcmFjZS5SZWFkLkFsbCJdfQ.KNOWN-TOKEN-4b1d';
const SECRET = 'KNOWN-SECRET-9f8e7d6c';

function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [`${ROOT}dist/index.js`], { env: { PATH: process.env.PATH ?? '', MESSAGE_TRACE_LOG: 'debug', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting = new Map<number, (m: any) => void>();
  let buf = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    buf += c.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const m = JSON.parse(line);
        waiting.get(m.id)?.(m);
      } catch {
        /* asserted at the end */
      }
    }
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let id = 0;
  const request = (method: string, params?: unknown): Promise<any> => {
    const n = ++id;
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: n, method, params })}\n`);
    return new Promise((resolve, reject) => {
      waiting.set(n, resolve);
      setTimeout(() => reject(new Error(`no answer to ${method}; stderr: ${stderr}`)), 30_000).unref();
    });
  };
  const exited = new Promise((r) => child.on('exit', r));
  return {
    request,
    notify: (method: string) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method })}\n`),
    async finish() {
      child.stdin.end();
      await exited;
      return { stdout, stderr };
    },
  };
}

function checkStreams(out: { stdout: string; stderr: string }, results: unknown[], minLines: number) {
  const lines = out.stdout.split('\n').filter((l) => l.length > 0);
  expect(lines.length).toBeGreaterThanOrEqual(minLines);
  for (const line of lines) {
    const m = JSON.parse(line);
    expect(m.jsonrpc).toBe('2.0');
  }
  for (const s of [out.stdout, out.stderr, JSON.stringify(results)]) {
    expect(s).not.toContain(SECRET);
    expect(s).not.toContain(TOKEN);
    expect(s).not.toContain('KNOWN-TOKEN');
  }
}

/** The built server in front of its own simulator, initialized, with a recorder of every tool result. */
async function session(sim: GraphSimulator) {
  const p = serve({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: TOKEN, AZURE_CLIENT_SECRET: SECRET });
  await p.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } });
  p.notify('notifications/initialized');
  const results: unknown[] = [];
  const call = async (name: string, args: unknown) => {
    const r = await p.request('tools/call', { name, arguments: args });
    results.push(r);
    return r;
  };
  return { p, results, call };
}

type Session = Awaited<ReturnType<typeof session>>;

/**
 * `before` runs first; then each fault answers a search and a details call; then `after`; then the
 * server must still be healthy, and no stream or result may hold a secret.
 */
async function driveFaults(faults: Fault[], before?: (s: Session, sim: GraphSimulator) => Promise<void>, after?: (s: Session) => Promise<void>): Promise<void> {
  const sim = await startGraphSimulator({ acceptToken: (t) => t === TOKEN, rateLimit: false });
  try {
    const s = await session(sim);
    const story = sim.tenant.stories.publishedSample;
    await before?.(s, sim);
    for (const fault of faults) {
      sim.faults.clear();
      sim.faults.add(fault, { times: 4 }); // enough to exhaust one call's retries
      await s.call('search_traces', { limit: 2 });
      await s.call('get_trace_details', { traceId: story.traceId, recipientAddress: story.recipientAddress });
    }
    sim.faults.clear();
    await after?.(s);
    // Every fault path answered; the server is still healthy afterwards.
    expect((await s.call('search_traces', { limit: 1 })).result.isError).toBeFalsy();
    checkStreams(await s.p.finish(), s.results, s.results.length + 1);
  } finally {
    await sim.close();
  }
}

// The two tests wait on real back-off (the built client's retries) and on the Azure SDK's sign-in
// retries, not on CPU: they run side by side.
describe.concurrent('secrets and protocol hygiene (built server over stdio)', () => {
  it('drives every tool path with a known token configured', async () => {
    // Answered at once: each runs in turn on one server.
    const prompt: Fault[] = [
      { kind: 'servicePrincipal', status: 401 },
      { kind: 'servicePrincipal', status: 403 },
      { kind: 'consentMissing' },
      { kind: 'invalidToken' },
      { kind: 'status', status: 400, message: 'Invalid filter' },
      { kind: 'status', status: 500 },
      { kind: 'nextLinkLoop' },
      { kind: 'nextLinkForeign' },
    ];
    // Retried by the client with its real back-off (seconds each): each on its own server and
    // simulator, all at once. A 429 holds every caller of its server back for its Retry-After.
    const retried: Fault[] = [{ kind: 'html', status: 502 }, { kind: 'malformedJson' }, { kind: 'reset' }, { kind: 'resetMidBody' }, { kind: 'throttle', retryAfter: '1' }];
    await Promise.all([
      driveFaults(
        prompt,
        async ({ call }, sim) => {
          const story = sim.tenant.stories.publishedSample;
          expect((await call('search_traces', { limit: 3 })).result.isError).toBeFalsy();
          expect((await call('get_trace_details', { traceId: story.traceId, recipientAddress: story.recipientAddress, responseFormat: 'detailed' })).result.isError).toBeFalsy();
          expect((await call('search_traces', { bogus: SECRET })).result.isError).toBe(true);
          expect((await call('search_traces', { senderAddress: 'not an address' })).result.isError).toBe(true);
          // An unknown tool is a protocol error (-32602) in SDK v2, as the MCP spec lists it, not a tool result.
          expect((await call('nope', {})).error).toMatchObject({ code: -32602, message: expect.stringMatching(/Tool nope not found/) });
        },
        async ({ p, results }) => {
          results.push(await p.request('prompts/list'));
          results.push(await p.request('prompts/get', { name: 'check_message_delivery', arguments: { messageId: '<a@b>' } }));
        },
      ),
      ...retried.map((fault) => driveFaults([fault])),
    ]);
  }, 90_000);

  it('keeps the client secret out of every output when sign-in fails', async () => {
    const p = serve({
      AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      AZURE_CLIENT_SECRET: SECRET,
      // Nothing listens there: the sign-in fails fast instead of waiting on a closed network.
      AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9',
    });
    await p.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } });
    p.notify('notifications/initialized');
    const r = await p.request('tools/call', { name: 'search_traces', arguments: {} });
    expect(r.result.isError).toBe(true);
    expect(r.result.content[0].text).toMatch(/Could not get a Microsoft Graph token \(client-secret\)[\s\S]*could not be reached/);
    checkStreams(await p.finish(), [r], 2);
  }, 60_000);
});
