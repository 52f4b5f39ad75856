// A batch the database refuses while the tailer already reads the next one: the tailer rewinds to the
// committed cursor, and bytes read from the old position meanwhile must never reach the rewound reader
// (they did: the retry lost the rows between the cursor and the read position, and numbered lines wrong).
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSmolvlaLog } from '../../testkit/synthetic/smolvla-log';
import { IngestDaemon } from '../../ingest/daemon';
import { createPool } from '../../lib/db/pool';
import { createTestDatabase } from '../helpers/db';
import { backfillInto, memoryLogger, tempDir } from '../helpers/ingest';
import { snapshotDatabase } from '../../testkit/snapshot';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('a refused commit in the middle of a multi-batch read', () => {
  it('is retried from the committed cursor and stores exactly what one clean backfill stores', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const file = path.join(dir, 'big.log');
    const { bytes } = writeSmolvlaLog(file, { epochs: 40, stepsPerEpoch: 400, framesPerStep: 2, stdoutBuffering: 'byte', seed: 4 });
    const reference = await createTestDatabase('rewind_ref');
    cleanups.push(() => reference.drop());
    await backfillInto(reference.url, [file]);

    const db = await createTestDatabase('rewind');
    cleanups.push(() => db.drop());
    // A real refusal by PostgreSQL, once: the first commit that moves the file past a third of its
    // length raises (a sequence, unlike a flag row, is not rolled back with the failed transaction).
    await db.query(`CREATE SEQUENCE refuse_once`);
    await db.query(`CREATE FUNCTION refuse_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW."committedOffset" > ${Math.floor(bytes / 3)} AND nextval('refuse_once') = 1 THEN
          RAISE EXCEPTION 'refused once by the test';
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`CREATE TRIGGER refuse_once BEFORE UPDATE ON "LogSource" FOR EACH ROW EXECUTE FUNCTION refuse_once()`);
    const pool = createPool(db.url);
    const log = memoryLogger('error');
    const daemon = new IngestDaemon({ pool, paths: [file], log: log.logger, staleMinutes: 10, batchEvents: 2000 });
    try {
      const summary = await daemon.backfill();
      expect(summary.failed).toEqual([]);
    } finally {
      await daemon.close();
      await pool.end();
    }
    expect(log.lines.map((line) => line.msg)).toEqual(['could not store a batch from this file; will retry']);
    await db.query(`DROP TRIGGER refuse_once ON "LogSource"`);
    expect(await snapshotDatabase(db.query)).toEqual(await snapshotDatabase(reference.query));
  }, 120_000);
});
