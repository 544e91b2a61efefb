/**
 * Run the Graph simulator (built, from dist/) on its own: the bench's search figures read from it
 * as a separate process, so that its CPU and memory are not counted as the bench's.
 *
 *   node bench/simulator-cli.js [--port N] [--host H] [--seed N] [--messages N]
 *                              [--bulk-rows N --bulk-sender addr [--bulk-minutes N]] [--no-rate-limit]
 *                              [--literal-wildcards]
 *
 * Prints one line `{"url":"http://127.0.0.1:PORT"}` to stdout once listening (this is not the MCP
 * server: stdout is free here), then runs until SIGTERM/SIGINT or until stdin closes (when stdin
 * is a pipe, socket or terminal; with stdin on /dev/null it runs until a signal).
 */
import { fstatSync } from 'node:fs';
import { isatty } from 'node:tty';
import { pathToFileURL } from 'node:url';
import { startGraphSimulator } from '../dist/demo/simulator/server.js';
import { generateTenant } from '../dist/demo/simulator/tenant.js';

/**
 * @typedef {object} CliOptions
 * @property {string} host
 * @property {number} port
 * @property {number} seed
 * @property {number | undefined} messages
 * @property {{ count: number, senderAddress: string, withinMinutes: number } | undefined} bulk
 * @property {boolean} rateLimit
 * @property {true} [literalWildcards] --literal-wildcards: `eq '*@domain'` is compared as text
 *   (matches nothing), not read as a domain.
 */

export class CliUsageError extends Error {}

const USAGE =
  'usage: simulator-cli.js [--port N] [--host H] [--seed N] [--messages N] [--bulk-rows N --bulk-sender ADDRESS [--bulk-minutes N]] [--no-rate-limit] [--literal-wildcards]';

function intArg(name, value, min, max) {
  if (value === undefined || !/^\d+$/.test(value)) throw new CliUsageError(`${name} needs an integer value\n${USAGE}`);
  const n = Number(value);
  if (n < min || n > max) throw new CliUsageError(`${name} must be between ${min} and ${max}\n${USAGE}`);
  return n;
}

/** @param {readonly string[]} argv @returns {CliOptions} */
export function parseCliArgs(argv) {
  /** @type {CliOptions} */
  const out = { host: '127.0.0.1', port: 0, seed: 42, messages: undefined, bulk: undefined, rateLimit: true };
  let bulkRows;
  let bulkSender;
  let bulkMinutes = 60;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        out.port = intArg('--port', value(), 0, 65535);
        break;
      case '--host': {
        const v = value();
        if (!v) throw new CliUsageError(`--host needs a value\n${USAGE}`);
        out.host = v;
        break;
      }
      case '--seed':
        out.seed = intArg('--seed', value(), 0, 0xffffffff);
        break;
      case '--messages':
        out.messages = intArg('--messages', value(), 0, 1_000_000);
        break;
      case '--bulk-rows':
        bulkRows = intArg('--bulk-rows', value(), 0, 5_000_000);
        break;
      case '--bulk-sender': {
        const v = value();
        if (!v || !v.includes('@')) throw new CliUsageError(`--bulk-sender needs an email address\n${USAGE}`);
        bulkSender = v;
        break;
      }
      case '--bulk-minutes':
        bulkMinutes = intArg('--bulk-minutes', value(), 1, 10 * 24 * 60);
        break;
      case '--no-rate-limit':
        out.rateLimit = false;
        break;
      case '--literal-wildcards':
        out.literalWildcards = true;
        break;
      case '--help':
      case '-h':
        throw new CliUsageError(USAGE);
      default:
        throw new CliUsageError(`unknown argument: ${arg}\n${USAGE}`);
    }
  }
  if (bulkRows !== undefined && bulkRows > 0) {
    if (!bulkSender) throw new CliUsageError(`--bulk-rows needs --bulk-sender\n${USAGE}`);
    out.bulk = { count: bulkRows, senderAddress: bulkSender, withinMinutes: bulkMinutes };
  } else if (bulkSender) {
    throw new CliUsageError(`--bulk-sender needs --bulk-rows\n${USAGE}`);
  }
  return out;
}

/**
 * Start the simulator for the command line; prints the `{"url":…}` line to io.stdout. `io.stdin`
 * (optional): stop when it ends; `io.signals`: where to listen for SIGTERM/SIGINT (default
 * process). Resolves to `{ sim, done, stop }`: `done` resolves once the simulator has been closed
 * (signal, stdin end, or stop()).
 *
 * @param {readonly string[]} argv
 * @param {{ stdout: import('node:stream').Writable, stdin?: import('node:stream').Readable, signals?: import('node:events').EventEmitter }} io
 */
export async function runCli(argv, io) {
  const options = parseCliArgs(argv);
  const now = new Date();
  const tenant = generateTenant({
    now,
    seed: options.seed,
    ...(options.messages !== undefined ? { messages: options.messages } : {}),
    ...(options.bulk ? { bulkRows: options.bulk } : {}),
  });
  const sim = await startGraphSimulator({
    host: options.host,
    port: options.port,
    tenant,
    ...(options.rateLimit ? {} : { rateLimit: false }),
    ...(options.literalWildcards ? { addressWildcards: 'literal' } : {}),
  });
  let resolveDone;
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });
  const signals = io.signals ?? process;
  let stopping;
  const onSignal = () => {
    void stop();
  };
  const onStdinEnd = () => {
    void stop();
  };
  const stop = () => {
    if (!stopping) {
      signals.off('SIGTERM', onSignal);
      signals.off('SIGINT', onSignal);
      io.stdin?.off('end', onStdinEnd);
      io.stdin?.off('close', onStdinEnd);
      io.stdin?.pause();
      stopping = sim.close().then(resolveDone);
    }
    return stopping;
  };
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
  if (io.stdin) {
    io.stdin.on('end', onStdinEnd);
    io.stdin.on('close', onStdinEnd);
    io.stdin.on('error', onStdinEnd);
    io.stdin.resume(); // read and discard, so that 'end' fires when the other side closes
  }
  io.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
  return { sim, done, stop };
}

function isMain() {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(entry).href;
  } catch {
    return false;
  }
}

/**
 * Watch stdin only when it can meaningfully close: a pipe, a socket or a terminal. Started with
 * stdin on /dev/null or a file, the simulator runs until a signal instead of stopping at once.
 */
function stdinIsWatchable() {
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isSocket() || isatty(0);
  } catch {
    return false;
  }
}

if (isMain()) {
  runCli(process.argv.slice(2), { stdout: process.stdout, ...(stdinIsWatchable() ? { stdin: process.stdin } : {}) })
    .then((running) => running.done)
    .then(() => process.exit(0))
    .catch((err) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof CliUsageError ? 2 : 1);
    });
}
