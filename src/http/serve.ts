/**
 * `message-trace-mcp --http`: the MCP server over Streamable HTTP, behind Entra ID sign-in.
 * Graph access is exactly as on stdio (the server's own credential). Bad HTTP settings stop the
 * start with exit code 2: a server that cannot check its callers must not serve. The identity
 * provider is not needed to start. Stdin is ignored (it is /dev/null under systemd or in a
 * container); SIGTERM/SIGINT stop accepting, let in-flight calls finish for up to 10 s, and exit.
 */
import { createTokenSource } from '../auth/credential.js';
import { describeProblems, type Config } from '../config.js';
import type { Logger } from '../log.js';
import { createServer, httpEndpoint, type ServerDeps } from '../server.js';
import { CallLimiter } from './call-limit.js';
import { loadHttpConfig } from './config.js';
import { EntraTokenVerifier } from './entra-token.js';
import { DRAIN_MS, startHttpServer } from './listener.js';

export interface HttpServeOptions {
  demo: boolean;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** The Graph configuration, built as for stdio (the demo tenant with --demo). */
  graph(): Promise<{ config: Config; close?: () => Promise<void> }>;
  /** Audit lines; stderr unless a test captures them. */
  writeAudit?: (line: string) => void;
  /** Test seam: server tuning (e.g. a larger request budget for the load test). */
  server?: Pick<ServerDeps, 'budget' | 'waitAllowanceMs' | 'graphOptions'>;
}

export interface ServingHttp {
  url: URL;
  port: number;
  /** What SIGTERM does, minus the exit: drain, then release everything. */
  stop(): Promise<boolean>;
}

/** Start serving; undefined (and process.exitCode 2) when the HTTP settings are unusable. */
export async function serveHttp(opts: HttpServeOptions): Promise<ServingHttp | undefined> {
  const { log } = opts;
  const env = opts.env ?? process.env;
  const httpConfig = loadHttpConfig(env, { demo: opts.demo });
  if (httpConfig.problems.length > 0) {
    process.stderr.write(`message-trace-mcp --http cannot start:\n${describeProblems(httpConfig.problems)}\n`);
    process.exitCode = 2;
    return undefined;
  }

  const graph = await opts.graph();
  const tokens = createTokenSource(graph.config.auth, log);
  const created = createServer({ config: graph.config, log, tokens, ...opts.server });
  const verifier = httpConfig.entra ? new EntraTokenVerifier(httpConfig.entra) : undefined;
  const write = opts.writeAudit ?? ((line: string) => process.stderr.write(line));
  const endpoint = httpEndpoint(created, {
    limiter: new CallLimiter(httpConfig.callsPerMinute),
    redact: graph.config.redactAddresses,
    write,
  }, log);
  const running = await startHttpServer({ config: httpConfig, verifier, endpoint, log });

  if (httpConfig.entra) {
    log.info(`serving MCP at ${running.url.href} for tenant ${httpConfig.entra.tenantId}: callers need a token for ${httpConfig.entra.audiences.join(' or ')} with the app role ${httpConfig.entra.role}`);
    // Only a head start: a failure here is reported and retried on the first token.
    void verifier?.prefetch().then((problem) => {
      if (problem) log.warn(`cannot fetch the tenant's signing keys yet (${problem}); requests get 503 until they can be fetched`);
    });
  } else {
    log.warn(`serving MCP at ${running.url.href} WITHOUT sign-in (--http --demo on loopback): anyone on this machine can call it`);
  }

  let stopping: Promise<boolean> | undefined;
  const stop = (): Promise<boolean> =>
    (stopping ??= (async () => {
      const drained = await running.drain(DRAIN_MS);
      if (!drained) log.warn(`calls still running after ${DRAIN_MS / 1000} s were cut off`);
      await Promise.allSettled([created.close(), graph.close?.()]);
      return drained;
    })());
  return { url: running.url, port: running.port, stop };
}

/** Wire the process signals: stop accepting, drain, exit. */
export function exitOnSignals(serving: ServingHttp, log: Logger): void {
  const onSignal = (signal: string): void => {
    log.info(`${signal}: finishing in-flight calls (at most ${DRAIN_MS / 1000} s), then exiting`);
    void serving.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
