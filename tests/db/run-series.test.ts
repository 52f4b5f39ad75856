// loadRunSeries (lib/summaries/tables.ts): a run's series read in binary, in key order whatever order the
// rows were stored in, NaN and ±Infinity kept as they are and NULL ("not known yet": an epoch whose
// learning rate came before its average) left out, with the first NaN/inf step — through node-postgres
// (ingest) and through Prisma (the web's repairs) alike.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEnvOverrides } from '../../lib/env';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedSyntheticRuns } from '../../testkit/synthetic/seeded-runs';
import type { SqlRunner } from '../../lib/summaries/tables';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('run_series');
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  setEnvOverrides({ DATABASE_URL: database.url });
});

afterAll(async () => {
  const { disconnectDb } = await import('../../lib/db/client');
  await disconnectDb();
  await pool.end();
  await database.drop();
});

describe('loadRunSeries', () => {
  it('reads epochs and own-task validations in key order, NaN and ±Infinity kept, NULL (not known yet) left out', async () => {
    const [id] = await seedSyntheticRuns(pool, { runs: 1, epochs: 3, stepsPerRun: 10, chainLength: 1, pathPrefix: '/synthetic/series' });
    await pool.query(`DELETE FROM "EpochMetric" WHERE "runId" = $1`, [id]);
    await pool.query(`DELETE FROM "Validation" WHERE "runId" = $1`, [id]);
    await pool.query(`UPDATE "Run" SET "taskId" = 2 WHERE id = $1`, [id]);
    // Stored out of key order (a rewritten row moves to the end of the heap).
    await pool.query(
      `INSERT INTO "EpochMetric" ("runId", epoch, "trainLoss", lr) VALUES ($1, 3, 'NaN', NULL), ($1, 1, 0.5, NULL), ($1, 4, NULL, 1e-4), ($1, 2, 'Infinity', NULL), ($1, 5, '-Infinity', NULL)`,
      [id],
    );
    await pool.query(
      `INSERT INTO "Validation" ("runId", epoch, final, "taskId", loss) VALUES
         ($1, 5, true, 2, 0.3), ($1, 2, false, 2, NULL), ($1, 1, false, 2, 0.7), ($1, 1, false, 1, 0.9),
         ($1, 5, false, 2, 'NaN'), ($1, 3, false, 2, 0.125)`,
      [id],
    );
    const { db } = await import('../../lib/db/client');
    const { loadRunSeries, pgRunner } = await import('../../lib/summaries/tables');
    const prismaRunner: SqlRunner = (text, params) => db().$queryRawUnsafe<Record<string, unknown>[]>(text, ...params);
    for (const sql of [pgRunner(pool), prismaRunner]) {
      const [series] = await loadRunSeries(sql, [id!]);
      // Epoch 4 has only its learning rate so far: not a NaN, not in the series.
      expect(series!.epochs).toEqual([
        { epoch: 1, trainLoss: 0.5 },
        { epoch: 2, trainLoss: Infinity },
        { epoch: 3, trainLoss: Number.NaN },
        { epoch: 5, trainLoss: -Infinity },
      ]);
      // Only task 2 (the run's own task); per-epoch records before the final block of the same epoch.
      expect(series!.validations).toEqual([
        { epoch: 1, final: false, taskId: 2, loss: 0.7 },
        { epoch: 3, final: false, taskId: 2, loss: 0.125 },
        { epoch: 5, final: false, taskId: 2, loss: Number.NaN },
        { epoch: 5, final: true, taskId: 2, loss: 0.3 },
      ]);
    }
    // Its summary, written through either runner, keeps the latest epoch's loss as it is (-inf here).
    const { refreshRunSummaries } = await import('../../lib/summaries/tables');
    for (const sql of [pgRunner(pool), prismaRunner]) {
      await pool.query(`DELETE FROM "RunSummary" WHERE "runId" = $1`, [id]);
      await refreshRunSummaries(sql, [id!]);
      expect((await pool.query(`SELECT "lastTrainLoss"::text AS loss, verdict FROM "RunSummary" WHERE "runId" = $1`, [id])).rows).toEqual([
        { loss: '-Infinity', verdict: 'diverged' },
      ]);
    }
    // A run without a task reads every task's validations.
    await pool.query(`UPDATE "Run" SET "taskId" = NULL WHERE id = $1`, [id]);
    const [all] = await loadRunSeries(pgRunner(pool), [id!]);
    expect(all!.validations.map((v) => [v.epoch, v.final, v.taskId])).toEqual([
      [1, false, 1],
      [1, false, 2],
      [3, false, 2],
      [5, false, 2],
      [5, true, 2],
    ]);
  });

  it('reads a run with no rows as empty series', async () => {
    const [id] = await seedSyntheticRuns(pool, { runs: 1, epochs: 1, stepsPerRun: 1, chainLength: 1, pathPrefix: '/synthetic/empty' });
    await pool.query(`DELETE FROM "EpochMetric" WHERE "runId" = $1`, [id]);
    await pool.query(`DELETE FROM "Validation" WHERE "runId" = $1`, [id]);
    const { loadRunSeries, pgRunner } = await import('../../lib/summaries/tables');
    const [series] = await loadRunSeries(pgRunner(pool), [id!]);
    expect(series!.epochs).toEqual([]);
    expect(series!.validations).toEqual([]);
    expect(series!.stepLoss).toEqual({ firstNonFinite: null });
  });

  it('finds the first NaN/inf step through the step buckets, whatever its neighbours', async () => {
    const [id] = await seedSyntheticRuns(pool, { runs: 1, epochs: 2, stepsPerRun: 400, chainLength: 1, pathPrefix: '/synthetic/nan-step' });
    const { loadRunSeries, pgRunner, refreshStepBuckets } = await import('../../lib/summaries/tables');
    const first = async () => (await loadRunSeries(pgRunner(pool), [id!]))[0]!.stepLoss.firstNonFinite;
    expect(await first()).toBeNull();
    await pool.query(`UPDATE "StepPoint" SET loss = 'Infinity' WHERE "runId" = $1 AND step IN (377, 399)`, [id]);
    await pool.query(`UPDATE "StepPoint" SET loss = 'NaN' WHERE "runId" = $1 AND step = 211`, [id]);
    await pool.query(`UPDATE "StepPoint" SET loss = NULL WHERE "runId" = $1 AND step = 150`, [id]);
    await refreshStepBuckets(pgRunner(pool), [{ runId: id!, from: 1, to: 400 }]);
    const found = await first();
    expect(found).toMatchObject({ step: 211, loss: Number.NaN });
    const epoch = (await pool.query<{ epoch: number | null }>(`SELECT epoch FROM "StepPoint" WHERE "runId" = $1 AND step = 211`, [id]))
      .rows[0]!.epoch;
    expect(found!.epoch).toBe(epoch);
  });
});
