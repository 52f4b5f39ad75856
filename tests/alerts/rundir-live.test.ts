// Run-directory documents follow the same live rule as logs and event files (ingest/liveness.ts): a
// training_results.json that appears while the daemon follows is a live "completed" transition (sent);
// one that was already there when the daemon started is history (recorded, never sent).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestDaemon } from '../../ingest/daemon';
import { createPool } from '../../lib/db/pool';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { memoryLogger, tempDir, waitFor } from '../helpers/ingest';
import { resultsJson, runDirOf, writeRunDir, type RunDirSpec } from '../helpers/rundir';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function fresh(name: string): Promise<{ db: TestDatabase; dir: string }> {
  const db = await createTestDatabase(name);
  const temp = await tempDir('thaw-rundir-live-');
  cleanups.push(
    () => db.drop(),
    () => temp.cleanup(),
  );
  return { db, dir: temp.dir };
}

const SPEC: RunDirSpec = { taskId: 1, taskName: 'pick', timestamp: '20251201_090000', epochs: 3 };

async function follow<T>(db: TestDatabase, dir: string, work: (daemon: IngestDaemon) => Promise<T>): Promise<T> {
  const pool = createPool(db.url);
  const daemon = new IngestDaemon({ pool, paths: [dir], log: memoryLogger('silent').logger, staleMinutes: 10 });
  try {
    await daemon.start();
    return await work(daemon);
  } finally {
    await daemon.close();
    await pool.end();
  }
}

const completed = (db: TestDatabase) => db.query<{ live: boolean }>(`SELECT live FROM "Alert" WHERE rule = 'completed'`);

describe('results JSON and the live flag', () => {
  it('written while following: the completed transition is live', async () => {
    const { db, dir } = await fresh('rundir_live');
    await writeRunDir(dir, SPEC, { results: false, hydra: false });
    await follow(db, dir, async (daemon) => {
      await daemon.idle();
      await waitFor(async () => (await db.query(`SELECT 1 FROM "EpochMetric"`)).length === 3, { what: 'epochs' });
      await writeFile(path.join(runDirOf(dir, SPEC), 'training_results.json'), resultsJson(SPEC));
      await waitFor(async () => (await completed(db)).length === 1, { what: 'completed alert', timeoutMs: 30_000 });
    });
    expect(await completed(db)).toEqual([{ live: true }]);
  });

  it('already there when the daemon starts: recorded, not live', async () => {
    const { db, dir } = await fresh('rundir_history');
    await writeRunDir(dir, SPEC, { hydra: false });
    await follow(db, dir, async (daemon) => {
      await daemon.idle();
      await waitFor(async () => (await completed(db)).length === 1, { what: 'completed alert' });
    });
    expect(await completed(db)).toEqual([{ live: false }]);
  });
});
