// The closing "tests: N passed, N failed" line is honest: a child `vitest run` over one fixture file
// (tests/fixtures/reporter/*.suite.ts, outside the main run's globs) with the project's summary
// reporter must say "failed" and exit non-zero whenever anything went wrong, not only a failed test.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../testkit/cli';

const VITEST = path.join(PROJECT_DIR, 'node_modules', 'vitest', 'vitest.mjs');
const CONFIG = path.join(PROJECT_DIR, 'tests', 'fixtures', 'reporter', 'vitest.config.ts');

interface ChildRun {
  code: number | null;
  summary: { passed: number; failed: number } | null;
  output: string;
}

function runFixture(name: string): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VITEST, 'run', '--config', CONFIG, `tests/fixtures/reporter/${name}.suite.ts`], {
      cwd: PROJECT_DIR,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const match = /^tests: (\d+) passed, (\d+) failed/m.exec(output);
      resolve({ code, output, summary: match ? { passed: Number(match[1]), failed: Number(match[2]) } : null });
    });
  });
}

describe('the closing summary line', () => {
  it('says 0 failed and exits 0 when everything passed (control)', async () => {
    const run = await runFixture('passes');
    expect(run.summary, run.output).toEqual({ passed: 1, failed: 0 });
    expect(run.code, run.output).toBe(0);
  });

  it.each([
    ['a suite whose beforeAll throws', 'before-all-throws'],
    ['a file whose afterAll throws after its tests passed', 'after-all-throws'],
    ['a file that fails to load', 'load-fails'],
    ['an unhandled rejection in a passing test', 'unhandled-rejection'],
  ])('counts %s as a failure and exits non-zero', async (_what, fixture) => {
    const run = await runFixture(fixture);
    expect(run.summary, run.output).not.toBeNull();
    expect(run.summary?.failed, run.output).toBeGreaterThan(0);
    expect(run.output).toMatch(/^tests: \d+ passed, [1-9]\d* failed/m);
    expect(run.code, run.output).not.toBe(0);
  });
});
