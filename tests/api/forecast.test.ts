// GET /api/runs/:id/forecast, /api/forecasts and /api/forecasts/backtest over logs the real
// daemon ingested into PostgreSQL: task 1 has six finished runs (three seeds each of a good and an
// overfitting strategy) and two running ones, task 2 two finished runs, and a LeRobot run is forecast
// on its steps.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  forecastBacktestResponse,
  forecastResponse,
  forecastsResponse,
  type ForecastBacktestResponse,
  type ForecastResponse,
} from '../../lib/api/schemas/forecast';
import type { RunsResponse } from '../../lib/api/schemas/runs';
import type { SeriesResponse } from '../../lib/api/schemas/series';
import type { StrategiesResponse } from '../../lib/api/schemas/strategies';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { tempDir, waitFor } from '../helpers/ingest';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';
import { EPOCHS, STRATEGY_LOG_RUNS, runningStrategyLogs, writeStrategyLogs } from '../web/strategy-logs';

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let runs: RunsResponse['runs'];

const LEROBOT = path.resolve(import.meta.dirname, '../fixtures/lerobot/j_smolvla_30k_push403.log');
const RUNNING = 2;

async function get(pathAndQuery: string): Promise<Response> {
  return fetch(`${server.url}${pathAndQuery}`);
}
async function json<T>(pathAndQuery: string): Promise<T> {
  const response = await get(pathAndQuery);
  expect(response.status, `${pathAndQuery}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}
async function forecast(id: number, query = ''): Promise<ForecastResponse> {
  return forecastResponse.parse(await json(`/api/runs/${id}/forecast${query}`));
}
const byFile = (name: string) => {
  const run = runs.find((r) => path.basename(r.source.path) === name);
  if (!run) throw new Error(`no run from ${name}`);
  return run;
};

beforeAll(async () => {
  database = await createTestDatabase('forecast');
  logs = await tempDir('thaw-forecast-logs-');
  await writeStrategyLogs(logs.dir);
  await mkdir(path.join(logs.dir, 'running'), { recursive: true });
  const running = runningStrategyLogs();
  await writeFile(path.join(logs.dir, 'running/unfreeze10-live.log'), running.toStop);
  await writeFile(path.join(logs.dir, 'running/unfreeze6-live.log'), running.onTrack);
  await copyFile(LEROBOT, path.join(logs.dir, 'lerobot.log'));
  server = await startThaw({ databaseUrl: database.url, logs: logs.dir });
  await waitFor(
    async () => {
      runs = ((await (await get('/api/runs')).json()) as RunsResponse).runs;
      return (
        runs.length === STRATEGY_LOG_RUNS + RUNNING + 1 && runs.filter((r) => r.status === 'completed').length === STRATEGY_LOG_RUNS + 1
      );
    },
    { timeoutMs: 90_000, what: 'every run ingested' },
  );
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await logs?.cleanup();
  await database?.drop();
});

/** The level at the end of a series (the rule, computed here independently): mean of the raw points in the last 5%. */
function endLevel(points: [number, number | null][]): number {
  const finite = points.filter((p): p is [number, number] => p[1] !== null);
  const x0 = finite[0]![0];
  const x1 = finite[finite.length - 1]![0];
  const window = finite.filter(([x]) => x >= x1 - 0.05 * (x1 - x0));
  return window.reduce((a, [, y]) => a + y, 0) / window.length;
}

async function valLevel(id: number): Promise<number> {
  const series = await json<SeriesResponse>(`/api/runs/${id}/series?metric=val&smooth=0`);
  const own = series.series.find((s) => s.key === 'val-task1');
  return endLevel(own!.points);
}

describe('GET /api/runs/:id/forecast', () => {
  it('a running run that overfits: forecast to its planned end, the incumbent, unlikely to beat it, GPU minutes saved', async () => {
    const live = byFile('unfreeze10-live.log');
    expect(live.status).toBe('running');
    const f = await forecast(live.id);
    expect(f).toMatchObject({ runId: live.id, metric: 'val', axis: 'epoch', fromX: 9, toX: EPOCHS, level: 0.8, at: 1 });
    expect(f.lo!).toBeLessThanOrEqual(f.mean!);
    expect(f.mean!).toBeLessThanOrEqual(f.hi!);
    expect(f.points).toBe(9);
    // The incumbent: the finished task-1 run that ended lowest (levels computed here from its curve).
    const finished = runs.filter((r) => r.taskId === 1 && r.status === 'completed');
    const levels = await Promise.all(finished.map(async (r) => ({ id: r.id, level: await valLevel(r.id) })));
    const best = levels.sort((a, b) => a.level - b.level)[0]!;
    expect(f.incumbent!.runId).toBe(best.id);
    expect(f.incumbent!.value).toBeCloseTo(best.level, 10);
    // It has turned upward: the forecast says so, names the minimum, and follows the rise.
    expect(f.overfitting).not.toBeNull();
    expect(f.overfitting!.epoch).toBeLessThanOrEqual(6);
    expect(f.mean!).toBeGreaterThan(f.overfitting!.value);
    expect(f.verdict).toBe('unlikely_to_beat');
    expect(f.pBeat!).toBeLessThan(0.1);
    // GPU minutes: the 3 epochs left × its own minutes per epoch, as Strategies computes them (a running
    // run is listed there, not ranked: its figures so far are under runningRuns).
    const strategies = await json<StrategiesResponse>('/api/strategies');
    expect(strategies.recommendations.some((r) => r.ranking.some((s) => s.runIds.includes(live.id)))).toBe(false);
    expect(strategies.recommendations.some((r) => r.running.includes(live.id))).toBe(true);
    const perRun = strategies.recommendations.flatMap((r) => r.runningRuns).find((p) => p.id === live.id)!;
    expect(perRun.minutesPerEpoch!).toBeGreaterThan(0);
    expect(f.minutesSaved!).toBeCloseTo((EPOCHS - 9) * perRun.minutesPerEpoch!, 6);
    expect(f.sentence).toMatch(
      /^Likely ends at [\d.]+ \([\d.]+–[\d.]+\); the best finished run of task 1 ended at [\d.]+: .+ chance to beat it — stopping now saves about \d+ GPU-minutes/,
    );
    expect(f.calibration.kind).toBe('peer');
    expect(f.calibration.peers).toBeGreaterThan(0);
    // The cone runs from the last point to the planned end and ends at the forecast.
    expect(f.path[0]![0]).toBe(9);
    expect(f.path[f.path.length - 1]).toEqual([EPOCHS, f.mean, f.lo, f.hi]);
  });

  it('a running run like the good strategy is on track', async () => {
    const f = await forecast(byFile('unfreeze6-live.log').id);
    expect(f, `${f.sentence} ${JSON.stringify(f.calibration)} ${f.method}`).toMatchObject({
      metric: 'val',
      fromX: 6,
      toX: EPOCHS,
      verdict: 'on_track',
      minutesSaved: null,
      overfitting: null,
    });
    expect(f.pBeat!).toBeGreaterThanOrEqual(0.1);
  });

  it('?at=F answers as if only the points with x ≤ x0 + F·(x_last − x0) had been seen, and forecasts x_last', async () => {
    const done = byFile('unfreeze6-seed1.log');
    const full = await forecast(done.id);
    expect(full).toMatchObject({ at: 1, fromX: EPOCHS, toX: EPOCHS });
    expect(full.mean).toBeCloseTo(await valLevel(done.id), 10); // nothing left to forecast: its own level
    const half = await forecast(done.id, '?at=0.5');
    expect(half).toMatchObject({ at: 0.5, toX: EPOCHS, points: 6 });
    expect(half.fromX!).toBeLessThanOrEqual(1 + 0.5 * (EPOCHS - 1));
    expect(half.mean).not.toBeNull();
    const quarter = await forecast(done.id, '?at=0.25');
    expect(quarter.points).toBe(3);
    expect(quarter.verdict).toBe('insufficient');
    expect(quarter.reason).toMatch(/3 of the 5 validation points/);
  });

  it('the run that ends best in task 1 is never unlikely_to_beat, at any F', async () => {
    const finished = runs.filter((r) => r.taskId === 1 && r.status === 'completed');
    const levels = await Promise.all(finished.map(async (r) => ({ id: r.id, level: await valLevel(r.id) })));
    const best = levels.sort((a, b) => a.level - b.level)[0]!;
    for (let k = 1; k <= 20; k++) {
      const f = await forecast(best.id, `?at=${k / 20}`);
      expect(f.verdict, `at=${k / 20}: ${f.sentence}`).not.toBe('unlikely_to_beat');
    }
  });

  it('a LeRobot run is forecast on its steps; with no finished run of its task it is insufficient', async () => {
    const run = byFile('lerobot.log');
    const f = await forecast(run.id, '?at=0.5');
    expect(f).toMatchObject({ metric: 'train', axis: 'step', at: 0.5, toX: 30_000, incumbent: null, pBeat: null, verdict: 'insufficient' });
    expect(f.reason).toMatch(/no finished run/);
    expect(f.fromX!).toBeLessThanOrEqual(200 + 0.5 * (30_000 - 200));
    expect(f.mean!).toBeGreaterThan(0);
  });

  it.each([
    ['abc', /^at: expected a fraction/],
    ['0', /^at: expected a fraction/],
    ['1.5', /^at: expected a fraction/],
    ['-0.5', /^at: expected a fraction/],
  ])('?at=%s is a 400 naming at', async (at, pattern) => {
    const response = await get(`/api/runs/${runs[0]!.id}/forecast?at=${at}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toMatch(pattern);
  });

  it('an unknown run is a 404; a malformed id a 400', async () => {
    const missing = await get('/api/runs/987654/forecast');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toBe('run 987654 does not exist');
    expect((await get('/api/runs/x/forecast')).status).toBe(400);
  });
});

describe('GET /api/forecasts and /api/forecasts/backtest', () => {
  it('many runs at once give what each run gives alone; unknown ids are left out', async () => {
    const ids = runs.map((r) => r.id);
    const { forecasts } = forecastsResponse.parse(await json(`/api/forecasts?ids=${[...ids, 987654].join(',')}`));
    expect(forecasts.map((f) => f.runId).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    for (const id of ids) expect(forecasts.find((f) => f.runId === id)).toEqual(await forecast(id));
    expect((await get('/api/forecasts')).status).toBe(400);
  });

  it('the backtest replays every finished run and scores coverage and skill per task', async () => {
    const body: ForecastBacktestResponse = forecastBacktestResponse.parse(await json('/api/forecasts/backtest'));
    // 6 + 2 team runs and the LeRobot run.
    expect(body.finishedRuns).toBe(STRATEGY_LOG_RUNS + 1);
    // A 12-epoch run has too few points at 25% (3 of 5): two backtests each; the LeRobot run three.
    expect(body.overall.cases).toBe(2 * STRATEGY_LOG_RUNS + 3);
    const task1 = body.tasks.find((t) => t.taskId === 1)!;
    expect(task1.label).toMatch(/^task 1/);
    expect(task1.runs).toBe(6);
    expect(task1.coverage!).toBeGreaterThanOrEqual(0);
    expect(task1.coverage!).toBeLessThanOrEqual(1);
    expect(task1.skill!).toBeGreaterThan(0);
    // Fewer than 30 backtests of its own: the built-in calibration is used and said so.
    expect(body.calibration.absolute.source).toBe('built_in');
    expect(body.note).toMatch(/left its own run out/);
  });
});
