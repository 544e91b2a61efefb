import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../src/demo/simulator/server.js';
import { get, listUrl } from '../demo/simulator/helpers.js';

/**
 * bench/simulator-cli.js is plain JavaScript run against dist/ (npm test builds first); the part
 * of it this test uses, typed here.
 */
interface SimulatorCli {
  CliUsageError: new (message: string) => Error;
  parseCliArgs(argv: readonly string[]): Record<string, unknown>;
  runCli(
    argv: readonly string[],
    io: { stdout: NodeJS.WritableStream; stdin?: NodeJS.ReadableStream; signals?: NodeJS.EventEmitter },
  ): Promise<{ sim: GraphSimulator; done: Promise<void>; stop(): Promise<void> }>;
}
const CLI = new URL('../../bench/simulator-cli.js', import.meta.url).href;
const { CliUsageError, parseCliArgs, runCli } = (await import(CLI)) as SimulatorCli;

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  return { stream, text: () => out };
}

describe('cli argument parsing', () => {
  it('parses the documented flags', () => {
    expect(parseCliArgs([])).toEqual({ host: '127.0.0.1', port: 0, seed: 42, messages: undefined, bulk: undefined, rateLimit: true });
    expect(parseCliArgs(['--port', '8080', '--seed=9', '--bulk-rows', '50000', '--bulk-sender', 'news@bulk.example', '--no-rate-limit'])).toEqual({
      host: '127.0.0.1',
      port: 8080,
      seed: 9,
      messages: undefined,
      bulk: { count: 50000, senderAddress: 'news@bulk.example', withinMinutes: 60 },
      rateLimit: false,
    });
    expect(parseCliArgs(['--literal-wildcards'])).toMatchObject({ literalWildcards: true });
  });

  it('rejects bad usage', () => {
    for (const argv of [['--port'], ['--port', 'x'], ['--port', '70000'], ['--bulk-rows', '10'], ['--bulk-sender', 'a@b.c'], ['--wat']]) {
      expect(() => parseCliArgs(argv), argv.join(' ')).toThrow(CliUsageError);
    }
  });
});

describe('runCli', () => {
  it('prints {"url":…} once listening, serves the tenant, and stops when stdin closes', async () => {
    const out = capture();
    const stdin = new PassThrough();
    const signals = new EventEmitter();
    const running = await runCli(['--messages', '50', '--seed', '3', '--bulk-rows', '120', '--bulk-sender', 'bulk@news.example'], {
      stdout: out.stream,
      stdin,
      signals,
    });
    const line = out.text();
    expect(line).toMatch(/^\{"url":"http:\/\/127\.0\.0\.1:\d+"\}\n$/);
    const { url } = JSON.parse(line) as { url: string };
    expect(url).toBe(running.sim.url);
    const r = await get(listUrl(running.sim, { $filter: "senderAddress eq 'bulk@news.example'", $top: '500' }));
    expect(r.status).toBe(200);
    expect(r.json.value).toHaveLength(120);
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    stdin.end();
    await running.done;
    await expect(fetch(`${url}/v1.0/admin/exchange/tracing/messageTraces`)).rejects.toThrow();
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('stops on SIGTERM', async () => {
    const out = capture();
    const signals = new EventEmitter();
    const running = await runCli(['--messages', '10'], { stdout: out.stream, signals });
    signals.emit('SIGTERM');
    await running.done;
    await expect(fetch(running.sim.url)).rejects.toThrow();
  });
});
