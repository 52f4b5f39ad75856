// Run directories through the real `thaw start`: the API's config, sources and configDiff, and a
// growing event file showing new epochs on the open run page within 2 s (real browser).
import { appendFile, cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../../testkit/browser';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANGE_CHANNEL } from '../../lib/live/changes';
import { compareResponse } from '../../lib/api/schemas/compare';
import { runDetailSchema } from '../../lib/api/schemas/run';
import { runsResponse } from '../../lib/api/schemas/runs';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { tempDir, waitFor } from '../helpers/ingest';
import { epochRecords, eventFileOf, runDirOf, writeRunDir, type RunDirSpec } from '../helpers/rundir';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/rundirs');
const LIVE: RunDirSpec = { taskId: 3, taskName: 'live', timestamp: '20251205_090000', epochs: 40, batchSize: 64, lr: 3e-5, seed: 7 };

let database: TestDatabase;
let dir: string;
let cleanup: () => Promise<void>;
let server: ThawServer;
let browser: Browser | undefined;

const api = async (url: string) => (await fetch(url)).json() as Promise<unknown>;
const runs = async () => runsResponse.parse(await api(`${server.url}/api/runs`)).runs;

beforeAll(async () => {
  database = await createTestDatabase('web_rundirs');
  const temp = await tempDir('thaw-web-rundirs-');
  dir = temp.dir;
  cleanup = () => temp.cleanup();
  await cp(FIXTURES, dir, { recursive: true });
  // A live run: its config and the first 3 epochs of its event file; no console log.
  await writeRunDir(dir, LIVE, { events: false, results: false });
  await mkdir(runDirOf(dir, LIVE), { recursive: true });
  await writeFile(eventFileOf(dir, LIVE), epochRecords(LIVE, 1, 3, true));
  server = await startThaw({ databaseUrl: database.url, logs: dir });
  await waitFor(async () => (await runs()).length === 3, { timeoutMs: 60_000, what: 'three runs' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.drop();
  await cleanup?.();
});

describe('run directories in the API', () => {
  it('gives each run its config tree and the files it was built from', async () => {
    const all = await runs();
    expect(all).toHaveLength(3);
    const load = () => Promise.all(all.map(async (run) => runDetailSchema.parse(await api(`${server.url}/api/runs/${run.id}`))));
    // The daemon reads the files in parallel: wait until every file has joined its run.
    await waitFor(async () => (await load()).reduce((sum, d) => sum + d.sources.length, 0) === 4 + 3 + 2, { what: 'all sources' });
    const details = await load();
    const task1 = details.find((d) => d.run.timestamp === '20251120_080000')!;
    expect(task1.sources.map((s) => s.kind)).toEqual(['log', 'tfevents', 'results_json', 'hydra_config']);
    expect(task1.strategySource).toBe('log');
    expect(task1.config?.overrides).toContain('training.batch_size=32');
    const task2 = details.find((d) => d.run.timestamp === '20251121_080000')!;
    expect(task2.sources.map((s) => s.kind)).toEqual(['tfevents', 'results_json', 'hydra_config']);
    expect(task2.strategySource).toBe('config');
    expect(task2.strategy.unfrozen).toEqual([8, 9, 10, 11]);
    expect(task2.run.status).toBe('completed');
    expect(task2.validation.rows.filter((row) => row.final)).toHaveLength(1);
  });

  it('compare lists the config keys that differ and warns about confounders across strategies', async () => {
    const ids = (await runs()).map((run) => run.id).join(',');
    const data = compareResponse.parse(await api(`${server.url}/api/compare?runs=${ids}&mode=runs`));
    const keys = data.configDiff.rows.map((row) => row.key);
    expect(keys).toEqual(expect.arrayContaining(['training.batch_size', 'policy.unfreeze_vision_layers', 'training.seed']));
    expect(data.configDiff.warning).toMatch(/^these runs differ in more than their freeze strategy: they also differ in /);
    expect(data.configDiff.confounders).toEqual(expect.arrayContaining(['batch size', 'seed']));
  });
});

describe('a growing event file on the open run page', () => {
  // The latency of one append is the whole live path: inotify on the event file → the daemon's tailer
  // commits → NOTIFY → the server's one LISTEN connection → SSE → the page's 150 ms coalescing → the
  // re-rendered header. On a loaded machine one sample can be slow for reasons that are not Thaw's
  // (the browser or the server process not scheduled), so several appends are measured, each from the
  // moment its bytes are written (appendFile has closed the file) to the moment the page shows the
  // epoch, and the median must be within 2 s; each single one must still arrive (within 15 s). Under
  // the full suite's parallel load the server's re-render alone was seen at ~1.9 s: a measurement over
  // the bound is taken again (up to twice, on new epochs of the same file) before the test fails.
  let appended = 3;
  it('shows new epochs within 2 s (median of 7 appends)', { retry: 2 }, async () => {
    const live = (await runs()).find((run) => run.taskId === LIVE.taskId)!;
    await browser?.close();
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(`${server.url}/runs/${live.id}`);
    const header = page.getByTestId('run-header');
    await header.getByText(new RegExp(`epoch ${appended}\\b`)).waitFor({ timeout: 15_000 });
    // Appends count from when the page listens for changes.
    await expect.poll(() => page.getByTestId('live-indicator').getAttribute('data-status'), { timeout: 15_000 }).toBe('live');
    await expect(page.getByTestId('strategy-from-config').textContent()).resolves.toBe('from config, not confirmed by the log');
    // Where the time goes: the daemon's commit (its NOTIFY, seen on a LISTEN of our own) vs the rest.
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    let notified = Number.POSITIVE_INFINITY;
    listener.on('notification', () => (notified = Math.min(notified, performance.now())));
    await listener.query(`LISTEN ${CHANGE_CHANNEL}`);
    const latencies: number[] = [];
    const commits: number[] = [];
    try {
      for (let epoch = appended + 1, last = appended + 7; epoch <= last; epoch++) {
        notified = Number.POSITIVE_INFINITY;
        await appendFile(eventFileOf(dir, LIVE), epochRecords(LIVE, epoch, epoch, false));
        appended = epoch;
        const flushed = performance.now();
        await header.getByText(new RegExp(`epoch ${epoch}\\b`)).waitFor({ timeout: 15_000 });
        latencies.push(Math.round(performance.now() - flushed));
        commits.push(Math.round(notified - flushed));
      }
    } finally {
      await listener.end();
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    process.stderr.write(
      `growing event file → page: ${latencies.join(', ')} ms (median ${median(latencies)} ms); ` +
        `of which bytes → committed: ${commits.join(', ')} ms (median ${median(commits)} ms)\n`,
    );
    expect(median(latencies)).toBeLessThan(2_000);
  });
});
