// Every TensorBoard scalar in a real browser: the run page's Scalars section (groups, regex filter,
// axis, smoothing, log y, PNG and CSV, collapsed groups in the URL, what is not shown), the runs
// table's step progress and scalar columns, and any tag overlaid on the compare page (per run and as a
// strategy's mean). Runs: the team's two step-based runs (tests/fixtures/rundirs-team), a Keras fit and a
// Hugging Face run (tests/fixtures/tfevents-real), and two generated runs of one team method and task
// (so a strategy's mean rests on two runs). Screenshots (1280 px wide) go to test-results/screenshots/.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../lib/api/respond';
import type { RunsResponse } from '../../lib/api/schemas/runs';
import { PROJECT_DIR } from '../../testkit/cli';
import type { ThawServer } from '../../testkit/thaw-server';
import { waitFor } from '../../testkit/wait';
import type { TestDatabase } from '../helpers/db';
import { copyRealFixtures, copyTeamFixtures } from '../helpers/tfevents-fixtures';
import { concatBytes, encodeEvent, encodeRecord, FILE_VERSION } from '../../testkit/tfevents-writer';
import { closeWebSuite, openWebSuite } from '../helpers/web-suite';

const SCREENSHOTS = path.join(PROJECT_DIR, 'test-results', 'screenshots');
const KERAS =
  'real/keras/tensorboard_logs/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/feature_extraction/20210605-165835';
const DIFFUSION = 'team/outputs/train/task_1000_episodes/diffusion_bs64_usedepth_nofuse/run_20251020_150000';
const HIERARCHICAL = 'team/outputs/train/task1_moving_grasp/hierarchical_humanoid_v2/run_20251021_093000';
const ACT = ['20251101_120000', '20251102_120000'].map((ts) => `team/outputs/train/task1_moving_grasp/act_bs8/run_${ts}`);

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let runs: RunsResponse['runs'];

/** A run of the team's ACT trainer: train/loss and train/lr every 10 optimizer steps, from step 10. */
function actEvents(decay: number): Uint8Array {
  const parts = [encodeRecord(encodeEvent({ wallTime: 1.762e9, step: 0, fileVersion: FILE_VERSION }))];
  for (let step = 10; step <= 1000; step += 10)
    parts.push(
      encodeRecord(
        encodeEvent({
          wallTime: 1.762e9 + step,
          step,
          scalars: [
            { tag: 'train/loss', value: 2 * Math.exp(-step / decay) + 0.05 },
            { tag: 'train/lr', value: 1e-4 },
          ],
        }),
      ),
    );
  return concatBytes(parts);
}

async function writeRuns(dir: string): Promise<void> {
  await copyRealFixtures(path.join(dir, 'real'));
  await copyTeamFixtures(path.join(dir, 'team'));
  for (const [i, run] of ACT.entries()) {
    await mkdir(path.join(dir, run), { recursive: true });
    await writeFile(path.join(dir, run, `events.out.tfevents.176200000${i}.gpu.1.0`), actEvents(300 + 200 * i));
  }
}

const runAt = (relative: string) => {
  const run = runs.find((r) => r.outputDir !== null && path.join(logs.dir, relative).endsWith(r.outputDir));
  if (!run) throw new Error(`no run at ${relative}`);
  return run;
};

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  ({ database, logs, server, browser, page } = await openWebSuite({
    name: 'scalars_web',
    writeLogs: writeRuns,
    ready: {
      check: async ({ server }) => {
        const listed = ((await (await fetch(`${server.url}/api/runs`)).json()) as RunsResponse).runs;
        // 23 runs from the real fixtures, 2 of the team, 2 generated.
        return listed.length === 27;
      },
      what: 'every run ingested',
      timeoutMs: 120_000,
    },
    viewport: { width: 1280, height: 1000 },
    pageErrors,
  }));
  // Every file's points in (their counts settle when the daemon has read them all).
  await waitFor(
    async () => {
      runs = ((await (await fetch(`${server.url}/api/runs`)).json()) as RunsResponse).runs;
      const tags = (await (await fetch(`${server.url}/api/runs/${runAt(HIERARCHICAL).id}/scalars`)).json()) as { tags: unknown[] };
      return tags.tags.length === 12;
    },
    { what: 'the team run’s tags', timeoutMs: 60_000 },
  );
}, 240_000);

afterAll(() => closeWebSuite({ browser, server, database, logs }));

/** The charts of the section that have drawn their points. */
async function drawnCharts(): Promise<number> {
  return page
    .locator('[data-testid="scalar-chart"][data-drawn]')
    .evaluateAll((els) => els.filter((el) => Number(el.getAttribute('data-drawn')) > 0).length);
}

describe('run page: Scalars', () => {
  it('shows every tag of a team run grouped by prefix, no epoch-based Curves panel, and its step progress', async () => {
    const run = runAt(HIERARCHICAL);
    await page.goto(`${server.url}/runs/${run.id}`);
    const section = page.getByTestId('scalars-section');
    await section.waitFor();
    expect(await page.getByTestId('scalars-count').textContent()).toBe('12 tags');
    expect(await page.getByTestId('scalar-group').evaluateAll((els) => els.map((el) => el.getAttribute('data-group')))).toEqual([
      'curriculum',
      'hierarchical',
      'performance',
      'train',
    ]);
    // A run known by its event file alone: no empty loss-curve panel.
    expect(await page.getByTestId('run-loss-chart').count()).toBe(0);
    // Charts draw their points once in view.
    await page.getByTestId('scalar-card').first().scrollIntoViewIfNeeded();
    await waitFor(async () => (await drawnCharts()) >= 2, { what: 'charts drawn' });
    expect(pageErrors).toEqual([]);
  });

  it('filters by regular expression, collapses groups, and keeps both in the URL across a reload', async () => {
    const run = runAt(HIERARCHICAL);
    await page.goto(`${server.url}/runs/${run.id}`);
    await page.getByTestId('scalars-filter').fill('loss$');
    await waitFor(async () => (await page.getByTestId('scalars-count').textContent()) === '6 of 12 tags', { what: 'the filter' });
    await waitFor(() => new URL(page.url()).searchParams.get('sfilter') === 'loss$', { what: 'the filter in the URL' });
    await page.locator('[data-group="curriculum"] [data-testid="scalar-group-toggle"]').click();
    await waitFor(() => new URL(page.url()).searchParams.get('sclosed') === 'curriculum', { what: 'the collapsed group in the URL' });
    await page.reload();
    await page.getByTestId('scalars-section').waitFor();
    expect(await page.getByTestId('scalars-filter').inputValue()).toBe('loss$');
    expect(await page.locator('[data-group="curriculum"] [data-testid="scalar-group-toggle"]').getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator('[data-group="curriculum"] [data-testid="scalar-card"]').count()).toBe(0);
    expect(await page.locator('[data-group="hierarchical"] [data-testid="scalar-card"]').count()).toBe(2);
    // A broken expression says so and filters nothing.
    await page.getByTestId('scalars-filter').fill('loss(');
    await page.getByTestId('scalars-filter-error').waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('switches axis, smoothing and log y on every chart at once, and downloads PNG and exact CSV', async () => {
    const run = runAt(DIFFUSION);
    await page.goto(`${server.url}/runs/${run.id}?ssmooth=0`);
    const chart = page.locator('[data-tag="train/loss"] [data-testid="scalar-chart"]');
    await waitFor(async () => Number((await chart.getAttribute('data-drawn')) ?? 0) > 0, { what: 'train/loss drawn' });
    expect(await chart.getAttribute('data-datasets')).toBe('1');
    // 2,100 points, spike-keeping downsample to at most 1,000 for the chart.
    const drawn = Number(await chart.getAttribute('data-points'));
    expect(drawn > 900 && drawn <= 1000).toBe(true);
    await page.getByTestId('scalars-smoothing').evaluate((input: HTMLInputElement) => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, '0.9');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await waitFor(async () => (await chart.getAttribute('data-datasets')) === '2', { what: 'smoothed over raw' });
    await page.getByTestId('scalars-x-relative').click();
    await waitFor(async () => (await chart.getAttribute('data-x')) === 'time', { what: 'relative time axis' });
    await page.getByTestId('scalars-x-wall').click();
    await waitFor(async () => (await chart.getAttribute('data-x')) === 'wall', { what: 'wall time axis' });
    await page.getByTestId('scalars-log').check();
    await waitFor(async () => (await chart.getAttribute('data-log')) === '1', { what: 'log y' });
    await waitFor(() => new URL(page.url()).searchParams.get('sx') === 'wall' && new URL(page.url()).searchParams.get('slog') === '1', {
      what: 'the settings in the URL',
    });
    const png = page.waitForEvent('download');
    await page.locator('[data-tag="train/loss"] .png-button').click();
    expect((await png).suggestedFilename()).toBe('thaw-run-' + run.id + '-train-loss-wall.png');
    const csvHref = await page.locator('[data-tag="train/loss"] [data-testid="scalar-csv"]').getAttribute('href');
    const rows = parseCsv(await (await fetch(`${server.url}${csvHref}`)).text());
    expect(rows).toHaveLength(2100);
    expect(rows.at(-1)).toEqual({ step: '2100', value: '0.6658729910850525', wallTime: expect.any(String) as unknown });
    expect(pageErrors).toEqual([]);
  });

  it("overlays Keras' train/ and validation/ on one chart and says what is not shown", async () => {
    const run = runAt(KERAS);
    await page.goto(`${server.url}/runs/${run.id}`);
    await page.getByTestId('scalars-section').waitFor();
    const loss = page.locator('[data-tag="epoch_loss"]');
    await loss.scrollIntoViewIfNeeded();
    expect(await loss.getByTestId('scalar-series').evaluateAll((els) => els.map((el) => el.getAttribute('data-dir')))).toEqual([
      'train',
      'validation',
    ]);
    await waitFor(async () => (await loss.getByTestId('scalar-chart').getAttribute('data-datasets')) === '4', {
      what: 'two folders, raw and smoothed',
    });
    expect(await page.getByTestId('scalars-not-shown').textContent()).toBe(
      'Not shown: 1 Keras model graph, 1 graph (train/) — only scalars are charted.',
    );
    await page.getByTestId('scalars-section').screenshot({ path: path.join(SCREENSHOTS, 'scalars-keras.png') });
    const diffusion = runAt(DIFFUSION);
    await page.goto(`${server.url}/runs/${diffusion.id}`);
    await page.getByTestId('scalars-section').waitFor();
    await waitFor(async () => (await drawnCharts()) === 2, { what: 'both charts drawn' });
    await page.getByTestId('scalars-section').screenshot({ path: path.join(SCREENSHOTS, 'scalars-team-diffusion.png') });
    expect(pageErrors).toEqual([]);
  });
});

describe('runs table', () => {
  it("shows a step-based run's steps, never an epoch, and adds any tag's last value as a column", async () => {
    await page.goto(`${server.url}/?q=diffusion`);
    const row = page.locator(`[data-run-id="${runAt(DIFFUSION).id}"]`);
    expect((await row.getByTestId('cell-epochs').textContent())?.trim()).toBe('step 2,100');
    await page.goto(`${server.url}/?q=task1`);
    await page.getByTestId('column-chooser').locator('summary').click();
    await page.getByTestId('column-search').fill('^/train/loss$');
    await page.locator('[data-testid="column-option"][data-key="//train/loss"]').check();
    await waitFor(() => new URL(page.url()).searchParams.get('col') === '//train/loss', { what: 'the column in the URL' });
    await page.getByTestId('scalar-column').waitFor();
    const cell = page.locator(`[data-run-id="${runAt(HIERARCHICAL).id}"] [data-testid="scalar-cell"]`);
    expect(await cell.textContent()).toBe('0.2115');
    expect(await cell.getAttribute('title')).toBe('0.21148701012134552 at step 1000');
    // The column stays through a reload and a filter change.
    await page.reload();
    expect(await page.getByTestId('scalar-column').textContent()).toBe('train/loss');
    expect(pageErrors).toEqual([]);
  });
});

describe('compare: any tag', () => {
  it("overlays a tag per run and as a strategy's mean over the runs that have it, naming the ones left out", async () => {
    const ids = [...ACT.map(runAt), runAt(KERAS)].map((r) => r.id).join(',');
    await page.goto(`${server.url}/compare?runs=${ids}&x=step`);
    await page.getByTestId('compare-scalar').selectOption('//train/loss');
    await waitFor(() => new URL(page.url()).searchParams.get('scalar') === 'train/loss', { what: 'the tag in the URL' });
    const group = page.locator('[data-testid="facet-group"]');
    await waitFor(async () => (await group.count()) === 1 && (await group.getAttribute('data-n')) === 'n=2', {
      what: 'a mean over two runs',
    });
    expect(await page.locator('.notes').textContent()).toContain(`#${runAt(KERAS).id}: no scalar train/loss`);
    await page.getByTestId('mode-runs').click();
    await waitFor(async () => (await page.getByTestId('facet-group').count()) === 2, { what: 'one line per run' });
    // On the epoch axis these step-based runs are not drawn, and the page says why.
    await page.getByTestId('x-epoch').click();
    await waitFor(async () => ((await page.locator('.notes').textContent()) ?? '').includes('is logged per step there'), {
      what: 'the axis note',
    });
    expect(pageErrors).toEqual([]);
  });
});
