import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Two projects: `unit` (in-process: modules, the simulator over loopback, tools through an
// in-memory MCP client) and `e2e` (spawns the built dist/ and the benchmark script). They run in
// one `npm test`; `npx vitest run --project unit` is the quick loop while developing.
export default defineConfig({
  test: {
    // Generous: a test that waits on a cancel or a shutdown that never comes fails by timing out,
    // and a busy 2-core machine must not turn slow into failed.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One worker more than cores: many files spend seconds waiting (on the processes they spawn,
    // on real Retry-After and back-off), and the extra worker uses the core they leave idle. On
    // the 2-core machine, 3 workers ran the suite in 61.7-65.4 s against 66.0-72.8 s for 2.
    pool: 'forks',
    maxWorkers: availableParallelism() + 1,
    // Not isolated: the files of a worker share one module cache instead of importing the SDK, zod
    // and src/ afresh for every file (half of the suite's CPU time on 2 cores). They keep no state
    // between files: each starts its own simulators, servers and processes. Process-wide by design
    // is only the secret registry (src/output/secrets.ts), which only ever masks more.
    isolate: false,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**', 'test/bench/**'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts', 'test/bench/**/*.test.ts'] } },
    ],
  },
});
