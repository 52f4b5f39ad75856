// Issue 26 on the realistic mix (testkit/mix.ts: SmolVLA trainer logs and chains, LeRobot logs of several
// versions, LeRobot checkpoint folders alone, team and real-writer TensorBoard run directories; 60 runs)
// in a real browser at 1280 px: Compare never leaves a facet blank (each is drawn, on the axis its runs
// have, or says in one line why it has no chart) and its HTML report still takes every chart; no page
// scrolls sideways; Strategies says why an interval is missing and counts steps for LeRobot buckets;
// LeRobot runs are faceted and ranked by their dataset; a checkpoint-only run's page shows its step
// progress, checkpoints and status note instead of empty charts; the lower sections of run pages read
// from run directories (Scalars on the axis the verdict uses, no pending multi-task validation, no error
// for a run without a console log). Screenshots: test-results/screenshots/.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../lib/api/respond';
import { compareResponse } from '../../lib/api/schemas/compare';
import type { RunsResponse } from '../../lib/api/schemas/runs';
import type { StrategiesResponse } from '../../lib/api/schemas/strategies';
import { PROJECT_DIR } from '../../testkit/cli';
import { facetsShown, MIX_RUN_COUNT, mixIngested, mixPages, writeRealisticMix } from '../../testkit/mix';
import type { ThawServer } from '../../testkit/thaw-server';
import type { TestDatabase } from '../helpers/db';
import { closeWebSuite, openWebSuite } from '../helpers/web-suite';

const SCREENSHOTS = path.join(PROJECT_DIR, 'test-results', 'screenshots');
const WIDTH = 1280;

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let browser: Browser;
let page: Page;
let runs: RunsResponse['runs'] = [];
const pageErrors: string[] = [];

const runFrom = (source: string) => {
  const run = runs.find((r) => r.source.path.includes(source));
  if (!run) throw new Error(`no run from …${source}`);
  return run;
};

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  ({ database, logs, server, browser, page } = await openWebSuite({
    name: 'web_realistic_mix',
    writeLogs: async (dir) => {
      await writeRealisticMix(dir);
    },
    ready: {
      check: async ({ server }) => {
        const response = await fetch(`${server.url}/api/runs`);
        return response.ok && ((await response.json()) as RunsResponse).runs.length === MIX_RUN_COUNT;
      },
      what: `the mix's ${MIX_RUN_COUNT} runs`,
      timeoutMs: 120_000,
    },
    viewport: { width: WIDTH, height: 900 },
    pageErrors,
    errors: { console: false },
  }));
  runs = await mixIngested(server.url);
}, 300_000);

afterAll(() => closeWebSuite({ browser, server, database, logs }));

describe('the realistic mix', () => {
  it('holds every kind of run', () => {
    const formats = new Map<string, number>();
    for (const run of runs) formats.set(run.format, (formats.get(run.format) ?? 0) + 1);
    expect(runs).toHaveLength(MIX_RUN_COUNT);
    expect(formats.get('smolvla_sequential')).toBeGreaterThanOrEqual(20);
    expect(formats.get('lerobot')).toBeGreaterThanOrEqual(20);
    expect(formats.get('tensorboard')).toBeGreaterThanOrEqual(10);
    // known only from its checkpoint folders, which reached the configured 20,000 steps
    expect(runFrom('/smolvla_grasp_ckpt_done/')).toMatchObject({
      format: 'lerobot',
      status: 'completed',
      lastStep: 20000,
      totalSteps: 20000,
    });
  });
});

describe('Compare on the mix', () => {
  it('leaves no facet blank: each is drawn on an axis its runs have, or says in one line why it has no chart', async () => {
    await page.goto(`${server.url}/compare`);
    const facets = await facetsShown(page);
    expect(facets.length).toBeGreaterThanOrEqual(20);
    const blank = facets.filter((f) => f.drawn === 0 && f.reason === '');
    expect(blank).toEqual([]);
    // LeRobot runs (no epochs) open by step next to the SmolVLA runs by epoch (a LeRobot log without a
    // dataset is charted in its experiment folder's facet, as are the TensorBoard runs)
    expect(
      new Set(facets.filter((f) => (f.facet.startsWith('task') || f.facet.startsWith('folder:')) && f.drawn > 0).map((f) => f.x)),
    ).toEqual(new Set(['epoch', 'step']));
    expect(facets.filter((f) => f.facet.startsWith('dataset:') && f.drawn > 0).every((f) => f.x === 'step')).toBe(true);
    // the checkpoint-only runs say why, in one line
    const reasons = facets.filter((f) => f.reason !== '');
    expect(reasons.map((f) => f.reason)).toContain(
      'No chart: #' +
        runFrom('/smolvla_grasp_ckpt_done/').id +
        ': known only from checkpoint folders (step 20,000 of 20,000), no loss logged.',
    );
    for (const f of reasons) expect(f.reason).not.toContain('\n');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'mix-compare.png'), fullPage: false });
  });

  it('faceted by dataset, labelled with its name, never "task unknown" for a run that has one (item 6)', async () => {
    await page.goto(`${server.url}/compare`);
    const weighing = page.locator('[data-testid="compare-facet"][data-facet^="dataset:kuavo/task2_weighing_lerobot"]');
    await expect.poll(() => weighing.count()).toBe(1);
    expect(await weighing.locator('figcaption strong').innerText()).toBe('kuavo/task2_weighing_lerobot');
    expect(await weighing.locator('figcaption').innerText()).toContain('3 runs');
    const summaryTasks = await page.getByTestId('summary-task').allInnerTexts();
    expect(summaryTasks).toContain('kuavo/task2_weighing_lerobot');
    // every run with a dataset sits in that dataset's facet
    const data = compareResponse.parse(await (await fetch(`${server.url}/api/compare`)).json());
    const withDataset = runs.filter((r) => r.taskId === null && r.dataset !== null);
    expect(withDataset.length).toBeGreaterThanOrEqual(15);
    for (const run of withDataset) {
      const facet = data.facets.find((f) => f.runIds.includes(run.id));
      expect([run.id, facet?.label, facet?.dataset]).toEqual([run.id, run.dataset, run.dataset]);
    }
  });

  it('runs with neither task nor dataset are faceted by their experiment folder, never pooled with unrelated runs', async () => {
    const data = compareResponse.parse(await (await fetch(`${server.url}/api/compare`)).json());
    const orphans = runs.filter((r) => r.taskId === null && !r.dataset);
    expect(orphans.length).toBeGreaterThanOrEqual(10);
    for (const run of orphans) {
      const facet = data.facets.find((f) => f.runIds.includes(run.id));
      expect([run.id, facet?.experiment]).toEqual([run.id, run.experiment]);
      expect(facet?.label).toMatch(/^folder /);
      // every run of the facet comes from the same experiment folder
      for (const id of facet?.runIds ?? []) expect(runs.find((r) => r.id === id)?.experiment).toBe(run.experiment);
    }
    // Stable-Baselines3's PPO (loss ~10⁴) is nobody's neighbour; the two Hugging Face runs of one folder share a facet.
    const ppo = runFrom('sb3/logs/PPO_3');
    expect(data.facets.find((f) => f.runIds.includes(ppo.id))?.runIds).toEqual([ppo.id]);
    const hf = runs.filter((r) => r.source.path.includes('huggingface/runs/'));
    expect(hf.length).toBe(2);
    expect(new Set(hf.map((r) => data.facets.find((f) => f.runIds.includes(r.id))?.key)).size).toBe(1);
    expect(data.facets.some((f) => f.label.startsWith('task unknown'))).toBe(false);
    await page.goto(`${server.url}/compare`);
    const shares = await page.getByTestId('overfitting-shares').innerText();
    expect(shares).not.toMatch(/ 0\.0% \(0 of 0\)/);
    const caption = await page.getByTestId('config-diff-caption').innerText();
    expect(caption).toMatch(/^(All \d+ runs in view\.|\d+ of \d+ runs in view: the first \d+ in the list of runs above)/);
  });

  it('Strategies ranks no running run: each is listed as still running, not ranked yet', async () => {
    const strategies = (await (await fetch(`${server.url}/api/strategies`)).json()) as StrategiesResponse;
    const running = runs.filter((r) => r.status === 'running').map((r) => r.id);
    const ranked = strategies.recommendations.flatMap((rec) => rec.ranking.flatMap((s) => s.runIds));
    const listed = strategies.recommendations.flatMap((rec) => rec.running);
    for (const id of running) expect([id, ranked.includes(id)]).toEqual([id, false]);
    for (const id of listed) expect(running).toContain(id);
    for (const rec of strategies.recommendations)
      for (const s of rec.ranking)
        if (s.bestValidation.lo !== null) expect(s.bestValidation.hi! / s.bestValidation.lo).toBeLessThanOrEqual(4 + 1e-9);
    if (listed.length > 0) {
      await page.goto(`${server.url}/strategies`);
      expect(await page.getByTestId('running-not-ranked').first().innerText()).toMatch(/^still running, not ranked yet: #\d+/);
    }
  });

  it('the HTML report takes every chart, drawn or not yet scrolled to, and lists the facets without one', async () => {
    await page.goto(`${server.url}/compare`);
    const charted = await page.locator('[data-testid="compare-facet"][data-x]:not([data-x=""])').count();
    const uncharted = await page.getByTestId('facet-no-chart').count();
    expect(charted).toBeGreaterThanOrEqual(20);
    // straight away, before any scrolling: most charts have not been drawn yet
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('compare-report').click()]);
    const html = await readFile(await download.path(), 'utf8');
    expect(html.match(/<img src="data:image\/png;base64,/g)?.length).toBe(charted);
    expect(html.match(/<li><strong>[^<]+<\/strong>: No chart: /g)?.length).toBe(uncharted);
  });

  it('a PNG of a chart far down the page downloads even before it was scrolled to', async () => {
    await page.goto(`${server.url}/compare`);
    const last = page.locator('[data-testid="compare-facet"][data-x]:not([data-x=""])').last();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), last.getByTestId('chart-png').click()]);
    const bytes = await readFile(await download.path());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('no page scrolls sideways at 1280 px', () => {
  it('every page of the mix, a run page of each format included', async () => {
    const wide: string[] = [];
    const pages = mixPages(runs);
    expect(pages.length).toBeGreaterThanOrEqual(19);
    for (const { name, path: pathname } of pages) {
      await page.goto(`${server.url}${pathname}`);
      await page.waitForLoadState('networkidle');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > WIDTH) {
        // what sticks out, for the failure message: elements past the edge not inside a scroll box
        const culprits = await page.evaluate((limit) => {
          const out: string[] = [];
          for (const el of document.querySelectorAll<HTMLElement>('body *')) {
            if (el.getBoundingClientRect().right <= limit + 1) continue;
            let box = el.parentElement;
            while (box && box !== document.body && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
            if (!box || box === document.body) out.push(`${el.tagName.toLowerCase()}.${el.className}`);
          }
          return out.slice(0, 5);
        }, WIDTH);
        wide.push(`${name} (${pathname}): ${width} px, ${culprits.join(', ')}`);
      }
    }
    expect(wide).toEqual([]);
  });

  it('wide tables scroll inside their own labelled, keyboard-focusable box', async () => {
    await page.goto(`${server.url}/strategies`);
    const boxes = page.locator('.table-scroll');
    expect(await boxes.count()).toBeGreaterThan(0);
    const attributes = await boxes.evaluateAll((els) =>
      els.map((el) => [el.getAttribute('tabindex'), el.getAttribute('role'), el.getAttribute('aria-label') ?? '']),
    );
    for (const [tabindex, role, label] of attributes) {
      expect([tabindex, role]).toEqual(['0', 'region']);
      expect(label).not.toBe('');
    }
  });
});

describe('the runs table at 1280 px', () => {
  it('shows Run to Verdict whole on its first screen, clips no badge, and breaks headers only at "/" or spaces', async () => {
    for (const pathname of ['/', '/?col=%2F%2Ftrain%2Floss&sort=forecast&dir=asc']) {
      await page.goto(`${server.url}${pathname}`);
      await page.getByTestId('run-row').first().waitFor();
      if (pathname.includes('col=')) expect(await page.getByTestId('scalar-column').innerText()).toMatch(/^train\/\s*loss$/);
      const problems = await page.evaluate(() => {
        const out: string[] = [];
        const table = document.querySelector('[data-testid="runs-table"]')!;
        const box = table.closest('.table-scroll')!.getBoundingClientRect();
        const inside = (r: DOMRect) => r.left >= box.left - 0.5 && r.right <= box.right + 0.5;
        const heads = [...table.querySelectorAll<HTMLElement>('thead th')];
        const verdict = heads.findIndex((th) => th.innerText.trim() === 'Verdict');
        if (verdict < 0) out.push('no Verdict column');
        for (const th of heads.slice(0, verdict + 1)) {
          if (!inside(th.getBoundingClientRect())) out.push(`column "${th.innerText.trim()}" past the box's right edge`);
        }
        for (const badge of table.querySelectorAll<HTMLElement>('[data-testid="cell-verdict"] .badge')) {
          if (!inside(badge.getBoundingClientRect())) out.push(`verdict "${badge.innerText}" cut at the box's edge`);
          if (badge.scrollWidth > badge.clientWidth + 1) out.push(`verdict "${badge.innerText}" clipped inside its badge`);
        }
        // a header's words stay whole: each on one line (a line may break only at a space or after "/")
        for (const th of heads) {
          const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const word of (node.textContent ?? '').matchAll(/[^\s/]+/g)) {
              const range = document.createRange();
              range.setStart(node, word.index);
              range.setEnd(node, word.index + word[0].length);
              const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
              if (lines.size > 1) out.push(`header "${th.innerText.replace(/\n/g, ' ')}" breaks "${word[0]}"`);
            }
          }
        }
        return out;
      });
      expect(problems, pathname).toEqual([]);
    }
  });
});

// What a newcomer reads first on a run that is not the SmolVLA trainer's: the run page's header and the
// runs table name it by its facet (dataset or experiment folder, as Compare does), show only what it
// recorded, and say plainly when it has no vision-freeze strategy; the trainer's own pages keep every fact.
describe("the run header and the runs table for runs that are not the SmolVLA trainer's", () => {
  const DASH_SOUP = /– epochs|batch –|lr –|– steps|– total|– trainable|\(–\)|\/–|\/\?/;
  const facts = (header: ReturnType<Page['getByTestId']>) =>
    header.locator('dl.facts').evaluate((dl) => [...dl.querySelectorAll('dt')].map((dt) => dt.textContent ?? ''));

  it.each([
    ['Keras', '/tensorboard/keras/'],
    ['Stable-Baselines3', '/tensorboard/sb3/'],
    ['Hugging Face', '/tensorboard/huggingface/'],
    ['PyTorch Lightning', '/tensorboard/lightning/'],
  ])('a %s run page: headed by its experiment folder, no dash soup, no freeze strategy', async (_name, source) => {
    const run = runFrom(source);
    expect([run.taskId, run.dataset, run.experiment]).toEqual([null, null, expect.any(String)]);
    await page.goto(`${server.url}/runs/${run.id}`);
    const header = page.getByTestId('run-header');
    const title = await header.locator('h1').innerText();
    expect(title).toMatch(new RegExp(`^#${run.id} · folder \\S+/\\S+$`));
    expect(title).not.toContain('task?');
    // the same label Compare gives its facet
    const data = compareResponse.parse(await (await fetch(`${server.url}/api/compare`)).json());
    expect(title).toBe(`#${run.id} · ${data.facets.find((f) => f.runIds.includes(run.id))?.label}`);
    const text = await header.innerText();
    expect(text).not.toMatch(DASH_SOUP);
    const shown = await facts(header);
    for (const row of ['Loaded from', 'Chain', 'Parameters', 'Dataset']) expect(shown).not.toContain(row);
    expect(shown).toEqual(expect.arrayContaining(['Output dir', 'Progress', 'Started / last seen', 'Built from']));
    for (const dd of await header.locator('dl.facts dd').allInnerTexts()) expect(dd.trim()).not.toBe('–');
    expect(await header.locator('[data-strategy-state]').innerText()).toBe('no freeze strategy recorded');
    expect(await header.getByTestId('layer-strip').count()).toBe(0);
    expect(text).not.toContain('default (unknown)');
  });

  it('the Keras run page: its config says only what it recorded, and the screenshot', async () => {
    const run = runFrom('/tensorboard/keras/');
    await page.goto(`${server.url}/runs/${run.id}`);
    const header = page.getByTestId('run-header');
    expect(await header.locator('[data-fact="Progress"]').innerText()).toMatch(/^epoch \d+ · last train \d\.\d{4}$/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'mix-keras-run.png'), fullPage: false });
  });

  it('a LeRobot run is headed by its dataset; a team step run keeps its unknown strategy, without dashes', async () => {
    const lerobot = runFrom('/lerobot/smolvla_weighing_unfrozen_v06.log');
    await page.goto(`${server.url}/runs/${lerobot.id}`);
    expect(await page.getByTestId('run-header').locator('h1').innerText()).toBe(
      `#${lerobot.id} · kuavo/task2_weighing_lerobot · LeRobot smolvla_weighing_unfrozen_v06`,
    );
    const team = runFrom('/rundirs-team/outputs/train/task1_moving_grasp/hierarchical_humanoid_v2/');
    await page.goto(`${server.url}/runs/${team.id}`);
    const header = page.getByTestId('run-header');
    const text = await header.innerText();
    expect(text).not.toMatch(DASH_SOUP);
    // its Hydra config is a SmolVLA policy's that names no freezing: the trainer's default, unknown
    expect(await header.locator('[data-strategy-state]').first().getAttribute('data-strategy-state')).toBe('unknown');
    expect(await header.getByTestId('layer-strip').count()).toBeGreaterThan(0);
  });

  it('the SmolVLA trainer run page keeps every fact', async () => {
    const run = runFrom('/smolvla/unfreeze9/task2.log');
    await page.goto(`${server.url}/runs/${run.id}`);
    const header = page.getByTestId('run-header');
    expect(await header.locator('h1').innerText()).toMatch(new RegExp(`^#${run.id} · task2 `));
    expect(await facts(header)).toEqual(
      expect.arrayContaining(['Output dir', 'Loaded from', 'Chain', 'Config', 'Dataset', 'Parameters', 'Progress', 'Started / last seen']),
    );
    expect(await header.locator('[data-fact="Config"]').innerText()).toMatch(
      /^\d+ epochs · batch \d+ · lr \S+ · \d+ steps\/epoch · [\d,]+ steps$/,
    );
    expect(await header.locator('[data-fact="Parameters"]').innerText()).toMatch(/ total · .* trainable \(\d+\.\d%\)/);
    expect(await header.locator('[data-strategy-state]').first().getAttribute('data-strategy-state')).toBe('known');
    expect(await header.locator('[data-testid="layer-strip"] .layer').count()).toBe(12);
  });

  it('the runs table: a run without a task shows its facet label, a run without a freeze strategy says so', async () => {
    await page.goto(`${server.url}/`);
    await page.getByTestId('run-row').first().waitFor();
    const data = compareResponse.parse(await (await fetch(`${server.url}/api/compare`)).json());
    const taskless = runs.filter((r) => r.taskId === null);
    expect(taskless.length).toBeGreaterThanOrEqual(25);
    for (const run of taskless) {
      const row = page.locator(`tr[data-run-id="${run.id}"]`);
      const label = data.facets.find((f) => f.runIds.includes(run.id))?.label.split(' · ')[0];
      expect([run.id, await row.getByTestId('task-facet').innerText()]).toEqual([run.id, label]);
      expect(await row.getByTestId('cell-task').innerText()).not.toBe('–');
    }
    for (const source of ['/tensorboard/keras/', '/tensorboard/sb3/']) {
      const row = page.locator(`tr[data-run-id="${runFrom(source).id}"]`);
      expect(await row.getByTestId('cell-strategy').innerText()).toBe('no freeze strategy recorded');
      expect(await row.getByTestId('layer-strip').count()).toBe(0);
    }
    // the SmolVLA trainer's rows keep their label and 12-layer strip
    const smolvla = page.locator(`tr[data-run-id="${runFrom('/smolvla/unfreeze9/task2.log').id}"]`);
    expect(await smolvla.getByTestId('cell-strategy').innerText()).toContain('unfreeze 9/12');
    expect(await smolvla.locator('[data-testid="layer-strip"] .layer').count()).toBe(12);
    expect(await smolvla.getByTestId('cell-task').innerText()).toMatch(/^task2\b/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'mix-runs.png'), fullPage: false });
    expect(pageErrors).toEqual([]);
  });
});

describe('Strategies on the mix', () => {
  it('ranks LeRobot runs by dataset, counts their steps, and never leaves an interval blank', async () => {
    await page.goto(`${server.url}/strategies`);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'mix-strategies.png'), fullPage: false });
    // the ranking is not cut at its right edge: at 1280 px every ranking fits its panel
    const cut = await page
      .locator('.strategies-table')
      .evaluateAll((tables) => tables.filter((t) => t.scrollWidth > t.parentElement!.clientWidth + 1).map((t) => t.scrollWidth));
    expect(cut).toEqual([]);
    const weighing = page.locator('[data-testid="recommendation"]', { hasText: 'kuavo/task2_weighing_lerobot' }).first();
    await expect.poll(() => weighing.count()).toBe(1);
    const heads = await weighing.locator('.strategies-table th').allInnerTexts();
    expect(heads).toEqual(expect.arrayContaining(['Best step', 'Steps to 5%']));
    expect(heads).not.toContain('Best epoch');
    // every interval cell says something: an interval, or why there is none
    const cells = await page.locator('.strategies-table tbody tr td:nth-child(4)').allInnerTexts();
    expect(cells.length).toBeGreaterThan(10);
    for (const cell of cells) expect(cell.trim()).not.toBe('');
    expect(await page.getByTestId('interval-reason').count()).toBeGreaterThan(0);
    // per-run noise as ±x%
    const perRun = weighing.locator('details.per-run');
    await perRun.locator('summary').click();
    const noise = await perRun.locator('tbody tr td:nth-child(4)').allInnerTexts();
    expect(noise.some((text) => /^±\d+(\.\d)?%$/.test(text))).toBe(true);
    await weighing.screenshot({ path: path.join(SCREENSHOTS, 'mix-strategies-lerobot.png') });
  });
});

describe('a LeRobot run known only from its checkpoint folders', () => {
  it('shows its step progress, its checkpoints and why it is completed, and no empty chart', async () => {
    const run = runFrom('/smolvla_grasp_ckpt_done/');
    await page.goto(`${server.url}/runs/${run.id}`);
    const progress = page.getByTestId('run-progress');
    expect(await progress.getByTestId('progress-steps').innerText()).toBe('step 20,000 / 20,000');
    expect(await progress.locator('progress').getAttribute('value')).toBe('1');
    expect(await page.getByTestId('status-note').innerText()).toBe(
      'completed: its newest checkpoint (step 20,000) reached the configured 20,000 steps',
    );
    const rows = progress.getByTestId('checkpoint-row');
    expect(await rows.count()).toBe(2);
    const texts = await rows.allInnerTexts();
    expect(texts[0]).toMatch(/10,000[\s\S]*smolvla_grasp_ckpt_done\/checkpoints\/010000[\s\S]*on disk/);
    expect(texts[1]).toMatch(/20,000 newest[\s\S]*checkpoints\/020000[\s\S]*on disk/);
    // no chart at all, and the one line that says why
    expect(await page.locator('canvas').count()).toBe(0);
    expect(await page.getByTestId('no-curves').innerText()).toContain('known only from checkpoint folders (step 20,000 of 20,000)');
    expect(await page.getByTestId('checkpoint-advice').innerText()).toBe(
      'No validation loss to choose by: the newest checkpoint is step 20,000, the configured last step.',
    );
    expect(await page.getByTestId('run-header').innerText()).toContain('kuavo/task1_moving_grasp_lerobot');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'mix-checkpoint-run.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});

describe('the lower sections of run pages read from run directories', () => {
  const KERAS = 'resnet50v2_fine_tune_10_percent/feature_extraction/';
  const scalars = () => page.getByTestId('scalars-section');
  const ownAxisButton = () => scalars().getByTestId('scalars-x-step');
  const card = (tag: string) => page.locator(`[data-testid="scalar-card"][data-tag="${tag}"]`);

  it('Keras: the Scalars section numbers epochs from 1, as the Overfitting panel names them; the CSV keeps the stored step', async () => {
    const run = runFrom(KERAS);
    await page.goto(`${server.url}/runs/${run.id}`);
    const reason = await page.getByTestId('verdict-reason').innerText();
    const named = /validation\/epoch_loss\).*?(\d+\.\d+) at epoch (\d+)/.exec(reason);
    expect(named, reason).not.toBeNull();
    const bestEpoch = named![2]!;
    expect(await ownAxisButton().innerText()).toBe('Epoch');
    const loss = card('epoch_loss');
    await loss.scrollIntoViewIfNeeded();
    await expect.poll(() => loss.getAttribute('data-loaded')).toBe('1');
    expect(await loss.getAttribute('data-axis')).toBe('epoch');
    expect(await loss.getByTestId('scalar-chart').getAttribute('data-x')).toBe('epoch');
    const summaries = await loss.getByTestId('scalar-series').allInnerTexts();
    expect(summaries).toEqual([
      expect.stringMatching(/^\s*train: 5 points · epochs 1–5 /),
      expect.stringMatching(/^\s*validation: 5 points · epochs 1–5 /),
    ]);
    // the chart's own table: x is the epoch, and the panel's best epoch is one of its points
    await loss.getByTestId('chart-table-toggle').click();
    const xs = await loss.locator('table tbody th[scope="row"]').allInnerTexts();
    expect(xs).toEqual(['1', '2', '3', '4', '5']);
    expect(xs).toContain(bestEpoch);
    expect(await loss.locator('table thead th').first().innerText()).toBe('epoch');
    // exports keep the exact stored step (Keras' 0-based epoch index), with the epoch beside it
    const csvHref = await loss
      .locator('[data-testid="scalar-series"][data-dir="validation"] [data-testid="scalar-csv"]')
      .getAttribute('href');
    const csv = parseCsv(await (await fetch(`${server.url}${csvHref}`)).text());
    expect(csv.map((r) => [r.step, r.epoch])).toEqual([
      ['0', '1'],
      ['1', '2'],
      ['2', '3'],
      ['3', '4'],
      ['4', '5'],
    ]);
    expect(Number(csv.find((r) => r.epoch === bestEpoch)!.value).toFixed(4)).toBe(named![1]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'mix-keras-run.png'), fullPage: true });
  });

  it('Hugging Face, Lightning and the team step trainer keep Step; the SmolVLA trainer run directory is on epochs as its curves', async () => {
    for (const source of ['huggingface/runs/run0', 'lightning/fractaldb/', '/hierarchical_humanoid_v2/']) {
      await page.goto(`${server.url}/runs/${runFrom(source).id}`);
      expect(await ownAxisButton().innerText(), source).toBe('Step');
      const axes = await page.locator('[data-testid="scalar-card"]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-axis')));
      expect(axes.length, source).toBeGreaterThan(0);
      expect(new Set(axes), source).toEqual(new Set(['step']));
    }
    await page.goto(`${server.url}/runs/${runFrom('/rundirs/outputs/train/task2_weighing/').id}`);
    expect(await ownAxisButton().innerText()).toBe('Epoch');
    const own = card('validation/task2_loss');
    expect(await own.getByTestId('scalar-series').innerText()).toMatch(/· epochs 2–10 ·/);
    // the same epochs as its multi-task validation table
    const epochs = await page.locator('[data-testid="validation-table"] tbody tr td:first-child').allInnerTexts();
    expect(epochs).toContain('10');
  });

  it('says once, quietly, why a format has no multi-task validation and why a run has no console log; red only for a real problem', async () => {
    const fromFiles = [KERAS, 'huggingface/runs/run0', 'lightning/fractaldb/', '/smolvla_grasp_ckpt_done/', '/hierarchical_humanoid_v2/'];
    for (const source of fromFiles) {
      await page.goto(`${server.url}/runs/${runFrom(source).id}`);
      const none = page.getByTestId('validation-none');
      expect(await none.count(), source).toBe(1);
      expect(await none.innerText(), source).toMatch(/None for this run: .* hold no per-task validation/);
      expect(await none.innerText(), source).not.toMatch(/yet/);
      expect(await page.getByTestId('validation-table').count(), source).toBe(0);
      const log = page.getByTestId('log-none');
      await expect.poll(() => log.count(), { timeout: 10_000 }).toBe(1);
      expect(await log.innerText(), source).toMatch(/^No console log: this run was read from .+ \(listed under Built from\)/);
      expect(await page.locator('.error-note').count(), source).toBe(0);
      expect(await page.getByTestId('events-none').innerText(), source).not.toMatch(/yet/);
      expect(await page.locator('[data-testid="checkpoints-none"]').allInnerTexts(), source).not.toContainEqual(
        expect.stringMatching(/yet/),
      );
      expect(await page.getByTestId('verdict-reason').innerText(), source).not.toMatch(/Only 0/);
      expect(await page.getByTestId('checkpoint-advice').innerText(), source).not.toMatch(/best\//);
    }
    // the LeRobot checkpoint run: a plain line, nothing red, its checkpoints pointed at
    await page.goto(`${server.url}/runs/${runFrom('/smolvla_grasp_ckpt_done/').id}`);
    expect(await page.getByTestId('log-none').innerText()).toContain('2 LeRobot train_config.json files');
    expect(await page.getByTestId('events-none').innerText()).toContain('listed under Progress');
    // a SmolVLA trainer log: its table and its log's last lines, unchanged
    await page.goto(`${server.url}/runs/${runFrom('/smolvla/unfreeze9/task2.log').id}`);
    expect(await page.getByTestId('validation-table').count()).toBe(1);
    expect(await page.getByTestId('validation-none').count()).toBe(0);
    expect(await page.getByTestId('log-none').count()).toBe(0);
    expect((await page.getByTestId('log-tail').innerText()).length).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });
});
