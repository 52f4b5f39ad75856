// Appending a log in random-sized chunks while the daemon follows it must give exactly the rows a
// one-shot backfill of the finished file gives.
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestDaemon } from '../../ingest/daemon';
import { createPool } from '../../lib/db/pool';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { allSamples, backfillInto, committedOffset, memoryLogger, tempDir, waitFor } from '../helpers/ingest';
import { mulberry32 } from '../../testkit/random';
import { snapshotDatabase, countRows } from '../../testkit/snapshot';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase('ingest');
  cleanups.push(() => db.drop());
  return db;
}

describe('live tail vs backfill', () => {
  it('random-sized appends produce exactly the rows of --once on the finished file', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const file = path.join(dir, 'train.log');
    const content = await allSamples();
    const live = await database();
    const pool = createPool(live.url);
    const daemon = new IngestDaemon({ pool, paths: [dir], log: memoryLogger('silent').logger, staleMinutes: 10 });
    await daemon.start();
    try {
      const random = mulberry32(42);
      await writeFile(file, '');
      for (let at = 0; at < content.length;) {
        // 1 byte … 64 KiB, biased towards small chunks so lines and UTF-8 characters get split.
        const size = Math.max(1, Math.floor(Math.pow(random(), 3) * 65536));
        await appendFile(file, content.subarray(at, at + size));
        at += size;
        if (random() < 0.3) await new Promise((resolve) => setTimeout(resolve, random() * 20));
      }
      await waitFor(async () => (await committedOffset(pool, file)) === content.length, { what: 'the daemon to commit the whole file' });
      await daemon.idle();
    } finally {
      await daemon.close();
      await pool.end();
    }

    const once = await database();
    await backfillInto(once.url, [file]);
    const counts = await countRows(once.query);
    expect(counts.runs).toBe(3);
    expect(counts.epochs).toBeGreaterThan(90);
    expect(counts.steps).toBeGreaterThan(500);
    expect(await snapshotDatabase(live.query)).toEqual(await snapshotDatabase(once.query));
  });

  it('holds a half-written line until it is completed', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const file = path.join(dir, 'half.log');
    const db = await database();
    const pool = createPool(db.url);
    const daemon = new IngestDaemon({ pool, paths: [file], log: memoryLogger('silent').logger, staleMinutes: 10 });
    const content = await allSamples();
    const cut = content.indexOf('Epoch 3 Average Loss: ') + 'Epoch 3 Average Loss: 0.'.length;
    await writeFile(file, content.subarray(0, cut));
    await daemon.start();
    try {
      await waitFor(async () => (await committedOffset(pool, file)) > 0, { what: 'first commit' });
      await daemon.idle();
      // Both \n and tqdm's \r end a record: the commit stops after the last one before the cut.
      const lineStart = Math.max(content.lastIndexOf('\n', cut), content.lastIndexOf('\r', cut)) + 1;
      expect(await committedOffset(pool, file)).toBe(lineStart);
      expect(await db.query(`SELECT epoch FROM "EpochMetric" WHERE epoch = 3 AND "trainLoss" IS NOT NULL`)).toEqual([]);
      await appendFile(file, content.subarray(cut, content.indexOf('\n', cut) + 1));
      await waitFor(async () => (await db.query(`SELECT 1 FROM "EpochMetric" WHERE epoch = 3 AND "trainLoss" IS NOT NULL`)).length === 1, {
        what: 'epoch 3 loss',
      });
      const rows = await db.query<{ trainLoss: number }>(`SELECT "trainLoss" FROM "EpochMetric" WHERE epoch = 3`);
      const printed = Number(/Epoch 3 Average Loss: ([\d.]+)/.exec(content.toString())![1]);
      expect(rows[0]!.trainLoss).toBe(printed);
    } finally {
      await daemon.close();
      await pool.end();
    }
  });
});
