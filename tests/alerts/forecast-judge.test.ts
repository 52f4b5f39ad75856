// The `unlikely_to_beat` judge (ingest/forecast-alerts.ts) against a real database, with forecasts
// given by the test: it judges only running runs still being written, records one live alert per run
// with the forecast's sentence, judges a run again only when its deciding curve grew, and of two
// processes only the holder of the lock judges (the other takes over when it goes).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunForecast } from '../../lib/analysis/forecast-answer';
import { ForecastAlerts } from '../../ingest/forecast-alerts';
import { CHANGE_CHANNEL } from '../../lib/live/changes';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { memoryLogger, waitFor } from '../helpers/ingest';
import { seedSyntheticRuns } from '../../testkit/synthetic/seeded-runs';

let database: TestDatabase;
let pool: pg.Pool;
let ids: number[];

beforeAll(async () => {
  database = await createTestDatabase('forecast_judge');
  pool = new pg.Pool({ connectionString: database.url, max: 3 });
  ids = await seedSyntheticRuns(pool, { runs: 4, epochs: 6, stepsPerRun: 12, chainLength: 1, pathPrefix: '/synthetic/judge' });
  // Runs 0 and 1 are running and being written; run 2 is running but silent for an hour (history a
  // backfill found, or a run the stale sweep will take); run 3 is finished.
  await pool.query(`UPDATE "Run" SET status = 'running', "lastSeenAt" = now() AT TIME ZONE 'UTC' WHERE id = ANY($1::int[])`, [
    [ids[0], ids[1]],
  ]);
  await pool.query(`UPDATE "Run" SET status = 'running', "lastSeenAt" = (now() - interval '1 hour') AT TIME ZONE 'UTC' WHERE id = $1`, [
    ids[2],
  ]);
});

afterAll(async () => {
  await pool.end();
  await database.drop();
});

function forecast(runId: number, verdict: RunForecast['verdict']): RunForecast {
  return {
    runId,
    metric: 'val',
    axis: 'epoch',
    at: 1,
    fromX: 6,
    toX: 20,
    mean: 0.5,
    lo: 0.45,
    hi: 0.56,
    level: 0.8,
    method: 'test',
    points: 6,
    incumbent: { runId: ids[3]!, value: 0.3 },
    pBeat: verdict === 'unlikely_to_beat' ? 0.02 : 0.4,
    verdict,
    minutesSaved: verdict === 'unlikely_to_beat' ? 140 : null,
    reason: null,
    overfitting: null,
    path: [],
    sentence: `Likely ends at 0.5 (0.45–0.56); the best finished run of task 1 ended at 0.3: ${verdict === 'unlikely_to_beat' ? '2%' : '40%'} chance to beat it.`,
    calibration: { kind: 'absolute', source: 'built_in', runs: 0, cases: 0, peers: 0 },
  };
}

/** Forecasts the test decides, and the runs they were asked for. */
function fakeForecasts(verdicts: Map<number, RunForecast['verdict']>) {
  const asked: number[][] = [];
  return {
    asked,
    forecasts: (runIds: number[]) => {
      asked.push([...runIds].sort((a, b) => a - b));
      return Promise.resolve(runIds.map((id) => forecast(id, verdicts.get(id) ?? 'on_track')));
    },
  };
}

const alerts = () =>
  database.query<{ runId: number; live: boolean; message: string; facts: { details: Record<string, unknown> } }>(
    `SELECT "runId", live, message, facts FROM "Alert" WHERE rule = 'unlikely_to_beat' ORDER BY "runId"`,
  );

describe('the unlikely_to_beat judge', () => {
  it('judges running runs still being written; one live alert per run, carrying the forecast’s sentence', async () => {
    const fake = fakeForecasts(new Map([[ids[0]!, 'unlikely_to_beat']]));
    const judge = new ForecastAlerts({ pool, log: memoryLogger('silent').logger, staleMinutes: 10, forecasts: fake.forecasts });
    expect(await judge.judge('all')).toEqual([ids[0]]);
    // Not the silent run (an hour without a line), not the finished one.
    expect(fake.asked).toEqual([[ids[0], ids[1]]]);
    const [alert, ...more] = await alerts();
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ runId: ids[0], live: true });
    expect(alert!.message).toBe(`${forecast(ids[0]!, 'unlikely_to_beat').sentence} Best finished run: #${ids[3]}.`);
    expect(alert!.facts.details).toMatchObject({ pBeat: 0.02, incumbentRunId: ids[3], incumbentValue: 0.3, minutesSaved: 140 });

    // Nothing grew: nothing is judged again; the alerted run never is.
    expect(await judge.judge('all')).toEqual([]);
    expect(fake.asked).toHaveLength(1);
    // Run 1's curve grows by an epoch: judged again (still on track: no alert).
    await pool.query(`INSERT INTO "EpochMetric" ("runId", epoch, "trainLoss") VALUES ($1, 7, 0.3)`, [ids[1]]);
    expect(await judge.judge(new Set([ids[0]!, ids[1]!]))).toEqual([]);
    expect(fake.asked[1]).toEqual([ids[1]]);
    // A new judge (a restart) with run 0 unlikely again: the alert exists, nothing new is recorded.
    const again = new ForecastAlerts({
      pool,
      log: memoryLogger('silent').logger,
      staleMinutes: 10,
      forecasts: fakeForecasts(new Map([[ids[0]!, 'unlikely_to_beat']])).forecasts,
    });
    expect(await again.judge('all')).toEqual([]);
    expect(await alerts()).toHaveLength(1);
  });

  it('of two processes only the lock holder judges; the other takes over when it goes', async () => {
    await pool.query(`UPDATE "Run" SET "lastSeenAt" = now() AT TIME ZONE 'UTC' WHERE id = $1`, [ids[1]]);
    const options = { pool, log: memoryLogger('silent').logger, staleMinutes: 10, intervalMs: 50, lockRetryMs: 200 };
    const a = fakeForecasts(new Map());
    const b = fakeForecasts(new Map());
    const first = new ForecastAlerts({ ...options, forecasts: a.forecasts });
    const second = new ForecastAlerts({ ...options, forecasts: b.forecasts });
    try {
      first.start();
      await waitFor(() => first.passes >= 1, { what: 'the first judge’s pass' });
      second.start();
      await new Promise((resolve) => setTimeout(resolve, 600)); // the second tries for the lock, twice
      // A batch commits for run 1: its curve grew; only the holder hears and judges it.
      await pool.query(`INSERT INTO "EpochMetric" ("runId", epoch, "trainLoss") VALUES ($1, 8, 0.29)`, [ids[1]]);
      await pool.query(`SELECT pg_notify($1, $2)`, [CHANGE_CHANNEL, String(ids[1])]);
      await waitFor(() => a.asked.some((asked) => asked.includes(ids[1]!)), { what: 'the holder judges run 1' });
      expect(second.passes).toBe(0);
      expect(b.asked).toEqual([]);
      await first.close();
      await waitFor(() => second.passes >= 1, { what: 'the second judge takes over', timeoutMs: 10_000 });
      // On taking over it judges every running run it has not judged (it never judged run 1).
      expect(b.asked.flat()).toContain(ids[1]);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
