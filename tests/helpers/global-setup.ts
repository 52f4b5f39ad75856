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
let sharedDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Browser and `thaw start` tests serve the production build; (re)build it once, up front, only
  // when app/ lib/ or the config changed since the last build.
  await ensureWebBuild(createLogger('warn'));
  // As root in a checkout the `postgres` user cannot enter (e.g. under /root), every embedded server
  // of this run stages its binaries (and relocates unreachable clusters) here, not in /var/lib/thaw;
  // test workers and the CLIs they spawn inherit it, and teardown removes it.
  sharedDir = await mkdtemp(path.join(os.tmpdir(), 'thaw-test-shared-'));
  await chmod(sharedDir, 0o755);
  process.env.THAW_SHARED_DIR = sharedDir;
  if (process.env.THAW_TEST_DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.THAW_TEST_DATABASE_URL);
    return;
  }
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'thaw-test-pg-'));
  await chmod(dataDir, 0o755); // the server runs as `postgres` when tests run as root
  server = await startEmbeddedDatabase({ dataDir, sharedDir });
  project.provide('adminDatabaseUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (sharedDir) await rm(sharedDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}
