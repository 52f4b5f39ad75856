// Ends every run with one plain, colour-free line, "tests: N passed, N failed", which CI (and any
// tool that does not know vitest's own summary format) can read. The line is honest: besides failed
// tests, a file that fails to load, a suite whose beforeAll/afterAll (or any hook) throws, and every
// unhandled error or rejection count as failures, so "0 failed" means nothing went wrong anywhere.
// (vitest itself exits non-zero in all those cases; tests/reporter.test.ts proves both.)
import type { SerializedError } from 'vitest';
import type { Reporter, TestModule } from 'vitest/node';

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
}

export function summarise(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): Summary {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const module of testModules) {
    let failedHere = 0;
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') passed++;
      else if (state === 'failed') failedHere++;
      else skipped++;
    }
    // Errors outside any test: the file did not load, or a hook of the file or of a suite threw.
    for (const suite of [module, ...module.children.allSuites()]) {
      if (suite.errors().length > 0) failedHere++;
    }
    // A failed file always counts, even when vitest recorded the failure nowhere we looked.
    if (module.state() === 'failed' && failedHere === 0) failedHere++;
    failed += failedHere;
  }
  failed += unhandledErrors.length;
  return { passed, failed, skipped };
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const { passed, failed, skipped } = summarise(testModules, unhandledErrors);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  }
}
