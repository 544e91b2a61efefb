/**
 * The HTTP front's relay of a streamed answer to a slow reader: every byte arrives in order, and
 * the waits for backpressure leave no listeners behind (a long stream stalls many times; leftover
 * 'close' listeners made Node warn MaxListenersExceededWarning).
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { loadHttpConfig } from '../../src/http/config.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/listener.js';
import { silentLogger } from '../../src/log.js';

const CHUNK = 64 * 1024;
const CHUNKS = 400;

let running: RunningHttpServer | undefined;
afterEach(async () => {
  await running?.drain(1_000);
  running = undefined;
});

/** An endpoint whose answer is CHUNKS chunks, chunk i filled with the byte i % 251. */
const streamingEndpoint = {
  fetch: async () => {
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i === CHUNKS) return controller.close();
        controller.enqueue(new Uint8Array(CHUNK).fill(i++ % 251));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  },
  close: async () => undefined,
};

describe('HTTP front: relaying a streamed answer', () => {
  it('delivers every byte to a slow reader and leaves no listener behind after many backpressure stalls', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const config = loadHttpConfig({ MESSAGE_TRACE_HTTP_ADDRESS: '127.0.0.1:0' }, { demo: true });
      running = await startHttpServer({ config, verifier: undefined, endpoint: streamingEndpoint, log: silentLogger });
      const received = await new Promise<Buffer>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: running!.port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
          const parts: Buffer[] = [];
          // Read in small bursts: the server's writes stall again and again.
          res.pause();
          const tick = setInterval(() => {
            let chunk: Buffer | null;
            for (let n = 0; n < 4 && (chunk = res.read() as Buffer | null) !== null; n++) parts.push(chunk);
          }, 1);
          res.on('end', () => {
            clearInterval(tick);
            resolve(Buffer.concat(parts));
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end('{"jsonrpc":"2.0","id":1,"method":"ping"}');
      });
      expect(received.length).toBe(CHUNK * CHUNKS);
      for (let i = 0; i < CHUNKS; i++) expect(received[i * CHUNK], `chunk ${i}`).toBe(i % 251);
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
