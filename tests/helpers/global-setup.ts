// One real embedded PostgreSQL for the whole test run (started here, in vitest's main process);
// every test file makes its own database on it (tests/helpers/db.ts), so files never see each
// other's rows and can run in parallel.
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../lib/db/embedded';
import { ensureWebBuild } from '../../cli/web';
import { createLogger } from '../../lib/log';

let server: EmbeddedDatabase | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Browser and `thaw start` tests serve the production build; (re)build it once, up front, only
  // when app/ lib/ or the config changed since the last build.
  await ensureWebBuild(createLogger('warn'));
  if (process.env.THAW_TEST_DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.THAW_TEST_DATABASE_URL);
    return;
  }
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'thaw-test-pg-'));
  await chmod(dataDir, 0o755); // the server runs as `postgres` when tests run as root
  server = await startEmbeddedDatabase({ dataDir });
  project.provide('adminDatabaseUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}
