/**
 * stdin re-chunked at line ends, for the SDK's stdio transport.
 *
 * The transport appends each chunk it reads to what it holds (a fresh Buffer.concat) and scans the
 * whole of it for a newline again, so a line that arrives in many pipe-sized chunks costs time
 * quadratic in its length: an 11 MB line took seconds of CPU before the transport refused it.
 * Here a partial line waits until its newline arrives and is then passed on whole, in one copy;
 * a partial line past `maxLineBytes` is passed on at once, so the transport, given the same cap,
 * refuses it and closes exactly as it would have. Bytes, order and message boundaries are
 * unchanged: only the chunking differs.
 */
import { Transform, type Readable } from 'node:stream';

const NEWLINE = 0x0a;

export function wholeLines(input: Readable, maxLineBytes: number): Readable {
  let held: Buffer[] = [];
  let heldBytes = 0;
  const take = (): Buffer => {
    const all = held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes);
    held = [];
    heldBytes = 0;
    return all;
  };
  const lines = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const end = chunk.lastIndexOf(NEWLINE);
      if (end === -1) {
        held.push(chunk);
        heldBytes += chunk.length;
        // Over the cap: the transport's own limit decides, as if this module were not here.
        if (heldBytes > maxLineBytes) this.push(take());
        done();
        return;
      }
      held.push(chunk.subarray(0, end + 1));
      heldBytes += end + 1;
      this.push(take());
      if (end + 1 < chunk.length) {
        held.push(chunk.subarray(end + 1));
        heldBytes = chunk.length - end - 1;
      }
      done();
    },
    flush(done) {
      // A last line without its newline: the transport treats it as it always did.
      if (heldBytes > 0) this.push(take());
      done();
    },
  });
  input.on('error', (err) => lines.destroy(err));
  return input.pipe(lines);
}
