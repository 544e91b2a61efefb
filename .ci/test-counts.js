/**
 * Test counts for CI, taken from vitest's own results so nothing is counted twice or lost:
 * - as a vitest reporter (default export), it writes the counts as JSON to $TEST_COUNTS_FILE;
 * - as a command (`node .ci/test-counts.js FILE`), it prints them and exits 1 unless tests ran and
 *   none failed.
 * "failed" counts failed tests, tests that never finished, test files that failed to load or broke
 * in a file-level hook, and unhandled errors. An expected failure (`it.fails`) passes in vitest's
 * JSON report; here it is counted apart, never as passed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export default class TestCounts {
  onTestRunEnd(testModules, unhandledErrors = []) {
    const counts = { passed: 0, failed: 0, skipped: 0, todo: 0, expectedFailures: 0, failedFiles: [], unhandledErrors: unhandledErrors.length };
    for (const module of testModules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result()?.state;
        if (state === 'passed') {
          if (test.options.fails) counts.expectedFailures++;
          else counts.passed++;
        } else if (state === 'skipped') {
          if (test.options.mode === 'todo') counts.todo++;
          else counts.skipped++;
        } else {
          // 'failed', or 'pending' when the run stopped before the test finished.
          counts.failed++;
          failedHere++;
        }
      }
      const broken = module.errors().length > 0 || (module.state() === 'failed' && failedHere === 0);
      if (broken) counts.failedFiles.push(module.relativeModuleId ?? module.moduleId);
    }
    const file = process.env.TEST_COUNTS_FILE;
    if (file) writeFileSync(file, JSON.stringify(counts));
  }
}

/** The lines CI prints; the last one is `N passed, N failed` (`, N skipped` when some were). */
export function summaryLines(counts) {
  const failed = counts.failed + counts.failedFiles.length + counts.unhandledErrors;
  const skipped = counts.skipped + counts.todo;
  const lines = [];
  for (const f of counts.failedFiles) lines.push(`test file failed to load or broke outside a test: ${f}`);
  if (counts.unhandledErrors) lines.push(`${counts.unhandledErrors} unhandled error(s) outside any test`);
  lines.push(`${counts.expectedFailures} expected failures (it.fails), ${counts.skipped} skipped, ${counts.todo} todo; ${counts.failedFiles.length} test files failed to load or broke outside a test`);
  lines.push(`${counts.passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
  return { lines, ok: failed === 0 && counts.passed > 0 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let counts;
  try {
    counts = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  } catch {
    console.log('vitest wrote no test counts (the run did not finish)');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const { lines, ok } = summaryLines(counts);
  for (const line of lines) console.log(line);
  process.exit(ok ? 0 : 1);
}
