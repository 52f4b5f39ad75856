// The query layer's caches, against a real database: the per-run step summaries must
// give the same extremes and totals incrementally as when rebuilt from scratch, and cached rows
// must follow the run row's version.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEnvOverrides } from '../../lib/env';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { seedSyntheticRuns } from '../../testkit/synthetic/seeded-runs';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('queries');
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  setEnvOverrides({ DATABASE_URL: database.url });
});

afterAll(async () => {
  const { disconnectDb } = await import('../../lib/db/client');
  await disconnectDb();
  await pool.end();
  await database.drop();
});

async function appendSteps(runId: number, from: number, to: number): Promise<void> {
  await pool.query(
    `INSERT INTO "StepPoint" ("runId", step, epoch, loss, lr, "elapsedS")
     SELECT $1, s, (s - 1) / 1000 + 1, CASE WHEN s = $4 THEN 'NaN'::float8 ELSE 0.5 + 0.4 * sin(s / 37.0) END, 0.0001, ((s - 1) % 1000 + 1) * 0.2
       FROM generate_series($2::int, $3::int) AS s`,
    [runId, from, to, Math.floor((from + to) / 2)],
  );
  // The ingest store touches the run row in the same transaction as the steps.
  await pool.query(`UPDATE "Run" SET "lastSeenAt" = now() WHERE id = $1`, [runId]);
}

describe('step summaries', () => {
  it('stay exact in extremes and totals when updated incrementally, also across a resolution change', async () => {
    const [id] = await seedSyntheticRuns(pool, { runs: 1, epochs: 3, stepsPerRun: 3000, chainLength: 1 });
    await pool.query(`UPDATE "Run" SET "totalSteps" = NULL WHERE id = $1`, [id]);
    const { stepSummaries, stepVersions } = await import('../../lib/queries/steps');
    const first = (await stepSummaries(await stepVersions([id!]))).get(id!)!;
    expect(first.lastStep).toBe(3000);
    await appendSteps(id!, 3001, 26_000); // 23k more: the summary must halve its resolution
    const incremental = (await stepSummaries(await stepVersions([id!]))).get(id!)!;
    expect(incremental.width).toBeGreaterThan(first.width);
    expect(incremental.buckets.length).toBeLessThanOrEqual(2 * 2048);
    const [truth] = (
      await pool.query<{ n: string; sum: number; min: number; max: number; nan: string }>(
        `SELECT count(*) FILTER (WHERE loss <> 'NaN') AS n, sum(loss) FILTER (WHERE loss <> 'NaN') AS sum,
                min(loss) FILTER (WHERE loss <> 'NaN') AS min, max(loss) FILTER (WHERE loss <> 'NaN') AS max, count(*) FILTER (WHERE loss = 'NaN') AS nan
           FROM "StepPoint" WHERE "runId" = $1`,
        [id],
      )
    ).rows as [{ n: string; sum: number; min: number; max: number; nan: string }];
    const totals = (summary: typeof incremental) => ({
      n: summary.buckets.reduce((a, b) => a + b.count, 0),
      sum: summary.buckets.reduce((a, b) => a + b.sum, 0),
      min: Math.min(...summary.buckets.filter((b) => b.count > 0).map((b) => b.min)),
      max: Math.max(...summary.buckets.filter((b) => b.count > 0).map((b) => b.max)),
      gaps: summary.buckets.filter((b) => b.nonFinite).length,
      lastStep: summary.lastStep,
    });
    const got = totals(incremental);
    expect(got.n).toBe(Number(truth.n));
    expect(got.sum).toBeCloseTo(truth.sum, 6);
    expect(got.min).toBe(truth.min);
    expect(got.max).toBe(truth.max);
    expect(got.gaps).toBe(Number(truth.nan));
    expect(got.lastStep).toBe(26_000);
    // Buckets never straddle an epoch and stay in step order.
    for (const b of incremental.buckets) expect(Math.floor((b.first - 1) / 1000)).toBe(Math.floor((b.last - 1) / 1000));
    const firsts = incremental.buckets.map((b) => b.first);
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    // Unchanged run version: served from the cache (same object).
    expect((await stepSummaries(await stepVersions([id!]))).get(id!)).toBe(incremental);
  });
});

describe('runs-table rows', () => {
  it('come from the stored summaries, which the writer refreshes and readers repair when missing or from other rules', async () => {
    const [id] = await seedSyntheticRuns(pool, { runs: 1, epochs: 5, stepsPerRun: 10, chainLength: 1, pathPrefix: '/synthetic/rows' });
    const { listRuns } = await import('../../lib/queries/runs');
    const { pgRunner, refreshRunSummaries } = await import('../../lib/summaries/tables');
    const before = (await listRuns({ ids: [id!], sort: 'id', dir: 'asc' }))[0]!;
    expect(before.epochsDone).toBe(5);
    // What the ingest store does in a batch's transaction: write the rows, refresh the summary.
    await pool.query(`INSERT INTO "EpochMetric" ("runId", epoch, "trainLoss") VALUES ($1, 6, 0.01)`, [id]);
    await refreshRunSummaries(pgRunner(pool), [id!]);
    const after = (await listRuns({ ids: [id!], sort: 'id', dir: 'asc' }))[0]!;
    expect(after.epochsDone).toBe(6);
    expect(after.lastTrainLoss).toBe(0.01);
    // A summary written by other analysis rules, or none at all: recomputed (and stored) when read.
    await pool.query(`UPDATE "RunSummary" SET rules = 'older', "epochsDone" = 0, view = '{}' WHERE "runId" = $1`, [id]);
    expect((await listRuns({ ids: [id!], sort: 'id', dir: 'asc' }))[0]).toEqual(after);
    await pool.query(`DELETE FROM "RunSummary" WHERE "runId" = $1`, [id]);
    expect((await listRuns({ ids: [id!], sort: 'id', dir: 'asc' }))[0]).toEqual(after);
    expect((await pool.query(`SELECT 1 FROM "RunSummary" WHERE "runId" = $1`, [id])).rowCount).toBe(1);
  });
});
