// Annotations in a real browser: name, tag, star and hide runs on the run page and the runs table
// (single and bulk), and the filters (tag, starred, show hidden), their counts, compare and the
// strategies page follow. A refused change rolls back with a visible error.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsResponse } from '../../lib/api/schemas/runs';
import { PROJECT_DIR } from '../../testkit/cli';
import type { TestDatabase } from '../helpers/db';
import { SAMPLES_DIR, SAMPLE_NAMES, waitFor } from '../helpers/ingest';
import type { ThawServer } from '../../testkit/thaw-server';
import { closeWebSuite, openWebSuite } from '../helpers/web-suite';

const SCREENSHOTS = path.join(PROJECT_DIR, 'test-results', 'screenshots');

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const ids: Record<string, number> = {};

async function runs(query = 'hidden=include'): Promise<RunsResponse> {
  return (await (await fetch(`${server.url}/api/runs?${query}`)).json()) as RunsResponse;
}
const row = (id: number) => page.locator(`[data-testid=run-row][data-run-id="${id}"]`);
const rowIds = async () =>
  (await page.locator('[data-testid=run-row]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run-id'))))).sort();

async function applyFilters(values: { tag?: string; starred?: string; showHidden?: boolean }): Promise<void> {
  const form = page.locator('form[data-testid=filters]');
  if (values.tag !== undefined) await form.locator('select[name=tag]').selectOption(values.tag);
  if (values.starred !== undefined) await form.locator('select[name=starred]').selectOption(values.starred);
  if (values.showHidden !== undefined) await form.locator('[data-testid=filter-hidden]').setChecked(values.showHidden);
  await Promise.all([page.waitForURL(/\?/), form.locator('button[type=submit]').click()]);
  await page.waitForSelector('[data-testid=runs-table]');
}

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  ({ database, logs, server, browser, page } = await openWebSuite({
    name: 'annotations_web',
    writeLogs: async (dir) => {
      for (const name of SAMPLE_NAMES) await copyFile(path.join(SAMPLES_DIR, `${name}.log`), path.join(dir, `${name}.log`));
    },
    ready: {
      check: async ({ server }) =>
        ((await (await fetch(`${server.url}/api/runs?hidden=include`)).json()) as RunsResponse).runs.length === 3,
      what: 'the sample runs',
      timeoutMs: 30_000,
    },
    viewport: { width: 1400, height: 900 },
    pageErrors,
    errors: { ignoreConsole: /Failed to load resource/ },
  }));
  for (const run of (await runs()).runs) ids[path.basename(run.source.path, '.log')] = run.id;
}, 180_000);

afterAll(() => closeWebSuite({ browser, server, database, logs }));

describe('annotations in the browser', () => {
  it('names, tags and stars a run on its page', async () => {
    const id = ids['sample_task1_unfreeze8_overfit']!;
    await page.goto(`${server.url}/runs/${id}`);
    await page.fill('[data-testid=run-name]', 'Unfreeze 8 baseline');
    await page.press('[data-testid=run-name]', 'Enter');
    await page.waitForSelector('[data-testid=run-title-name]');
    await page.fill('[data-testid=tag-input]', 'Baseline, needs review');
    await page.press('[data-testid=tag-input]', 'Enter');
    await page.locator('[data-testid=annotation-editor] [data-testid=tag]', { hasText: 'needs review' }).waitFor();
    await page.click('[data-testid=annotation-editor] [data-testid=star]');
    await page.fill('[data-testid=run-note]', 'Validation turns at epoch 14: use best_model.');
    await page.click('[data-testid=save-note]');
    await waitFor(async () => (await runs()).runs.find((r) => r.id === id)?.note !== null, { what: 'the note saved' });
    const saved = (await runs()).runs.find((r) => r.id === id);
    expect(saved).toMatchObject({ name: 'Unfreeze 8 baseline', tags: ['baseline', 'needs review'], starred: true, hidden: false });
    // Removing a chip.
    await page.click('[data-testid=annotation-editor] button[aria-label="remove tag needs review"]');
    await waitFor(async () => (await runs()).runs.find((r) => r.id === id)?.tags.length === 1, { what: 'the tag removed' });
    // A refused change rolls back and says why.
    await page.fill('[data-testid=tag-input]', 'x'.repeat(41));
    await page.press('[data-testid=tag-input]', 'Enter');
    await expect(page.locator('[data-testid=annotation-error]').textContent()).resolves.toContain('at most 40 characters');
    expect(await page.locator('[data-testid=annotation-editor] [data-testid=tag]').allTextContents()).toEqual(['baseline×']);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'annotations-run.png'), fullPage: true });
  });

  it('stars, tags and hides runs on the runs table, and the filters follow', async () => {
    const [t1, t2, t3] = SAMPLE_NAMES.map((name) => ids[name]!);
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-testid=runs-table]');
    expect(await row(t1!).locator('[data-testid=run-name]').textContent()).toBe('Unfreeze 8 baseline');
    expect(await row(t1!).locator('[data-testid=star]').getAttribute('aria-pressed')).toBe('true');

    // Star one row from the table.
    await row(t2!).locator('[data-testid=star]').click();
    await waitFor(async () => (await runs()).runs.find((r) => r.id === t2)?.starred === true, { what: 'the row star saved' });

    // Bulk: tag two runs.
    await row(t2!).locator('input[type=checkbox]').check();
    await row(t3!).locator('input[type=checkbox]').check();
    await page.fill('[data-testid=bulk-tag]', 'sweep-3');
    await page.press('[data-testid=bulk-tag]', 'Enter');
    await row(t3!).locator('[data-testid=tag]', { hasText: 'sweep-3' }).waitFor();
    await row(t2!).locator('[data-testid=tag]', { hasText: 'sweep-3' }).waitFor();
    // The tag filter learns the new tag and its count once the page re-renders.
    await waitFor(async () => (await page.locator('select[name=tag] option').allTextContents()).includes('sweep-3 (2)'), {
      what: 'the tag count',
    });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'annotations-runs.png'), fullPage: true });

    await applyFilters({ tag: 'sweep-3' });
    expect(await rowIds()).toEqual([t2, t3].sort());
    await applyFilters({ tag: '', starred: '1' });
    expect(await rowIds()).toEqual([t1, t2].sort());

    // Hide one run (bulk): it leaves the table; "show hidden" brings it back.
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-testid=runs-table]');
    await row(t3!).locator('input[type=checkbox]').check();
    await page.click('[data-testid=bulk-hide]');
    await waitFor(async () => (await rowIds()).length === 2, { what: 'the hidden run to leave the table' });
    expect(await rowIds()).toEqual([t1, t2].sort());
    await waitFor(
      async () => (await page.locator('[data-testid=filter-hidden]').locator('xpath=..').textContent())?.includes('(1)') ?? false,
      {
        what: 'the hidden count',
      },
    );
    await applyFilters({ showHidden: true });
    expect(await rowIds()).toEqual([t1, t2, t3].sort());
    expect(await row(t3!).getAttribute('class')).toContain('hidden-run');

    // Compare leaves the hidden run out and says so; the link brings it in.
    await page.goto(`${server.url}/compare`);
    expect(await page.locator('[data-testid=hidden-toggle]').textContent()).toContain('1 hidden run left out');
    const compared = async () =>
      ((await (await fetch(`${server.url}/api/compare${new URL(page.url()).search}`)).json()) as { runs: { id: number }[] }).runs.map(
        (r) => r.id,
      );
    expect(await compared()).not.toContain(t3);
    await Promise.all([page.waitForURL(/hidden=include/), page.click('[data-testid=hidden-toggle] a')]);
    expect(await compared()).toContain(t3);

    // Strategies counts the hidden runs it leaves out too (it used to say only "Hidden runs are left out").
    await page.goto(`${server.url}/strategies`);
    expect(await page.locator('[data-testid=hidden-toggle]').textContent()).toContain('1 hidden run left out');

    // Strategies: the task's episodes, typed once, place it in the rule-of-thumb table.
    const form = page.locator('[data-testid=episodes-form]').first();
    await form.locator('input').fill('1200');
    await form.locator('button').click();
    await page.locator('text=(given for the task)').first().waitFor();
    expect(pageErrors).toEqual([]);
  });
});
