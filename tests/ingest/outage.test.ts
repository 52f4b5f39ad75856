// PostgreSQL stopped for more than 10 s in the middle of a live tail, then restarted: nothing lost,
// nothing duplicated, the daemon did not exit, and it said so in one line per state change.
import { appendFile, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { IngestDaemon } from '../../ingest/daemon';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../lib/db/embedded';
import { migrate } from '../../lib/db/migrate';
import { createPool } from '../../lib/db/pool';
import { portIsFree } from '../../lib/server/ports';
import { createTestDatabase } from '../helpers/db';
import { allSamples, backfillInto, committedOffset, memoryLogger, tempDir, waitFor } from '../helpers/ingest';
import { snapshotDatabase } from '../../testkit/snapshot';

const cleanups: (() => Promise<void>)[] = [];

/**
 * A free port outside the range embedded servers pick from by default (54329 and the 200 after it):
 * while this server is down, another test's server starting meanwhile would take its port, and the
 * restart on the same port would fail.
 */
async function portOutsideDefaults(): Promise<number> {
  for (;;) {
    const port = 56_000 + Math.floor(Math.random() * 4_000);
    if (await portIsFree(port)) return port;
  }
}
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('database outage', () => {
  it('keeps its place while PostgreSQL is down for 10+ s and catches up when it returns', async () => {
    const pgDir = await mkdtemp(path.join(os.tmpdir(), 'thaw-outage-pg-'));
    await chmod(pgDir, 0o755);
    cleanups.push(() => rm(pgDir, { recursive: true, force: true }));
    let server: EmbeddedDatabase = await startEmbeddedDatabase({ dataDir: pgDir, port: await portOutsideDefaults() });
    cleanups.push(() => server.stop());
    await migrate(server.url);

    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const file = path.join(dir, 'train.log');
    const content = await allSamples();
    const third = Math.floor(content.length / 3);

    const { logger, lines } = memoryLogger();
    const pool = createPool(server.url);
    const daemon = new IngestDaemon({ pool, paths: [dir], log: logger, staleMinutes: 10 });
    await writeFile(file, content.subarray(0, third));
    await daemon.start();
    try {
      await waitFor(async () => (await committedOffset(pool, file)) > 0, { what: 'first commit' });

      await server.stop();
      await appendFile(file, content.subarray(third, 2 * third));
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await appendFile(file, content.subarray(2 * third));
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(daemon.isDatabaseDown).toBe(true);

      server = await startEmbeddedDatabase({ dataDir: pgDir, port: server.port });
      await waitFor(async () => (await committedOffset(pool, file).catch(() => 0)) === content.length, {
        timeoutMs: 40_000,
        what: 'catch-up after the outage',
      });
      await daemon.idle();
    } finally {
      await daemon.close();
      await pool.end();
    }

    const downLines = lines.filter((line) => line.msg.startsWith('database unavailable'));
    const upLines = lines.filter((line) => line.msg.startsWith('database reachable again'));
    expect(downLines).toHaveLength(1);
    expect(upLines).toHaveLength(1);

    const reference = await createTestDatabase('outage_ref');
    cleanups.push(() => reference.drop());
    await backfillInto(reference.url, [file]);
    const client = new pg.Pool({ connectionString: server.url });
    try {
      const query = async <T extends pg.QueryResultRow>(sql: string, params?: unknown[]) => (await client.query<T>(sql, params)).rows;
      expect(await snapshotDatabase(query)).toEqual(await snapshotDatabase(reference.query));
    } finally {
      await client.end();
    }
  }, 120_000);
});
