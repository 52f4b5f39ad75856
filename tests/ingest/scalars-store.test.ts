// Every scalar into PostgreSQL (ingest/store/scalars.ts) as event files really reach the daemon:
// written a little at a time while it follows them (the same rows as one backfill, chunks filled in
// file order), rewritten in place (what the file held before goes), beside a console log and a Hydra
// config of the same run (one run, the log's format, the trainer's config before the file's
// hyperparameters), and runs merged or folded into the run above with their tags.
import { appendFile, copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestDaemon } from '../../ingest/daemon';
import { emptySeriesBlock } from '../../ingest/events';
import { mergeRunScalars, writeSeries } from '../../ingest/store/scalars';
import { createPool } from '../../lib/db/pool';
import { inTransaction } from '../../lib/db/transaction';
import { decodeFloats } from '../../lib/scalars/chunks';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, memoryLogger, tempDir, waitFor } from '../helpers/ingest';
import { snapshotDatabase } from '../../testkit/snapshot';
import { REAL_DIR } from '../helpers/tfevents-fixtures';
import { concatBytes, encodeEvent, encodeRecord, FILE_VERSION } from '../../testkit/tfevents-writer';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function fresh(name: string): Promise<{ db: TestDatabase; dir: string }> {
  const db = await createTestDatabase(name);
  const temp = await tempDir('thaw-scalars-store-');
  cleanups.push(
    () => db.drop(),
    () => temp.cleanup(),
  );
  return { db, dir: temp.dir };
}

const TAGS = ['train/loss', 'train/lr', 'hierarchical/safety_loss'];

/** Records for steps [from, to): one event per step with every tag (float32 values), the file_version first when `from` is 0. */
function records(from: number, to: number, scale = 1): Uint8Array {
  const parts: Uint8Array[] = [];
  if (from === 0) parts.push(encodeRecord(encodeEvent({ wallTime: 1.76e9, step: 0, fileVersion: FILE_VERSION })));
  for (let step = from; step < to; step++)
    parts.push(
      encodeRecord(
        encodeEvent({
          wallTime: 1.76e9 + step / 4,
          step: step + 1,
          scalars: TAGS.map((tag, k) => ({ tag, value: (scale * (k + 1)) / (step + 1) })),
        }),
      ),
    );
  return concatBytes(parts);
}

async function chunksOf(db: TestDatabase, tag: string): Promise<{ count: number; steps: number[] }[]> {
  const rows = await db.query<{ count: number; steps: Buffer }>(
    `SELECT c.count, c.steps FROM "ScalarChunk" c JOIN "ScalarTag" t ON t.id = c."tagId" WHERE t.tag = $1 ORDER BY c."sourceId", c."firstOrd"`,
    [tag],
  );
  return rows.map((row) => ({ count: row.count, steps: [...decodeFloats(row.steps)] }));
}

describe('event files written while followed', () => {
  it('give the rows one backfill gives: every point once, chunks filled in file order', async () => {
    const live = await fresh('scalars_live');
    const runDir = path.join(live.dir, 'outputs/train/task1_moving_grasp/act_bs8/run_20251101_120000');
    await mkdir(runDir, { recursive: true });
    const file = path.join(runDir, 'events.out.tfevents.1762000000.gpu.1.0');
    const pool = createPool(live.db.url);
    const daemon = new IngestDaemon({ pool, paths: [live.dir], log: memoryLogger('silent').logger, staleMinutes: 60 });
    const cuts = [0, 1, 700, 701, 1500, 2048, 2049, 2500];
    try {
      await writeFile(file, records(0, 0));
      await daemon.start();
      for (let k = 1; k < cuts.length; k++) {
        await appendFile(file, records(cuts[k - 1]!, cuts[k]!));
        await waitFor(
          async () =>
            (await live.db.query<{ n: number }>(`SELECT COALESCE(sum(count), 0)::int AS n FROM "ScalarTag"`))[0]!.n === 3 * cuts[k]!,
          { what: `${cuts[k]} steps stored` },
        );
      }
    } finally {
      await daemon.close();
      await pool.end();
    }
    const chunks = await chunksOf(live.db, 'train/loss');
    expect(chunks.map((c) => c.count)).toEqual([1024, 1024, 452]);
    expect(chunks.flatMap((c) => c.steps)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));

    const once = await fresh('scalars_once');
    const copy = path.join(once.dir, path.relative(live.dir, file));
    await mkdir(path.dirname(copy), { recursive: true });
    await copyFile(file, copy);
    await backfillInto(once.db.url, [once.dir]);
    const strip = (root: string) => ({ pathPrefix: root });
    const liveRows = await snapshotDatabase((sql, params) => live.db.query(sql, params), strip(live.dir));
    const onceRows = await snapshotDatabase((sql, params) => once.db.query(sql, params), strip(once.dir));
    expect(liveRows['scalars']).toEqual(onceRows['scalars']);
    expect(liveRows['scalars']).toHaveLength(3);
    expect(liveRows['scalars']![0]).toMatchObject({ count: 2500, firstStep: 1, lastStep: 2500 });
  });
});

describe('an event file rewritten in place', () => {
  it('holds only what it holds now, whether its first bytes stayed or changed', async () => {
    const { db, dir } = await fresh('scalars_rewrite');
    const runDir = path.join(dir, 'runs/exp1');
    await mkdir(runDir, { recursive: true });
    const file = path.join(runDir, 'events.out.tfevents.1762000000.gpu.1.0');
    const summary = async () =>
      db.query<{ tag: string; count: number; lastStep: number; lastValue: number }>(
        `SELECT tag, count, "lastStep", "lastValue" FROM "ScalarTag" ORDER BY tag`,
      );
    await writeFile(file, records(0, 1500));
    await backfillInto(db.url, [dir]);
    expect((await summary()).map((t) => t.count)).toEqual([1500, 1500, 1500]);
    // Same first bytes, shorter: the cursor goes back to 0 and the file is read anew.
    await writeFile(file, records(0, 600));
    await backfillInto(db.url, [dir]);
    expect(await summary()).toEqual(
      [...TAGS].sort().map((tag) => ({ tag, count: 600, lastStep: 600, lastValue: Math.fround((TAGS.indexOf(tag) + 1) / 600) })),
    );
    expect((await chunksOf(db, 'train/loss')).flatMap((c) => c.steps)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    // Other first bytes (another content on the same path): the earlier content's points go too.
    await writeFile(
      file,
      concatBytes([
        encodeRecord(encodeEvent({ wallTime: 1.8e9, step: 0, fileVersion: FILE_VERSION })),
        records(0, 10, 2).subarray(records(0, 0).length),
      ]),
    );
    await backfillInto(db.url, [dir]);
    expect((await summary()).map((t) => [t.tag, t.count, t.lastStep])).toEqual([...TAGS].sort().map((tag) => [tag, 10, 10]));
    expect(await db.query(`SELECT count(*)::int AS n FROM "Run"`)).toEqual([{ n: 1 }]);
  });
});

describe('a run directory with a console log, a Hydra config and an event file with hyperparameters', () => {
  const LOG = 'train_vla.log';
  const RUN = 'outputs/train/task1_moving_grasp/vla_transformer/run_20251010_101010';
  const HYDRA = 'outputs/train_hydra_save/vla_transformer/20251010_101010/.hydra';

  /** The log of tests/fixtures/logs/generic_tqdm.log's second run (train_vla_policy.py), which prints its output directory last. */
  async function writeSources(dir: string): Promise<Record<'log' | 'events' | 'hydra', string>> {
    const lines = (await readFile(path.resolve(import.meta.dirname, '../fixtures/logs/generic_tqdm.log'), 'utf8')).split('\n');
    const start = lines.findIndex((line) => line.startsWith('🤖 VLA'));
    const log = path.join(dir, 'logs', LOG);
    await mkdir(path.dirname(log), { recursive: true });
    await writeFile(log, `${lines.slice(start).join('\n')}\n`);
    // A session file of TF's HParams API (hyperparameters dropout, num_units, optimizer; one accuracy point).
    const session = path.join(REAL_DIR, 'tf-summary/logs/hparam_tuning/run-1');
    const [name] = (await readdir(session)).filter((n) => n.includes('tfevents'));
    const events = path.join(dir, RUN, name!);
    await mkdir(path.dirname(events), { recursive: true });
    await copyFile(path.join(session, name!), events);
    const hydra = path.join(dir, HYDRA, 'config.yaml');
    await mkdir(path.dirname(hydra), { recursive: true });
    await writeFile(
      hydra,
      'task: tasks/task1_moving_grasp\nmethod: vla_transformer\ntimestamp: ${now:%Y%m%d_%H%M%S}\ntraining:\n  max_epoch: 2\n  batch_size: 16\n',
    );
    return { log, events, hydra };
  }

  for (const order of [
    ['events', 'hydra', 'log'],
    ['log', 'hydra', 'events'],
    ['hydra', 'events', 'log'],
  ] as const) {
    it(`are one run with the log's format and Hydra's config, read ${order.join(' → ')}`, async () => {
      const { db, dir } = await fresh('scalars_sources');
      const files = await writeSources(dir);
      for (const kind of order) await backfillInto(db.url, [files[kind]]);
      const runs = await db.query<{ format: string; tree: Record<string, unknown>; kinds: string[]; tags: string[] }>(
        `SELECT r.format, r."configTree"->'tree' AS tree,
                array(SELECT s.kind FROM "RunSource" rs JOIN "LogSource" s ON s.id = rs."sourceId" WHERE rs."runId" = r.id ORDER BY s.kind) AS kinds,
                array(SELECT t.tag FROM "ScalarTag" t WHERE t."runId" = r.id) AS tags
           FROM "Run" r`,
      );
      expect(runs).toEqual([
        {
          format: 'generic_tqdm',
          tree: expect.objectContaining({ method: 'vla_transformer' }) as unknown,
          kinds: ['hydra_config', 'log', 'tfevents'],
          tags: ['accuracy'],
        },
      ]);
    });
  }

  it("the file's hyperparameters are the config when nothing else says one", async () => {
    const { db, dir } = await fresh('scalars_hparams');
    const files = await writeSources(dir);
    await backfillInto(db.url, [files.events]);
    const [run] = await db.query<{ format: string; config: { tree: Record<string, unknown>; source: string; rank: number } }>(
      `SELECT format, "configTree" AS config FROM "Run"`,
    );
    expect(run!.format).toBe('tensorboard');
    expect(run!.config).toMatchObject({ source: 'tensorboard_hparams', rank: -2 });
    expect(Object.keys(run!.config.tree).sort()).toEqual(['dropout', 'num_units', 'optimizer']);
  });
});

describe('runs merged', () => {
  it('keep one tag per (dir, tag), every point and a summary folded from both; a run folded under a folder gets its prefix', async () => {
    const { db } = await fresh('scalars_merge');
    const pool = createPool(db.url);
    try {
      const ids = await db.query<{ id: number }>(
        `WITH s AS (INSERT INTO "LogSource" (host, path, device, inode, fingerprint, "fingerprintLength", kind)
                      VALUES ('h', '/a', '1', '1', 'a', 0, 'tfevents'), ('h', '/b', '1', '2', 'b', 0, 'tfevents'), ('h', '/c', '1', '3', 'c', 0, 'tfevents') RETURNING id)
         INSERT INTO "Run" ("sourceId", "runKey", format) SELECT id, 0, 'tensorboard' FROM s ORDER BY id RETURNING id`,
      );
      const [keep, gone, sub] = ids.map((row) => row.id) as [number, number, number];
      const sources = (await db.query<{ id: number }>(`SELECT id FROM "LogSource" ORDER BY id`)).map((row) => row.id);
      const series = (tag: string, steps: number[], values: number[], others: Record<string, number> = {}) => {
        const block = emptySeriesBlock(steps.length);
        block.tags.push(tag);
        steps.forEach((step, i) => {
          block.step[i] = step;
          block.wallTime[i] = 100 + step;
          block.value[i] = values[i]!;
        });
        block.length = steps.length;
        block.others = others;
        return block;
      };
      await inTransaction(pool, async (client) => {
        await writeSeries(client, keep, { id: sources[0]!, path: '/a' }, [
          { dir: '', firstPoint: 0, block: series('loss', [1, 2, 3], [3, 2, 1]) },
        ]);
        await writeSeries(client, gone, { id: sources[1]!, path: '/b' }, [
          { dir: '', firstPoint: 0, block: series('loss', [3, 4], [Number.NaN, 0.5], { images: 2 }) },
          { dir: '', firstPoint: 2, block: series('acc', [4], [0.9]) },
        ]);
        await writeSeries(client, sub, { id: sources[2]!, path: '/c' }, [{ dir: 'train', firstPoint: 0, block: series('loss', [0], [7]) }]);
        await mergeRunScalars(client, keep, gone);
        await mergeRunScalars(client, keep, sub, '1671184017.51');
      });
    } finally {
      await pool.end();
    }
    const tags = await db.query(
      `SELECT "runId", dir, tag, count, "firstStep", "lastStep", "lastValue", "minValue", "maxValue" FROM "ScalarTag" ORDER BY tag, dir`,
    );
    const keepId = tags[0]!['runId'] as number;
    expect(tags).toEqual([
      { runId: keepId, dir: '', tag: 'acc', count: 1, firstStep: 4, lastStep: 4, lastValue: 0.9, minValue: 0.9, maxValue: 0.9 },
      { runId: keepId, dir: '', tag: 'loss', count: 5, firstStep: 1, lastStep: 4, lastValue: 0.5, minValue: 0.5, maxValue: 3 },
      {
        runId: keepId,
        dir: '1671184017.51/train',
        tag: 'loss',
        count: 1,
        firstStep: 0,
        lastStep: 0,
        lastValue: 7,
        minValue: 7,
        maxValue: 7,
      },
    ]);
    expect(await db.query(`SELECT dir, plugin, count FROM "ScalarPluginCount"`)).toEqual([{ dir: '', plugin: 'images', count: 2 }]);
    expect(
      await db.query(
        `SELECT count(*)::int AS n FROM "ScalarChunk" c JOIN "ScalarTag" t ON t.id = c."tagId" WHERE t.tag = 'loss' AND t.dir = ''`,
      ),
    ).toEqual([{ n: 2 }]);
  });
});
