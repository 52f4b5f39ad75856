// Accessibility judged by a real engine: axe-core (through @axe-core/playwright) on every page at
// 1280 px, in the real browser (testkit/browser.ts), over the data a user really has — the team's
// trainer logs (samples, a sequential multi-task mix, repeated strategies), LeRobot logs, a generic tqdm
// log, crashed and NaN runs, and TensorBoard run directories. A serious or critical violation on any page
// fails the test, with the rule, the nodes and axe's own summary in the message. Pages are also visited
// in the states a user puts them in: a chart switched to its table, the bell's menu open.
// Counts per page go to test-results/a11y.json (before/after figures).
import { appendFile, cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsResponse } from '../../lib/api/schemas/runs';
import { PROJECT_DIR } from '../../testkit/cli';
import { collectPageErrors } from '../../testkit/browser';
import { copySamples, sampleLog } from '../../testkit/samples';
import type { ThawServer } from '../../testkit/thaw-server';
import { waitFor } from '../../testkit/wait';
import type { TestDatabase } from '../helpers/db';
import { closeWebSuite, openWebSuite, type WebSuite } from '../helpers/web-suite';
import { writeMixedLogs } from './mixed';
import { writeStrategyLogs } from './strategy-logs';

const RESULTS = path.join(PROJECT_DIR, 'test-results');
const FIXTURES = path.join(PROJECT_DIR, 'tests', 'fixtures');
const TOKEN = 'a11y-token-0123456789abcdef';
const LEROBOT = ['j_smolvla_30k_push403', 'b2_v032_ts_train232_eval', 'm_loss_nan'];
const LOGS = ['generic_tqdm', 'crash_traceback', 'nan_inf'];

let suite: WebSuite;
let server: ThawServer;
let database: TestDatabase;
let page: Page;
let runs: RunsResponse['runs'] = [];
const pageErrors: string[] = [];

/** The overfitting sample, followed live: its first 14 epochs at start, the rest once Thaw runs (alerts). */
const live: { file: string; rest: Buffer } = { file: '', rest: Buffer.alloc(0) };

async function writeLogs(dir: string): Promise<void> {
  await copySamples(dir);
  const log = await sampleLog('sample_task1_unfreeze8_overfit');
  const at = log.indexOf('Epoch 15/50\n');
  live.file = path.join(dir, 'live', 'overfit.log');
  live.rest = log.subarray(at);
  await mkdir(path.dirname(live.file), { recursive: true });
  await writeFile(live.file, log.subarray(0, at));
  await mkdir(path.join(dir, 'mixed'), { recursive: true });
  await writeMixedLogs(dir);
  await mkdir(path.join(dir, 'strategies'), { recursive: true });
  await writeStrategyLogs(path.join(dir, 'strategies'));
  await mkdir(path.join(dir, 'lerobot'), { recursive: true });
  for (const name of LEROBOT) await cp(path.join(FIXTURES, 'lerobot', `${name}.log`), path.join(dir, 'lerobot', `${name}.log`));
  await mkdir(path.join(dir, 'other'), { recursive: true });
  for (const name of LOGS) await cp(path.join(FIXTURES, 'logs', `${name}.log`), path.join(dir, 'other', `${name}.log`));
  await cp(path.join(FIXTURES, 'rundirs'), path.join(dir, 'rundirs'), { recursive: true });
  await cp(path.join(FIXTURES, 'tfevents-real', 'huggingface'), path.join(dir, 'huggingface'), { recursive: true });
}

beforeAll(async () => {
  await mkdir(RESULTS, { recursive: true });
  let seen = -1;
  let steady = 0;
  suite = await openWebSuite({
    name: 'a11y',
    writeLogs,
    env: { THAW_TOKEN: TOKEN },
    ready: {
      // Every file read: the number of runs holds still for a few polls and none is still being read.
      check: async ({ server }) => {
        const response = await fetch(`${server.url}/api/runs?limit=500`, { headers: { authorization: `Bearer ${TOKEN}` } });
        if (!response.ok) return false;
        runs = ((await response.json()) as RunsResponse).runs;
        steady = runs.length === seen ? steady + 1 : 0;
        seen = runs.length;
        return runs.length >= 30 && steady >= 4;
      },
      what: 'every log ingested',
      timeoutMs: 120_000,
    },
    viewport: { width: 1280, height: 900 },
    pageErrors,
    errors: { console: false },
  });
  ({ server, database } = suite);
  // Training goes on: the live run turns overfitting and completes, which the alerts record.
  for (let at = 0; at < live.rest.length; at += 20_000) await appendFile(live.file, live.rest.subarray(at, at + 20_000));
  await waitFor(
    async () => {
      const response = await fetch(`${server.url}/api/alerts`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const alerts = response.ok ? ((await response.json()) as { alerts: { rule: string }[] }).alerts : [];
      return alerts.some((a) => a.rule === 'overfitting');
    },
    { what: "the live run's overfitting alert", timeoutMs: 60_000 },
  );
  // axe's Playwright helper opens a page of its own in the page's context (to merge the frames'
  // results), which a context made by browser.newPage() refuses: so a context of our own.
  const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  collectPageErrors(page, pageErrors, { console: false });
}, 240_000);

afterAll(() => closeWebSuite(suite ?? { server, database }));

interface PageResult {
  name: string;
  url: string;
  violations: { id: string; impact: string; nodes: number; help: string; targets: string[] }[];
}
const results: PageResult[] = [];

/** Serious and critical violations on the page as it is now. */
async function audit(name: string): Promise<PageResult> {
  const axe = await new AxeBuilder({ page }).analyze();
  const result: PageResult = {
    name,
    url: page.url().replace(server.url, ''),
    violations: axe.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? '',
        nodes: v.nodes.length,
        help: v.help,
        targets: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`),
      })),
  };
  results.push(result);
  return result;
}

function describeViolations(result: PageResult): string {
  return result.violations.map((v) => `${v.impact} ${v.id} ×${v.nodes}: ${v.help}\n    ${v.targets.join('\n    ')}`).join('\n');
}

async function open(url: string): Promise<void> {
  // Not 'networkidle': the live pages hold an event stream open.
  await page.goto(`${server.url}${url}`, { waitUntil: 'load' });
  // Client charts and tables have hydrated when every chart is drawn (or there is none).
  await waitFor(() => page.evaluate(() => [...document.querySelectorAll('.chart-wrap')].every((c) => c.hasAttribute('data-drawn'))), {
    timeoutMs: 20_000,
    what: `${url}: charts drawn`,
  }).catch(() => {});
}

/** Audits each page, then fails on all that have serious or critical violations (not only the first). */
async function expectClean(pages: [name: string, url: string][]): Promise<void> {
  const failures: string[] = [];
  for (const [name, url] of pages) {
    await open(url);
    const result = await audit(name);
    if (result.violations.length > 0) failures.push(`${name} (${result.url}):\n${describeViolations(result)}`);
  }
  expect(failures).toEqual([]);
}

const runOf = (match: (run: RunsResponse['runs'][number]) => boolean, what: string) => {
  const run = runs.find(match);
  if (!run) throw new Error(`no run: ${what}`);
  return run;
};

/**
 * The overfitting sample's run. Its live copy (live/overfit.log) names the same output directory, so
 * both files are one run, and which of them the run lists as its source depends on which was read first.
 */
const overfitSample = () =>
  runOf((r) => /(^|\/)(sample_task1_unfreeze8_overfit|live\/overfit)\.log$/.test(r.source.path), 'overfit sample');

describe('axe-core finds nothing serious on any page (1280 px, realistic data)', () => {
  it('login: the token form', async () => {
    await expectClean([
      ['login', '/login?next=%2F'],
      ['login (wrong token)', '/login?next=%2F&error=1'],
    ]);
  });

  it('signs in with the keyboard alone', async () => {
    await open('/login?next=%2F');
    await page.keyboard.type(TOKEN); // the field has focus
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/`);
  });

  it('runs', async () => {
    await expectClean([['runs', '/']]);
  });

  it('compare, grouped by strategy and run by run', async () => {
    await expectClean([
      ['compare', '/compare'],
      ['compare (runs)', '/compare?mode=runs'],
    ]);
  });

  it('strategies', async () => {
    await expectClean([['strategies', '/strategies']]);
  });

  it('multi-task', async () => {
    await expectClean([['tasks', '/tasks']]);
  });

  it('alerts', async () => {
    await expectClean([['alerts', '/alerts']]);
  });

  it('run pages of each format', async () => {
    const pages: [string, RunsResponse['runs'][number]][] = [
      ['run: team trainer, overfitting', overfitSample()],
      ['run: team trainer, crashed', runOf((r) => r.status === 'crashed', 'a crashed run')],
      ['run: LeRobot', runOf((r) => r.source.path.endsWith('j_smolvla_30k_push403.log'), 'LeRobot 30k')],
      ['run: LeRobot with evals', runOf((r) => r.source.path.endsWith('b2_v032_ts_train232_eval.log'), 'LeRobot eval')],
      ['run: LeRobot NaN loss', runOf((r) => r.source.path.endsWith('m_loss_nan.log'), 'LeRobot NaN')],
      ['run: generic tqdm', runOf((r) => r.format === 'generic_tqdm', 'generic tqdm')],
      ['run: TensorBoard run directory', runOf((r) => r.format === 'tensorboard', 'TensorBoard')],
    ];
    await expectClean(pages.map(([name, run]) => [name, `/runs/${run.id}`]));
  });
});

/** What the focused element shows as its focus indicator (outline or box shadow), and what it is. */
function focusIndicator(p: Page) {
  return p.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2;
    const shadow = style.boxShadow !== 'none';
    return {
      what: `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''} ${el.textContent?.slice(0, 30) ?? ''}`,
      visible: outline || shadow,
      outline: style.outlineColor,
    };
  });
}

describe('charts for people who cannot see them, and for the keyboard', () => {
  it('every chart on Compare is named by its title and axes and described line by line with latest and lowest values', async () => {
    await open('/compare');
    const canvases = page.locator('.chart-wrap [role=img]');
    const count = await canvases.count();
    expect(count).toBeGreaterThan(3);
    let trains = 0;
    let validations = 0;
    for (let i = 0; i < count; i++) {
      const canvas = canvases.nth(i);
      const label = (await canvas.getAttribute('aria-label')) ?? '';
      // Each facet is on the axis its runs have (epoch for the trainer's, step for LeRobot's): the label says which.
      const x = await canvas.evaluate((box) => box.closest<HTMLElement>('.chart-wrap')!.dataset.x);
      expect(['epoch', 'step']).toContain(x);
      expect(label).toMatch(new RegExp(`: line chart of loss against ${x}, \\d+ lines?\\.$`));
      const description = (await page.locator(`[id="${await canvas.getAttribute('aria-describedby')}"]`).textContent()) ?? '';
      // One sentence per line the label counts; train and validation lines with their numbers.
      const lines = Number(/(\d+) lines?\.$/.exec(label)![1]);
      expect((description.match(/: (latest|no values yet)/g) ?? []).length, label).toBe(lines);
      if (/ train: latest \d\.\d{4} at (epoch|step) [\d,]+, lowest \d\.\d{4} at (epoch|step) [\d,]+, [\d,]+ points?\./.test(description))
        trains++;
      if (/ validation: latest \d\.\d{4} at (epoch|step) [\d,]+, lowest/.test(description)) validations++;
    }
    expect(trains).toBeGreaterThan(count / 2);
    expect(validations).toBeGreaterThan(3);
  });

  it("the run page's loss chart says the values the API has", async () => {
    const run = overfitSample();
    const response = await page.request.get(`${server.url}/api/runs/${run.id}/series?metric=train&x=epoch`);
    const train = ((await response.json()) as { series: { points: [number, number | null][] }[] }).series[0]!.points;
    const finite = train.filter((p): p is [number, number] => p[1] !== null);
    const [lastX, lastY] = finite.at(-1)!;
    const lowest = finite.reduce((a, b) => (b[1] < a[1] ? b : a));
    await open(`/runs/${run.id}`);
    const canvas = page.getByTestId('run-loss-chart').locator('[role=img]');
    expect(await canvas.getAttribute('aria-label')).toMatch(/: line chart of loss against epoch, \d+ lines\.$/);
    const description = await page.locator(`[id="${await canvas.getAttribute('aria-describedby')}"]`).textContent();
    expect(description).toContain(
      `train loss (epoch average): latest ${lastY.toFixed(4)} at epoch ${lastX}, lowest ${lowest[1].toFixed(4)} at epoch ${lowest[0]}`,
    );
    expect(description).toMatch(/Marker: best validation/);
  });

  it('"table" shows the chart\'s data as a table, reached and opened by keyboard, and axe finds nothing in it', async () => {
    const run = overfitSample();
    await open(`/runs/${run.id}`);
    const chart = page.getByTestId('run-loss-chart');
    const toggle = chart.getByTestId('chart-table-toggle');
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const table = chart.locator('.chart-table');
    await table.waitFor();
    expect(await table.locator('caption').innerText()).toMatch(/loss by epoch/);
    const headers = await table.locator('thead th').allInnerTexts();
    expect(headers[0]).toBe('epoch');
    expect(headers).toContain('train loss (epoch average)');
    const trainColumn = headers.indexOf('train loss (epoch average)');
    const firstRow = table.locator('tbody tr').first();
    expect(await firstRow.locator('th').innerText()).toBe('1');
    expect(await firstRow.locator('th, td').nth(trainColumn).innerText()).toMatch(/^\d\.\d{4}$/);
    const result = await audit('run page, table open');
    expect(result.violations, describeViolations(result)).toEqual([]);
    await toggle.click();
    expect(await chart.locator('.chart-table').count()).toBe(0);
  });

  it('the focused chart zooms with + and resets with Escape; Compare keeps the range in the URL and clears it', async () => {
    await open('/compare');
    const chart = page.getByTestId('compare-facet-chart').first();
    await chart.locator('[role=img]').focus();
    await page.keyboard.press('+');
    await page.waitForURL(/xmin=/);
    await chart.getByTestId('reset-zoom').waitFor();
    await chart.locator('[role=img]').focus();
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => !url.search.includes('xmin'));
    expect(await chart.getByTestId('reset-zoom').count()).toBe(0);
    // On a run page (no range in the URL) the reset button appears after a keyboard zoom too.
    const run = runOf((r) => r.source.path.endsWith('j_smolvla_30k_push403.log'), 'LeRobot 30k');
    await open(`/runs/${run.id}`);
    const runChart = page.getByTestId('run-loss-chart');
    await runChart.locator('[role=img]').focus();
    await page.keyboard.press('ArrowLeft'); // panning alone does nothing before a zoom (nothing to pan into)
    await page.keyboard.press('+');
    const reset = runChart.getByTestId('reset-zoom');
    await reset.waitFor();
    await reset.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => reset.count()).toBe(0);
  });

  it('every tab stop on Compare, Strategies and a run page shows a focus ring', async () => {
    const run = overfitSample();
    for (const url of ['/compare', '/strategies', `/runs/${run.id}`]) {
      await open(url);
      const seen: string[] = [];
      const invisible: string[] = [];
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        const focus = await focusIndicator(page);
        if (!focus) break;
        seen.push(focus.what);
        if (!focus.visible) invisible.push(focus.what);
      }
      expect(seen.length, url).toBeGreaterThan(10);
      expect(invisible, url).toEqual([]);
    }
  });

  it('strategies are told apart by marker as well as colour in every legend', async () => {
    await open('/compare');
    const keys = page.getByTestId('compare-legend').locator('svg.swatch-key');
    // Strategies of one trainable-layer count share a colour (and so a marker); every other pair differs in both.
    const keyed = await keys.evaluateAll((svgs) =>
      svgs.map((s) => `${s.querySelector('path')?.getAttribute('stroke')}|${s.getAttribute('data-marker')}`),
    );
    const colors = new Set(keyed.map((k) => k.split('|')[0]));
    expect(colors.size).toBeGreaterThan(1);
    expect(new Set(keyed).size).toBe(colors.size);
    expect(new Set(keyed.map((k) => k.split('|')[1])).size).toBe(colors.size);
    await open('/strategies');
    expect(await page.getByTestId('tradeoff-legend').first().locator('svg.swatch-key').count()).toBeGreaterThan(1);
  });

  it("the alerts bell's menu, opened from the keyboard, has nothing serious either; the alerts page lists alerts", async () => {
    await open('/alerts');
    expect(await page.getByTestId('alerts-table').locator('tbody tr').count()).toBeGreaterThan(0);
    await page.getByTestId('alerts-bell').focus();
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('alerts-bell').getAttribute('aria-expanded')).toBe('true');
    const result = await audit('alerts, bell menu open');
    expect(result.violations, describeViolations(result)).toEqual([]);
  });

  it('takes 1280 px screenshots of Compare, Strategies and a run page', async () => {
    const run = overfitSample();
    await mkdir(path.join(RESULTS, 'screenshots'), { recursive: true });
    for (const [name, url] of [
      ['a11y-compare', '/compare'],
      ['a11y-strategies', '/strategies'],
      ['a11y-run', `/runs/${run.id}`],
    ] as const) {
      await open(url);
      await page.screenshot({ path: path.join(RESULTS, 'screenshots', `${name}.png`), fullPage: true });
      // The first screen at its real size, with keyboard focus on a chart (its ring and its table open).
      const toggle = page.getByTestId('chart-table-toggle').first();
      await toggle.focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Shift+Tab'); // back to the chart itself (a mouse click would show no ring)
      await page.screenshot({ path: path.join(RESULTS, 'screenshots', `${name}-focus.png`) });
    }
    expect(pageErrors).toEqual([]);
  });
});

afterAll(async () => {
  await writeFile(path.join(RESULTS, 'a11y.json'), JSON.stringify(results, null, 2));
});
