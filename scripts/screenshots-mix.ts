// `npm run screenshots -- --mix [--out <dir>]`: every page at 1280 px on the realistic mix
// (testkit/mix.ts), to look at the product as a user would. Starts Thaw on the mix (fresh embedded
// PostgreSQL), then appends two SmolVLA trainer logs live (still running: the runs table's Forecast
// column, the run page's cone and incumbent line appear), waits for ingest to settle, and writes
// numbered full-page PNGs (plus a 1280×900 shot of the top of very tall pages) into `--out` (default:
// a new temp dir). After each page it reports sideways scrolling (scrollWidth > 1280) and console or
// page errors; the summary is printed at the end and written to <out>/report.txt.
import { appendFile, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import type { RunsResponse } from '../lib/api/schemas/runs';
import { ensureWebBuild } from '../cli/web';
import { startEmbeddedDatabase } from '../lib/db/embedded';
import { launchBrowser } from '../testkit/browser';
import { facetsShown, mixIngested, writeRealisticMix } from '../testkit/mix';
import { generateSmolvlaLog, type SmolvlaLogOptions } from '../testkit/synthetic/smolvla-log';
import { startThaw } from '../testkit/thaw-server';
import { waitFor } from '../testkit/wait';

const WIDTH = 1280;
const HEIGHT = 900;
/** A page taller than this also gets a viewport-only shot of its top. */
const TALL = 2 * HEIGHT;

type Run = RunsResponse['runs'][number];

/** `YYYYMMDD_HHMMSS` of a moment, in local time (the trainer's run-folder stamp). */
function stamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}_${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`;
}

/**
 * Two task-1 runs being written now, against the mix's finished task-1 runs: one like the good
 * "unfreeze 6" seeds (on track), one slower that overfits after epoch 4 like "unfreeze 10" (the run to
 * stop). `epochs` of each log so far; a longer log begins with the shorter one, so appending the
 * difference is what a trainer writing on would do.
 */
function liveLog(which: 'on-track' | 'to-stop', epochs: number, started: string): Uint8Array {
  const common: SmolvlaLogOptions = {
    taskId: 1,
    epochs,
    epochsTotal: 24,
    stepsPerEpoch: 40,
    // Validation every epoch: the forecast needs five validation points, so both are forecast.
    validationEvery: 1,
    saveEvery: 6,
    outcome: 'running',
    timestamp: started,
  };
  return which === 'on-track'
    ? generateSmolvlaLog({ ...common, seed: 4242, unfreezeLast: 6, timeScale: 1.08, validationShift: 0.003 })
    : generateSmolvlaLog({ ...common, seed: 4343, unfreezeLast: 10, timeScale: 1.4, overfitAfter: 4 });
}

const LIVE = [
  { which: 'on-track', file: 'live/task1-unfreeze6-seed4242.log', from: 4, to: 10 },
  { which: 'to-stop', file: 'live/task1-unfreeze10-seed4343.log', from: 4, to: 9 },
] as const;

/** Writes the live logs' first epochs, then appends one epoch at a time, as a trainer would. */
async function writeLive(logs: string, started: string): Promise<void> {
  for (const live of LIVE) {
    await mkdir(path.dirname(path.join(logs, live.file)), { recursive: true });
    await writeFile(path.join(logs, live.file), liveLog(live.which, live.from, started));
  }
  const top = Math.max(...LIVE.map((l) => l.to));
  for (let epoch = Math.min(...LIVE.map((l) => l.from)) + 1; epoch <= top; epoch++) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const live of LIVE) {
      if (epoch <= live.from || epoch > live.to) continue;
      const before = liveLog(live.which, epoch - 1, started);
      await appendFile(path.join(logs, live.file), liveLog(live.which, epoch, started).subarray(before.length));
    }
  }
}

/** The runs once the listing stops changing over three polls a second apart. */
async function settled(url: string, count: number): Promise<Run[]> {
  let last = '';
  let same = 0;
  let runs: Run[] = [];
  await waitFor(
    async () => {
      runs = ((await (await fetch(`${url}/api/runs?sort=id&dir=asc`)).json()) as RunsResponse).runs;
      const state = JSON.stringify(runs.map((r) => [r.id, r.status, r.epochsDone, r.lastStep, r.lastTrainLoss]));
      same = runs.length === count && state === last ? same + 1 : 0;
      last = state;
      return same >= 3;
    },
    { timeoutMs: 120_000, intervalMs: 1000, what: `${count} runs settled` },
  );
  return runs;
}

/** Scrolls the page through so every chart drawn on demand is drawn, then back to the top. */
async function drawEverything(page: Page): Promise<void> {
  // No named functions inside: tsx's esbuild wraps them in a `__name` helper the page does not have.
  await page.evaluate(async () => {
    for (let y = 0; y < document.documentElement.scrollHeight; y += 600) {
      window.scrollTo(0, y);
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    }
    const deadline = performance.now() + 15_000;
    while (
      [...document.querySelectorAll<HTMLElement>('.chart-wrap')].some((wrap) => wrap.dataset.drawn === undefined) &&
      performance.now() < deadline
    ) {
      for (const wrap of document.querySelectorAll<HTMLElement>('.chart-wrap:not([data-drawn])')) {
        wrap.scrollIntoView({ block: 'center' });
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      }
    }
    window.scrollTo(0, 0);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
  await page.waitForLoadState('networkidle');
}

export interface Shot {
  file: string;
  what: string;
  /** The page's path (with query) it was taken on. */
  url: string;
  scrollWidth: number;
  height: number;
  errors: string[];
}

/**
 * What every screenshot run starts with: the web app built, and a fresh work folder (readable by the
 * server's user) holding an empty `logs/` for the data to be screenshotted.
 */
export async function screenshotWorkDir(prefix: string): Promise<{ work: string; logs: string }> {
  await ensureWebBuild(pino({ level: 'warn' }));
  const work = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(work, 0o755);
  const logs = path.join(work, 'logs');
  await mkdir(logs, { recursive: true });
  return { work, logs };
}

export async function mixScreenshots(out: string): Promise<void> {
  const { work, logs } = await screenshotWorkDir('thaw-screenshots-mix-');
  await writeRealisticMix(logs);
  await mkdir(out, { recursive: true });
  const database = await startEmbeddedDatabase({ dataDir: path.join(work, 'data') });
  const shots: Shot[] = [];
  try {
    const server = await startThaw({ databaseUrl: database.url, logs });
    try {
      const mix = await mixIngested(server.url, 300_000);
      // Started half an hour ago, still being written.
      await writeLive(logs, stamp(new Date(Date.now() - 30 * 60_000)));
      const runs = await settled(server.url, mix.length + LIVE.length);
      await takeAll(server.url, runs, out, shots);
    } finally {
      await server.stop();
    }
  } finally {
    await database.stop();
    await rm(work, { recursive: true, force: true });
  }
  const lines = shots.map((s) => {
    const flags = [
      s.scrollWidth > WIDTH ? `SCROLLS SIDEWAYS (scrollWidth ${s.scrollWidth})` : '',
      ...s.errors.map((e) => `ERROR ${e}`),
    ].filter(Boolean);
    return `${s.file}\t${s.what}\t${s.url}\t${s.height}px${flags.length ? `\t${flags.join(' | ')}` : ''}`;
  });
  await writeFile(path.join(out, 'report.txt'), `${lines.join('\n')}\n`);
  process.stderr.write(`screenshots --mix: ${shots.length} pages in ${out}\n${lines.join('\n')}\n`);
  if (shots.some((s) => s.file.endsWith('(FAILED)'))) process.exitCode = 1;
}

async function takeAll(url: string, runs: Run[], out: string, shots: Shot[]): Promise<void> {
  const from = (source: string): Run => {
    const run = runs.find((r) => r.source.path.includes(source));
    if (!run) throw new Error(`screenshots --mix: no run from …${source}`);
    return run;
  };
  const overfitting =
    runs.find((r) => r.format === 'smolvla_sequential' && r.status === 'completed' && r.verdict.status === 'overfitting') ??
    from('/smolvla/unfreeze9/task1.log');
  const running = from(LIVE[1].file);
  const scalarColumn = '//train/loss';

  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: HEIGHT } });
    const page = await context.newPage();
    let errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    let n = 0;

    /** Opens `pathname`, waits for `ready` and every chart, lets `act` set the page up, and shoots it. */
    const shoot = async (
      name: string,
      what: string,
      pathname: string,
      options: { ready?: string[]; act?: (page: Page) => Promise<void>; navigate?: boolean; fullPage?: boolean } = {},
    ) => {
      n++;
      const file = `${String(n).padStart(2, '0')}-${name}.png`;
      errors = [];
      try {
        if (options.navigate !== false) {
          await page.goto(`${url}${pathname}`);
          await page.waitForLoadState('networkidle');
        }
        for (const selector of options.ready ?? []) await page.locator(selector).first().waitFor({ timeout: 60_000 });
        if (options.navigate !== false) await drawEverything(page);
        await options.act?.(page);
        const { scrollWidth, height } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          height: document.documentElement.scrollHeight,
        }));
        const fullPage = options.fullPage !== false;
        await page.screenshot({ path: path.join(out, file), fullPage });
        shots.push({ file, what, url: pathname, scrollWidth, height, errors });
        if (fullPage && height > TALL) {
          const top = file.replace(/\.png$/, '-top.png');
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.screenshot({ path: path.join(out, top), fullPage: false });
          shots.push({ file: top, what: `${what} (top, 1280×900)`, url: pathname, scrollWidth, height, errors: [] });
        }
        process.stderr.write(
          `screenshots --mix: ${file} ${scrollWidth > WIDTH ? `scrollWidth ${scrollWidth}! ` : ''}${errors.join(' | ')}\n`,
        );
      } catch (error) {
        shots.push({ file: `${file} (FAILED)`, what, url: pathname, scrollWidth: 0, height: 0, errors: [...errors, String(error)] });
        process.stderr.write(`screenshots --mix: ${file} failed: ${String(error)}\n`);
      }
    };

    const forecastCell = '[data-testid="cell-forecast"] [data-state="ready"]';
    await shoot('runs', 'runs table, default sort, live runs with their Forecast', '/', {
      ready: ['[data-testid="run-row"]', forecastCell],
    });
    await shoot(
      'runs-column-forecast-sort',
      `runs table with the scalar column ${scalarColumn}, sorted by forecast`,
      `/?col=${encodeURIComponent(scalarColumn)}&sort=forecast&dir=asc`,
      { ready: ['[data-testid="scalar-column"]', forecastCell] },
    );
    // The table scrolls inside its own box at 1280 px: its right-hand columns (Forecast, the scalar
    // column, Started, Source) are only seen scrolled to them.
    const scrollRight = async (p: Page) => {
      await p.evaluate(() => {
        for (const box of document.querySelectorAll('.table-scroll')) box.scrollLeft = box.scrollWidth;
      });
    };
    await shoot('runs-scrolled-right', 'runs table scrolled to its right-hand columns (Forecast, Started, Source)', '/', {
      ready: ['[data-testid="run-row"]', forecastCell],
      act: scrollRight,
      fullPage: false,
    });
    await shoot(
      'runs-column-forecast-sort-scrolled-right',
      `the same with ${scalarColumn} and sorted by forecast, scrolled right`,
      `/?col=${encodeURIComponent(scalarColumn)}&sort=forecast&dir=asc`,
      { ready: ['[data-testid="scalar-column"]', forecastCell], act: scrollRight, fullPage: false },
    );
    await shoot('compare', 'Compare, default', '/compare', {
      ready: ['[data-testid="compare-facet"]'],
      act: async (p) => {
        await facetsShown(p);
        await p.evaluate(() => window.scrollTo(0, 0));
      },
    });
    await shoot('compare-x-step', 'Compare on the step axis', '/compare?x=step', {
      ready: ['[data-testid="compare-facet"]'],
      act: async (p) => {
        await facetsShown(p);
        await p.evaluate(() => window.scrollTo(0, 0));
      },
    });
    await shoot('compare-scalar', 'Compare with a scalar tag as Y', '/compare', {
      ready: ['[data-testid="compare-scalar"]'],
      act: async (p) => {
        const options = await p
          .getByTestId('compare-scalar')
          .locator('option')
          .evaluateAll((els) => els.map((el) => (el as HTMLOptionElement).value));
        const choice = options.find((o) => o === scalarColumn) ?? options.find((o) => /loss/.test(o)) ?? options.find((o) => o !== '');
        if (!choice) throw new Error('no scalar tag to choose on Compare');
        await p.getByTestId('compare-scalar').selectOption(choice);
        await waitFor(() => new URL(p.url()).searchParams.has('scalar'), { what: 'the scalar in the URL' });
        await p.waitForLoadState('networkidle');
        await facetsShown(p);
        await p.evaluate(() => window.scrollTo(0, 0));
      },
    });
    await shoot('strategies', 'Strategies (rankings, backtest panel)', '/strategies', {
      ready: ['h1', '[data-testid="forecast-backtest"][data-state="ready"]'],
    });
    await shoot('tasks', 'multi-task matrix (forgetting)', '/tasks', { ready: ['h1'] });
    await shoot('alerts', 'alerts', '/alerts', { ready: ['h1'] });
    await shoot('login', 'login', '/login', { ready: ['h1'] });

    const runPages: [string, string, Run, string[]][] = [
      ['run-smolvla-overfitting', 'run: SmolVLA trainer log, finished, overfitting', overfitting, []],
      [
        'run-smolvla-running',
        'run: SmolVLA trainer log still running (forecast cone, incumbent line)',
        running,
        ['[data-testid="run-forecast"][data-state="ready"]'],
      ],
      ['run-lerobot-log', 'run: LeRobot console log with config and eval_loss', from('/lerobot/smolvla_weighing_unfrozen_v06.log'), []],
      ['run-lerobot-log-old', 'run: LeRobot console log (older version)', from('/lerobot/j_smolvla_30k_push403.log'), []],
      [
        'run-lerobot-checkpoints',
        'run: LeRobot checkpoint folders only',
        from('/lerobot-checkpoints/outputs/train/smolvla_grasp_ckpt_done/'),
        [],
      ],
      [
        'run-team-rundir',
        'run: team trainer run dir (event file, results JSON, Hydra)',
        from('/rundirs/outputs/train/task2_weighing/'),
        [],
      ],
      [
        'run-team-step',
        'run: team step-based run dir',
        from('/rundirs-team/outputs/train/task1_moving_grasp/hierarchical_humanoid_v2/'),
        [],
      ],
      ['run-keras', 'run: Keras event files', from('/tensorboard/keras/'), []],
      ['run-lightning', 'run: PyTorch Lightning event files', from('/tensorboard/lightning/'), []],
      ['run-huggingface', 'run: Hugging Face Trainer event file', from('/tensorboard/huggingface/'), []],
    ];
    for (const [name, what, run, ready] of runPages)
      await shoot(name, `${what} (#${run.id})`, `/runs/${run.id}`, { ready: ['h1', ...ready] });

    await shoot('run-chart-table-open', `run page with the chart's table toggle open (#${overfitting.id})`, `/runs/${overfitting.id}`, {
      ready: ['[data-testid="chart-table-toggle"]'],
      act: async (p) => {
        await p.getByTestId('chart-table-toggle').first().click();
        await p.locator('.chart-table').first().waitFor();
        await p.locator('.chart-table').first().scrollIntoViewIfNeeded();
      },
    });
    await shoot('run-chart-keyboard-focus', `run chart with keyboard focus, zoomed in with + (#${running.id})`, `/runs/${running.id}`, {
      ready: ['[data-testid="run-loss-chart"] [role=img]'],
      fullPage: false,
      act: async (p) => {
        // Tab until the chart has focus, as a keyboard user would (focus-visible only shows for keyboard focus).
        await p.locator('body').click({ position: { x: 1, y: 1 } });
        await waitFor(
          async () => {
            await p.keyboard.press('Tab');
            return p.evaluate(() => (document.activeElement?.closest('[data-testid="run-loss-chart"]') ?? null) !== null);
          },
          { timeoutMs: 30_000, intervalMs: 0, what: 'keyboard focus on the chart' },
        );
        await p.keyboard.press('+');
        await p.locator('[data-testid="run-loss-chart"]').scrollIntoViewIfNeeded();
      },
    });
  } finally {
    await browser.close();
  }
}
