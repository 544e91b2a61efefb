/**
 * End to end: `dist/index.js --http` as a process, as a container or systemd runs it (stdin is
 * /dev/null): refusing to start without an audience, draining on SIGTERM, and a production
 * install built the way the Dockerfile builds it (kept between runs: test/support/production-install.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../src/demo/simulator/server.js';
import { GRAPH_TOKEN } from '../support/http-harness.js';
import { productionInstall } from '../support/production-install.js';
import { AUDIENCE, startTokenIssuer, TENANT_ID, type TokenIssuer } from '../support/token-issuer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface HttpProcess {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  /** The port from the "serving MCP at" line. */
  port: Promise<number>;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

function startProcess(entry: string, args: string[], env: Record<string, string>): HttpProcess {
  const child = spawn(process.execPath, [entry, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MESSAGE_TRACE_HTTP_ADDRESS: '127.0.0.1:0', ...env },
    // stdin is /dev/null, as under systemd or in a container: it is closed from the start.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let err = '';
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  const port = new Promise<number>((resolve, reject) => {
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /serving MCP at http:\/\/127\.0\.0\.1:(\d+)\/mcp/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`exited before serving: ${err}`)));
  });
  port.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => err, stdout: () => out, port, exited };
}

afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function connect(port: number, token?: string): Promise<Client> {
  const client = new Client({ name: 'e2e-http', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: (token ? { authorization: `Bearer ${token}` } : {}) as Record<string, string> } }),
  );
  return client;
}

describe('dist/index.js --http', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/ is missing: run npm run build (npm test does)');
  });

  it('refuses to start without MESSAGE_TRACE_HTTP_AUDIENCE (exit 2, a clear message), and --demo without sign-in off loopback', async () => {
    const plain = startProcess(join(ROOT, 'dist/index.js'), ['--http'], { AZURE_TENANT_ID: TENANT_ID });
    expect(await plain.exited).toBe(2);
    expect(plain.stderr()).toMatch(/cannot start:\nMESSAGE_TRACE_HTTP_AUDIENCE: .*Fix: Set MESSAGE_TRACE_HTTP_AUDIENCE/);
    expect(plain.stdout()).toBe('');
    const exposed = startProcess(join(ROOT, 'dist/index.js'), ['--http', '--demo'], { MESSAGE_TRACE_HTTP_ADDRESS: '0.0.0.0:0' });
    expect(await exposed.exited).toBe(2);
    expect(exposed.stderr()).toMatch(/only allowed on a loopback address/);
  });

  describe('with sign-in, in front of the Graph simulator', () => {
    let issuer: TokenIssuer;
    let sim: GraphSimulator;
    beforeAll(async () => {
      issuer = await startTokenIssuer();
      sim = await startGraphSimulator({ acceptToken: (t) => t === GRAPH_TOKEN, rateLimit: false });
    });
    afterAll(async () => {
      await sim?.close();
      await issuer?.close();
    });

    it('keeps serving with stdin closed; SIGTERM lets the in-flight call finish, then exits 0', async () => {
      const proc = startProcess(join(ROOT, 'dist/index.js'), ['--http'], {
        AZURE_TENANT_ID: TENANT_ID,
        MESSAGE_TRACE_HTTP_AUDIENCE: AUDIENCE,
        AZURE_AUTHORITY_HOST: issuer.authorityHost,
        MESSAGE_TRACE_GRAPH_URL: sim.url,
        MESSAGE_TRACE_ACCESS_TOKEN: GRAPH_TOKEN,
      });
      const port = await proc.port;
      const client = await connect(port, await issuer.mint());
      expect((await client.listTools()).tools).toHaveLength(2);

      sim.faults.add({ kind: 'delay', ms: 1500 }, { route: 'list' });
      const before = sim.requests.length;
      const call = client.callTool({ name: 'search_traces', arguments: { status: 'failed' } });
      for (let i = 0; i < 200 && sim.requests.length === before; i++) await new Promise((r) => setTimeout(r, 20));
      expect(sim.requests.length).toBeGreaterThan(before);
      proc.child.kill('SIGTERM');
      const result = (await call) as { isError?: boolean; structuredContent?: { totals?: unknown } };
      expect(result.isError).toBeFalsy();
      expect(await proc.exited).toBe(0);
      expect(proc.stderr()).toMatch(/SIGTERM: finishing in-flight calls/);
      expect(proc.stderr()).toMatch(/"audit":"tool_call".*"tool":"search_traces".*"outcome":"ok"/);
      expect(proc.stdout()).toBe('');
      await client.close().catch(() => undefined);
    });
  });

  it('runs from a production install built as the Dockerfile builds it (npm ci --omit=dev plus dist/)', { timeout: 240_000 }, async () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:22\S* AS build$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/MESSAGE_TRACE_HTTP_ADDRESS=0\.0\.0\.0:8080/);
    expect(dockerfile).toMatch(/^HEALTHCHECK [^\n]*\\\n[^\n]*\/healthz/m);
    expect(dockerfile).toMatch(/^CMD \["--http"\]$/m);

    // The Dockerfile's runtime stage: package.json, the lock file, their production install, dist/.
    const installed = await productionInstall();
    const dir = mkdtempSync(join(tmpdir(), 'message-trace-prod-'));
    try {
      for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(dir, f));
      symlinkSync(join(installed, 'node_modules'), join(dir, 'node_modules'), 'dir');
      cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
      // Only production dependencies: no compiler, no test runner, no SDK v1.
      for (const dev of ['typescript', 'vitest', '@modelcontextprotocol/sdk']) expect(existsSync(join(dir, 'node_modules', dev))).toBe(false);
      expect(existsSync(join(dir, 'node_modules/jose'))).toBe(true);

      const proc = startProcess(join(dir, 'dist/index.js'), ['--http', '--demo'], {});
      const port = await proc.port;
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const client = await connect(port);
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      const answer = (await client.callTool({ name: 'search_traces', arguments: { status: 'failed' } })) as { isError?: boolean };
      expect(answer.isError).toBeFalsy();
      await client.close();
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
