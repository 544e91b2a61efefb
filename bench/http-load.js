/**
 * Part 6 of `npm run bench`: `--http` under load. The built server runs as its own process
 * (bench/http-server.js: dist's --http entry), checking every request's Entra-style token against
 * a token issuer on loopback (OpenID configuration + JWKS served here, RS256 tokens minted here
 * with jose), in front of the Graph simulator (its own process). N callers, each with its own
 * identity and its own 2026-07-28 client, run M searches one after another, all callers at once.
 * Latency is per tool call as the client sees it; CPU and peak RSS are the server process's own.
 */
import { createServer } from 'node:http';
import { clearInterval, setInterval } from 'node:timers';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { cpuMs, memoryMb, ROOT, spawnHttpServer, spawnSimulator } from './lib.js';

const TENANT = '7e1f2c3d-0a1b-4c5d-8e9f-0123456789ab';
const AUDIENCE = 'api://message-trace-bench';
const GRAPH_TOKEN = 'bench-graph-token-not-a-secret';

/** The questions the callers ask, in turn (each a real search against the demo tenant). */
const SEARCHES = [
  { status: 'failed' },
  { status: ['quarantined', 'filteredAsSpam'] },
  { groupBy: ['recipientDomain'], status: 'failed' },
  { groupBy: ['day'] },
  { direction: 'inbound', status: 'delivered' },
];

async function startIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-key', use: 'sig', alg: 'RS256' };
  let origin = '';
  const server = createServer((req, res) => {
    if (req.url === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: `${origin}/${TENANT}/v2.0`, jwks_uri: `${origin}/${TENANT}/discovery/v2.0/keys` }));
    } else if (req.url === `/${TENANT}/discovery/v2.0/keys`) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  const mint = (oid) =>
    new SignJWT({ iss: `${origin}/${TENANT}/v2.0`, aud: AUDIENCE, tid: TENANT, oid, azp: '99999999-8888-4777-8666-555555555555', roles: ['MessageTrace.Read'] })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: jwk.kid })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
  return { origin, mint, close: () => new Promise((resolve) => server.close(resolve)) };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** @param {{ callers: number, searchesPerCaller: number }} plan */
export async function httpLoad(plan) {
  const issuer = await startIssuer();
  const sim = await spawnSimulator(['--no-rate-limit']);
  let server;
  try {
    server = await spawnHttpServer(`${ROOT}bench/http-server.js`, {
      env: {
        MESSAGE_TRACE_HTTP_ADDRESS: '127.0.0.1:0',
        AZURE_TENANT_ID: TENANT,
        MESSAGE_TRACE_HTTP_AUDIENCE: AUDIENCE,
        AZURE_AUTHORITY_HOST: issuer.origin,
        MESSAGE_TRACE_GRAPH_URL: sim.url,
        MESSAGE_TRACE_ACCESS_TOKEN: GRAPH_TOKEN,
        MESSAGE_TRACE_LOG: 'info',
      },
    });
    const url = new URL(`http://127.0.0.1:${server.port}/mcp`);
    const idle = memoryMb(server.pid);
    const cpuBefore = cpuMs(server.pid);
    const latencies = [];
    let errors = 0;
    let peakRss = idle.peak;
    const sampler = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, memoryMb(server.pid).peak);
      } catch {
        // the process is gone; the last sample stands
      }
    }, 50);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: plan.callers }, async (_, c) => {
        const token = await issuer.mint(`0000000${c % 10}-0000-4000-8000-${String(c).padStart(12, '0')}`);
        const client = new Client({ name: `bench-caller-${c}`, version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
        await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
        try {
          for (let i = 0; i < plan.searchesPerCaller; i++) {
            const t0 = performance.now();
            const result = await client.callTool({ name: 'search_traces', arguments: SEARCHES[(c + i) % SEARCHES.length] });
            latencies.push(performance.now() - t0);
            if (result.isError) errors++;
          }
        } finally {
          await client.close();
        }
      }),
    );
    const wallMs = performance.now() - started;
    clearInterval(sampler);
    const cpu = cpuMs(server.pid) - cpuBefore;
    peakRss = Math.max(peakRss, memoryMb(server.pid).peak);
    const sorted = [...latencies].sort((a, b) => a - b);
    const exitCode = await server.stop();
    return {
      callers: plan.callers,
      searchesPerCaller: plan.searchesPerCaller,
      calls: latencies.length,
      errors,
      wallMs,
      callsPerSecond: latencies.length / (wallMs / 1000),
      latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) },
      serverCpuMs: cpu,
      serverCpuMsPerCall: cpu / Math.max(1, latencies.length),
      idleRssMb: idle.rss,
      peakRssMb: peakRss,
      drainedExitCode: exitCode,
    };
  } finally {
    await server?.stop().catch(() => undefined);
    await sim.close?.();
    await issuer.close();
  }
}
