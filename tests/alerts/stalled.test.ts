// `stalled`: recorded in the stale sweep's transaction; live only when the sweep is (after catch-up).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { markStaleRuns } from '../../ingest/store';
import { createPool } from '../../lib/db/pool';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, sampleLog, tempDir } from '../helpers/ingest';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('stalled alerts', () => {
  it('fire once per run, live only from a live sweep', async () => {
    const db: TestDatabase = await createTestDatabase('alerts_stalled');
    const temp = await tempDir('thaw-stalled-');
    cleanups.push(
      () => db.drop(),
      () => temp.cleanup(),
    );
    const log = await sampleLog('sample_task1_unfreeze8_overfit');
    const unfinished = log.subarray(0, log.indexOf('Epoch 5/50\n'));
    const a = path.join(temp.dir, 'a.log');
    const b = path.join(temp.dir, 'b.log');
    await writeFile(a, unfinished);
    await backfillInto(db.url, [a]);
    const pool = createPool(db.url);
    cleanups.push(() => pool.end());
    const later = new Date(Date.now() + 60 * 60_000);
    expect(await markStaleRuns(pool, 10, later, { live: true })).toBe(1);
    expect(await markStaleRuns(pool, 10, later, { live: true })).toBe(0);
    // Another run (a copy of the same log would be the same run: same output dir and timestamp).
    const other = await sampleLog('sample_task2_unfreeze4_buffered');
    await writeFile(b, other.subarray(0, Math.floor(other.length / 2)));
    await backfillInto(db.url, [b]);
    expect(await markStaleRuns(pool, 10, later)).toBe(1);
    const alerts = await db.query<{ rule: string; live: boolean; message: string }>(
      `SELECT a.rule, a.live, a.message FROM "Alert" a JOIN "Run" r ON r.id = a."runId" JOIN "LogSource" s ON s.id = r."sourceId"
        WHERE a.rule = 'stalled' ORDER BY s.path`,
    );
    expect(alerts.map(({ rule, live }) => ({ rule, live }))).toEqual([
      { rule: 'stalled', live: true },
      { rule: 'stalled', live: false },
    ]);
    expect(alerts[0]?.message).toContain('no new line for 10 minutes');
  });
});
