/**
 * Keep V8's young generation at its starting size (1 MB semi-spaces) instead of letting it grow
 * to 2 × 16 MB (Node 22; 2 × 32 MB on Node 24). Called first by the bin, before anything else
 * is loaded.
 *
 * Why: V8 grows the young generation whenever enough objects survive a collection, and this
 * server's start-up (the SDK and zod) and every search (the de-duplication set, the counters)
 * make objects that survive, so it always reached the maximum, and the
 * resident memory of a 50,000-row search peaked at ~150 MB even with its rows kept off the heap.
 * Held at 2 × 1 MB: peak 152 → 122 MB on that search, for more, smaller minor collections
 * (~40–60 ms more CPU per 50,000-row search; BENCHMARKS.md has the figures).
 *
 * `--semi-space-growth-factor` is read each time V8 considers growing, so setting it at run
 * time works (checked on Node 22 and 24; a V8 without the flag prints a warning to stderr and
 * carries on). It is left alone when the host already chose a young-generation size
 * (`--max-semi-space-size` and the like in the command line or NODE_OPTIONS).
 */
import { setFlagsFromString } from 'node:v8';

export const YOUNG_GENERATION_FLAG = '--semi-space-growth-factor=1';

/** True when the process was started with a young-generation setting of its own. */
export function hostSetYoungGeneration(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, nodeOptions ?? ''].some((arg) => /semi[-_]space/.test(arg));
}

/** Set the flag unless the host chose a young-generation size; true when it was set. */
export function sizeYoungGeneration(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  if (hostSetYoungGeneration(execArgv, nodeOptions)) return false;
  setFlagsFromString(YOUNG_GENERATION_FLAG);
  return true;
}
