/**
 * Both client generations against the built server over stdio, as hosts run it: the SDK v1
 * Client (sends `initialize`: MCP 2025-11-25) and the SDK v2 Client in `versionNegotiation: 'auto'`
 * (probes with `server/discover`: MCP 2026-07-28). Each connects to `dist/index.js`, which reads
 * one Graph simulator shared by every server process here, so the same call must give the same
 * answer on both revisions: tools, structured output, resource links and the result sets behind
 * them, prompts, instructions, progress and cancellation. Spawns are counted by a `--import`
 * line that appends each server process's pid to a file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdio } from '@modelcontextprotocol/client/stdio';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdio } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../src/demo/simulator/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = `${ROOT}dist/index.js`;
const TOKEN = 'generations-token-3c1d';
/** Appends the pid of every process started with it to $SPAWN_LOG. */
const COUNT_SPAWN = `data:text/javascript,import{appendFileSync}from'node:fs';appendFileSync(process.env.SPAWN_LOG,process.pid+'\\n')`;

/**
 * The SDK's own StdioClientTransport probes on a disposable sibling process (it must survive
 * servers that exit on an unknown request) and then spawns the session process. A subclass
 * probes in place, on the session process itself: with it, one process must answer the probe
 * and the whole session.
 */
class InPlaceProbeStdio extends ModernStdio {}

let sim: GraphSimulator;
let dir: string;
let spawnLogs = 0;

beforeAll(async () => {
  sim = await startGraphSimulator({ acceptToken: (t) => t === TOKEN, rateLimit: false });
  dir = mkdtempSync(join(tmpdir(), 'mcp-generations-'));
});
afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function serverParams() {
  const spawnLog = join(dir, `spawns-${++spawnLogs}.log`);
  return {
    spawnLog,
    params: {
      command: process.execPath,
      args: ['--import', COUNT_SPAWN, ENTRY],
      env: { MESSAGE_TRACE_GRAPH_URL: sim.url, MESSAGE_TRACE_ACCESS_TOKEN: TOKEN, MESSAGE_TRACE_LOG: 'warn', SPAWN_LOG: spawnLog },
      stderr: 'pipe' as const,
    },
  };
}

function spawned(spawnLog: string): number[] {
  return readFileSync(spawnLog, 'utf8').split('\n').filter(Boolean).map(Number);
}

type Raw = { id?: unknown; method?: string; result?: Record<string, unknown> };
type Progress = { progress: number; message?: string };
type ToolAnswer = { content: Array<{ type: string; text?: string; uri?: string }>; structuredContent?: unknown; isError?: boolean };

/** The calls both generations make, behind one interface (their SDKs differ in argument order). */
interface Session {
  revision: string | undefined;
  pid: number | null;
  spawnLog: string;
  instructions: string | undefined;
  /** Every message the server sent, as read off the wire. */
  wire: Raw[];
  listTools(): Promise<Array<Record<string, unknown>>>;
  callTool(name: string, args: Record<string, unknown>, opts?: { onprogress?: (p: Progress) => void; signal?: AbortSignal }): Promise<ToolAnswer>;
  /** tools/call with any `arguments`, as a careless client might send them. */
  callRaw(name: string, args: unknown): Promise<ToolAnswer>;
  listPrompts(): Promise<Array<{ name: string }>>;
  getPrompt(name: string, args: Record<string, string>): Promise<unknown>;
  listResourceTemplates(): Promise<Array<{ uriTemplate: string }>>;
  listResources(): Promise<Array<{ uri: string }>>;
  readResource(uri: string): Promise<Array<{ uri: string; text?: string }>>;
  close(): Promise<void>;
}

/** Records what the server sends, before the client parses it. */
function tap(transport: { onmessage?: ((m: any, extra?: any) => void) | undefined }, wire: Raw[]): void {
  const deliver = transport.onmessage;
  transport.onmessage = (m, extra) => {
    wire.push(m);
    deliver?.(m, extra);
  };
}

async function legacySession(): Promise<Session> {
  const { spawnLog, params } = serverParams();
  const transport = new LegacyStdio(params);
  // The v1 Client reports the version the server answered initialize with to its transport.
  let revision: string | undefined;
  Object.assign(transport, { setProtocolVersion: (v: string) => (revision = v) });
  const client = new LegacyClient({ name: 'legacy-host', version: '1.0.0' });
  await client.connect(transport);
  const wire: Raw[] = [];
  tap(transport, wire);
  return {
    revision,
    pid: transport.pid,
    spawnLog,
    instructions: client.getInstructions(),
    wire,
    listTools: async () => (await client.listTools()).tools,
    callTool: async (name, args, opts) => (await client.callTool({ name, arguments: args }, undefined, opts)) as ToolAnswer,
    callRaw: async (name, args) => (await client.request({ method: 'tools/call', params: { name, arguments: args as Record<string, unknown> } }, CallToolResultSchema)) as ToolAnswer,
    listPrompts: async () => (await client.listPrompts()).prompts,
    getPrompt: (name, args) => client.getPrompt({ name, arguments: args }),
    listResourceTemplates: async () => (await client.listResourceTemplates()).resourceTemplates,
    listResources: async () => (await client.listResources()).resources,
    readResource: async (uri) => (await client.readResource({ uri })).contents as Array<{ uri: string; text?: string }>,
    close: () => client.close(),
  };
}

async function modernSession(probe: 'sibling' | 'in place'): Promise<Session> {
  const { spawnLog, params } = serverParams();
  const transport = probe === 'sibling' ? new ModernStdio(params) : new InPlaceProbeStdio(params);
  const client = new ModernClient({ name: 'modern-host', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(transport);
  const wire: Raw[] = [];
  tap(transport, wire);
  return {
    revision: client.getNegotiatedProtocolVersion(),
    pid: transport.pid,
    spawnLog,
    instructions: client.getInstructions(),
    wire,
    listTools: async () => (await client.listTools()).tools,
    callTool: async (name, args, opts) => (await client.callTool({ name, arguments: args }, opts)) as ToolAnswer,
    callRaw: async (name, args) => (await client.request({ method: 'tools/call', params: { name, arguments: args as Record<string, unknown> } })) as ToolAnswer,
    listPrompts: async () => (await client.listPrompts()).prompts,
    getPrompt: (name, args) => client.getPrompt({ name, arguments: args }),
    listResourceTemplates: async () => (await client.listResourceTemplates()).resourceTemplates,
    listResources: async () => (await client.listResources()).resources,
    readResource: async (uri) => (await client.readResource({ uri })).contents as Array<{ uri: string; text?: string }>,
    close: () => client.close(),
  };
}

/**
 * Made comparable: a search's random result-set id and the time it was kept, and the server's
 * name and version that 2026-07-28 stamps into every result's _meta (the revision's envelope).
 */
function sameIds(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value)
      .replace(/results\/[0-9a-f]{12}|search-[0-9a-f]{12}|\\?"id\\?":\\?"[0-9a-f]{12}/g, (m) => m.replace(/[0-9a-f]{12}/, 'ID'))
      .replace(/(\\?"createdAt\\?":\\?")[^"\\]+/g, '$1T'),
    (key, v) => (key === '_meta' && Object.keys(v).every((k) => k === 'io.modelcontextprotocol/serverInfo') ? undefined : v),
  );
}

/** One explicit window (the published sample sits ~2 hours back), so both generations ask the same. */
const end = new Date(Date.now() - 3_600_000).toISOString();
const start = new Date(Date.now() - 6 * 3_600_000).toISOString();

/** Everything one generation sees, for comparison with the other. */
async function exercise(s: Session) {
  const story = sim.tenant.stories.publishedSample;
  const tools = await s.listTools();
  const progress: Progress[] = [];
  const search = await s.callTool('search_traces', { startDateTime: start, endDateTime: end, limit: 5 }, { onprogress: (p) => progress.push(p) });
  const report = await s.callTool('search_traces', { startDateTime: start, endDateTime: end, groupBy: 'status', limit: 0 });
  const details = await s.callTool('get_trace_details', { traceId: story.traceId, recipientAddress: story.recipientAddress });
  const invalid = await s.callTool('search_traces', { senderAddress: 'not an address' });
  const notAnObject = await s.callRaw('get_trace_details', ['traceId', 'recipientAddress']);
  const links = search.content.filter((c) => c.type === 'resource_link').map((c) => c.uri as string);
  const csv = await s.readResource(links.find((u) => u.endsWith('.csv')) as string);
  const json = await s.readResource(links.find((u) => u.endsWith('.json')) as string);
  const prompts = await s.listPrompts();
  const prompt = await s.getPrompt('check_message_delivery', { messageId: '<abc@contoso.com>' });
  const templates = await s.listResourceTemplates();
  const resources = await s.listResources();
  return { tools, search, report, details, invalid, notAnObject, csv, json, prompts, prompt, templates, resources: resources.map((r) => r.uri), progress, instructions: s.instructions };
}

describe('the built server, to both client generations over stdio', () => {
  it('gives a v1 Client 2025-11-25 and a v2 Client in auto mode 2026-07-28, with the same answers', async () => {
    const legacy = await legacySession();
    const modern = await modernSession('sibling');
    try {
      expect(legacy.revision).toBe('2025-11-25');
      expect(modern.revision).toBe('2026-07-28');
      const [a, b] = [await exercise(legacy), await exercise(modern)];

      expect(a.search.isError).toBeFalsy();
      expect(a.details.isError).toBeFalsy();
      expect(a.invalid.isError).toBe(true);
      expect(a.notAnObject).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/^Arguments must be an object with these fields: traceId, /) }] });
      expect(a.csv[0]?.text).toMatch(/^"receivedDateTime","traceId",/);
      expect(a.report.structuredContent).toMatchObject({ report: { groupBy: ['status'] } });
      expect(a.progress.length).toBeGreaterThan(0);
      expect(a.instructions).toMatch(/search_traces/);
      expect(a.tools.map((t) => t.name)).toEqual(['search_traces', 'get_trace_details']);
      expect(a.prompts.map((p) => p.name)).toEqual(['investigate_undelivered_mail', 'daily_mail_flow_report', 'triage_mail_flow', 'check_message_delivery']);

      for (const key of Object.keys(a) as Array<keyof typeof a>) expect(sameIds(b[key]), key).toEqual(sameIds(a[key]));
    } finally {
      await legacy.close();
      await modern.close();
    }
  }, 120_000);

  it.each([
    // One process answers the probe and the whole session.
    ['a client probing in place', 'in place', (pids: number[], pid: number | null) => expect(pids).toEqual([pid])],
    // Besides the session process, only the SDK client's disposable probe sibling, reaped before connect() resolves.
    ['the SDK\'s StdioClientTransport', 'sibling', (pids: number[], pid: number | null) => {
      expect(pids).toContain(pid);
      expect(pids.length).toBeLessThanOrEqual(2);
      for (const other of pids.filter((p) => p !== pid)) expect(() => process.kill(other, 0)).toThrow(/ESRCH/);
    }],
  ] as const)('negotiates 2026-07-28 and serves the session from ONE process (%s)', async (_name, probe, checkSpawns) => {
    const s = await modernSession(probe);
    try {
      expect(s.revision).toBe('2026-07-28');
      expect((await s.callTool('search_traces', { limit: 1 })).isError).toBeFalsy();
      expect(await s.listTools()).toHaveLength(2);
      checkSpawns(spawned(s.spawnLog), s.pid);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('2026-07-28 on the wire: every result has resultType; the fixed lists carry ttlMs and cacheScope; 2025-11-25 has neither', async () => {
    const modern = await modernSession('in place');
    const legacy = await legacySession();
    try {
      for (const s of [modern, legacy]) {
        await s.listTools();
        await s.callTool('search_traces', { limit: 1 });
        await s.callTool('search_traces', { nope: 1 });
        await s.callRaw('search_traces', 'senderAddress=a@b.com');
        await s.listPrompts();
        await s.getPrompt('daily_mail_flow_report', {});
        await s.listResourceTemplates();
        const [first] = await s.listResources();
        await s.readResource(first?.uri as string);
      }
      const results = (s: Session) => s.wire.filter((m) => m.result !== undefined).map((m) => m.result as Record<string, unknown>);
      expect(results(modern)).toHaveLength(9);
      for (const r of results(modern)) expect(r.resultType).toBe('complete');
      const lists = results(modern).filter((r) => 'tools' in r || 'prompts' in r || 'resourceTemplates' in r);
      expect(lists).toHaveLength(3);
      for (const r of lists) expect(r).toMatchObject({ ttlMs: 86_400_000, cacheScope: 'public' });
      expect(results(legacy)).toHaveLength(9);
      for (const r of results(legacy)) {
        expect(r).not.toHaveProperty('resultType');
        expect(r).not.toHaveProperty('ttlMs');
      }
    } finally {
      await modern.close();
      await legacy.close();
    }
  }, 60_000);

  it('cancels a call stuck on Graph on both revisions, and the server keeps answering', async () => {
    for (const open of [legacySession, () => modernSession('in place')]) {
      const s = await open();
      try {
        sim.faults.add({ kind: 'hang' });
        const ac = new AbortController();
        const stuck = s.callTool('search_traces', { limit: 1 }, { signal: ac.signal });
        setTimeout(() => ac.abort('the user pressed stop'), 300);
        await expect(stuck).rejects.toThrow(/the user pressed stop/);
        sim.faults.clear();
        expect((await s.callTool('search_traces', { limit: 1 })).isError).toBeFalsy();
      } finally {
        sim.faults.clear();
        await s.close();
      }
    }
  }, 60_000);
});
