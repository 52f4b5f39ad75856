// What a long-running tail meets on disk: copytruncate, rename + recreate, deletion, a directory
// that appears after start, a 10 MB line without a newline, invalid UTF-8 and binary junk.
import { appendFile, copyFile, mkdir, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestDaemon } from '../../ingest/daemon';
import { createPool } from '../../lib/db/pool';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { memoryLogger, sampleLog, tempDir, waitFor } from '../helpers/ingest';

let db: TestDatabase;
let dir: string;
let cleanupDir: () => Promise<void>;
let pool: ReturnType<typeof createPool>;
let daemon: IngestDaemon;

beforeAll(async () => {
  db = await createTestDatabase('files');
  ({ dir, cleanup: cleanupDir } = await tempDir());
  pool = createPool(db.url);
  daemon = new IngestDaemon({ pool, paths: [path.join(dir, 'logs')], log: memoryLogger('silent').logger, staleMinutes: 10 });
  // The directory does not exist yet: files appearing before their directory must still be found.
  await daemon.start();
});
afterAll(async () => {
  await daemon.close();
  await pool.end();
  await db.drop();
  await cleanupDir();
});

const runsOf = (file: string) =>
  db.query<{ taskId: number; status: string; state: string; epochs: number }>(
    `SELECT r."taskId", r.status, s.state, (SELECT count(*)::int FROM "EpochMetric" e WHERE e."runId" = r.id) AS epochs
       FROM "Run" r JOIN "LogSource" s ON s.id = r."sourceId" WHERE s.path = $1 ORDER BY r.id`,
    [file],
  );

describe('files on disk', () => {
  it('picks up a directory and file created after start', async () => {
    await mkdir(path.join(dir, 'logs', 'gpu1'), { recursive: true });
    const file = path.join(dir, 'logs', 'gpu1', 'task1.log');
    await writeFile(file, await sampleLog('sample_task1_unfreeze8_overfit'));
    await waitFor(async () => (await runsOf(file)).some((run) => run.status === 'completed'), { what: 'task1 run completed' });
    expect(await runsOf(file)).toEqual([{ taskId: 1, status: 'completed', state: 'active', epochs: 50 }]);
  });

  it('follows rename + recreate (rotation): the old inode is read to its end, the new file is a new source', async () => {
    const file = path.join(dir, 'logs', 'rotate.log');
    const task2 = await sampleLog('sample_task2_unfreeze4_buffered');
    const half = task2.indexOf('\n', Math.floor(task2.length / 2)) + 1;
    await writeFile(file, task2.subarray(0, half));
    await waitFor(async () => (await runsOf(file)).length === 1, { what: 'first run' });
    // The trainer keeps writing to the renamed file; a new log starts under the old name.
    await rename(file, `${file}.1`);
    await appendFile(`${file}.1`, task2.subarray(half));
    await writeFile(file, await sampleLog('sample_task3_ratio50_final_only'));
    await waitFor(async () => (await runsOf(file)).some((run) => run.taskId === 3 && run.status === 'completed'), {
      what: 'task3 in the new file',
    });
    const rows = await db.query<{ path: string; state: string; taskId: number; status: string }>(
      `SELECT s.path, s.state, r."taskId", r.status FROM "LogSource" s JOIN "Run" r ON r."sourceId" = s.id WHERE s.path = $1 ORDER BY s.id`,
      [file],
    );
    // rotate.log.1 does not match *.log, yet the second half written to it after the rename was
    // read through the open handle: the task-2 run completed.
    expect(rows.map((row) => [row.state, row.taskId, row.status])).toEqual([
      ['rotated', 2, 'completed'],
      ['active', 3, 'completed'],
    ]);
  });

  it('handles copytruncate: the truncated file is read again from the start as a new source', async () => {
    const file = path.join(dir, 'logs', 'copytruncate.log');
    await writeFile(file, await sampleLog('sample_task3_ratio50_final_only'));
    await waitFor(async () => (await runsOf(file)).some((run) => run.status === 'completed'), { what: 'first run' });
    await copyFile(file, path.join(dir, 'archived.log.1'));
    await truncate(file, 0);
    await appendFile(file, await sampleLog('sample_task1_unfreeze8_overfit'));
    await waitFor(async () => (await runsOf(file)).some((run) => run.taskId === 1 && run.status === 'completed'), {
      what: 'the run written after truncation',
    });
    const runs = await runsOf(file);
    expect(runs.map((run) => [run.taskId, run.state])).toEqual([
      [3, 'truncated'],
      [1, 'active'],
    ]);
    expect(runs[1]!.epochs).toBe(50);
  });

  it('keeps the rows of a deleted log and marks its source deleted', async () => {
    const file = path.join(dir, 'logs', 'deleted.log');
    await writeFile(file, await sampleLog('sample_task2_unfreeze4_buffered'));
    await waitFor(async () => (await runsOf(file)).some((run) => run.status === 'completed'), { what: 'run' });
    await unlink(file);
    await waitFor(async () => (await runsOf(file))[0]?.state === 'deleted', { what: 'deleted state' });
    expect((await runsOf(file))[0]).toMatchObject({ taskId: 2, status: 'completed', epochs: 30 });
  });

  it('survives a 10 MB line, invalid UTF-8 and binary junk mid-log: warnings recorded, everything else ingested', async () => {
    const file = path.join(dir, 'logs', 'hostile.log');
    const log = await sampleLog('sample_task1_unfreeze8_overfit');
    const cut = log.indexOf('Epoch 25/50');
    const junk = Buffer.concat([
      Buffer.from('\n'),
      Buffer.alloc(10 * 1024 * 1024, 'x'), // no newline inside
      Buffer.from('\nEpoch 24 Average Loss: \xff\xfe0.1\n', 'latin1'), // invalid UTF-8 on a known line
      Buffer.from([0, 1, 2, 3, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 10]),
    ]);
    await writeFile(file, Buffer.concat([log.subarray(0, cut), junk, log.subarray(cut)]));
    await waitFor(async () => (await runsOf(file)).some((run) => run.status === 'completed'), {
      what: 'the run after the junk',
      timeoutMs: 40_000,
    });
    expect((await runsOf(file))[0]).toMatchObject({ taskId: 1, status: 'completed', epochs: 50 });
    const warnings = await db.query<{ line: number; message: string }>(
      `SELECT w.line, w.message FROM "ParseWarning" w JOIN "LogSource" s ON s.id = w."sourceId" WHERE s.path = $1 ORDER BY w.line`,
      [file],
    );
    expect(warnings.some((warning) => /longer than/.test(warning.message))).toBe(true);
    const losses = await db.query<{ trainLoss: number }>(
      `SELECT e."trainLoss" FROM "EpochMetric" e JOIN "Run" r ON r.id = e."runId" JOIN "LogSource" s ON s.id = r."sourceId" WHERE s.path = $1 AND e.epoch = 50`,
      [file],
    );
    expect(losses[0]!.trainLoss).toBeGreaterThan(0);
  });
});
