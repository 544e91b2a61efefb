/**
 * Helpers for bench/run.js: child processes speaking MCP over stdio (raw JSON-RPC, no SDK client
 * in the way), the Graph simulator as a child process, per-process CPU and memory from /proc, and
 * medians. Every child is tracked and killed when the bench exits, however it exits.
 */
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const SERVER_ENTRY = `${ROOT}dist/index.js`;
export const SIMULATOR_ENTRY = `${ROOT}bench/simulator-cli.js`;
export const BASELINE_ENTRY = `${ROOT}bench/baseline-server.js`;
export const PROTOCOL_VERSION = '2025-11-25';

const children = new Set();
/** Every pid the bench started, so that a test can check none is left running. */
export const spawnedPids = [];

function alive(child) {
  return child.exitCode === null && child.signalCode === null;
}

/** Kill every child still running (SIGKILL: the bench is ending). */
export function killAll() {
  for (const child of children) if (alive(child)) child.kill('SIGKILL');
  children.clear();
}
process.on('exit', killAll);

/** Wait for a child to exit: stdin closed first, then SIGTERM, then SIGKILL. */
async function stop(child, exited, graceMs = 3000) {
  if (!alive(child)) return exited;
  child.stdin?.end();
  const timed = (ms) => new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
  if ((await Promise.race([exited, timed(graceMs)])) === 'timeout' && alive(child)) {
    child.kill('SIGTERM');
    if ((await Promise.race([exited, timed(1000)])) === 'timeout' && alive(child)) child.kill('SIGKILL');
  }
  const code = await exited;
  children.delete(child);
  return code;
}

function track(child) {
  children.add(child);
  if (child.pid) spawnedPids.push(child.pid);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  child.once('error', () => undefined);
  return exited;
}

/** The environment a host gives a server: PATH and HOME, plus what the entry sets. */
export function hostEnv(env) {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
}

/**
 * Spawn an MCP server on stdio. `request` resolves with { msg, at } (at: performance.now() when
 * the response line arrived); `startedAt` is performance.now() just before spawn.
 */
export function spawnMcp(entry, { args = [], env = {}, nodeArgs = [], timeoutMs = 60_000 } = {}) {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, entry, ...args], {
    cwd: ROOT,
    env: hostEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = track(child);
  const waiting = new Map();
  let stderr = '';
  let buf = '';
  let nextId = 1;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    const at = performance.now();
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      const w = typeof msg.id === 'number' ? waiting.get(msg.id) : undefined;
      if (w) {
        waiting.delete(msg.id);
        clearTimeout(w.timer);
        w.resolve({ msg, at });
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => {
    stderr = (stderr + c).slice(-20_000);
  });
  child.stdin.on('error', () => undefined);
  void exited.then(() => {
    for (const [, w] of waiting) {
      clearTimeout(w.timer);
      w.reject(new Error(`${entry} exited before answering; stderr: ${stderr.slice(-2000)}`));
    }
    waiting.clear();
  });
  const write = (obj) => child.stdin.write(`${JSON.stringify(obj)}\n`);
  return {
    child,
    pid: child.pid,
    startedAt,
    get stderr() {
      return stderr;
    },
    request(method, params) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`timeout waiting for ${method}; stderr: ${stderr.slice(-2000)}`));
        }, timeoutMs);
        waiting.set(id, { resolve, reject, timer });
        write({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
      });
    },
    notify(method, params) {
      write({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) });
    },
    close: () => stop(child, exited),
  };
}

/** initialize + notifications/initialized; returns the initialize response's arrival time. */
export async function initialize(server) {
  const res = await server.request('initialize', {
    protocolVersion: PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: 'message-trace-bench', version: '1' },
  });
  if (res.msg.error) throw new Error(`initialize failed: ${JSON.stringify(res.msg.error)}`);
  server.notify('notifications/initialized');
  return res;
}

/** tools/call; throws on a JSON-RPC error or an isError result. */
export async function callTool(server, name, args) {
  const { msg } = await server.request('tools/call', { name, arguments: args });
  if (msg.error) throw new Error(`${name} failed: ${JSON.stringify(msg.error)}`);
  if (msg.result.isError) throw new Error(`${name} answered with an error: ${msg.result.content?.[0]?.text ?? ''}`);
  return msg.result;
}

/** Start `node bench/simulator-cli.js` (the simulator from dist/) with `args`; resolves once it printed its URL. */
export async function spawnSimulator(args, timeoutMs = 30_000) {
  const child = spawn(process.execPath, [SIMULATOR_ENTRY, '--port', '0', ...args], {
    cwd: ROOT,
    env: hostEnv({}),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = track(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => {
    stderr = (stderr + c).slice(-5000);
  });
  child.stdin.on('error', () => undefined);
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`simulator did not start; stderr: ${stderr}`)), timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c) => {
      buf += c;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buf.slice(0, nl)).url);
      } catch (err) {
        reject(err);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited (${code}); stderr: ${stderr}`));
    });
  });
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`simulator is not on loopback: ${url}`);
  return { url, pid: child.pid, close: () => stop(child, exited) };
}

let clockTicks;
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU time of a process so far, in ms (resolution: one clock tick, 10 ms). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
}

/** Resident memory of a process: current and peak (high-water mark), in MB. */
export function memoryMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median with min and max, for "median (min–max)" columns. */
export function spread(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

export const tokens = (chars) => Math.ceil(chars / 4);

/**
 * Spawn `dist/index.js --http`-like entries: stdin is /dev/null (as in a container); resolves once
 * the "serving MCP at" line names the port. `stop()` sends SIGTERM and waits for the exit.
 */
export async function spawnHttpServer(entry, { args = [], env = {}, timeoutMs = 30_000 } = {}) {
  const child = spawn(process.execPath, [entry, ...args], { cwd: ROOT, env: hostEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = track(child);
  let stderr = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start serving; stderr: ${stderr.slice(-2000)}`)), timeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c) => {
      // Audit lines arrive here too; keep only the tail.
      stderr = (stderr + c).slice(-20_000);
      const m = /serving MCP at http:\/\/[^:/]+:(\d+)\/mcp/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then(() => reject(new Error(`${entry} exited; stderr: ${stderr.slice(-2000)}`)));
  });
  return {
    child,
    pid: child.pid,
    port,
    get stderr() {
      return stderr;
    },
    async stop() {
      if (alive(child)) child.kill('SIGTERM');
      const code = await exited;
      children.delete(child);
      return code;
    },
  };
}
