// kill -9 of `thaw ingest --once` at random points during a backfill, each followed by a restart,
// must end with a database identical (row for row) to one uninterrupted ingest.
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { runAndKill, runThaw } from '../../testkit/cli';
import { allSamples, backfillInto, tempDir } from '../helpers/ingest';
import { mulberry32 } from '../../testkit/random';
import { snapshotDatabase } from '../../testkit/snapshot';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const KILLS = Number(process.env.THAW_SOAK_KILLS ?? 10);

describe('crash safety', () => {
  it(`survives ${KILLS} kill -9 at random points during a backfill, row for row`, async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    // Several files, each with several runs, so a kill can land in any phase of any file.
    const samples = await allSamples();
    const copies = 12;
    for (let i = 0; i < 4; i++)
      await writeFile(path.join(dir, `node${i}.log`), Buffer.concat(Array.from({ length: copies }, () => samples)));

    const interrupted: TestDatabase = await createTestDatabase('crash');
    const reference: TestDatabase = await createTestDatabase('reference');
    cleanups.push(
      () => interrupted.drop(),
      () => reference.drop(),
    );

    const env = { DATABASE_URL: interrupted.url, THAW_INGEST_BATCH_EVENTS: '400', THAW_LOG_LEVEL: 'silent' };
    let total = samples.length * copies * 4;
    const committed = async () =>
      Number((await interrupted.query<{ n: string }>(`SELECT coalesce(sum("committedOffset"), 0)::text AS n FROM "LogSource"`))[0]!.n);
    const random = mulberry32(7);
    let kills = 0;
    let appended = 0;
    while (kills < KILLS) {
      const now = await committed();
      if (now >= total) {
        // A run finished before it could be killed (a fast machine): give it more to do, the
        // way a trainer keeps writing, and keep killing.
        for (let i = 0; i < 4; i++) await appendFile(path.join(dir, `node${i}.log`), samples);
        total += samples.length * 4;
        appended++;
        continue;
      }
      // Spread the kills over what is left, so most of them land before the backfill completes.
      const killAt = now + Math.floor(((total - now) / (KILLS - kills + 1)) * random());
      if (process.env.THAW_TEST_DEBUG) console.log(`kill ${kills}: committed ${now} of ${total}, kill at ${killAt}`);
      const finished = await runAndKill(['ingest', '--once', dir], env, committed, killAt, Math.floor(random() * 40));
      if (!finished) kills++;
    }
    const final = await runThaw(['ingest', '--once', dir], { env });
    expect(final.code).toBe(0);
    expect(kills).toBe(KILLS);

    await backfillInto(reference.url, [dir]);
    const actual = await snapshotDatabase(interrupted.query);
    expect(actual.runs).toHaveLength(4 * (copies + appended) * 3);
    expect(actual).toEqual(await snapshotDatabase(reference.query));
  }, 600_000);
});
