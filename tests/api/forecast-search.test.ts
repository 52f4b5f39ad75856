// The query layer reads only what a forecast needs of the finished runs (lib/queries/forecast.ts
// loadFacetNeeds: the incumbent found through SQL lower bounds of end levels, the latest correcting
// peers), not every finished run. Whatever it leaves unread, every forecast must equal the forecast
// made from ALL finished runs (the pure rule over every curve): same incumbent, same correction, same
// numbers. Over synthetic runs that overfit (their minimum is far below their end) in four tasks.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forecastRun } from '../../lib/analysis/forecast-answer';
import { finishedCurve, type ForecastRun } from '../../lib/analysis/forecast-run';
import { setEnvOverrides } from '../../lib/env';
import type { RunRecord } from '../../lib/queries/run-records';
import { seedSyntheticRuns } from '../../testkit/synthetic/seeded-runs';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('forecast_search');
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  setEnvOverrides({ DATABASE_URL: database.url });
  // 800 runs: 32 running (cut part-way), the rest finished; every strategy kind, four tasks: some strategies have
  // more finished runs in a task than CORRECTING_PEERS.
  await seedSyntheticRuns(pool, { runs: 800, epochs: 40, stepsPerRun: 40, chainLength: 4, pathPrefix: '/synthetic/search', mixed: true });
}, 120_000);

afterAll(async () => {
  const { disconnectDb } = await import('../../lib/db/client');
  await disconnectDb();
  await pool?.end();
  await database?.drop();
});

/** A stored run as the pure forecast sees it (no step curve: these runs validate every epoch). */
function asForecastRun(record: RunRecord): ForecastRun {
  return {
    ...record,
    series: { epochs: record.epochs, validations: record.validations, taskId: record.taskId, format: record.format },
    steps: [],
    minutesPerEpoch: null,
    minutesPerStep: null,
  };
}

describe('forecasts read a few finished runs, and say what all of them would', () => {
  it('every running run: the incumbent, correction and interval of the forecast over every finished run', async () => {
    const { forecastCalibration, getRunForecasts } = await import('../../lib/queries/forecast');
    const { loadRunRecords } = await import('../../lib/queries/run-records');
    const running = (await pool.query<{ id: number }>(`SELECT id FROM "Run" WHERE status = 'running' ORDER BY id`)).rows.map((r) => r.id);
    expect(running.length).toBeGreaterThanOrEqual(10);
    const served = await getRunForecasts(running);
    const { calibration } = await forecastCalibration();
    const every = (await loadRunRecords({ statuses: ['completed', 'stopped', 'crashed'], hidden: 'exclude' }))
      .map((record) => finishedCurve(asForecastRun(record)))
      .filter((curve) => curve !== null);
    expect(every.length).toBeGreaterThan(700);
    for (const record of await loadRunRecords({ ids: running })) {
      const expected = forecastRun(asForecastRun(record), { calibration, finished: every });
      const got = served.find((f) => f.runId === record.id)!;
      const pick = (f: typeof got) => ({
        incumbent: f.incumbent,
        pBeat: f.pBeat,
        verdict: f.verdict,
        mean: f.mean,
        lo: f.lo,
        hi: f.hi,
        calibration: f.calibration,
      });
      expect(pick(got), `run ${record.id}`).toEqual(pick(expected));
      expect(got.incumbent).not.toBeNull();
      // The correction rests on the latest peers of its strategy, never more than CORRECTING_PEERS.
      expect(got.calibration.peers).toBeLessThanOrEqual(30);
    }
    // …and the bound is reached here: some strategies have more peers than that.
    expect(Math.max(...served.map((f) => f.calibration.peers))).toBe(30);
  }, 120_000);
});
