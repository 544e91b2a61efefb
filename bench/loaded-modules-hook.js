/**
 * Diagnostic for the cold-start benchmark, loaded with `node --import`: appends the URL of every
 * module the process loads to the file named by BENCH_MODULE_LOG, so that the bench can say which
 * packages a server loads before answering `initialize`.
 */
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.BENCH_MODULE_LOG;
if (file) {
  registerHooks({
    load(url, context, nextLoad) {
      appendFileSync(file, `${url}\n`);
      return nextLoad(url, context);
    },
  });
}
