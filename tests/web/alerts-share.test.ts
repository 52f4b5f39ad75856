// Alerts in the app and sharing in a real browser against `thaw start`:
// a log that turns overfitting while Thaw follows it raises the bell's count and one browser
// notification per alert across two open tabs, /alerts lists it and marks it read, no channel secret
// reaches a page or the API, a chart downloads as a real PNG, and the compare view's HTML report
// opens with every network request blocked and shows its table and images.
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSmolvlaLog } from '../../testkit/synthetic/smolvla-log';
import { alertsResponse } from '../../lib/api/schemas/alerts';
import { runsResponse } from '../../lib/api/schemas/runs';
import { startReceiver } from '../alerts/receiver';
import { collectPageErrors, launchBrowser } from '../../testkit/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { sampleLog, tempDir, waitFor } from '../helpers/ingest';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';

const SECRET = 'browser-test-secret-5b1f';
const URL_TOKEN = 'hooktoken-9c2e77';

let database: TestDatabase;
let work: { dir: string; cleanup(): Promise<void> };
let logsDir: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let server: ThawServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let other: Page;
let overfit: { file: string; rest: Buffer };
const pageErrors: string[] = [];

interface Recorded {
  title: string;
  body: string;
  tag: string;
}

/** Records every Notification constructed on the page (the real one is still shown). */
function recordNotifications() {
  const w = window as unknown as { Notification: typeof Notification; __notifications: Recorded[] };
  const Original = w.Notification;
  w.__notifications = [];
  class Recording extends Original {
    constructor(title: string, options?: NotificationOptions) {
      w.__notifications.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
      super(title, options);
    }
  }
  Object.defineProperty(Recording, 'permission', { get: () => Original.permission });
  Object.defineProperty(Recording, 'requestPermission', { value: Original.requestPermission.bind(Original) });
  w.Notification = Recording;
}

const notifications = (p: Page) => p.evaluate(() => (window as unknown as { __notifications: Recorded[] }).__notifications);
const unread = async (p: Page) => Number(await p.getAttribute('[data-testid=alerts-bell]', 'data-unread'));

beforeAll(async () => {
  database = await createTestDatabase('alerts_share');
  work = await tempDir('thaw-alerts-share-');
  logsDir = path.join(work.dir, 'logs');
  await mkdir(logsDir);
  receiver = await startReceiver();
  // Two finished task-1 runs with other strategies (for compare), and the overfitting sample that is
  // still being written: its validation turns after epoch 20, so the part before epoch 15 is quiet.
  for (const [seed, layers] of [
    [71, 4],
    [72, 12],
  ] as const) {
    const log = generateSmolvlaLog({
      seed,
      taskId: 1,
      unfreezeLast: layers,
      timestamp: `2025112${seed - 70}_080000`,
      epochs: 12,
      epochsTotal: 12,
      stepsPerEpoch: 20,
      validationEvery: 1,
    });
    await writeFile(path.join(logsDir, `task1-unfreeze${layers}.log`), log);
  }
  const log = await sampleLog('sample_task1_unfreeze8_overfit');
  const at = log.indexOf('Epoch 15/50\n');
  overfit = { file: path.join(logsDir, 'live-overfit.log'), rest: log.subarray(at) };
  await writeFile(overfit.file, log.subarray(0, at));
  const alertsFile = path.join(work.dir, 'thaw-alerts.yaml');
  await writeFile(
    alertsFile,
    `channels:\n  - name: lab\n    type: webhook\n    url: ${receiver.url}/hook/${URL_TOKEN}\n    secret: ${SECRET}\n`,
  );
  server = await startThaw({ databaseUrl: database.url, logs: logsDir, env: { THAW_ALERTS: alertsFile } });
  await waitFor(async () => runsResponse.parse(await (await fetch(`${server.url}/api/runs`)).json()).runs.length === 3, {
    timeoutMs: 60_000,
    what: 'three runs ingested',
  });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(['notifications'], { origin: server.url });
  await context.addInitScript(recordNotifications);
  page = await context.newPage();
  other = await context.newPage();
  for (const p of [page, other]) collectPageErrors(p, pageErrors);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
  await database?.drop();
  await work?.cleanup();
});

describe('alerts in the app', () => {
  it('a live overfitting run: bell count, one notification per alert across two tabs', async () => {
    await page.goto(`${server.url}/`);
    await other.goto(`${server.url}/compare`);
    for (const p of [page, other]) await p.waitForSelector('[data-testid=live-indicator][data-status=live]');
    expect(await unread(page)).toBe(0);
    // Notifications only after the user asks for them: nothing is requested on page load.
    await page.click('[data-testid=alerts-bell]');
    await page.click('[data-testid=notifications-enable]');
    await page.waitForSelector('[data-testid=notifications-state][data-state=on]');
    await page.keyboard.press('Escape');

    // Training goes on: the rest of the log arrives in a few appends.
    for (let at = 0; at < overfit.rest.length; at += 20_000) await appendFile(overfit.file, overfit.rest.subarray(at, at + 20_000));
    const api = async () => alertsResponse.parse(await (await fetch(`${server.url}/api/alerts`)).json());
    // The sample turns overfitting and then completes: two live alerts (`completed` is recorded for
    // every run; only channels leave it off by default).
    await waitFor(
      async () =>
        (await api()).alerts
          .map((a) => a.rule)
          .sort()
          .join() === 'completed,overfitting',
      {
        what: 'the overfitting and completed alerts',
        timeoutMs: 30_000,
      },
    );
    const { alerts } = await api();
    await waitFor(async () => (await unread(page)) === alerts.length && (await unread(other)) === alerts.length, {
      what: 'the bell in both tabs',
      timeoutMs: 20_000,
    });
    expect(await page.textContent('[data-testid=alerts-bell-count]')).toBe(String(alerts.length));
    // Each alert is notified exactly once in this browser, whichever tab shows it.
    await waitFor(async () => [...(await notifications(page)), ...(await notifications(other))].length >= alerts.length, {
      what: 'notifications',
    });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a late duplicate would show up here
    const shown = [...(await notifications(page)), ...(await notifications(other))];
    expect(shown.map((n) => n.tag).sort()).toEqual(alerts.map((a) => `thaw-alert-${a.id}`).sort());
    const overfitting = alerts.find((a) => a.rule === 'overfitting')!;
    expect(shown.find((n) => n.tag === `thaw-alert-${overfitting.id}`)).toMatchObject({
      title: `Thaw: run #${overfitting.run.id} overfitting`,
      body: expect.stringContaining('best validation 0.1098 at epoch 20') as unknown,
    });
  });

  it('/alerts lists the alert with its run link and delivery, and opening it marks all read', async () => {
    const { alerts } = alertsResponse.parse(await (await fetch(`${server.url}/api/alerts?rule=overfitting`)).json());
    const alert = alerts[0]!;
    await waitFor(() => receiver.received.length >= 1, { what: 'the webhook delivery' });
    await page.goto(`${server.url}/alerts`);
    const row = page.locator(`[data-alert-id="${alert.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-rule')).toBe('overfitting');
    expect(await row.getAttribute('data-new')).toBe('1');
    expect(await row.locator(`a[href="/runs/${alert.run.id}"]`).count()).toBe(1);
    expect(await row.textContent()).toMatch(/Overfitting began at epoch \d+; best validation 0\.1098 at epoch 20/);
    await waitFor(async () => (await row.locator('[data-channel=lab]').getAttribute('data-status')) === 'delivered', {
      what: 'delivered on the page',
    });
    await waitFor(async () => (await unread(page)) === 0, { what: 'marked read' });
    await waitFor(async () => (await unread(other)) === 0, { what: 'marked read in the other tab' });
    // Filters: by rule and by run.
    await page.goto(`${server.url}/alerts?rule=crashed`);
    await page.waitForSelector('[data-testid=alerts-empty]');
    await page.goto(`${server.url}/alerts?run=${alert.run.id}&rule=overfitting`);
    expect(await page.locator('[data-alert-id]').count()).toBe(1);
  });

  it('no channel secret or URL token in a page or an API response', async () => {
    const texts = await Promise.all(
      ['/api/alerts?backfill=true', '/alerts', '/alerts?backfill=true', '/'].map(async (p) => (await fetch(`${server.url}${p}`)).text()),
    );
    for (const text of texts) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(URL_TOKEN);
      expect(text).not.toContain(receiver.url);
    }
    expect(await page.content()).not.toContain(SECRET);
  });
});

describe('sharing', () => {
  it('a compare chart downloads as a PNG', async () => {
    await page.goto(`${server.url}/compare?task=1`);
    await page.waitForSelector('[data-testid=compare-facet-chart] canvas');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=compare-facet-chart] [data-testid=chart-png]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^thaw-compare-runs-[\d-]+(-task-1-[\w-]+)?\.png$/);
    const bytes = await readFile(await download.path());
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.length).toBeGreaterThan(10_000);
  });

  it('the run page charts download as PNGs too', async () => {
    const { alerts } = alertsResponse.parse(await (await fetch(`${server.url}/api/alerts?rule=overfitting`)).json());
    await page.goto(`${server.url}/runs/${alerts[0]!.run.id}`);
    await page.waitForSelector('[data-testid=run-loss-chart] canvas');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=run-loss-chart] [data-testid=chart-png]'),
    ]);
    expect(download.suggestedFilename()).toBe(`thaw-run-${alerts[0]!.run.id}-loss-epoch.png`);
    const bytes = await readFile(await download.path());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  });

  it('the HTML report is self-contained and renders offline with all network blocked', async () => {
    await page.goto(`${server.url}/compare?task=1`);
    await page.waitForSelector('[data-testid=compare-facet-chart] canvas');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=compare-report]')]);
    expect(download.suggestedFilename()).toMatch(/^thaw-compare-report-runs-[\d-]+-\d{4}-\d{2}-\d{2}\.html$/);
    const file = path.join(work.dir, download.suggestedFilename());
    await download.saveAs(file);
    const html = await readFile(file, 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).toContain('data:image/png;base64,');

    const offline = await browser.newContext({ offline: true, javaScriptEnabled: false });
    const requested: string[] = [];
    // Everything is blocked but the report file itself.
    const own = pathToFileURL(file).href;
    await offline.route('**/*', async (route) => {
      if (route.request().url() === own) return route.continue();
      requested.push(route.request().url());
      await route.abort();
    });
    try {
      const report = await offline.newPage();
      report.on('request', (request) => {
        if (request.url() !== own && !request.url().startsWith('data:')) requested.push(request.url());
      });
      await report.goto(own);
      expect(await report.locator('table.summary tbody tr').count()).toBeGreaterThan(0);
      expect(await report.locator('table.runs tbody tr').count()).toBe(3);
      const widths = await report
        .locator('figure img')
        .evaluateAll((images) => images.map((img) => ((img as HTMLImageElement).complete ? (img as HTMLImageElement).naturalWidth : -1)));
      expect(widths.length).toBeGreaterThan(0);
      for (const width of widths) expect(width).toBeGreaterThan(0);
      expect(await report.textContent('h1')).toContain('Thaw comparison');
      expect(requested).toEqual([]);
    } finally {
      await offline.close();
    }
  });

  it('no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
