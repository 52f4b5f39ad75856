// The compare page on a realistic mix in a real browser: four tasks, runs validating every
// epoch and every second epoch, runs of different lengths, two dataset sizes of task 1. One small
// multiple per task × dataset size, one group per strategy in each, n shown; pooling only on request.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../helpers/db';
import { closeWebSuite, openWebSuite } from '../helpers/web-suite';
import { mixedCounts, writeMixedLogs } from './mixed';
import type { ThawServer } from '../../testkit/thaw-server';

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  let runCount = 0;
  const { epochs } = mixedCounts();
  ({ database, logs, server, browser, page } = await openWebSuite({
    name: 'compare_agg_web',
    writeLogs: async (dir) => {
      runCount = await writeMixedLogs(dir);
    },
    ready: {
      check: async ({ database }) => {
        const [row] = await database.query<{ runs: number; epochs: number }>(
          `SELECT (SELECT count(*)::int FROM "Run") AS runs, (SELECT count(*)::int FROM "EpochMetric") AS epochs`,
        );
        return row!.runs === runCount && row!.epochs === epochs;
      },
      what: 'the mixed runs ingested',
      timeoutMs: 90_000,
    },
    viewport: { width: 1440, height: 1100 },
    pageErrors,
  }));
}, 240_000);

afterAll(() => closeWebSuite({ browser, server, database, logs }));

describe('compare page on mixed tasks, schedules and lengths', () => {
  const facets = () => page.getByTestId('compare-facet');

  it('draws one chart per task × dataset size, one group per strategy in each, with n', async () => {
    await page.goto(`${server.url}/compare?smooth=0`);
    await expect.poll(() => facets().count(), { timeout: 30_000 }).toBe(5);
    expect(await facets().evaluateAll((els) => els.map((el) => el.getAttribute('data-task')))).toEqual(['1', '1', '2', '3', '4']);
    // every facet's canvas is drawn
    // (read in one pass, polled: a canvas a re-render replaces between listing and measuring has no box)
    const widths = () =>
      page.locator('[data-testid="compare-facet"] canvas').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().width));
    await expect.poll(async () => (await widths()).length, { timeout: 30_000 }).toBe(5);
    await expect.poll(async () => Math.min(...(await widths())), { timeout: 30_000 }).toBeGreaterThan(300);
    expect(Number(await page.getByTestId('compare-chart').getAttribute('data-points'))).toBeGreaterThan(0);
    // groups per facet: two strategies per task, one on task 1's bigger dataset
    const groupsPerFacet = await facets().evaluateAll((els) => els.map((el) => el.querySelectorAll('[data-testid="facet-group"]').length));
    expect(groupsPerFacet.sort()).toEqual([1, 2, 2, 2, 2]);
    // n shown next to every group, and in every aggregate's label
    for (const n of await page.getByTestId('facet-group').evaluateAll((els) => els.map((el) => el.getAttribute('data-n')))) {
      expect(n).toMatch(/^train n=\d+(–\d+)? · val n=\d+(–\d+)?$/);
    }
    const series = await page
      .getByTestId('series-list')
      .locator('li')
      .evaluateAll((els) =>
        els.map((el) => ({ task: el.getAttribute('data-task'), n: el.getAttribute('data-n'), label: el.textContent ?? '' })),
      );
    expect(series).toHaveLength(18);
    for (const s of series) expect(s.label).toContain(`(mean, ${s.n})`);
    // task 1 · unfreeze 4: three runs of different lengths, so the n behind the line changes
    expect(series.some((s) => s.task === '1' && s.n === 'n=1–3')).toBe(true);
    // the summary table has a task column
    const rows = page.getByTestId('compare-summary').locator('tbody tr');
    expect(await rows.count()).toBe(9);
    const tasks = await page.getByTestId('summary-task').allInnerTexts();
    expect(tasks.filter((t) => t.startsWith('task 2'))).toHaveLength(2);
    await page.screenshot({ path: 'test-results/compare-aggregates.png', fullPage: true });
  });

  it('pools tasks only on request, and then says so and offers to split', async () => {
    await page.getByTestId('pool-all').click();
    await page.waitForURL(/pool=1/);
    await expect.poll(() => facets().count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('pool-warning').innerText()).toMatch(/Pooled: each strategy's mean mixes tasks 1, 2, 3, 4/);
    expect(await page.getByTestId('compare-summary').locator('tbody tr').count()).toBe(2);
    await page.getByTestId('pool-warning').getByRole('button', { name: 'Split by task' }).click();
    await page.waitForURL((url) => !url.searchParams.has('pool'), { timeout: 30_000 });
    await expect.poll(() => facets().count(), { timeout: 30_000 }).toBe(5);
    expect(new URL(page.url()).searchParams.get('pool')).toBeNull();
  });

  it('the step and time axes draw the same facets', async () => {
    for (const x of ['step', 'time'] as const) {
      await page.getByTestId(`x-${x}`).click();
      await page.waitForURL(new RegExp(`x=${x}`));
      await expect.poll(() => page.getByTestId('compare-chart').getAttribute('data-x'), { timeout: 30_000 }).toBe(x);
      expect(await facets().count()).toBe(5);
    }
  });

  it('rendered without a script error or a hydration mismatch', () => {
    expect(pageErrors).toEqual([]);
  });
});
