// Several daemons on one database (one per training machine, or two given the same file) must
// never duplicate or clobber each other's rows.
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestDaemon } from '../../ingest/daemon';
import { createPool } from '../../lib/db/pool';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { allSamples, backfillInto, committedOffset, memoryLogger, sampleLog, tempDir, waitFor } from '../helpers/ingest';
import { mulberry32 } from '../../testkit/random';
import { snapshotDatabase } from '../../testkit/snapshot';
import { writeSmolvlaLog } from '../../testkit/synthetic/smolvla-log';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('two daemons, one database', () => {
  it('over overlapping paths, write each row exactly once', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const shared: TestDatabase = await createTestDatabase('two');
    const reference: TestDatabase = await createTestDatabase('two_ref');
    cleanups.push(
      () => shared.drop(),
      () => reference.drop(),
    );

    const files = [path.join(dir, 'a.log'), path.join(dir, 'b.log')];
    await writeFile(files[0]!, await sampleLog('sample_task1_unfreeze8_overfit'));
    await writeFile(files[1]!, '');

    const pools = [createPool(shared.url), createPool(shared.url)];
    // One daemon watches the directory, the other a glob over the same files.
    const daemons = [
      new IngestDaemon({ pool: pools[0]!, paths: [dir], log: memoryLogger('silent').logger, staleMinutes: 10, batchEvents: 300 }),
      new IngestDaemon({
        pool: pools[1]!,
        paths: [path.join(dir, '*.log')],
        log: memoryLogger('silent').logger,
        staleMinutes: 10,
        batchEvents: 300,
      }),
    ];
    await Promise.all(daemons.map((daemon) => daemon.start()));
    try {
      const content = await allSamples();
      const random = mulberry32(3);
      for (let at = 0; at < content.length;) {
        const size = 1 + Math.floor(random() * 20000);
        await appendFile(files[1]!, content.subarray(at, at + size));
        at += size;
        await new Promise((resolve) => setTimeout(resolve, random() * 10));
      }
      await waitFor(async () => (await committedOffset(pools[0]!, files[1]!)) === content.length, { what: 'b.log committed' });
      await Promise.all(daemons.map((daemon) => daemon.idle()));
    } finally {
      await Promise.all(daemons.map((daemon) => daemon.close()));
      await Promise.all(pools.map((pool) => pool.end()));
    }
    await backfillInto(reference.url, files);
    const actual = await snapshotDatabase(shared.query);
    expect(actual.sources).toHaveLength(2);
    expect(actual).toEqual(await snapshotDatabase(reference.query));
  }, 120_000);

  it('racing through one large file, batch after batch, store it exactly once', async () => {
    // Each daemon reads the next batch while its previous one commits; whenever the other daemon got
    // there first, the commit conflicts and the tailer rewinds to the other's cursor. Bytes read from
    // the old position meanwhile must not be fed to the rewound reader (they were: rows lost, lines
    // numbered wrong).
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const file = path.join(dir, 'big.log');
    writeSmolvlaLog(file, { epochs: 60, stepsPerEpoch: 400, framesPerStep: 2, stdoutBuffering: 'byte', seed: 9 });
    const reference = await createTestDatabase('race_ref');
    cleanups.push(() => reference.drop());
    await backfillInto(reference.url, [file]);
    const expected = await snapshotDatabase(reference.query);
    for (let round = 0; round < 3; round++) {
      const shared = await createTestDatabase('race');
      cleanups.push(() => shared.drop());
      const pools = [createPool(shared.url), createPool(shared.url)];
      const daemons = pools.map(
        (pool) =>
          new IngestDaemon({ pool, paths: [file], log: memoryLogger('silent').logger, staleMinutes: 10, batchEvents: 1500 + round * 700 }),
      );
      try {
        const results = await Promise.all(daemons.map((daemon) => daemon.backfill()));
        expect(results.flatMap((r) => r.failed)).toEqual([]);
      } finally {
        await Promise.all(daemons.map((daemon) => daemon.close()));
        await Promise.all(pools.map((pool) => pool.end()));
      }
      expect(await snapshotDatabase(shared.query)).toEqual(expected);
    }
  }, 240_000);

  it('machines with the same path keep separate sources (host is part of the identity)', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const db = await createTestDatabase('hosts');
    cleanups.push(() => db.drop());
    const file = path.join(dir, 'train.log');
    await writeFile(file, await sampleLog('sample_task3_ratio50_final_only'));
    for (const host of ['gpu-a', 'gpu-b']) {
      const pool = createPool(db.url);
      const daemon = new IngestDaemon({ pool, paths: [file], host, log: memoryLogger('silent').logger, staleMinutes: 10 });
      await daemon.backfill();
      await daemon.close();
      await pool.end();
    }
    const rows = await db.query<{ host: string; runs: number }>(
      `SELECT s.host, count(r.id)::int AS runs FROM "LogSource" s JOIN "Run" r ON r."sourceId" = s.id GROUP BY s.host ORDER BY s.host`,
    );
    expect(rows).toEqual([
      { host: 'gpu-a', runs: 1 },
      { host: 'gpu-b', runs: 1 },
    ]);
  });
});
