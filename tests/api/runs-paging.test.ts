// The runs listing at scale: paging, sorting, filtering, search and counts happen in PostgreSQL over
// the stored summaries, and must agree with the rules the client applies (lib/api/sort-runs.ts) and
// with a brute-force count. And ingest keeps the stored summaries equal to a fresh computation.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEnvOverrides } from '../../lib/env';
import type { RunRow } from '../../lib/api/schemas/runs';
import { sortRuns } from '../../lib/api/sort-runs';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { allSamples, backfillInto, tempDir } from '../helpers/ingest';
import { seedSyntheticRuns } from '../../testkit/synthetic/seeded-runs';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('runs_paging');
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  setEnvOverrides({ DATABASE_URL: database.url });
  await seedSyntheticRuns(pool, { runs: 60, epochs: 12, stepsPerRun: 24, chainLength: 4, pathPrefix: '/synthetic/paging' });
});

afterAll(async () => {
  const { disconnectDb } = await import('../../lib/db/client');
  await disconnectDb();
  await pool.end();
  await database.drop();
});

describe('runs listing', () => {
  it('pages through every run exactly once, in the order the client sorts them', async () => {
    const { listRuns, listRunsPage } = await import('../../lib/queries/runs');
    for (const [sort, dir] of [
      ['lastSeenAt', 'desc'],
      ['bestVal', 'asc'],
      ['strategy', 'desc'],
      ['verdict', 'asc'],
      ['source', 'asc'],
    ] as const) {
      const all = await listRuns({ sort, dir });
      expect(all.map((r) => r.id)).toEqual(sortRuns(all, sort, dir).map((r) => r.id));
      const paged: RunRow[] = [];
      for (let page = 1; page <= 7; page++) {
        const result = await listRunsPage({ sort, dir, page, limit: 9 });
        expect(result.total).toBe(60);
        paged.push(...result.runs);
      }
      expect(paged.map((r) => r.id)).toEqual(all.map((r) => r.id));
    }
  });

  it('counts runs per filter value under the other filters, and searches', async () => {
    const { listRuns, listRunsPage } = await import('../../lib/queries/runs');
    const all = await listRuns({ sort: 'id', dir: 'asc' });
    const result = await listRunsPage({ sort: 'id', dir: 'asc', task: [2], limit: 5 });
    expect(result.total).toBe(all.filter((r) => r.taskId === 2).length);
    expect(result.runs).toHaveLength(5);
    // The task facet ignores the task filter; the others apply it.
    for (const { value, count } of result.counts.task) expect(count).toBe(all.filter((r) => r.taskId === value).length);
    for (const { value, count } of result.counts.strategy)
      expect(count).toBe(all.filter((r) => r.taskId === 2 && r.strategy.key === value).length);
    for (const { value, count } of result.counts.verdict)
      expect(count).toBe(all.filter((r) => r.taskId === 2 && r.verdict.status === value).length);
    const searched = await listRunsPage({ sort: 'id', dir: 'asc', q: 'RUN_0001' });
    expect(searched.runs.map((r) => r.outputDir)).toEqual(all.filter((r) => r.outputDir?.includes('run_0001')).map((r) => r.outputDir));
    expect(searched.total).toBe(10);
  });

  it('sorts by forecast: running runs first, newest first (the order the table has before forecasts come), every page once', async () => {
    const { listRuns, listRunsPage } = await import('../../lib/queries/runs');
    const running = (await pool.query<{ id: number }>(`SELECT id FROM "Run" ORDER BY id LIMIT 7`)).rows.map((r) => r.id);
    await pool.query(`UPDATE "Run" SET status = 'running' WHERE id = ANY($1::int[])`, [running]);
    try {
      for (const dir of ['desc', 'asc'] as const) {
        const all = await listRuns({ sort: 'forecast', dir });
        expect(all.map((r) => r.id)).toEqual(sortRuns(all, 'forecast', dir).map((r) => r.id));
        expect(all.slice(0, 7).map((r) => r.id)).toEqual([...running].sort((a, b) => b - a));
        const paged: RunRow[] = [];
        for (let page = 1; page <= 7; page++) paged.push(...(await listRunsPage({ sort: 'forecast', dir, page, limit: 9 })).runs);
        expect(paged.map((r) => r.id)).toEqual(all.map((r) => r.id));
      }
    } finally {
      await pool.query(`UPDATE "Run" SET status = 'completed' WHERE id = ANY($1::int[])`, [running]);
    }
  });
});

describe('stored summaries', () => {
  it('equal a fresh computation after ingest, in every batch size', async () => {
    const scratch = await tempDir();
    const dir = scratch.dir;
    try {
      const file = path.join(dir, 'all.log');
      await writeFile(file, await allSamples());
      const other = await createTestDatabase('runs_paging_ingest');
      try {
        await backfillInto(other.url, [file], { batchEvents: 37 });
        const client = new pg.Client({ connectionString: other.url });
        await client.connect();
        try {
          const stored = (await client.query(`SELECT * FROM "RunSummary" ORDER BY "runId"`)).rows;
          const buckets = (await client.query(`SELECT * FROM "StepBucket" ORDER BY "runId", first`)).rows;
          expect(stored.length).toBeGreaterThan(0);
          const { pgRunner, refreshRunSummaries, refreshStepBuckets } = await import('../../lib/summaries/tables');
          const sql = pgRunner(client);
          await client.query(`DELETE FROM "RunSummary"; DELETE FROM "StepBucket"; DELETE FROM "StepSeries"`);
          const ids = stored.map((row: { runId: number }) => row.runId);
          await refreshRunSummaries(sql, ids);
          const ranges = (
            await client.query<{ runId: number; last: number }>(`SELECT "runId", max(step) AS last FROM "StepPoint" GROUP BY "runId"`)
          ).rows.map((r) => ({ runId: r.runId, from: 1, to: r.last }));
          await refreshStepBuckets(sql, ranges);
          expect((await client.query(`SELECT * FROM "RunSummary" ORDER BY "runId"`)).rows).toEqual(stored);
          expect((await client.query(`SELECT * FROM "StepBucket" ORDER BY "runId", first`)).rows).toEqual(buckets);
        } finally {
          await client.end();
        }
      } finally {
        await other.drop();
      }
    } finally {
      await scratch.cleanup();
    }
  });
});
