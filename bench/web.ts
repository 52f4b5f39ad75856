// Web benchmarks: the compare API on 50 runs × 100k step points (points=1000), the runs API on
// 1,000 runs, the time from navigation to a drawn compare chart in Chromium, and to every chart of
// the compare page drawn on the realistic mix (testkit/mix.ts). Data is generated
// deterministically with SQL (testkit/synthetic/seeded-runs.ts) into fresh bench databases, served by a real
// `thaw start`, and dropped afterwards.
//
// The API figures are p95 over repeated requests with warm caches, which is what a user sees while
// exploring; the first request after start-up (cold: every run's steps summarised once, one
// parallel scan of all 5M points) is reported separately.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import type { Page } from 'playwright-core';
import { ensureWebBuild } from '../cli/web';
import { launchBrowser } from '../testkit/browser';
import { facetsShown, mixIngested, writeRealisticMix } from '../testkit/mix';
import { seedSyntheticRuns } from '../testkit/synthetic/seeded-runs';
import { createBenchDatabase, guarded, percentile, round, type BenchDatabase, type Figure, type Outcome } from './support';
import { freePort } from '../lib/server/ports';
import { migrate } from '../lib/db/migrate';

const THAW_BIN = fileURLToPath(new URL('../bin/thaw.mjs', import.meta.url));

export interface WebBenchOptions {
  compareRuns?: number;
  stepsPerRun?: number;
  listRuns?: number;
  requests?: number;
  pageLoads?: number;
}

interface Served {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

export async function serve(db: BenchDatabase, logs: string): Promise<Served> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [THAW_BIN, 'start', '--no-build', '--port', String(port), '--logs', logs], {
    env: { ...process.env, DATABASE_URL: db.url, THAW_LOG_LEVEL: 'warn', THAW_TOKEN: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 120_000;
  while (!stderr.includes('Thaw is running at')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`thaw start did not come up:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGKILL'), 8_000).unref();
      }),
  };
}

async function seed(db: BenchDatabase, runs: number, stepsPerRun: number): Promise<number[]> {
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    return await seedSyntheticRuns(pool, { runs, epochs: 50, stepsPerRun, chainLength: 4, pathPrefix: '/bench/web' });
  } finally {
    await pool.end();
  }
}

/** Milliseconds for one GET, body read; throws on a non-200. */
export async function timed(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${response.status} ${url}`);
  return performance.now() - started;
}

/** `count` GETs one after another, cycling through the URLs (one URL: the same request again). */
export async function latencies(urls: string | readonly string[], count: number): Promise<number[]> {
  const list = typeof urls === 'string' ? [urls] : urls;
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(await timed(list[i % list.length]!));
  return out;
}

function figure(name: string, value: number, limit: number | null, target: string, unit = 'ms'): Figure {
  return {
    name,
    value: round(value, 1),
    unit,
    limit,
    ratio: limit === null ? null : round(value / limit, 2),
    target,
    ...(limit === null ? {} : { met: value <= limit }),
  };
}

/**
 * Loads each URL in turn in one browser page and measures, in the page's own clock, from navigation
 * start until `drawn` resolves and two more frames have been painted. The one measuring loop of the
 * page figures.
 */
async function drawnTimes(urls: readonly string[], drawn: (page: Page) => Promise<unknown>): Promise<number[]> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const times: number[] = [];
    for (const url of urls) {
      await page.goto(url, { waitUntil: 'commit' });
      await drawn(page);
      times.push(
        await page.evaluate(
          () => new Promise<number>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())))),
        ),
      );
    }
    return times;
  } finally {
    await browser.close();
  }
}

/** Navigation start → compare chart drawn (data on the canvas, two frames painted), `loads` times. */
function chartRenderTimes(url: string, loads: number): Promise<number[]> {
  return drawnTimes(
    Array.from({ length: loads }, () => url),
    (page) =>
      page.waitForFunction(
        () => {
          // data-drawn: set by chart.js's afterRender with the points it drew (line-chart.tsx). The
          // server-rendered page already has the chart's wrapper and an empty canvas, so those alone
          // would count a chart as drawn before any line is on it.
          const drawn = document.querySelector('[data-testid="compare-chart"] .chart-wrap')?.getAttribute('data-drawn');
          return Number(drawn ?? 0) > 0;
        },
        undefined,
        { timeout: 30_000 },
      ),
  );
}

const COMPARE_FIGURES = [
  'web_compare_cold_first_request',
  'web_compare_p95_group',
  'web_compare_p95_runs',
  'web_compare_p95_epoch_axis',
  'web_compare_chart_rendered',
] as const;
const LIST_FIGURES = ['web_runs_cold_first_request', 'web_runs_p95', 'web_runs_filtered_p95'] as const;

/** Every figure benchWeb reports, in order (bench/index.ts prints an error object for any it cannot measure). */
export const WEB_FIGURES = [...COMPARE_FIGURES, 'compare_first_after_restart', ...LIST_FIGURES, 'compare_all_charts_drawn_mixed'] as const;

/**
 * The realistic mix (testkit/mix.ts: 60 runs of every kind, ≥ 20 facets) served by `thaw start`:
 * navigation start → every facet of /compare drawn or saying why it has none, scrolling through as a
 * reader does (testkit/mix.ts facetsShown), `loads` times.
 */
export async function mixedCompareTimes(loads: number): Promise<{ times: number[]; facets: number; runs: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'thaw-bench-mix-'));
  await chmod(dir, 0o755);
  const db = await createBenchDatabase('web_mix');
  try {
    await writeRealisticMix(dir);
    const served = await serve(db, dir);
    try {
      const runs = await mixIngested(served.base);
      let facets = 0;
      const times = await drawnTimes(
        Array.from({ length: loads }, () => `${served.base}/compare`),
        async (page) => {
          const shown = await facetsShown(page, 30_000);
          const blank = shown.filter((f) => f.drawn === 0 && f.reason === '');
          if (blank.length > 0) throw new Error(`${blank.length} of ${shown.length} facets still blank after 30 s`);
          facets = shown.length;
        },
      );
      return { times, facets, runs: runs.length };
    } finally {
      await served.stop();
    }
  } finally {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchWeb(options: WebBenchOptions = {}): Promise<Outcome[]> {
  const compareRuns = options.compareRuns ?? 50;
  const stepsPerRun = options.stepsPerRun ?? 100_000;
  const listRuns = options.listRuns ?? 1000;
  const requests = options.requests ?? 40;
  const pageLoads = options.pageLoads ?? 5;
  await ensureWebBuild(pino({ level: 'warn' }));
  const logs = await mkdtemp(path.join(os.tmpdir(), 'thaw-bench-web-'));
  await chmod(logs, 0o755);
  const outcomes: Outcome[] = [];
  const compareDb = await createBenchDatabase('web_compare');
  const runsDb = await createBenchDatabase('web_runs');
  try {
    const seedStarted = performance.now();
    const ids = await seed(compareDb, compareRuns, stepsPerRun);
    await seed(runsDb, listRuns, 100);
    process.stderr.write(
      `bench web: seeded ${compareRuns} × ${stepsPerRun} steps and ${listRuns} runs in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s\n`,
    );

    // Each figure is measured guarded: one that fails (a browser that will not start, a non-200)
    // becomes an error object and the others are still measured.
    const one = async (name: string, measure: () => Promise<Figure>) =>
      outcomes.push(...(await guarded([name], async () => [await measure()])));

    outcomes.push(
      ...(await guarded(COMPARE_FIGURES, async () => {
        const compare = await serve(compareDb, logs);
        try {
          const runList = ids.join(',');
          const groupUrl = `${compare.base}/api/compare?runs=${runList}&x=step&points=1000`;
          const runsUrl = `${compare.base}/api/compare?runs=${runList}&mode=runs&x=step&points=1000`;
          const epochUrl = `${compare.base}/api/compare?runs=${runList}&points=1000`;
          await one('web_compare_cold_first_request', async () =>
            figure(
              'web_compare_cold_first_request',
              await timed(groupUrl),
              null,
              `first /api/compare after start: summarises ${compareRuns} × ${stepsPerRun} step points once (informational)`,
            ),
          );
          await one('web_compare_p95_group', async () => {
            const group = await latencies(groupUrl, requests);
            return figure(
              'web_compare_p95_group',
              percentile(group, 95),
              150,
              `p95 ≤ 150 ms: /api/compare ${compareRuns} runs × ${stepsPerRun} steps, x=step, points=1000, by strategy (p50 ${round(percentile(group, 50), 1)} ms)`,
            );
          });
          await one('web_compare_p95_runs', async () => {
            await timed(runsUrl);
            const individual = await latencies(runsUrl, requests);
            return figure(
              'web_compare_p95_runs',
              percentile(individual, 95),
              150,
              `p95 ≤ 150 ms: same, one curve per run (${compareRuns * 2} series, p50 ${round(percentile(individual, 50), 1)} ms)`,
            );
          });
          await one('web_compare_p95_epoch_axis', async () => {
            await timed(epochUrl);
            return figure(
              'web_compare_p95_epoch_axis',
              percentile(await latencies(epochUrl, requests), 95),
              150,
              'p95 ≤ 150 ms: the default view (epoch axis, by strategy)',
            );
          });
          await one('web_compare_chart_rendered', async () => {
            const renders = await chartRenderTimes(`${compare.base}/compare?runs=${runList}&x=step`, pageLoads);
            return figure(
              'web_compare_chart_rendered',
              percentile(renders, 50),
              1500,
              `median ≤ 1.5 s from navigation to a drawn compare chart (${compareRuns} runs, x=step; worst ${round(Math.max(...renders), 0)} ms of ${pageLoads})`,
            );
          });
          return [];
        } finally {
          await compare.stop();
        }
      })),
    );

    // A restarted process (or a second one behind a load balancer): nothing in its memory yet.
    await one('compare_first_after_restart', async () => {
      const restarted = await serve(compareDb, logs);
      try {
        return figure(
          'compare_first_after_restart',
          await timed(`${restarted.base}/api/compare?runs=${ids.join(',')}&x=step&points=1000`),
          1000,
          `≤ 1 s: first /api/compare (${compareRuns} runs × ${stepsPerRun} steps, x=step, by strategy) of a restarted web process`,
        );
      } finally {
        await restarted.stop();
      }
    });

    outcomes.push(
      ...(await guarded(LIST_FIGURES, async () => {
        const list = await serve(runsDb, logs);
        try {
          const url = `${list.base}/api/runs`;
          await one('web_runs_cold_first_request', async () =>
            figure(
              'web_runs_cold_first_request',
              await timed(url),
              null,
              `first /api/runs after start, ${listRuns} runs: every verdict computed once (informational)`,
            ),
          );
          await one('web_runs_p95', async () => {
            const warm = await latencies(url, requests);
            return figure(
              'web_runs_p95',
              percentile(warm, 95),
              150,
              `p95 ≤ 150 ms: /api/runs with ${listRuns} runs (p50 ${round(percentile(warm, 50), 1)} ms)`,
            );
          });
          await one('web_runs_filtered_p95', async () =>
            figure(
              'web_runs_filtered_p95',
              percentile(await latencies(`${list.base}/api/runs?task=2&verdict=overfitting&sort=bestVal&dir=asc`, requests), 95),
              150,
              'p95 ≤ 150 ms: filtered by task and verdict, sorted by best validation',
            ),
          );
          return [];
        } finally {
          await list.stop();
        }
      })),
    );

    await one('compare_all_charts_drawn_mixed', async () => {
      const { times, facets, runs } = await mixedCompareTimes(pageLoads);
      if (facets < 20) throw new Error(`the mix made ${facets} facets, not ≥ 20`);
      return figure(
        'compare_all_charts_drawn_mixed',
        percentile(times, 50),
        3000,
        `median ≤ 3 s from navigation to every compare chart drawn or saying why it has none, scrolling through (the realistic mix: ${runs} runs in ${facets} facets; worst ${round(Math.max(...times), 0)} ms of ${pageLoads})`,
      );
    });
    return outcomes;
  } finally {
    await compareDb.drop();
    await runsDb.drop();
    await rm(logs, { recursive: true, force: true });
  }
}

/** Peak resident set (VmHWM) of a process, in MB. */
async function peakRssMegabytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Navigation start → the Forecast cell of every running row filled (two frames painted), `loads` times. */
function forecastColumnTimes(url: string, loads: number): Promise<number[]> {
  return drawnTimes(
    Array.from({ length: loads }, () => url),
    (page) =>
      page.waitForFunction(
        () => {
          const running = [...document.querySelectorAll('[data-testid="run-row"]')].filter((row) =>
            row.querySelector('[data-status="running"]'),
          );
          return running.length > 0 && running.every((row) => row.querySelector('[data-testid="cell-forecast"] [data-state="ready"]'));
        },
        undefined,
        { timeout: 120_000 },
      ),
  );
}

/** Navigation start → runs table drawn (rows in the DOM, two frames painted), for each URL. */
function tableRenderTimes(urls: readonly string[]): Promise<number[]> {
  return drawnTimes(urls, (page) => page.waitForSelector('[data-testid="run-row"]', { timeout: 30_000 }));
}

export interface RunsBenchOptions {
  runs?: number;
  epochs?: number;
  requests?: number;
  pageLoads?: number;
}

/** Every figure benchRuns10k reports, in order. */
export const RUNS10K_FIGURES = [
  'runs_first_after_restart_10k',
  'runs_api_p95_10k',
  'runs_page_drawn_10k',
  'runs_forecast_column_10k',
  'web_rss_10k',
] as const;

/**
 * 10,000 runs (200 epochs each, own-task validation every epoch, strategies and tasks mixed): the
 * runs API and page of a freshly started web process, then p95 over pages, sorts, filters and
 * searches, the Forecast column of the running rows (the page's first loads set off the forecasts'
 * calibration over every finished run in the background, while the next loads are measured), and the
 * web process's peak RSS over all of it.
 */
export async function benchRuns10k(options: RunsBenchOptions = {}): Promise<Outcome[]> {
  const runs = options.runs ?? 10_000;
  const epochs = options.epochs ?? 200;
  const requests = options.requests ?? 40;
  const pageLoads = options.pageLoads ?? 5;
  await ensureWebBuild(pino({ level: 'warn' }));
  const logs = await mkdtemp(path.join(os.tmpdir(), 'thaw-bench-runs-'));
  await chmod(logs, 0o755);
  // An already seeded database (same seed, kept between runs) skips the ~10 min seeding; it is not dropped.
  const seeded = process.env.THAW_BENCH_RUNS10K_DATABASE_URL;
  const db: BenchDatabase = seeded ? { url: seeded, drop: async () => {} } : await createBenchDatabase('runs10k');
  const outcomes: Outcome[] = [];
  const one = async (name: string, measure: () => Promise<Figure>) =>
    outcomes.push(...(await guarded([name], async () => [await measure()])));
  try {
    if (seeded) {
      await migrate(seeded);
      process.stderr.write(`bench runs: using the seeded database THAW_BENCH_RUNS10K_DATABASE_URL\n`);
    } else {
      const seedStarted = performance.now();
      const pool = new pg.Pool({ connectionString: db.url, max: 2 });
      try {
        // Sequential chains over 4 tasks, multi-task validation every epoch (every task seen so far, as
        // the trainer does), every strategy kind, and crashed, stopped and running runs cut part-way.
        await seedSyntheticRuns(pool, { runs, epochs, stepsPerRun: epochs, chainLength: 4, pathPrefix: '/bench/runs', mixed: true });
      } finally {
        await pool.end();
      }
      process.stderr.write(
        `bench runs: seeded ${runs} runs × ${epochs} epochs in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s\n`,
      );
    }
    outcomes.push(
      ...(await guarded(RUNS10K_FIGURES, async () => {
        const served = await serve(db, logs);
        try {
          const api = `${served.base}/api/runs`;
          await one('runs_first_after_restart_10k', async () =>
            figure(
              'runs_first_after_restart_10k',
              await timed(`${api}?limit=50`),
              500,
              `≤ 500 ms: first /api/runs (a page of 50, newest first) of a freshly started web process over ${runs} runs`,
            ),
          );
          await one('runs_api_p95_10k', async () => {
            const variants = [
              '?limit=50',
              '?limit=50&page=37',
              '?limit=50&sort=bestVal&dir=asc',
              '?limit=50&task=2&verdict=overfitting&sort=gap',
              '?limit=50&q=run_0042',
              '?limit=100&status=completed&sort=strategy&page=3',
              '?limit=50&sort=source&dir=asc&page=150',
              '?limit=50&q=unfreeze&sort=epochs',
            ];
            const times = await latencies(
              variants.map((variant) => `${api}${variant}`),
              requests,
            );
            return figure(
              'runs_api_p95_10k',
              percentile(times, 95),
              150,
              `p95 ≤ 150 ms: a page of /api/runs at ${runs} runs (pages, sorts, filters, search; p50 ${round(percentile(times, 50), 1)} ms)`,
            );
          });
          await one('runs_page_drawn_10k', async () => {
            const pages = [
              `${served.base}/`,
              `${served.base}/?page=20`,
              `${served.base}/?task=3&sort=bestVal&dir=asc`,
              `${served.base}/?q=run_01`,
            ];
            const renders = await tableRenderTimes(Array.from({ length: pageLoads }, (_, i) => pages[i % pages.length]!));
            return figure(
              'runs_page_drawn_10k',
              percentile(renders, 50),
              1500,
              `median ≤ 1.5 s from navigation to a drawn runs table at ${runs} runs (pages and filters; worst ${round(Math.max(...renders), 0)} ms of ${pageLoads})`,
            );
          });
          await one('runs_forecast_column_10k', async () => {
            const loads = await forecastColumnTimes(`${served.base}/`, 3);
            return figure(
              'runs_forecast_column_10k',
              percentile(loads, 50),
              3000,
              `median ≤ 3 s from navigation to the Forecast column filled for every running row of the first page at ${runs} runs (one /api/forecasts request after the table is drawn; worst ${round(Math.max(...loads), 0)} ms of ${loads.length}, the first after the calibration the page loads above set off)`,
            );
          });
          await one('web_rss_10k', async () =>
            figure(
              'web_rss_10k',
              await peakRssMegabytes(served.pid),
              400,
              `peak RSS ≤ 400 MB of the web process (thaw start, daemon included) while serving the ${runs}-run bench`,
              'MB',
            ),
          );
          return [];
        } finally {
          await served.stop();
        }
      })),
    );
    return outcomes;
  } finally {
    await db.drop();
    await rm(logs, { recursive: true, force: true });
  }
}
