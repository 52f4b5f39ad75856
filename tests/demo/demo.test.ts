// `thaw demo` must show what Thaw is for: strategies side by side, an overfitting run, a crash, a
// sequential chain, and a run that is still training. Checked through the real parser.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLogToDocument } from '../../cli/commands/parse';
import { startDemoWriters } from '../../cli/demo/writers';
import { overfittingVerdict } from '../../lib/analysis';
import { listMatchingFiles, resolveTargets } from '../../ingest/paths';
import { tempDir, waitFor } from '../helpers/ingest';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('thaw demo', () => {
  it('writes history at once and keeps a live run growing', async () => {
    const { dir, cleanup } = await tempDir('thaw-demo-');
    cleanups.push(cleanup);
    const writers = await startDemoWriters(dir, { speed: 20 });
    const live = path.join(dir, 'live', 'task2-unfreeze8.log');
    const sizeOf = async () => (await readFile(live)).length;
    const first = await sizeOf();
    await waitFor(async () => (await sizeOf()) > first + 10_000, { what: 'the live run to grow' });
    await writers.stop();

    const files = await listMatchingFiles(await resolveTargets([dir]));
    const runs = [];
    for (const file of files) {
      const document = parseLogToDocument(await readFile(file));
      expect(document.runs).toHaveLength(1);
      runs.push({ file: path.relative(dir, file), ...document.runs[0]! });
    }
    const byFile = Object.fromEntries(runs.map((run) => [run.file, run]));
    expect(Object.keys(byFile).sort()).toEqual([
      'live/task2-unfreeze8.log',
      'repeats/task1-unfreeze10-seed310.log',
      'repeats/task1-unfreeze10-seed320.log',
      'repeats/task1-unfreeze6-seed311.log',
      'repeats/task1-unfreeze6-seed321.log',
      'task1-unfreeze10.log',
      'task1-unfreeze6.log',
      'unfreeze4/task1.log',
      'unfreeze4/task2.log',
      'unfreeze4/task3.log',
      'unfreeze9/task1.log',
      'unfreeze9/task2.log',
      'unfreeze9/task3.log',
      'unfreeze9/task4.log',
    ]);
    expect(byFile['live/task2-unfreeze8.log']!.status).toBe('running');
    expect(byFile['unfreeze4/task3.log']!.status).toBe('crashed');
    expect(new Set(runs.map((run) => run.strategy?.unfrozen.length))).toEqual(new Set([4, 6, 8, 9, 10]));
    expect(overfittingVerdict(byFile['task1-unfreeze10.log']!).verdict).toBe('overfitting');
    expect(overfittingVerdict(byFile['task1-unfreeze6.log']!).verdict).not.toBe('overfitting');
    // The chain's last stage validated all four tasks at the end.
    expect(byFile['unfreeze9/task4.log']!.validations.filter((v) => v.final).map((v) => v.taskId)).toEqual([1, 2, 3, 4]);
  });
});
