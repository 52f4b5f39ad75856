// Run lifecycle and sequential-stage links, through the real daemon and database.
import { appendFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestDaemon } from '../../ingest/daemon';
import { markStaleRuns } from '../../ingest/store';
import { createPool } from '../../lib/db/pool';
import { generateSmolvlaLog } from '../../testkit/synthetic/smolvla-log';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, memoryLogger, tempDir, waitFor } from '../helpers/ingest';
import { runThaw } from '../../testkit/cli';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function setup(): Promise<{ db: TestDatabase; dir: string }> {
  const db = await createTestDatabase('lifecycle');
  const { dir, cleanup } = await tempDir();
  cleanups.push(() => db.drop(), cleanup);
  return { db, dir };
}

describe('run lifecycle', () => {
  it('running → stale after the configured silence → running again when lines arrive → completed', async () => {
    const { db, dir } = await setup();
    const file = path.join(dir, 'train.log');
    const full = generateSmolvlaLog({ seed: 9, epochs: 6, epochsTotal: 6, stepsPerEpoch: 10, validationEvery: 2 });
    const cut = full.indexOf('Epoch 4/6');
    await writeFile(file, full.subarray(0, cut));
    const pool = createPool(db.url);
    cleanups.push(() => pool.end());
    const daemon = new IngestDaemon({ pool, paths: [dir], log: memoryLogger('silent').logger, staleMinutes: 10 });
    await daemon.start();
    cleanups.push(() => daemon.close());
    const status = async () => (await db.query<{ status: string }>(`SELECT status FROM "Run"`))[0]?.status;
    await waitFor(async () => (await status()) === 'running', { what: 'running' });

    // Ten minutes of silence, seen from eleven minutes in the future.
    expect(await markStaleRuns(pool, 10, new Date(Date.now() + 11 * 60_000))).toBe(1);
    expect(await status()).toBe('stale');
    expect(await markStaleRuns(pool, 10, new Date(Date.now() + 11 * 60_000))).toBe(0);

    await appendFile(file, full.subarray(cut, full.indexOf('Epoch 5/6')));
    await waitFor(async () => (await status()) === 'running', { what: 'woken up' });
    await appendFile(file, full.subarray(full.indexOf('Epoch 5/6')));
    await waitFor(async () => (await status()) === 'completed', { what: 'completed' });
    // A completed run is never marked stale.
    expect(await markStaleRuns(pool, 10, new Date(Date.now() + 60 * 60_000))).toBe(0);
  });

  it('a backfilled log whose file has been quiet for long is stale at once, not running', async () => {
    const { db, dir } = await setup();
    const file = path.join(dir, 'old.log');
    await writeFile(file, generateSmolvlaLog({ seed: 3, epochs: 3, epochsTotal: 50, stepsPerEpoch: 10, outcome: 'running' }));
    const { utimes } = await import('node:fs/promises');
    const monthAgo = new Date(Date.now() - 30 * 24 * 3600_000);
    await utimes(file, monthAgo, monthAgo);
    await backfillInto(db.url, [file]);
    expect(await db.query(`SELECT status FROM "Run"`)).toEqual([{ status: 'stale' }]);
  });

  it('crashed runs keep the exception line', async () => {
    const { db, dir } = await setup();
    const file = path.join(dir, 'oom.log');
    await writeFile(file, generateSmolvlaLog({ seed: 4, epochs: 3, epochsTotal: 20, stepsPerEpoch: 10, outcome: 'crashed' }));
    await backfillInto(db.url, [file]);
    const [run] = await db.query<{ status: string; errorMessage: string }>(`SELECT status, "errorMessage" FROM "Run"`);
    expect(run).toMatchObject({ status: 'crashed' });
    expect(run!.errorMessage).toMatch(/^torch\.OutOfMemoryError: CUDA out of memory/);
    const events = await db.query<{ kind: string }>(`SELECT kind FROM "RunEvent" WHERE kind = 'crashed'`);
    expect(events).toHaveLength(1);
  });
});

describe('sequential stages', () => {
  it('links a stage to the run whose output directory holds the checkpoint it loaded, whatever the ingest order', async () => {
    const { db, dir } = await setup();
    await mkdir(path.join(dir, 'chain'));
    const task1Dir = 'outputs/train/task1_moving_grasp/smolvla_sequential/run_20251101_090000';
    const task2Dir = 'outputs/train/task2_weighing/smolvla_sequential/run_20251101_100000';
    // Ingest task 3 and 2 first: the links must appear once their parents arrive.
    await writeFile(
      path.join(dir, 'chain', 'c.log'),
      generateSmolvlaLog({
        seed: 3,
        taskId: 3,
        timestamp: '20251101_110000',
        epochs: 2,
        stepsPerEpoch: 5,
        resumeFrom: { taskId: 2, path: `${task2Dir}/best` },
      }),
    );
    await writeFile(
      path.join(dir, 'chain', 'b.log'),
      generateSmolvlaLog({
        seed: 2,
        taskId: 2,
        timestamp: '20251101_100000',
        epochs: 2,
        stepsPerEpoch: 5,
        resumeFrom: { taskId: 1, path: `${task1Dir}/epoch2` },
      }),
    );
    await backfillInto(db.url, [path.join(dir, 'chain')]);
    await writeFile(
      path.join(dir, 'chain', 'a.log'),
      generateSmolvlaLog({ seed: 1, taskId: 1, timestamp: '20251101_090000', epochs: 2, stepsPerEpoch: 5 }),
    );
    await backfillInto(db.url, [path.join(dir, 'chain')]);
    const rows = await db.query<{ taskId: number; loadedFrom: string; parentTask: number | null }>(
      `SELECT r."taskId", r."loadedFrom", p."taskId" AS "parentTask" FROM "Run" r LEFT JOIN "Run" p ON p.id = r."parentRunId" ORDER BY r."taskId"`,
    );
    expect(rows).toEqual([
      { taskId: 1, loadedFrom: 'pretrained', parentTask: null },
      { taskId: 2, loadedFrom: 'task', parentTask: 1 },
      { taskId: 3, loadedFrom: 'task', parentTask: 2 },
    ]);
  });
});

describe('thaw ingest', () => {
  it('--once backfills, prints a one-line summary and exits 0; re-running adds nothing', async () => {
    const { db, dir } = await setup();
    await writeFile(path.join(dir, 'a.log'), generateSmolvlaLog({ seed: 1, epochs: 3, stepsPerEpoch: 10 }));
    const first = await runThaw(['ingest', '--once', dir], { env: { DATABASE_URL: db.url } });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^ingested 1 file\(s\): [\d.]+ MB, \d+ lines in [\d.]+ s \(\d+ lines\/s\)\n$/);
    const count = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "StepPoint"`))[0]!.n;
    const steps = await count();
    expect(steps).toBe(30);
    const again = await runThaw(['ingest', '--once', dir], { env: { DATABASE_URL: db.url } });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0\.0 MB, 0 lines/);
    expect(await count()).toBe(steps);
  });

  it('--hostname (or THAW_HOSTNAME) names the machine the files are recorded under; a bad one exits 2', async () => {
    const { db, dir } = await setup();
    await writeFile(path.join(dir, 'a.log'), generateSmolvlaLog({ seed: 2, epochs: 2, stepsPerEpoch: 5 }));
    expect((await runThaw(['ingest', '--once', '--hostname', 'gpu-box-7', dir], { env: { DATABASE_URL: db.url } })).code).toBe(0);
    expect((await runThaw(['ingest', '--once', dir], { env: { DATABASE_URL: db.url, THAW_HOSTNAME: 'gpu-box-8' } })).code).toBe(0);
    const hosts = await db.query<{ host: string }>(`SELECT host FROM "LogSource" ORDER BY host`);
    // The same file seen by two machines' names: two sources (the host is part of a file's identity).
    expect(hosts.map((row) => row.host)).toEqual(['gpu-box-7', 'gpu-box-8']);
    const bad = await runThaw(['ingest', '--once', '--hostname', 'gpu box', dir], { env: { DATABASE_URL: db.url } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^thaw: --hostname: expected a host name like gpu-box-3/m);
  });

  it('--once with nothing to ingest exits 2 with a clear message', async () => {
    const { db, dir } = await setup();
    const result = await runThaw(['ingest', '--once', path.join(dir, 'nothing-here')], { env: { DATABASE_URL: db.url } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^thaw: no log files \(\*\.log, \*\.txt, \*\.out\) found under /);
  });

  it('--from-end skips what a new file already holds and takes only new lines', async () => {
    const { db, dir } = await setup();
    const file = path.join(dir, 'live.log');
    const full = generateSmolvlaLog({ seed: 5, epochs: 4, epochsTotal: 4, stepsPerEpoch: 10 });
    const cut = full.indexOf('Epoch 3/4');
    await writeFile(file, full.subarray(0, cut));
    const pool = createPool(db.url);
    const daemon = new IngestDaemon({ pool, paths: [file], fromEnd: true, log: memoryLogger('silent').logger, staleMinutes: 10 });
    await daemon.start();
    try {
      await waitFor(async () => (await db.query(`SELECT 1 FROM "LogSource" WHERE "committedOffset" > 0`)).length === 1, {
        what: 'skip to end',
      });
      await appendFile(file, full.subarray(cut));
      await waitFor(async () => (await db.query(`SELECT 1 FROM "EpochMetric" WHERE epoch = 4 AND "trainLoss" IS NOT NULL`)).length === 1, {
        what: 'epoch 4',
      });
      const epochs = await db.query<{ epoch: number }>(`SELECT epoch FROM "EpochMetric" WHERE "trainLoss" IS NOT NULL ORDER BY epoch`);
      expect(epochs.map((row) => row.epoch)).toEqual([3, 4]);
    } finally {
      await daemon.close();
      await pool.end();
    }
  });
});
