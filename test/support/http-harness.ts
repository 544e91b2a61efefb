/**
 * HTTP-mode harness: the real `--http` entry (serveHttp) in this process on an ephemeral loopback
 * port, in front of the Graph simulator, checking tokens against the local issuer. Audit lines
 * are captured. Clients: the SDK v2 Client (2026-07-28 via 'auto') and the SDK v1 Client
 * (2025-11-25), both over Streamable HTTP with a bearer token; `raw` sends hand-made requests.
 */
import { request as httpRequest } from 'node:http';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loadConfig } from '../../src/config.js';
import { startGraphSimulator, type GraphSimulator, type SimulatorOptions } from '../../src/demo/simulator/server.js';
import { serveHttp, type HttpServeOptions, type ServingHttp } from '../../src/http/serve.js';
import { silentLogger } from '../../src/log.js';
import { AUDIENCE, TENANT_ID, type TokenIssuer } from './token-issuer.js';
import { sharedSchemaValidator } from './schema-validator.js';

export const GRAPH_TOKEN = 'graph-token-5d1e0c7b';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpHarness {
  sim: GraphSimulator;
  serving: ServingHttp;
  url: URL;
  audit: string[];
  /** A connected 2026-07-28 client sending `token`. */
  modern(token: string | undefined): Promise<Client>;
  /** A connected 2025-11-25 (SDK v1) client sending `token`. */
  legacy(token: string | undefined): Promise<LegacyClient>;
  raw(path: string, opts?: { method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface HttpHarnessOptions {
  issuer?: TokenIssuer;
  env?: Record<string, string>;
  graphEnv?: Record<string, string>;
  sim?: SimulatorOptions;
  demo?: boolean;
  server?: HttpServeOptions['server'];
}

export async function startHttpHarness(opts: HttpHarnessOptions = {}): Promise<HttpHarness> {
  const sim = await startGraphSimulator({ acceptToken: (t) => t === GRAPH_TOKEN, rateLimit: false, ...opts.sim });
  const audit: string[] = [];
  const env: Record<string, string> = {
    MESSAGE_TRACE_HTTP_ADDRESS: '127.0.0.1:0',
    ...(opts.issuer ? { AZURE_TENANT_ID: TENANT_ID, MESSAGE_TRACE_HTTP_AUDIENCE: AUDIENCE, AZURE_AUTHORITY_HOST: opts.issuer.authorityHost } : {}),
    ...opts.env,
  };
  const serving = await serveHttp({
    demo: opts.demo ?? false,
    log: silentLogger,
    env,
    graph: async () => ({ config: loadConfig({ MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: GRAPH_TOKEN, MESSAGE_TRACE_DOMAINS: sim.tenant.domains.join(','), ...opts.graphEnv }) }),
    writeAudit: (line) => audit.push(line),
    ...(opts.server ? { server: opts.server } : {}),
  });
  if (!serving) throw new Error('serveHttp refused to start');
  const url = new URL(`http://127.0.0.1:${serving.port}/mcp`);
  const clients: Array<{ close(): Promise<void> }> = [];
  const init = (token: string | undefined) => ({ requestInit: { headers: (token ? { authorization: `Bearer ${token}` } : {}) as Record<string, string> } });

  return {
    sim,
    serving,
    url,
    audit,
    async modern(token) {
      const client = new Client({ name: 'modern-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
      await client.connect(new StreamableHTTPClientTransport(url, init(token)));
      clients.push(client);
      return client;
    },
    async legacy(token) {
      const client = new LegacyClient({ name: 'legacy-test', version: '1.0.0' }, { jsonSchemaValidator: sharedSchemaValidator });
      await client.connect(new LegacyTransport(url, init(token)));
      clients.push(client);
      return client;
    },
    raw(path, ropts = {}) {
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: serving.port, path, method: ropts.method ?? 'GET', headers: { host: `127.0.0.1:${serving.port}`, ...ropts.headers } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          },
        );
        req.on('error', reject);
        req.end(ropts.body);
      });
    },
    async close() {
      await Promise.allSettled(clients.map((c) => c.close()));
      await serving.stop();
      await sim.close();
    },
  };
}

/** A JSON-RPC body as a legacy client opens with. */
export const INITIALIZE_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
