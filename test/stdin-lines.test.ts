/**
 * stdin re-chunked at line ends: the same bytes in the same order, each line passed on in one
 * chunk (the SDK transport's read buffer is quadratic in the number of chunks a line comes in), a
 * partial line past the cap passed on at once, and the SDK's stdio transport behind it reading
 * messages and refusing an over-long line as it does on raw stdin.
 */
import { PassThrough } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { describe, expect, it } from 'vitest';
import { wholeLines } from '../src/stdin-lines.js';

function collect(out: NodeJS.ReadableStream): Buffer[] {
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return chunks;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('wholeLines', () => {
  it.each([
    ['one line in three pieces', ['{"a":', '1', '}\n'], ['{"a":1}\n']],
    ['two lines and a half in one chunk, then the rest', ['x\ny\nz', 'z\n'], ['x\ny\n', 'zz\n']],
    ['a newline alone', ['abc', '\n', '\n'], ['abc\n', '\n']],
    ['CRLF lines, ended in one chunk (the transport strips the CR)', ['a\r', '\nb\r\n'], ['a\r\nb\r\n']],
  ])('%s', async (_name, input, expected) => {
    const stdin = new PassThrough();
    const chunks = collect(wholeLines(stdin, 1024));
    for (const piece of input) {
      stdin.write(piece);
      await tick();
    }
    expect(chunks.map(String)).toEqual(expected);
  });

  it('passes a long line on in one chunk, byte for byte', async () => {
    const stdin = new PassThrough();
    const chunks = collect(wholeLines(stdin, 8 << 20));
    const line = Buffer.alloc(3 << 20, 'é'); // multi-byte characters cut by the 64 KB pieces
    line[line.length - 1] = 0x0a;
    for (let at = 0; at < line.length; at += 65_536) stdin.write(line.subarray(at, at + 65_536));
    await tick();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.equals(line)).toBe(true);
  });

  it('passes a partial line on as soon as it is over the cap, and a last line without a newline at the end', async () => {
    const stdin = new PassThrough();
    const out = wholeLines(stdin, 100);
    const chunks = collect(out);
    stdin.write('a'.repeat(60));
    await tick();
    expect(chunks).toHaveLength(0);
    stdin.write('b'.repeat(60));
    await tick();
    expect(chunks.map(String)).toEqual(['a'.repeat(60) + 'b'.repeat(60)]);
    stdin.end('tail');
    await new Promise((resolve) => out.on('end', resolve));
    expect(chunks.map(String)).toEqual(['a'.repeat(60) + 'b'.repeat(60), 'tail']);
  });

  it("feeds the SDK's stdio transport: messages arrive, and a line over its cap closes it", async () => {
    const stdin = new PassThrough();
    const cap = 1 << 20;
    const transport = new StdioServerTransport(wholeLines(stdin, cap), new PassThrough(), { maxBufferSize: cap });
    const messages: unknown[] = [];
    let closed = false;
    transport.onmessage = (m) => messages.push(m);
    transport.onerror = () => undefined;
    transport.onclose = () => (closed = true);
    await transport.start();
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    stdin.write(ping.slice(0, 10));
    stdin.write(`${ping.slice(10)}\n${ping.replace('1', '2')}\n`);
    await tick();
    expect(messages).toEqual([JSON.parse(ping), { jsonrpc: '2.0', id: 2, method: 'ping' }]);
    expect(closed).toBe(false);
    for (let i = 0; i < 20; i++) stdin.write(Buffer.alloc(65_536, 'x'));
    await tick();
    expect(closed).toBe(true);
  });
});
