// Forecasts in a real browser: task 1's finished runs, a run that overfits (the run to stop)
// and one like the best strategy being written. The run page draws the cone (the chart plugin marks
// it) and the incumbent's line with a link, and says the API's sentence, the overfitting minimum and
// the built-in calibration; the runs table's Forecast column comes in one request for all running
// rows after the table has drawn, again on live updates, and sorts by pBeat; the strategies page
// shows "How good are forecasts here". Screenshots go to test-results/screenshots/forecast-*.png.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForecastBacktestResponse, ForecastResponse } from '../../lib/api/schemas/forecast';
import type { RunsResponse } from '../../lib/api/schemas/runs';
import { PROJECT_DIR } from '../../testkit/cli';
import type { ThawServer } from '../../testkit/thaw-server';
import type { TestDatabase } from '../helpers/db';
import { closeWebSuite, openWebSuite } from '../helpers/web-suite';
import { STRATEGY_LOG_RUNS, runningStrategyLogs, writeStrategyLogs } from './strategy-logs';

const SCREENSHOTS = path.join(PROJECT_DIR, 'test-results', 'screenshots');
const { toStop, onTrack } = runningStrategyLogs();
/** The on-track run's next epoch: appended during the test (a live update). */
const NEXT_EPOCH = runningStrategyLogs(7).onTrack.subarray(onTrack.length);

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let runs: RunsResponse['runs'];

const byFile = (name: string) => runs.find((r) => path.basename(r.source.path) === name)!;
async function api<T>(pathAndQuery: string): Promise<T> {
  const response = await fetch(`${server.url}${pathAndQuery}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  ({ database, logs, server, browser, page } = await openWebSuite({
    name: 'forecast_web',
    writeLogs: async (dir) => {
      await writeStrategyLogs(dir);
      await mkdir(path.join(dir, 'running'), { recursive: true });
      await writeFile(path.join(dir, 'running/to-stop.log'), toStop);
      await writeFile(path.join(dir, 'running/on-track.log'), onTrack);
    },
    ready: {
      check: async ({ server }) => {
        runs = ((await (await fetch(`${server.url}/api/runs`)).json()) as RunsResponse).runs;
        return runs.length === STRATEGY_LOG_RUNS + 2 && runs.filter((r) => r.status === 'completed').length === STRATEGY_LOG_RUNS;
      },
      what: 'every run ingested',
      timeoutMs: 90_000,
    },
    viewport: { width: 1280, height: 900 },
    pageErrors,
  }));
}, 180_000);

afterAll(() => closeWebSuite({ browser, server, database, logs }));

const chart = () => page.getByTestId('run-loss-chart');

describe('the run page', () => {
  it('draws the cone and the incumbent’s line, and says the API’s sentence', async () => {
    const run = byFile('to-stop.log');
    const forecast = await api<ForecastResponse>(`/api/runs/${run.id}/forecast`);
    expect(forecast.verdict).toBe('unlikely_to_beat');
    await page.goto(`${server.url}/runs/${run.id}`);
    const panel = page.locator('[data-testid="run-forecast"][data-state="ready"]');
    await panel.waitFor({ timeout: 30_000 });
    expect(await panel.getByTestId('forecast-sentence').innerText()).toBe(forecast.sentence);
    expect(await panel.getByTestId('forecast-verdict').innerText()).toBe('unlikely to beat');
    expect(await panel.getByTestId('forecast-overfitting').innerText()).toContain(
      `validation bottomed at ${forecast.overfitting!.value.toPrecision(3).replace(/0+$/, '')} at epoch ${forecast.overfitting!.epoch}`,
    );
    // Fewer than 30 backtests here: the interval is calibrated on the built-in curves, and the page says so.
    expect(forecast.calibration.source).toBe('built_in');
    expect(await panel.getByTestId('forecast-calibration').innerText()).toMatch(/built-in backtests/);
    // The chart plugin drew every point of the cone, and the incumbent's level with a link to its run.
    await expect.poll(() => chart().getAttribute('data-cone'), { timeout: 10_000 }).toBe(String(forecast.path.length));
    const reference = chart().getByTestId('reference-incumbent');
    expect(await reference.getAttribute('href')).toBe(`/runs/${forecast.incumbent!.runId}`);
    expect(await reference.innerText()).toBe(
      `best finished run #${forecast.incumbent!.runId}: ${String(Number(forecast.incumbent!.value.toPrecision(3)))}`,
    );
    expect(await chart().getAttribute('data-references')).toBe('1');
    await page.locator('section.panel', { has: chart() }).screenshot({ path: path.join(SCREENSHOTS, 'forecast-run.png') });

    // On the step axis too (epochs × steps per epoch); on wall time no cone, and the page says why.
    await page.getByTestId('x-step').click();
    await expect.poll(() => chart().getAttribute('data-x')).toBe('step');
    await expect.poll(() => chart().getAttribute('data-cone')).toBe(String(forecast.path.length));
    await page.getByTestId('x-time').click();
    await expect.poll(() => chart().getAttribute('data-x')).toBe('time');
    await expect.poll(() => chart().getAttribute('data-cone')).toBe('0');
    expect(await panel.innerText()).toContain('The forecast cone is drawn on the epoch and step axes, not on wall time.');
    expect(pageErrors).toEqual([]);
  });

  it('a finished run has no forecast to draw', async () => {
    await page.goto(`${server.url}/runs/${byFile('unfreeze6-seed1.log').id}`);
    await expect.poll(() => chart().getAttribute('data-drawn')).not.toBeNull();
    expect(await page.getByTestId('run-forecast').count()).toBe(0);
    expect(await chart().getAttribute('data-cone')).toBe('0');
    expect(pageErrors).toEqual([]);
  });
});

describe('the runs table', () => {
  it('fills the Forecast column of the running rows with one request after drawing, and again on a live update', async () => {
    const requests: Request[] = [];
    const record = (request: Request) => {
      if (new URL(request.url()).pathname === '/api/forecasts') requests.push(request);
    };
    page.on('request', record);
    try {
      await page.goto(`${server.url}/`);
      const stop = page.locator(`[data-run-id="${byFile('to-stop.log').id}"] [data-testid="cell-forecast"] [data-state="ready"]`);
      await stop.waitFor({ timeout: 30_000 });
      const running = [byFile('to-stop.log').id, byFile('on-track.log').id].sort((a, b) => a - b);
      expect(requests.map((r) => new URL(r.url()).searchParams.get('ids'))).toEqual([running.join(',')]);
      const forecasts = new Map(
        (await api<{ forecasts: ForecastResponse[] }>(`/api/forecasts?ids=${running.join(',')}`)).forecasts.map((f) => [f.runId, f]),
      );
      const stopForecast = forecasts.get(byFile('to-stop.log').id)!;
      const badge = stop.locator('.badge');
      expect(await badge.innerText()).toBe(`stop: saves ~${Math.round(stopForecast.minutesSaved!)} min`);
      expect(await badge.getAttribute('title')).toBe(stopForecast.sentence);
      expect(await stop.locator('.num').getAttribute('title')).toMatch(/^80% interval [\d.]+–[\d.]+ at epoch 12 \(validation loss\)$/);
      const track = page.locator(`[data-run-id="${byFile('on-track.log').id}"] [data-testid="cell-forecast"] [data-state="ready"]`);
      expect(await track.getAttribute('data-forecast-verdict')).toBe('on_track');
      expect(await track.locator('.badge').innerText()).toMatch(/^on track · (\d+%|over 99%)$/);
      // Finished rows have no forecast.
      expect(await page.locator(`[data-run-id="${byFile('unfreeze6-seed1.log').id}"] [data-testid="cell-forecast"]`).innerText()).toBe('');
      await page.evaluate(() => {
        document.querySelector('.table-scroll')!.scrollLeft = 10_000;
      });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'forecast-runs.png') });

      // A live update of a running run: the column is fetched again, for all running rows at once.
      await appendFile(path.join(logs.dir, 'running/on-track.log'), NEXT_EPOCH);
      await expect.poll(() => requests.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      expect(new Set(requests.map((r) => new URL(r.url()).searchParams.get('ids')))).toEqual(new Set([running.join(',')]));
    } finally {
      page.off('request', record);
    }
    expect(pageErrors).toEqual([]);
  });

  it('sorts by the chance to beat the best finished run: running rows first', async () => {
    const stopId = byFile('to-stop.log').id;
    const trackId = byFile('on-track.log').id;
    await page.goto(`${server.url}/?sort=forecast&dir=asc`);
    await page.locator(`[data-run-id="${trackId}"] [data-testid="cell-forecast"] [data-state="ready"]`).waitFor({ timeout: 30_000 });
    const order = () =>
      page.locator('[data-testid="run-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run-id'))));
    // Ascending: the least likely to beat it first — the run to stop.
    await expect.poll(async () => (await order()).slice(0, 2)).toEqual([stopId, trackId]);
    await page.getByRole('button', { name: 'Forecast' }).click(); // → descending
    await expect.poll(() => page.url()).toContain('dir=desc');
    await expect.poll(async () => (await order()).slice(0, 2)).toEqual([trackId, stopId]);
    expect(pageErrors).toEqual([]);
  });
});

describe('the strategies page', () => {
  it('shows how good the forecasts have been: coverage, error and runs replayed per task', async () => {
    const backtest = await api<ForecastBacktestResponse>('/api/forecasts/backtest');
    await page.goto(`${server.url}/strategies`);
    const panel = page.locator('[data-testid="forecast-backtest"][data-state="ready"]');
    await panel.waitFor({ timeout: 60_000 });
    expect(await panel.locator('h2').innerText()).toBe('How good are forecasts here');
    const rows = panel.getByTestId('backtest-row');
    // One row per task, then all tasks together.
    expect(await rows.count()).toBe(backtest.tasks.length + 1);
    for (const [i, task] of backtest.tasks.entries()) {
      const cells = await rows.nth(i).locator('td').allInnerTexts();
      expect(cells.slice(0, 3)).toEqual([task.label, String(task.runs), String(task.cases)]);
      expect(cells[3]).toBe(`${Math.round(task.coverage! * 100)}%`);
      expect(cells[5]).toBe(`${task.skill!.toFixed(2)}×`);
    }
    expect(await panel.getByTestId('backtest-note').innerText()).toBe(backtest.note);
    expect(await panel.getByTestId('backtest-calibration').innerText()).toMatch(/built-in backtests/);
    await panel.screenshot({ path: path.join(SCREENSHOTS, 'forecast-strategies.png') });
    expect(pageErrors).toEqual([]);
  });
});
