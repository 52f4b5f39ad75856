// The Strategies page in a real browser: the cost-vs-quality chart is drawn with the Pareto
// front, intervals are shown, and two overlapping single runs read "not distinguishable yet", never as a
// verdict. Screenshots go to test-results/screenshots/strategies-*.png.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../testkit/cli';
import type { TestDatabase } from '../helpers/db';
import { closeWebSuite, openWebSuite } from '../helpers/web-suite';
import type { ThawServer } from '../../testkit/thaw-server';
import { STRATEGY_LOG_RUNS, writeStrategyLogs } from './strategy-logs';

const SCREENSHOTS = path.join(PROJECT_DIR, 'test-results', 'screenshots');

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  ({ database, logs, server, browser, page } = await openWebSuite({
    name: 'strategies_web',
    writeLogs: writeStrategyLogs,
    ready: {
      check: async ({ server }) => {
        const runs = ((await (await fetch(`${server.url}/api/runs`)).json()) as { runs: { status: string }[] }).runs;
        return runs.length === STRATEGY_LOG_RUNS && runs.every((r) => r.status === 'completed');
      },
      what: 'every run ingested and completed',
      timeoutMs: 90_000,
    },
    pageErrors,
  }));
}, 180_000);

afterAll(() => closeWebSuite({ browser, server, database, logs }));

/** Canvas pixels that are not transparent (the chart drew something). */
function paintedPixels(p: Page, index: number): Promise<number> {
  return p.evaluate((i) => {
    const canvas = document.querySelectorAll<HTMLCanvasElement>('[data-testid="tradeoff-chart"] canvas')[i];
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return 0;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let k = 3; k < data.length; k += 4) if ((data[k] ?? 0) > 0) painted++;
    return painted;
  }, index);
}

describe('Strategies page', () => {
  it('draws the cost-vs-quality chart per task with the Pareto front, and intervals in the table', async () => {
    await page.goto(`${server.url}/strategies`);
    const sections = page.getByTestId('recommendation');
    expect(await sections.count()).toBe(2);
    const charts = page.getByTestId('tradeoff-chart');
    expect(await charts.count()).toBe(2);
    await expect.poll(() => paintedPixels(page, 0)).toBeGreaterThan(1000);
    await expect.poll(() => paintedPixels(page, 1)).toBeGreaterThan(1000);
    // task 1: both strategies placed, only 6 layers on the front; task 2: both on the front
    expect(await charts.nth(0).getAttribute('data-points')).toBe('2');
    expect(await charts.nth(0).getAttribute('data-front')).toBe('1');
    expect(await charts.nth(1).getAttribute('data-front')).toBe('2');
    const task1 = sections.nth(0);
    expect(await task1.getByTestId('summary').innerText()).toContain('ranks first');
    expect(await task1.getByText('separated from next').count()).toBe(1);
    expect(await task1.getByText('★ front').count()).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'strategies-front.png'), fullPage: true });
  });

  it('shows two overlapping single runs as "not distinguishable yet", with no winner', async () => {
    await page.goto(`${server.url}/strategies`);
    const task2 = page.getByTestId('recommendation').nth(1);
    expect(await task2.locator('h2').innerText()).toContain('task 2');
    const summary = await task2.getByTestId('summary').innerText();
    expect(summary).toContain('no winner yet');
    expect(summary).not.toContain('ranks first');
    expect(await task2.getByTestId('not-distinguishable').count()).toBe(1);
    expect(await task2.getByText('1 run: own noise').count()).toBe(2);
    expect(await task2.locator('tr.winner').count()).toBe(0);
    expect(await task2.getByTestId('tradeoffs').innerText()).toContain('not established yet');
    expect(pageErrors).toEqual([]);
  });
});
