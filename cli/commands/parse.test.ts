// The three sample logs against the exact JSON `thaw parse --json` must print for them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLogToDocument, runParseCommand } from './parse';
import { fixtureBytes } from '../../testkit/parse-fixtures';

const SAMPLES = ['sample_task1_unfreeze8_overfit', 'sample_task2_unfreeze4_buffered', 'sample_task3_ratio50_final_only'];

function expected(name: string): { runs: unknown[] } {
  return JSON.parse(readFileSync(new URL(`../../tests/fixtures/samples/${name}.expected.json`, import.meta.url), 'utf8')) as {
    runs: unknown[];
  };
}

/**
 * The runs without `steps` (added later for step-based trainers, always the last key): every field the
 * expected files fix must still match exactly, in the same order.
 */
function withoutSteps(runs: unknown[]): unknown[] {
  return runs.map((run) => {
    const { steps, ...rest } = run as { steps?: unknown };
    expect(Array.isArray(steps)).toBe(true);
    expect(Object.keys(run as object).at(-1)).toBe('steps');
    return rest;
  });
}

describe('sample logs', () => {
  for (const name of SAMPLES) {
    it(`${name}: runs match the expected JSON field for field`, () => {
      const document = parseLogToDocument(fixtureBytes(`samples/${name}.log`));
      expect(withoutSteps(document.runs)).toEqual(expected(name).runs);
      // Same keys in the same order (the JSON is read by people and by scripts).
      expect(JSON.stringify(withoutSteps(document.runs))).toBe(JSON.stringify(expected(name).runs));
      expect(document.warnings).toEqual([]);
    });
  }
});

function captureIO(files: Record<string, Uint8Array>) {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: (text: string) => void (out.stdout += text),
    stderr: (text: string) => void (out.stderr += text),
    readFile: (file: string) => {
      const bytes = files[file];
      if (!bytes) return Promise.reject(Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' }));
      return Promise.resolve(bytes);
    },
  };
  return { out, io };
}

describe('thaw parse command', () => {
  it('prints one JSON document with runs and warnings', async () => {
    const { out, io } = captureIO({ 'a.log': fixtureBytes('samples/sample_task3_ratio50_final_only.log') });
    expect(await runParseCommand(['a.log'], { json: true }, io)).toBe(0);
    const document = JSON.parse(out.stdout) as { runs: unknown[]; warnings: unknown[] };
    expect(withoutSteps(document.runs)).toEqual(expected('sample_task3_ratio50_final_only').runs);
    expect(document.warnings).toEqual([]);
    expect(out.stderr).toBe('');
  });

  it('adds the file name to warnings when several files are parsed', async () => {
    const { out, io } = captureIO({
      'a.log': fixtureBytes('samples/sample_task1_unfreeze8_overfit.log'),
      'b.log': fixtureBytes('logs/nan_inf.log'),
    });
    expect(await runParseCommand(['a.log', 'b.log'], { json: true }, io)).toBe(0);
    const document = JSON.parse(out.stdout) as { runs: unknown[]; warnings: { file: string; line: number }[] };
    expect(document.runs).toHaveLength(2);
    expect(document.warnings.length).toBeGreaterThan(0);
    expect(document.warnings.every((w) => w.file === 'b.log' && w.line > 0)).toBe(true);
  });

  it('prints a human summary without --json', async () => {
    const { out, io } = captureIO({ 'a.log': fixtureBytes('samples/sample_task2_unfreeze4_buffered.log') });
    expect(await runParseCommand(['a.log'], {}, io)).toBe(0);
    expect(out.stdout).toContain('2 weighing');
    expect(out.stdout).toContain('unfreeze');
    expect(out.stdout).toContain('completed');
    expect(out.stdout).toContain('30 / 30');
    expect(out.stdout).toContain('0.0220');
    expect(out.stdout).toContain('task 1 0.4108, task 2 0.0353');
  });

  it('reports an unreadable file on stderr with exit code 2 and no stack trace', async () => {
    const { out, io } = captureIO({});
    expect(await runParseCommand(['missing.log'], { json: true }, io)).toBe(2);
    expect(out.stderr).toBe('thaw parse: cannot read missing.log: no such file or directory\n');
    expect(out.stdout).toBe('');
  });

  it('reads real files through the default IO', async () => {
    const path = new URL('../../tests/fixtures/samples/sample_task3_ratio50_final_only.log', import.meta.url).pathname;
    const chunks: string[] = [];
    const code = await runParseCommand(
      [path],
      { json: true },
      {
        stdout: (t) => void chunks.push(t),
        stderr: () => undefined,
        readFile: async (p) => (await import('node:fs/promises')).readFile(p),
      },
    );
    expect(code).toBe(0);
    expect(withoutSteps((JSON.parse(chunks.join('')) as { runs: unknown[] }).runs)).toEqual(
      expected('sample_task3_ratio50_final_only').runs,
    );
  });
});
