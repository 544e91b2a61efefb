#!/usr/bin/env node
/**
 * The message-trace-mcp command (the package's bin): an MCP server on stdio (default), on a
 * built-in demo tenant (--demo or MESSAGE_TRACE_DEMO=1), over Streamable HTTP (--http), or the setup
 * doctor (--check).
 * stdout is the MCP protocol; everything else goes to stderr.
 */
import { createTokenSource } from './auth/credential.js';
import { loadConfig, runtimeProblem, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { createServer, serveOnStdio, SERVER_VERSION } from './server.js';

const USAGE = `message-trace-mcp ${SERVER_VERSION}: an MCP server (stdio, or Streamable HTTP with --http) for Exchange Online message trace.

Usage:
  message-trace-mcp            serve MCP on stdin/stdout (configure with environment variables)
  message-trace-mcp --demo     serve against a built-in simulated tenant (no credentials needed)
  message-trace-mcp --http     serve MCP over Streamable HTTP at /mcp, for callers with an Entra ID
                               token (MESSAGE_TRACE_HTTP_AUDIENCE, AZURE_TENANT_ID; see README
                               "Remote deployment"); --http --demo runs without sign-in on loopback
  message-trace-mcp --check    check the configuration, sign-in and Graph access, then exit;
                               --check --http also checks the HTTP settings and the signing keys
  message-trace-mcp --version  print the version
  message-trace-mcp --help     this text

Configuration: see README.md (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_CERTIFICATE_PATH or
AZURE_CLIENT_SECRET, MESSAGE_TRACE_ACCESS_TOKEN, MESSAGE_TRACE_GRAPH_URL, MESSAGE_TRACE_API_VERSION, ...).
`;

export const DEMO_TOKEN = 'demo-token-not-a-secret';

interface Flags {
  demo: boolean;
  check: boolean;
  http: boolean;
  help: boolean;
  version: boolean;
  unknown: string[];
}

function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Flags {
  const flags: Flags = { demo: /^(1|true|yes)$/i.test(env.MESSAGE_TRACE_DEMO ?? ''), check: false, http: false, help: false, version: false, unknown: [] };
  for (const arg of argv) {
    if (arg === '--demo') flags.demo = true;
    else if (arg === '--check') flags.check = true;
    else if (arg === '--http') flags.http = true;
    else if (arg === '--help' || arg === '-h') flags.help = true;
    else if (arg === '--version' || arg === '-v') flags.version = true;
    else flags.unknown.push(arg);
  }
  return flags;
}

/** Start the simulated tenant on loopback and point the config at it. */
async function demoConfig(log: Logger): Promise<{ config: Config; close: () => Promise<void> }> {
  const { startGraphSimulator } = await import('./demo/simulator/server.js');
  const sim = await startGraphSimulator({ acceptToken: (t) => t === DEMO_TOKEN });
  log.info(`demo mode: serving a simulated tenant at ${sim.url} (no real mail data)`);
  const config = loadConfig({
    MESSAGE_TRACE_GRAPH_URL: sim.url,
    MESSAGE_TRACE_ACCESS_TOKEN: DEMO_TOKEN,
    MESSAGE_TRACE_REDACT: process.env.MESSAGE_TRACE_REDACT,
    MESSAGE_TRACE_DOMAINS: sim.tenant.domains.join(','),
  });
  return { config, close: () => sim.close() };
}

/** The Graph side, the same on stdio and HTTP: the demo tenant, or the environment's settings. */
async function graphConfig(flags: Flags, log: Logger): Promise<{ config: Config; close?: () => Promise<void> }> {
  let closeDemo: (() => Promise<void>) | undefined;
  let config: Config;
  if (flags.demo) {
    const demo = await demoConfig(log);
    config = demo.config;
    closeDemo = demo.close;
  } else {
    config = loadConfig();
    for (const p of config.problems) log.warn(`configuration: ${p.setting}: ${p.problem} Fix: ${p.fix}`);
    if (config.problems.length === 0) log.info(`authentication: ${config.auth.mode} (${config.auth.reason})`);
  }

  const tooOld = runtimeProblem();
  if (tooOld) {
    log.error(`${tooOld.problem} ${tooOld.fix}`);
    config.problems.push(tooOld);
  }
  return { config, ...(closeDemo ? { close: closeDemo } : {}) };
}

async function serve(flags: Flags, log: Logger): Promise<void> {
  const { config, close: closeDemo } = await graphConfig(flags, log);
  const tokens = createTokenSource(config.auth, log);
  const created = createServer({ config, log, tokens });
  const stdio = serveOnStdio(created, log, () => shutdown('the stdio transport closed'));

  let closing = false;
  const shutdown = (reason: string): void => {
    if (closing) return;
    closing = true;
    log.debug(`shutting down: ${reason}`);
    // Exit promptly whatever happens below; nothing here may keep the host waiting.
    const force = setTimeout(() => process.exit(0), 500);
    force.unref();
    void Promise.allSettled([stdio.close(), created.close(), closeDemo?.()]).finally(() => process.exit(0));
  };
  process.stdin.on('end', () => shutdown('stdin ended'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') shutdown('stdout closed');
  });

  log.debug('ready on stdio');
}

async function main(): Promise<void> {
  const log = createLogger();
  // Logged, never fatal to a serving process; a --check run with one cannot pass.
  process.on('uncaughtException', (err) => {
    log.error(`uncaught: ${err.stack ?? err.message}`);
    if (process.argv.includes('--check')) process.exitCode = 1;
  });
  process.on('unhandledRejection', (err) => {
    log.error(`unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (process.argv.includes('--check')) process.exitCode = 1;
  });
  const flags = parseFlags(process.argv.slice(2), process.env);
  // Asked-for output goes to stdout (nothing is serving MCP then); a usage error goes to stderr.
  if (flags.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (flags.version) {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return;
  }
  if (flags.unknown.length > 0) {
    process.stderr.write(`Unknown argument(s): ${flags.unknown.join(' ')}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (flags.check) {
    // Exit 0 only when every check passed: anything that escapes the doctor fails the run.
    process.exitCode = 1;
    try {
      const { runDoctor } = await import('./doctor.js');
      process.exitCode = await runDoctor({ env: process.env, demo: flags.demo, http: flags.http, write: (s) => process.stdout.write(s) });
    } catch (err) {
      log.debug(`--check: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.stdout.write('FAIL check: the doctor stopped on an unexpected error\n     fix: run it again; if it repeats, report it with MESSAGE_TRACE_LOG=debug output.\n');
    }
    return;
  }
  if (flags.http) {
    // Stdin is not the protocol here and its end is no reason to stop (it is /dev/null in a container).
    const { serveHttp, exitOnSignals } = await import('./http/serve.js');
    const serving = await serveHttp({ demo: flags.demo, log, graph: () => graphConfig(flags, log) });
    if (serving) exitOnSignals(serving, log);
    return;
  }
  await serve(flags, log);
}

void main();
