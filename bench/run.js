#!/usr/bin/env node
/**
 * `npm run bench` (builds first): measures the built server (dist/) and prints a table; writes
 * bench/results.json. See BENCHMARKS.md for what each figure means.
 *
 *   node bench/run.js [--quick] [--out FILE] [--no-write]
 *
 * --quick: every part once, at its smallest (about 10 s), for the smoke test (test/bench/quick.test.ts);
 *   its figures are single runs, so noisy: not for comparing.
 *
 * Everything runs on loopback: the Graph simulator (as a child process for the search figures,
 * in this process where the bench needs its tenant's stories) and the MCP servers, spawned as an
 * MCP host would and spoken to over stdio. CPU time and memory are the server process's own, read
 * from /proc. Every part is bounded in runs; a watchdog stops the bench (and every child) if it
 * overruns.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdio } from '@modelcontextprotocol/client/stdio';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdio } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startGraphSimulator } from '../dist/demo/simulator/server.js';
import { generateTenant } from '../dist/demo/simulator/tenant.js';
import { httpLoad } from './http-load.js';
import {
  BASELINE_ENTRY,
  ROOT,
  SERVER_ENTRY,
  callTool,
  cpuMs,
  initialize,
  killAll,
  median,
  memoryMb,
  spawnMcp,
  hostEnv,
  spawnSimulator,
  spawnedPids,
  spread,
  tokens,
} from './lib.js';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const outIndex = argv.indexOf('--out');
const OUT = outIndex >= 0 ? argv[outIndex + 1] : join(ROOT, 'bench/results.json');
const WRITE = !argv.includes('--no-write');

const PLAN = QUICK
  ? { coldRuns: 1, coldWarmup: 0, searchRuns: 1, searchRows: [5_000], steadyWarmups: 0, steadyRuns: 1, detailProcesses: 1, detailCalls: 3, diagnose: false, httpCallers: 2, httpSearches: 2, limitMs: 240_000 }
  : { coldRuns: 15, coldWarmup: 2, searchRuns: 5, searchRows: [5_000, 50_000], steadyWarmups: 2, steadyRuns: 5, detailProcesses: 3, detailCalls: 80, diagnose: true, httpCallers: 20, httpSearches: 5, limitMs: 660_000 };

const BULK_SENDER = 'notifications@bulk.bench.example';
const TOKEN = 'bench-token-not-a-secret';
/** A client-secret configuration: the production start-up path (no token is fetched at start). */
const COLD_ENV = {
  AZURE_TENANT_ID: '00000000-0000-0000-0000-00000000000a',
  AZURE_CLIENT_ID: '00000000-0000-0000-0000-00000000000b',
  AZURE_CLIENT_SECRET: 'bench-secret-not-real',
};
/** The published responses (the test fixture), to cross-check the simulator's copy. */
const SAMPLE = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/sample-responses.json'), 'utf8'));

const watchdog = setTimeout(() => {
  process.stderr.write(`bench: stopped after ${PLAN.limitMs / 1000} s (time limit)\n`);
  killAll();
  process.exit(1);
}, PLAN.limitMs);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

const log = (s = '') => process.stderr.write(`${s}\n`);
const round = (v, digits = 1) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

function serverEnv(url, extra = {}) {
  return { MESSAGE_TRACE_GRAPH_URL: url, MESSAGE_TRACE_ACCESS_TOKEN: TOKEN, MESSAGE_TRACE_LOG: 'warn', ...extra };
}

async function startServer(env) {
  const server = spawnMcp(SERVER_ENTRY, { env });
  await initialize(server);
  return server;
}

// ---------------------------------------------------------------------------------------------
// 1. Cold start

async function coldStartOnce(entry) {
  const server = spawnMcp(entry, { env: COLD_ENV });
  try {
    const init = await initialize(server);
    const list = await server.request('tools/list');
    if (!list.msg.result?.tools?.length) throw new Error(`${entry}: tools/list returned no tools`);
    return { initialize: init.at - server.startedAt, toolsList: list.at - server.startedAt };
  } finally {
    await server.close();
  }
}

async function coldStart() {
  const entries = { ours: SERVER_ENTRY, baseline: BASELINE_ENTRY };
  const runs = { ours: [], baseline: [] };
  for (let i = 0; i < PLAN.coldWarmup + PLAN.coldRuns; i++) {
    // Alternate, and swap who goes first each round, so drift and caches hit both alike.
    const order = i % 2 ? ['baseline', 'ours'] : ['ours', 'baseline'];
    for (const who of order) {
      const r = await coldStartOnce(entries[who]);
      if (i >= PLAN.coldWarmup) runs[who].push(r);
    }
  }
  const figures = (who, key) => spread(runs[who].map((r) => r[key]));
  const out = {
    runs: PLAN.coldRuns,
    ours: { initializeMs: figures('ours', 'initialize'), toolsListMs: figures('ours', 'toolsList') },
    baseline: { initializeMs: figures('baseline', 'initialize'), toolsListMs: figures('baseline', 'toolsList') },
  };
  out.ratio = {
    initialize: out.ours.initializeMs.median / out.baseline.initializeMs.median,
    toolsList: out.ours.toolsListMs.median / out.baseline.toolsListMs.median,
  };
  out.connect = await connectGenerations();
  if (PLAN.diagnose) out.diagnosis = await startupDiagnosis();
  return out;
}

/**
 * A host's connect, with the real clients: the SDK v1 Client (initialize: 2025-11-25) and the v2
 * Client in versionNegotiation 'auto' (server/discover on a disposable probe process, then the
 * session process: 2026-07-28). connect() resolves, then the first tools/list answers.
 */
async function connectOnce(generation) {
  const params = { command: process.execPath, args: [SERVER_ENTRY], env: hostEnv(COLD_ENV), stderr: 'ignore' };
  const t0 = performance.now();
  const client =
    generation === 'legacy'
      ? new LegacyClient({ name: 'bench-legacy-host', version: '1.0.0' })
      : new ModernClient({ name: 'bench-modern-host', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(generation === 'legacy' ? new LegacyStdio(params) : new ModernStdio(params));
  const connect = performance.now() - t0;
  try {
    if (generation === 'modern' && client.getNegotiatedProtocolVersion() !== '2026-07-28') {
      throw new Error(`the v2 client negotiated ${client.getNegotiatedProtocolVersion()}, not 2026-07-28`);
    }
    await client.listTools();
    return { connect, toolsList: performance.now() - t0 };
  } finally {
    await client.close();
  }
}

async function connectGenerations() {
  const runs = { legacy: [], modern: [] };
  for (let i = 0; i < PLAN.coldWarmup + PLAN.coldRuns; i++) {
    const order = i % 2 ? ['modern', 'legacy'] : ['legacy', 'modern'];
    for (const generation of order) {
      const r = await connectOnce(generation);
      if (i >= PLAN.coldWarmup) runs[generation].push(r);
    }
  }
  const figures = (generation, key) => spread(runs[generation].map((r) => r[key]));
  const out = {
    legacy: { connectMs: figures('legacy', 'connect'), toolsListMs: figures('legacy', 'toolsList') },
    modern: { connectMs: figures('modern', 'connect'), toolsListMs: figures('modern', 'toolsList') },
  };
  out.ratio = {
    connect: out.modern.connectMs.median / out.legacy.connectMs.median,
    toolsList: out.modern.toolsListMs.median / out.legacy.toolsListMs.median,
  };
  return out;
}

function packageOf(url, inProfile = false) {
  const nm = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return inProfile ? 'node internals (loading, compiling)' : 'node: built-ins';
  if (url.includes('/dist/')) return 'dist/ (ours)';
  if (url.includes('/bench/')) return 'bench/';
  return url || '(native)';
}

/** Self time of a --cpu-prof profile by package (module loading and compiling shows as node internals). */
function cpuByGroup(profile) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = {};
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id).callFrame;
    if (frame.functionName === '(idle)') return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const group = frame.url ? packageOf(frame.url, true) : frame.functionName || '(native)';
    self[group] = (self[group] ?? 0) + ms;
    total += ms;
  });
  const groups = Object.entries(self)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([group, ms]) => ({ group, ms: round(ms), share: round(ms / total, 2) }));
  return { totalMs: round(total), groups };
}

/** Which packages load before tools/list, and where start-up CPU goes (one --cpu-prof run each). */
async function startupDiagnosis() {
  const dir = mkdtempSync(join(os.tmpdir(), 'mtm-bench-'));
  try {
    const modules = {};
    for (const [who, entry] of [['ours', SERVER_ENTRY], ['baseline', BASELINE_ENTRY]]) {
      const file = join(dir, `${who}-modules.txt`);
      const server = spawnMcp(entry, { env: { ...COLD_ENV, BENCH_MODULE_LOG: file }, nodeArgs: ['--import', join(ROOT, 'bench/loaded-modules-hook.js')] });
      await initialize(server);
      await server.request('tools/list');
      await server.close();
      const counts = {};
      for (const url of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
        const p = packageOf(url);
        if (p === 'bench/') continue;
        counts[p] = (counts[p] ?? 0) + 1;
      }
      modules[who] = counts;
    }
    const extra = Object.keys(modules.ours).filter((p) => !(p in modules.baseline));
    const heavy = ['undici', '@azure/identity', '@azure/msal-node', 'fast-xml-parser'].filter((p) => p in modules.ours);

    const profiles = {};
    for (const [who, entry] of [['ours', SERVER_ENTRY], ['baseline', BASELINE_ENTRY]]) {
      const profDir = join(dir, `prof-${who}`);
      const server = spawnMcp(entry, { env: COLD_ENV, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-interval', '200'] });
      await initialize(server);
      await server.request('tools/list');
      await server.close();
      profiles[who] = cpuByGroup(JSON.parse(readFileSync(join(profDir, readdirSync(profDir)[0]), 'utf8')));
    }
    return { modulesLoaded: modules, extraPackages: extra, heavyPackagesAtStartup: heavy, cpuProfile: profiles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Search throughput and memory

async function searchOnce(sim, rows) {
  const server = await startServer(serverEnv(sim.url, { MESSAGE_TRACE_MAX_ROWS: '100000' }));
  try {
    const idle = memoryMb(server.pid);
    // Warm-up: the newest ~3 % of the rows (the last 2 minutes). It loads undici, ICU number
    // formatting and warms the JIT, as any earlier call of a running server would have.
    const warm = await callTool(server, 'search_traces', { senderAddress: BULK_SENDER, startDateTime: sim.warmupStart });
    const cpu0 = cpuMs(server.pid);
    const t0 = performance.now();
    const result = await callTool(server, 'search_traces', { senderAddress: BULK_SENDER, startDateTime: sim.windowStart });
    const wallMs = performance.now() - t0;
    const cpu = cpuMs(server.pid) - cpu0;
    const mem = memoryMb(server.pid);
    const s = result.structuredContent;
    if (s.totals.traces !== rows || !s.complete) throw new Error(`search read ${s.totals.traces} rows (complete: ${s.complete}), expected ${rows}`);
    return { wallMs, cpuMs: cpu, peakRssMb: mem.peak, rssAfterMb: mem.rss, idleRssMb: idle.rss, graphRequests: s.graphRequests, warmupRows: warm.structuredContent.totals.traces };
  } finally {
    await server.close();
  }
}

/** CPU of the same search repeated in one server: the steady state of a long-running server. */
async function searchSteady(sim, rows, warmups, measured) {
  // Budget 100 (Graph's own limit): 7 searches of 10 pages stay clear of the server's pacing.
  const server = await startServer(serverEnv(sim.url, { MESSAGE_TRACE_MAX_ROWS: '100000', MESSAGE_TRACE_REQUEST_BUDGET: '100' }));
  try {
    const cpu = [];
    const wall = [];
    for (let i = 0; i < warmups + measured; i++) {
      const cpu0 = cpuMs(server.pid);
      const t0 = performance.now();
      const result = await callTool(server, 'search_traces', { senderAddress: BULK_SENDER, startDateTime: sim.windowStart });
      if (result.structuredContent.totals.traces !== rows) throw new Error(`steady search read ${result.structuredContent.totals.traces} rows`);
      if (i >= warmups) {
        wall.push(performance.now() - t0);
        cpu.push(cpuMs(server.pid) - cpu0);
      }
    }
    return { searches: warmups + measured, measured, wallMs: spread(wall), cpuMs: spread(cpu), cpuMsPer1000Rows: spread(cpu.map((c) => c / (rows / 1000))), peakRssMb: memoryMb(server.pid).peak };
  } finally {
    await server.close();
  }
}

async function search() {
  const sims = {};
  const before = Date.now();
  try {
    await Promise.all(
      PLAN.searchRows.map(async (rows) => {
        const sim = await spawnSimulator(['--bulk-rows', String(rows), '--bulk-sender', BULK_SENDER, '--no-rate-limit']);
        // The bulk rows lie in the hour before the simulator started; a minute of margin.
        sims[rows] = { ...sim, windowStart: new Date(before - 61 * 60_000).toISOString(), warmupStart: new Date(before - 2 * 60_000).toISOString() };
      }),
    );
    const runs = Object.fromEntries(PLAN.searchRows.map((r) => [r, []]));
    // One unmeasured search per simulator first (its own JIT warm-up), then alternate sizes.
    for (const rows of PLAN.searchRows) if (!QUICK) await searchOnce(sims[rows], rows);
    for (let i = 0; i < PLAN.searchRuns; i++) {
      for (const rows of PLAN.searchRows) runs[rows].push(await searchOnce(sims[rows], rows));
    }
    const out = {};
    for (const rows of PLAN.searchRows) {
      const r = runs[rows];
      out[rows] = {
        runs: r.length,
        graphRequests: r[0].graphRequests,
        warmupRows: r[0].warmupRows,
        wallMs: spread(r.map((x) => x.wallMs)),
        cpuMs: spread(r.map((x) => x.cpuMs)),
        cpuMsPer1000Rows: spread(r.map((x) => x.cpuMs / (rows / 1000))),
        peakRssMb: spread(r.map((x) => x.peakRssMb)),
        idleRssMb: spread(r.map((x) => x.idleRssMb)),
      };
      out[rows].steady = await searchSteady(sims[rows], rows, PLAN.steadyWarmups, PLAN.steadyRuns);
    }
    return out;
  } finally {
    await Promise.all(Object.values(sims).map((s) => s.close()));
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Details throughput (the largest detail record)

/** The Graph JSON of the `value` lists the simulator served for `requests` (fetched again). */
async function rawGraphJson(sim, requests) {
  let chars = 0;
  let items = 0;
  for (const r of requests) {
    if (r.status !== 200) continue;
    const url = new URL(sim.url + encodeURI(r.path));
    for (const [k, v] of Object.entries(r.query)) url.searchParams.set(k, v);
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}`, prefer: r.prefer ?? '' } });
    const body = await res.json();
    chars += JSON.stringify(body.value).length;
    items += body.value.length;
  }
  return { chars, items };
}

async function details(sim) {
  const story = sim.tenant.stories.largestDetail;
  const args = { traceId: story.traceId, recipientAddress: story.recipientAddress };
  const perProcess = [];
  let events = 0;
  for (let p = 0; p < PLAN.detailProcesses; p++) {
    // Budget 100 (Graph's own limit) so that the calls below are never paced.
    const server = await startServer(serverEnv(sim.url, { MESSAGE_TRACE_REQUEST_BUDGET: '100' }));
    try {
      for (let i = 0; i < 5; i++) await callTool(server, 'get_trace_details', args);
      const cpu0 = cpuMs(server.pid);
      const t0 = performance.now();
      for (let i = 0; i < PLAN.detailCalls; i++) {
        const r = await callTool(server, 'get_trace_details', args);
        events = r.structuredContent.events.length;
      }
      perProcess.push({ wallMs: (performance.now() - t0) / PLAN.detailCalls, cpuMs: (cpuMs(server.pid) - cpu0) / PLAN.detailCalls });
    } finally {
      await server.close();
    }
  }
  const raw = await rawGraphJson(sim, [{ path: `/v1.0/admin/exchange/tracing/messageTraces/${story.traceId}/getDetailsByRecipient(recipientAddress='${story.recipientAddress}')`, query: {}, status: 200 }]);
  return {
    calls: PLAN.detailCalls,
    processes: PLAN.detailProcesses,
    rawEvents: raw.items,
    rawChars: raw.chars,
    timelineEntries: events,
    cpuMsPerCall: spread(perProcess.map((x) => x.cpuMs)),
    wallMsPerCall: spread(perProcess.map((x) => x.wallMs)),
  };
}

// ---------------------------------------------------------------------------------------------
// 4. Token economy, 5. quota economy

function sizes(result) {
  const structured = JSON.stringify(result.structuredContent).length;
  const text = result.content.filter((c) => c.type === 'text').reduce((n, c) => n + c.text.length, 0);
  const links = result.content.filter((c) => c.type !== 'text').reduce((n, c) => n + JSON.stringify(c).length, 0);
  return { structuredChars: structured, textChars: text, linkChars: links, bothChars: structured + text + links };
}

async function measured(sim, server, name, args) {
  const before = sim.requests.length;
  const result = await callTool(server, name, args);
  const requests = sim.requests.slice(before);
  return { result, requests };
}

async function tokenEconomy(bulkSim, demoSim) {
  const out = {};
  // (a) 1,000 bulk rows: one sender, all delivered (the bench tenant's bulk rows).
  {
    const server = await startServer(serverEnv(bulkSim.url));
    try {
      const { result, requests } = await measured(bulkSim, server, 'search_traces', {
        senderAddress: BULK_SENDER,
        startDateTime: new Date(bulkSim.createdAt - 61 * 60_000).toISOString(),
      });
      const raw = await rawGraphJson(bulkSim, requests);
      out.searchBulk = { rows: result.structuredContent.totals.traces, raw, ...sizes(result) };
      // (c) the published failed recipient (test/fixtures/sample-responses.json), concise and detailed.
      const story = bulkSim.tenant.stories.publishedSample;
      for (const format of ['concise', 'detailed']) {
        const d = await measured(bulkSim, server, 'get_trace_details', { traceId: story.traceId, recipientAddress: story.recipientAddress, responseFormat: format });
        const rawD = await rawGraphJson(bulkSim, d.requests);
        out[format === 'concise' ? 'detailsSample' : 'detailsSampleDetailed'] = { events: rawD.items, raw: rawD, ...sizes(d.result) };
      }
      out.detailsSample.publishedChars = JSON.stringify(SAMPLE.getDetailsByRecipient.response.value).length;
      // (d) for scale: the largest detail record (the explanation's fixed part weighs less).
      const largest = bulkSim.tenant.stories.largestDetail;
      const l = await measured(bulkSim, server, 'get_trace_details', { traceId: largest.traceId, recipientAddress: largest.recipientAddress });
      const rawL = await rawGraphJson(bulkSim, l.requests);
      out.detailsLargest = { events: rawL.items, raw: rawL, ...sizes(l.result) };
    } finally {
      await server.close();
    }
  }
  // (b) the ~1,000 newest rows of the demo tenant: every status, many senders and recipients.
  {
    const server = await startServer(serverEnv(demoSim.url, { MESSAGE_TRACE_DOMAINS: demoSim.tenant.domains.join(',') }));
    try {
      const rows = demoSim.tenant.rows;
      const start = new Date(Math.floor(Date.parse(rows[999].receivedDateTime) / 1000) * 1000).toISOString();
      const { result, requests } = await measured(demoSim, server, 'search_traces', { startDateTime: start });
      const raw = await rawGraphJson(demoSim, requests);
      out.searchMixed = { rows: result.structuredContent.totals.traces, raw, ...sizes(result) };
    } finally {
      await server.close();
    }
  }
  for (const k of ['searchBulk', 'searchMixed']) {
    const x = out[k];
    x.rawTokens = tokens(x.raw.chars);
    x.resultTokens = tokens(x.bothChars);
    x.structuredTokens = tokens(x.structuredChars);
    x.textTokens = tokens(x.textChars);
    x.reduction = x.raw.chars / x.bothChars;
  }
  for (const k of ['detailsSample', 'detailsSampleDetailed', 'detailsLargest']) {
    const x = out[k];
    x.rawTokens = tokens(x.raw.chars);
    x.structuredShare = x.structuredChars / x.raw.chars;
    x.textShare = x.textChars / x.raw.chars;
  }
  return out;
}

/** The demo walkthrough's calls (src/demo/walkthrough.ts), on the same tenant as --demo. */
async function quotaEconomy(demoSim) {
  const server = await startServer(serverEnv(demoSim.url, { MESSAGE_TRACE_DOMAINS: demoSim.tenant.domains.join(',') }));
  const calls = [];
  let triage;
  const call = async (question, name, args) => {
    const { result, requests } = await measured(demoSim, server, name, args);
    calls.push({ question, tool: name, graphRequests: result.structuredContent.graphRequests, simulatorSaw: requests.length });
    return result.structuredContent;
  };
  try {
    const dayAgo = new Date(Date.now() - 24 * 3_600_000).toISOString();
    const failed = await call('What failed in the last 24 hours?', 'search_traces', { status: 'failed', startDateTime: dayAgo, limit: 8 });
    const failedRow = failed.rows.find((r) => r.status === 'failed');
    await call(`Why didn't the recipient get that message?`, 'get_trace_details', { traceId: failedRow.traceId, recipientAddress: failedRow.recipientAddress });
    const weekAgo = new Date(Date.now() - 7 * 24 * 3_600_000).toISOString();
    const quarantined = await call('What was quarantined this week?', 'search_traces', { status: 'quarantined', startDateTime: weekAgo, limit: 5 });
    const q = quarantined.rows[0];
    await call('…and the first one in detail', 'get_trace_details', { traceId: q.traceId, recipientAddress: q.recipientAddress });
    // Triage: "what failed this week and why", one call with explain 5.
    const t0 = performance.now();
    const { result, requests } = await measured(demoSim, server, 'search_traces', { status: 'failed', startDateTime: weekAgo, explain: 5 });
    const wallMs = performance.now() - t0;
    const t = result.structuredContent;
    const pages = requests.filter((r) => !/getDetailsByRecipient/.test(r.path)).length;
    triage = {
      wallMs,
      graphRequests: t.graphRequests,
      pages,
      detailRequests: t.explained.requests,
      problemRows: t.explained.problemRows,
      coveredRows: t.explained.coveredRows,
      causes: t.causes.length,
    };
  } finally {
    await server.close();
  }
  return { calls, total: calls.reduce((n, c) => n + c.graphRequests, 0), triage };
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (s) => `${Math.round(s.median)} ms (${Math.round(s.min)}–${Math.round(s.max)})`;
const mb = (s) => `${s.median.toFixed(1)} MB (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
const n = (v) => Math.round(v).toLocaleString('en-US');

function report(results) {
  const rows = [];
  const targets = [];
  const section = (title) => rows.push([title]);
  const row = (measure, value, target = '', holds) => {
    rows.push([`  ${measure}`, value, target, holds === undefined ? '' : holds ? 'yes' : 'NO']);
    if (holds !== undefined) targets.push({ measure, value, target, holds });
  };
  const c = results.coldStart;
  if (c) {
    section(`1. Cold start (median of ${c.runs} alternating runs each, min–max)`);
    row('ours: spawn → initialize', ms(c.ours.initializeMs));
    row('baseline SDK server: spawn → initialize', ms(c.baseline.initializeMs));
    row('ratio, initialize', `${c.ratio.initialize.toFixed(2)}×`, '≤ 1.25×', c.ratio.initialize <= 1.25);
    row('ours: spawn → first tools/list', ms(c.ours.toolsListMs));
    row('baseline SDK server: spawn → first tools/list', ms(c.baseline.toolsListMs));
    row('ratio, tools/list', `${c.ratio.toolsList.toFixed(2)}×`, '≤ 1.25×', c.ratio.toolsList <= 1.25);
    const k = c.connect;
    row('SDK v1 Client (2025-11-25): connect', ms(k.legacy.connectMs));
    row('SDK v2 Client, auto (2026-07-28): connect', ms(k.modern.connectMs));
    row('ratio, modern connect ÷ legacy connect', `${k.ratio.connect.toFixed(2)}×`, '≤ 1.15×', k.ratio.connect <= 1.15);
    row('SDK v1 Client: connect → first tools/list', ms(k.legacy.toolsListMs));
    row('SDK v2 Client, auto: connect → first tools/list', ms(k.modern.toolsListMs));
    row('ratio, modern ÷ legacy to the first tools/list', `${k.ratio.toolsList.toFixed(2)}×`);
    if (c.diagnosis) {
      const d = c.diagnosis;
      row('heavy packages loaded at start-up', d.heavyPackagesAtStartup.join(', ') || 'none', 'none', d.heavyPackagesAtStartup.length === 0);
      row('packages beyond the baseline\'s', d.extraPackages.join(', ') || 'none');
      for (const who of ['ours', 'baseline']) {
        const p = d.cpuProfile[who];
        row(`start-up CPU profile, ${who} (${Math.round(p.totalMs)} ms)`, p.groups.slice(0, 4).map((g) => `${g.group} ${Math.round(g.ms)}`).join(', '));
      }
    }
  }
  const s = results.search;
  if (s) {
    section('2. search_traces over bulk rows (simulator in its own process; fresh server per run)');
    for (const [count, x] of Object.entries(s)) {
      const k = n(Number(count));
      const big = Number(count) >= 50_000;
      row(`${k} rows (${x.graphRequests} pages), fresh server: wall time`, ms(x.wallMs));
      row(`${k} rows, fresh server: CPU (first big search: incl. JIT, heap growth)`, `${ms(x.cpuMs)} = ${x.cpuMsPer1000Rows.median.toFixed(1)} ms / 1,000 rows`);
      row(
        `${k} rows, steady state (searches ${x.steady.searches - x.steady.measured + 1}–${x.steady.searches} of one server): CPU`,
        `${ms(x.steady.cpuMs)} = ${x.steady.cpuMsPer1000Rows.median.toFixed(1)} ms / 1,000 rows`,
        big ? '≤ 10 ms / 1,000' : '',
        big ? x.steady.cpuMsPer1000Rows.median <= 10 : undefined,
      );
      row(`${k} rows, fresh server: peak RSS`, mb(x.peakRssMb), big ? '≤ 160 MB' : '', big ? x.peakRssMb.median <= 160 : undefined);
      row(`${k} rows, after ${x.steady.searches} searches in one server: peak RSS`, `${x.steady.peakRssMb.toFixed(1)} MB`);
    }
    const small = s[5000];
    const big = s[50000];
    if (small && big) {
      const idle = median([small.idleRssMb.median, big.idleRssMb.median]);
      const growth = (big.peakRssMb.median - idle) / Math.max(1, small.peakRssMb.median - idle);
      results.rssGrowth = { idleMb: idle, peakRatio: big.peakRssMb.median / small.peakRssMb.median, aboveIdleRatio: growth };
      row('idle RSS after initialize', `${idle.toFixed(1)} MB`);
      row('peak RSS 50,000 ÷ 5,000 rows (rows ×10)', `${(big.peakRssMb.median / small.peakRssMb.median).toFixed(2)}× (above idle: ${growth.toFixed(1)}×)`, '≪ 10×', growth < 5);
    }
  }
  const d = results.details;
  if (d) {
    section(`3. get_trace_details on the largest detail record (${d.rawEvents} events, ${n(d.rawChars)} chars of Graph JSON)`);
    row(`server CPU per call (median of ${d.processes} × ${d.calls} calls)`, `${d.cpuMsPerCall.median.toFixed(2)} ms (${d.cpuMsPerCall.min.toFixed(2)}–${d.cpuMsPerCall.max.toFixed(2)})`);
    row('wall time per call', `${d.wallMsPerCall.median.toFixed(2)} ms`);
  }
  const t = results.tokens;
  if (t) {
    section('4. Token economy (characters; tokens ≈ chars / 4; a host shows the model structuredContent or the content text)');
    const form = (x, chars) => `${n(chars)} chars ≈ ${n(tokens(chars))} tokens, ${(x.raw.chars / chars).toFixed(0)}× smaller`;
    for (const [key, label] of [['searchBulk', 'one sender, all delivered'], ['searchMixed', 'newest demo-tenant rows, every status']]) {
      const x = t[key];
      row(`search, ${n(x.rows)} rows (${label}): raw Graph rows`, `${n(x.raw.chars)} chars ≈ ${n(x.rawTokens)} tokens`);
      const fits = (chars) => tokens(chars) <= 3000 && x.raw.chars / chars >= 25;
      row('  structuredContent', form(x, x.structuredChars), '≤ 3,000 tokens, ≥ 25×', fits(x.structuredChars));
      row('  content text', form(x, x.textChars), '≤ 3,000 tokens, ≥ 25×', fits(x.textChars));
      row('  all of it (structured + text + resource links)', form(x, x.bothChars));
    }
    const share = (x, chars) => `${n(chars)} chars = ${((chars / x.raw.chars) * 100).toFixed(0)}% of raw`;
    const x = t.detailsSample;
    row(`details, published failed recipient: raw Graph events (${x.events})`, `${n(x.raw.chars)} chars ≈ ${n(x.rawTokens)} tokens${x.publishedChars ? ` (published file: ${n(x.publishedChars)})` : ''}`);
    row('  structuredContent', share(x, x.structuredChars), '≤ 40%', x.structuredShare <= 0.4);
    row('  content text', share(x, x.textChars), '≤ 40%', x.textShare <= 0.4);
    const y = t.detailsSampleDetailed;
    row('  responseFormat detailed: structured / text', `${(y.structuredShare * 100).toFixed(0)}% / ${(y.textShare * 100).toFixed(0)}% of raw`);
    const z = t.detailsLargest;
    row(`details, largest record (${z.events} events): structured / text`, `${n(z.structuredChars)} / ${n(z.textChars)} chars = ${(z.structuredShare * 100).toFixed(0)}% / ${(z.textShare * 100).toFixed(0)}% of ${n(z.raw.chars)}`);
  }
  const q = results.quota;
  if (q) {
    section('5. Quota economy: Graph requests per tool call (demo walkthrough)');
    for (const c2 of q.calls) row(`${c2.tool}: ${c2.question}`, `${c2.graphRequests} (simulator saw ${c2.simulatorSaw})`, '', c2.graphRequests === c2.simulatorSaw ? undefined : false);
    row('walkthrough total', `${q.total} of the tenant's 100 per 5 min`);
    const t = q.triage;
    if (t) {
      row('triage: 7-day status failed, explain 5: Graph requests', `${t.graphRequests} (${t.pages} page(s) + ${t.detailRequests} details)`, '≤ pages + 5', t.graphRequests <= t.pages + 5);
      row('  wall time', `${Math.round(t.wallMs)} ms`);
      row('  problem rows covered by the sampled clusters', `${t.coveredRows} of ${t.problemRows} (${((t.coveredRows / Math.max(1, t.problemRows)) * 100).toFixed(0)}%), ${t.causes} causes`);
    }
  }
  const h = results.http;
  if (h) {
    section(`6. --http under load: ${h.callers} callers (own identity, own 2026-07-28 client, bearer token checked per request) × ${h.searchesPerCaller} searches, all at once, loopback`);
    row('tool calls answered (errors)', `${h.calls} (${h.errors})`, 'all, none', h.calls === h.callers * h.searchesPerCaller && h.errors === 0);
    row('latency per search_traces call, p50 / p95 / max', `${h.latencyMs.p50.toFixed(0)} / ${h.latencyMs.p95.toFixed(0)} / ${h.latencyMs.max.toFixed(0)} ms`);
    row('throughput', `${h.callsPerSecond.toFixed(1)} calls/s over ${(h.wallMs / 1000).toFixed(1)} s`);
    row('server CPU per call', `${h.serverCpuMsPerCall.toFixed(1)} ms`);
    row('server RSS: idle → peak', `${h.idleRssMb.toFixed(1)} → ${h.peakRssMb.toFixed(1)} MB`, '≤ 160 MB', h.peakRssMb <= 160);
    row('SIGTERM after the load: exit code', String(h.drainedExitCode), '0', h.drainedExitCode === 0);
  }
  const widths = [0, 0, 0];
  // Long values (the profile lines) may overflow their column rather than widen every row.
  for (const r of rows) if (r.length > 1) for (let i = 0; i < 3; i++) widths[i] = Math.min(i === 1 ? 48 : 90, Math.max(widths[i], String(r[i]).length));
  const lines = rows.map((r) =>
    r.length === 1 ? `\n${r[0]}` : `${r[0].padEnd(widths[0])}  ${String(r[1]).padEnd(widths[1])}  ${String(r[2]).padEnd(widths[2])}  ${r[3]}`.trimEnd(),
  );
  return { text: lines.join('\n'), targets };
}

// ---------------------------------------------------------------------------------------------

/** The commit measured, and whether the working tree had changes (which dist/ was built from). */
function gitState() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedSrc: git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length };
  } catch {
    return {};
  }
}

async function main() {
  const started = Date.now();
  const cpus = os.cpus();
  const meta = {
    date: new Date().toISOString(),
    quick: QUICK,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    loadAverageAtStart: os.loadavg().map((v) => round(v, 2)),
    ...gitState(),
  };
  log(`message-trace-mcp bench${QUICK ? ' (quick)' : ''}: node ${meta.node}, ${meta.cores} × ${meta.cpuModel}, load ${meta.loadAverageAtStart.join(' ')}`);
  const results = { meta };

  log('1/6 cold start …');
  results.coldStart = await coldStart();
  log('2/6 search throughput and memory …');
  results.search = await search();

  const now = new Date();
  const bulkTenant = generateTenant({ now, bulkRows: { count: 1000, senderAddress: BULK_SENDER } });
  const bulkSim = await startGraphSimulator({ tenant: bulkTenant, rateLimit: false });
  bulkSim.createdAt = now.getTime();
  const demoSim = await startGraphSimulator({ tenant: generateTenant({ now }) });
  try {
    log('3/6 details throughput …');
    results.details = await details(bulkSim);
    log('4/6 token economy …');
    results.tokens = await tokenEconomy(bulkSim, demoSim);
    log('5/6 quota economy …');
    results.quota = await quotaEconomy(demoSim);
  } finally {
    await Promise.all([bulkSim.close(), demoSim.close()]);
  }
  log(`6/6 --http under load (${PLAN.httpCallers} callers × ${PLAN.httpSearches} searches) …`);
  results.http = await httpLoad({ callers: PLAN.httpCallers, searchesPerCaller: PLAN.httpSearches });

  meta.seconds = round((Date.now() - started) / 1000);
  meta.childProcesses = spawnedPids.length;
  meta.childPids = spawnedPids;
  meta.loadAverageAtEnd = os.loadavg().map((v) => round(v, 2));
  const { text, targets } = report(results);
  results.targets = targets;
  const tree = meta.commit ? `commit ${meta.commit}${meta.uncommittedSrc ? ` + ${meta.uncommittedSrc} uncommitted file(s) in src/` : ''}; ` : '';
  process.stdout.write(
    `message-trace-mcp benchmarks, ${meta.date}${QUICK ? ' (QUICK: few runs, noisy)' : ''}\n${tree}node ${meta.node}, ${meta.cores} × ${meta.cpuModel}, ${meta.platform}; load average ${meta.loadAverageAtStart.join(' ')} → ${meta.loadAverageAtEnd.join(' ')}; ${meta.seconds} s\n${text}\n\n${targets.filter((t) => t.holds).length} of ${targets.length} targets hold.\n`,
  );
  if (WRITE) {
    writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${OUT}`);
  }
}

main().then(
  () => {
    clearTimeout(watchdog);
    killAll();
  },
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAll();
    process.exitCode = 1;
  },
);
