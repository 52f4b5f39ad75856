// kill -9 of `thaw ingest --once` at random points while it backfills run directories (TensorBoard
// event files tailed record by record, results JSON, Hydra configs, and a console log of one of the
// runs), each followed by a restart, must end with a database identical (row for row) to one
// uninterrupted ingest, and with one run per run directory.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { runAndKill, runThaw } from '../../testkit/cli';
import { backfillInto, tempDir } from '../helpers/ingest';
import { mulberry32 } from '../../testkit/random';
import { epochRecords, eventFileOf, writeRunDir, type RunDirSpec } from '../helpers/rundir';
import { snapshotDatabase } from '../../testkit/snapshot';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const KILLS = Number(process.env.THAW_SOAK_KILLS ?? 10);

describe('crash safety with event files', () => {
  it(`survives ${KILLS} kill -9 at random points while backfilling run directories, row for row`, async () => {
    const temp = await tempDir();
    const dir = temp.dir;
    cleanups.push(() => temp.cleanup());
    const specs: RunDirSpec[] = [1, 2, 3, 4].map((taskId) => ({
      taskId,
      taskName: `t${taskId}`,
      timestamp: `2025120${taskId}_120000`,
      epochs: 1500,
      style: taskId % 2 === 0 ? 'tensor' : 'simple',
    }));
    for (const spec of specs) await writeRunDir(dir, spec, { results: spec.taskId !== 4 });
    // The console log of run 1 too: it joins the run its directory makes.
    await mkdir(path.join(dir, 'logs'), { recursive: true });
    await writeFile(
      path.join(dir, 'logs', 'task1.log'),
      [
        '🤖 SmolVLA Sequential Training - Stage 1',
        'Task ID: 1',
        'Task Name: t1',
        '',
        `📁 Output Directory: outputs/train/task1_t1/smolvla_sequential/run_${specs[0]!.timestamp}`,
        `📅 Timestamp: ${specs[0]!.timestamp}`,
        '',
        'Epoch 1/1500',
        'Epoch 1 Average Loss: 0.6000',
        '',
      ].join('\n'),
    );

    const interrupted: TestDatabase = await createTestDatabase('crash_tfevents');
    const reference: TestDatabase = await createTestDatabase('reference_tfevents');
    cleanups.push(
      () => interrupted.drop(),
      () => reference.drop(),
    );
    const env = { DATABASE_URL: interrupted.url, THAW_INGEST_BATCH_EVENTS: '400', THAW_LOG_LEVEL: 'silent' };
    const eventBytes = async () =>
      Number(
        (
          await interrupted.query<{ n: string }>(
            `SELECT coalesce(sum("committedOffset"), 0)::text AS n FROM "LogSource" WHERE kind = 'tfevents'`,
          )
        )[0]!.n,
      );
    let total = specs.reduce((sum, spec) => sum + epochRecords(spec, 1, spec.epochs, true).length, 0);
    const random = mulberry32(11);
    let kills = 0;
    while (kills < KILLS) {
      const now = await eventBytes();
      if (now >= total) {
        // Finished before it could be killed: the trainers write more epochs; keep killing.
        for (const spec of specs) {
          const more = epochRecords(spec, spec.epochs + 1, spec.epochs + 300, false);
          await appendFile(eventFileOf(dir, spec), more);
          spec.epochs += 300;
          total += more.length;
        }
        continue;
      }
      const killAt = now + Math.floor(((total - now) / (KILLS - kills + 1)) * random());
      const finished = await runAndKill(['ingest', '--once', dir], env, eventBytes, killAt, Math.floor(random() * 40));
      if (!finished) kills++;
    }
    const final = await runThaw(['ingest', '--once', dir], { env });
    expect(final.code).toBe(0);
    expect(kills).toBe(KILLS);

    await backfillInto(reference.url, [dir]);
    const actual = await snapshotDatabase((sql, params) => interrupted.query(sql, params));
    expect(actual.runs).toHaveLength(4);
    const expected = await snapshotDatabase((sql, params) => reference.query(sql, params));
    // Table by table, only the rows that differ: a whole-database diff is too large to print.
    for (const table of Object.keys(expected)) {
      const want = new Set(expected[table]!.map((row) => JSON.stringify(row)));
      const got = new Set((actual[table] ?? []).map((row) => JSON.stringify(row)));
      expect({
        table,
        rows: actual[table]?.length,
        missing: [...want].filter((row) => !got.has(row)),
        extra: [...got].filter((row) => !want.has(row)),
      }).toEqual({ table, rows: expected[table]!.length, missing: [], extra: [] });
    }
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    const perRun = await interrupted.query<{ epochs: number; sources: number }>(
      `SELECT (SELECT count(*)::int FROM "EpochMetric" e WHERE e."runId" = r.id) AS epochs,
              (SELECT count(*)::int FROM "RunSource" rs WHERE rs."runId" = r.id) AS sources
         FROM "Run" r ORDER BY r."taskId"`,
    );
    expect(perRun).toEqual(specs.map((spec) => ({ epochs: spec.epochs, sources: spec.taskId === 1 ? 4 : spec.taskId === 4 ? 2 : 3 })));
  }, 600_000);
});
