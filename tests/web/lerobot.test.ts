// LeRobot runs in a real browser (playwright-core + @sparticuz/chromium) against `thaw start`: a
// step-based run's page and Compare open on the steps axis with their curves drawn, the header shows
// steps done/total, last and smoothed loss, batch, episodes and frames, the runs table fills "Last
// train", and a printed eval success rate gets its own chart. Screenshots go to test-results/screenshots/.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsResponse } from '../../lib/api/schemas/runs';
import { PROJECT_DIR } from '../../testkit/cli';
import type { TestDatabase } from '../helpers/db';
import { closeWebSuite, openWebSuite } from '../helpers/web-suite';
import type { ThawServer } from '../../testkit/thaw-server';

const FIXTURES = path.join(PROJECT_DIR, 'tests', 'fixtures', 'lerobot');
const SCREENSHOTS = path.join(PROJECT_DIR, 'test-results', 'screenshots');
const FILES = ['j_smolvla_30k_push403', 'h_logfreq20_rounded_1K_2K', 'b2_v032_ts_train232_eval', 'k_keyboard_interrupt', 'm_loss_nan'];

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let browser: Browser;
let page: Page;
let runs: RunsResponse['runs'] = [];
const pageErrors: string[] = [];

const runOf = (name: string) => {
  const run = runs.find((r) => r.source.path.endsWith(`${name}.log`));
  if (!run) throw new Error(`no run for ${name}`);
  return run;
};

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  ({ database, logs, server, browser, page } = await openWebSuite({
    name: 'web_lerobot',
    writeLogs: async (dir) => {
      for (const name of FILES) await copyFile(path.join(FIXTURES, `${name}.log`), path.join(dir, `${name}.log`));
    },
    ready: {
      check: async ({ server }) => {
        const response = await fetch(`${server.url}/api/runs`);
        if (!response.ok) return false;
        runs = ((await response.json()) as RunsResponse).runs;
        return runs.length === FILES.length && runs.every((r) => r.status !== 'running' && r.lastStep !== null);
      },
      what: 'the LeRobot runs ingested',
    },
    pageErrors,
    errors: { console: false },
  }));
}, 180_000);

afterAll(() => closeWebSuite({ browser, server, database, logs }));

describe('LeRobot runs in the browser', () => {
  it('the API rows: steps done/total, the last step loss as Last train, episodes, stopped and failed-push statuses', () => {
    expect(runOf('j_smolvla_30k_push403')).toMatchObject({
      format: 'lerobot',
      status: 'completed',
      lastStep: 30000,
      totalSteps: 30000,
      episodes: 30,
      lastTrainLoss: 0.033,
    });
    expect(runOf('k_keyboard_interrupt').status).toBe('stopped');
  });

  it('the run page opens on the steps axis with the curve drawn and the step-based header', async () => {
    const run = runOf('j_smolvla_30k_push403');
    await page.goto(`${server.url}/runs/${run.id}`);
    const chart = page.getByTestId('run-loss-chart');
    await expect.poll(() => chart.getAttribute('data-x')).toBe('step');
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(150);
    expect(Number(await chart.getAttribute('data-datasets'))).toBeGreaterThanOrEqual(1);
    const header = page.getByTestId('run-header');
    const progress = await page.getByTestId('progress').innerText();
    expect(progress).toContain('step 30,000/30,000');
    expect(progress).toContain('last loss 0.033');
    expect(progress).toMatch(/smoothed 0\.0\d\d/);
    const text = await header.innerText();
    expect(text).toContain('batch 64 · 30,000 steps');
    expect(text).toContain('12,005 frames · 30 episodes');
    expect(text).toContain('model push failed');
    expect(text).toContain('completed');
    expect(text).not.toContain('task?');
    expect(text).not.toContain('epoch 0/?');
    expect(text).not.toContain('– epochs');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lerobot-run.png'), fullPage: true });
  });

  it('a printed eval success rate has its own chart', async () => {
    await page.goto(`${server.url}/runs/${runOf('b2_v032_ts_train232_eval').id}`);
    const evalChart = page.getByTestId('run-eval-chart');
    await expect.poll(() => evalChart.getAttribute('data-points')).toBe('2');
    expect(await evalChart.getAttribute('data-x')).toBe('step');
  });

  it('a stopped run says so', async () => {
    await page.goto(`${server.url}/runs/${runOf('k_keyboard_interrupt').id}`);
    expect(await page.getByTestId('run-header').innerText()).toContain('stopped by the user');
  });

  it('Compare opens on true steps for runs logged at different intervals and draws both', async () => {
    const ids = [runOf('j_smolvla_30k_push403').id, runOf('h_logfreq20_rounded_1K_2K').id];
    await page.goto(`${server.url}/compare?runs=${ids.join(',')}&mode=runs`);
    const chart = page.getByTestId('compare-chart');
    await expect.poll(() => chart.getAttribute('data-x')).toBe('step');
    expect(Number(await chart.getAttribute('data-datasets'))).toBeGreaterThanOrEqual(2);
    // 150 records each (every 200 steps vs every 20 steps): all of them on the steps axis.
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(300);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lerobot-compare.png'), fullPage: true });
  });

  it('a run whose loss turned NaN shows NaN as its last train loss and is diverged at its first NaN step', async () => {
    const run = runOf('m_loss_nan');
    expect(run).toMatchObject({ lastTrainLoss: null, lastTrainLossNonFinite: 'nan', verdict: { status: 'diverged' } });
    await page.goto(server.url);
    const row = page.locator('tr', { has: page.locator(`a[href="/runs/${run.id}"]`) });
    const cell = row.getByTestId('cell-last-train-loss');
    expect(await cell.innerText()).toBe('NaN');
    expect(await cell.getAttribute('class')).toContain('nonfinite');
    expect(await row.innerText()).toContain('diverged');
    await page.goto(`${server.url}/runs/${run.id}`);
    expect(await page.getByTestId('progress').innerText()).toContain('last loss NaN');
    expect(await page.locator('body').innerText()).toContain('Training loss is NaN (not finite) at step 600: diverged.');
  });

  it('the runs table fills Last train and steps for LeRobot runs', async () => {
    await page.goto(server.url);
    const row = page.locator('tr', { has: page.locator(`a[href="/runs/${runOf('j_smolvla_30k_push403').id}"]`) });
    const text = await row.innerText();
    expect(text).toContain('step 30,000/30,000');
    expect(text).toContain('0.033');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lerobot-runs.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
