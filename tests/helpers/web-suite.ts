// The browser tests' common set-up, written once: a test database, a directory of logs, `thaw start`
// watching it until the runs are in, and a browser page that records page errors. One call in
// beforeAll, one in afterAll; each test file says only what it writes and what it waits for.
import type { Browser, Page } from 'playwright-core';
import { collectPageErrors, launchBrowser } from '../../testkit/browser';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';
import { waitFor } from '../../testkit/wait';
import { createTestDatabase, type TestDatabase } from './db';
import { tempDir } from './ingest';

export interface WebSuite {
  database: TestDatabase;
  logs: { dir: string; cleanup(): Promise<void> };
  server: ThawServer;
  browser: Browser;
  page: Page;
}

export interface WebSuiteOptions {
  /** Names the test database and the logs directory. */
  name: string;
  /** Writes what the server will find when it starts. */
  writeLogs(dir: string): Promise<void>;
  /** What to wait for once the server runs (e.g. every run ingested). */
  ready: { check(suite: Pick<WebSuite, 'server' | 'database'>): Promise<boolean>; what: string; timeoutMs?: number };
  viewport?: { width: number; height: number };
  /** Where page errors (and console errors, unless `console: false`) are collected. */
  pageErrors: string[];
  errors?: { console?: boolean; ignoreConsole?: RegExp };
  /** More environment for `thaw start` (e.g. THAW_TOKEN). */
  env?: Record<string, string>;
}

/** Opens the suite; what it opened is closed again if a later step fails. */
export async function openWebSuite(options: WebSuiteOptions): Promise<WebSuite> {
  const opened: Partial<WebSuite> = {};
  try {
    opened.database = await createTestDatabase(options.name);
    opened.logs = await tempDir(`thaw-${options.name.replaceAll('_', '-')}-`);
    await options.writeLogs(opened.logs.dir);
    const server = (opened.server = await startThaw({ databaseUrl: opened.database.url, logs: opened.logs.dir, env: options.env }));
    const database = opened.database;
    await waitFor(() => options.ready.check({ server, database }), {
      timeoutMs: options.ready.timeoutMs ?? 60_000,
      what: options.ready.what,
    });
    opened.browser = await launchBrowser();
    opened.page = await opened.browser.newPage({ viewport: options.viewport ?? { width: 1440, height: 1000 } });
    collectPageErrors(opened.page, options.pageErrors, options.errors);
    return opened as WebSuite;
  } catch (error) {
    await closeWebSuite(opened);
    throw error;
  }
}

/** Closes whatever of the suite was opened: browser, server, database, logs. */
export async function closeWebSuite(suite: Partial<WebSuite>): Promise<void> {
  await suite.browser?.close();
  await suite.server?.stop();
  await suite.database?.drop();
  await suite.logs?.cleanup();
}
