// `npm run screenshots`: the README's pictures. Starts Thaw (`thaw start`, building the web UI if
// needed) on demo-like data in a temp dir (the sample logs plus the demo's sequential chains, on a
// fresh embedded PostgreSQL), opens each page in the npm-shipped Chromium (testkit/browser.ts)
// and writes docs/screenshot-<page>.png (`npm run screenshots -- --out <dir>` writes them elsewhere).
// A few runs are annotated first (names, tags, notes, stars, one hidden run), as a team would have
// them. The tests never write into docs/.
// `npm run screenshots -- --mix [--out <dir>]` instead shoots every page at 1280 px on the realistic
// mix with two runs being written live (scripts/screenshots-mix.ts), into a temp dir unless --out.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { demoHistory } from '../cli/demo/writers';
import { generateSmolvlaLog } from '../testkit/synthetic/smolvla-log';
import { startEmbeddedDatabase } from '../lib/db/embedded';
import { launchBrowser } from '../testkit/browser';
import { PROJECT_DIR } from '../testkit/cli';
import { waitFor } from '../testkit/wait';
import { copySamples } from '../testkit/samples';
import { startThaw } from '../testkit/thaw-server';
import { mixScreenshots, screenshotWorkDir } from './screenshots-mix';

const outIndex = process.argv.indexOf('--out');
const OUT = outIndex > 0 && process.argv[outIndex + 1] ? path.resolve(process.argv[outIndex + 1]!) : null;
const DOCS = OUT ?? path.join(PROJECT_DIR, 'docs');

/** Annotations a team would have given the demo's runs (through the API, like the UI does). */
async function annotate(url: string, runs: { id: number; taskId: number | null; strategy: { label: string } }[]): Promise<void> {
  const send = async (method: string, pathname: string, body: unknown) => {
    const response = await fetch(`${url}${pathname}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${await response.text()}`);
  };
  const [first, second, third, fourth, last] = [runs[0], runs[1], runs[2], runs[3], runs.at(-1)];
  if (first)
    await send('PATCH', `/api/runs/${first.id}`, {
      name: 'Unfreeze 8 — overfits after epoch 14',
      tags: ['baseline', 'needs-review'],
      note: 'Validation turns at epoch 14; the best_model checkpoint is the one to keep. Try fewer layers on this dataset.',
      starred: true,
    });
  if (second) await send('PATCH', `/api/runs/${second.id}`, { name: 'Buffered stdout check', tags: ['infra'] });
  if (third) await send('PATCH', `/api/runs/${third.id}`, { tags: ['ratio-sweep'], starred: true });
  if (fourth) await send('PATCH', `/api/runs/${fourth.id}`, { tags: ['chain-a', 'baseline'] });
  if (last && last !== first) await send('PATCH', `/api/runs/${last.id}`, { hidden: true, tags: ['aborted'], note: 'Wrong dataset path.' });
  const task = runs.find((run) => run.taskId !== null)?.taskId;
  if (task !== undefined && task !== null) await send('PUT', `/api/tasks/${task}`, { episodes: 800 });
}

async function main(): Promise<void> {
  const { work, logs } = await screenshotWorkDir('thaw-screenshots-');
  await copySamples(logs);
  for (const run of demoHistory()) {
    const file = path.join(logs, 'demo', run.file);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, generateSmolvlaLog(run.options));
  }
  const expectedRuns = 3 + demoHistory().length;
  const database = await startEmbeddedDatabase({ dataDir: path.join(work, 'data') });
  try {
    const server = await startThaw({ databaseUrl: database.url, logs });
    try {
      await waitFor(
        async () => ((await (await fetch(`${server.url}/api/runs`)).json()) as { runs: unknown[] }).runs.length >= expectedRuns,
        { timeoutMs: 120_000, what: 'every run ingested' },
      );
      const { runs } = (await (await fetch(`${server.url}/api/runs?sort=id&dir=asc`)).json()) as {
        runs: { id: number; taskId: number | null; strategy: { label: string } }[];
      };
      await annotate(server.url, runs);
      await mkdir(DOCS, { recursive: true });
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
        const shots: [string, string, string][] = [
          ['compare', '/compare?task=1&smooth=0.6', '[data-testid="compare-chart"]'],
          ['runs', '/', '[data-testid="run-row"]'],
          ['run', `/runs/${runs[0]?.id ?? 1}`, 'h1'],
          ['tasks', '/tasks', 'h1'],
          ['strategies', '/strategies', 'h1'],
        ];
        for (const [name, url, ready] of shots) {
          await page.goto(`${server.url}${url}`);
          await page.locator(ready).first().waitFor({ timeout: 30_000 });
          // Let charts finish their first draw before the picture is taken.
          await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
          await page.waitForLoadState('networkidle');
          const file = path.join(DOCS, `screenshot-${name}.png`);
          await page.screenshot({ path: file, fullPage: name !== 'compare' });
          process.stderr.write(`screenshots: ${path.relative(PROJECT_DIR, file)}\n`);
        }
      } finally {
        await browser.close();
      }
    } finally {
      await server.stop();
    }
  } finally {
    await database.stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv.includes('--mix')) await mixScreenshots(OUT ?? (await mkdtemp(path.join(os.tmpdir(), 'thaw-screenshots-mix-out-'))));
else await main();
