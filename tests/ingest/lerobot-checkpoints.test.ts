// LeRobot's own run record: checkpoints/<step>/pretrained_model/train_config.json under the printed
// `Output dir:`. With the console log it is the log's run (one run, not two), alone it makes the run;
// the newest checkpoint's config wins whatever the order; `checkpoints/last` (a symlink) is not
// counted twice; a config that disagrees with the log is reported.
import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestDaemon } from '../../ingest/daemon';
import { setEnvOverrides } from '../../lib/env';
import { createPool } from '../../lib/db/pool';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, memoryLogger, tempDir, waitFor } from '../helpers/ingest';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const LOG = path.join(FIXTURES, 'lerobot/j_smolvla_30k_push403.log');
const CONFIGS = path.join(FIXTURES, 'lerobot-checkpoints');
const OUTPUT_DIR = 'outputs/train/smolvla_so101_pick';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  const { disconnectDb } = await import('../../lib/db/client');
  await disconnectDb();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function fresh(name: string): Promise<{ db: TestDatabase; dir: string }> {
  const db = await createTestDatabase(name);
  const temp = await tempDir('thaw-lerobot-ckpt-');
  cleanups.push(
    () => db.drop(),
    () => temp.cleanup(),
  );
  return { db, dir: temp.dir };
}

/** Writes checkpoints/<step>/pretrained_model/train_config.json (from the fixture, optionally edited) and `last`. */
async function writeCheckpoint(
  dir: string,
  step: string,
  edit?: (config: Record<string, unknown>) => void,
  from: string = step,
): Promise<string> {
  const checkpoints = path.join(dir, OUTPUT_DIR, 'checkpoints');
  const target = path.join(checkpoints, step, 'pretrained_model');
  await mkdir(target, { recursive: true });
  const config = JSON.parse(await readFile(path.join(CONFIGS, `${from}.train_config.json`), 'utf8')) as Record<string, unknown>;
  edit?.(config);
  const file = path.join(target, 'train_config.json');
  await writeFile(file, JSON.stringify(config, null, 4));
  return file;
}

async function pointLast(dir: string, step: string): Promise<void> {
  const last = path.join(dir, OUTPUT_DIR, 'checkpoints', 'last');
  await symlink(step, last).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

interface RunRow {
  id: number;
  format: string;
  identity: string | null;
  batchSize: number | null;
  totalSteps: number | null;
  pretrainedPath: string | null;
  rank: number | null;
  steps: number | null;
  strategySource: string | null;
  frozen: number[] | null;
  kinds: string[];
  stepPoints: number;
}

async function runs(db: TestDatabase): Promise<RunRow[]> {
  return db.query<RunRow>(
    `SELECT r.id, r.format, r.identity, r."batchSize", r."totalSteps", r."pretrainedPath",
            (r."configTree"->>'rank')::int AS rank, (r."configTree"->'tree'->>'steps')::int AS steps,
            s.source AS "strategySource", s."frozenLayers" AS frozen,
            array(SELECT ls.kind FROM "RunSource" rs JOIN "LogSource" ls ON ls.id = rs."sourceId" WHERE rs."runId" = r.id ORDER BY ls.kind, ls.path) AS kinds,
            (SELECT count(*)::int FROM "StepPoint" p WHERE p."runId" = r.id) AS "stepPoints"
       FROM "Run" r LEFT JOIN "VisionStrategy" s ON s."runId" = r.id ORDER BY r.id`,
  );
}

describe('LeRobot train_config.json', () => {
  it('joins the console log of the same output dir: one run, the newest config, the strategy it asks for', async () => {
    const { db, dir } = await fresh('lerobot_ckpt_log');
    await mkdir(path.join(dir, 'logs'));
    await copyFile(LOG, path.join(dir, 'logs', 'j.log'));
    await writeCheckpoint(dir, '020000');
    await writeCheckpoint(dir, '030000');
    await pointLast(dir, '030000');
    await backfillInto(db.url, [dir]);
    const all = await runs(db);
    expect(all).toHaveLength(1);
    const run = all[0]!;
    expect(run.format).toBe('lerobot');
    expect(run.identity).toMatch(/:out:outputs\/train\/smolvla_so101_pick$/);
    // Two checkpoints' configs and the log; `last` (a symlink to 030000) is not a third source.
    expect(run.kinds).toEqual(['log', 'train_config', 'train_config']);
    expect(run.stepPoints).toBeGreaterThan(100);
    expect(run.rank).toBe(30000);
    expect(run.steps).toBe(30000);
    expect(run.batchSize).toBe(64);
    expect(run.totalSteps).toBe(30000);
    expect(run.pretrainedPath).toBe('lerobot/smolvla_base');
    // train_expert_only + freeze_vision_encoder on SmolVLM2-500M: all 12 vision layers frozen, asked by the config.
    expect(run.strategySource).toBe('config');
    expect(run.frozen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('alone makes the run; the newest checkpoint wins in either order, and its settings replace an older one', async () => {
    for (const order of [
      ['030000', '020000'],
      ['020000', '030000'],
    ] as const) {
      const { db, dir } = await fresh(`lerobot_ckpt_${order[0]}`);
      await writeCheckpoint(dir, order[0]);
      await backfillInto(db.url, [dir]);
      await writeCheckpoint(dir, order[1]);
      await pointLast(dir, '030000');
      await backfillInto(db.url, [dir]);
      const all = await runs(db);
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ format: 'lerobot', rank: 30000, steps: 30000, totalSteps: 30000, batchSize: 64 });
      expect(all[0]!.kinds).toEqual(['train_config', 'train_config']);
    }
  });

  it('a daemon following the output dir picks up a new checkpoint, not its `last` link', async () => {
    const { db, dir } = await fresh('lerobot_ckpt_follow');
    await mkdir(path.join(dir, 'logs'));
    await copyFile(LOG, path.join(dir, 'logs', 'j.log'));
    await writeCheckpoint(dir, '020000');
    await pointLast(dir, '020000');
    const pool = createPool(db.url);
    const daemon = new IngestDaemon({ pool, paths: [dir], log: memoryLogger('silent').logger, staleMinutes: 10 });
    try {
      await daemon.start();
      await daemon.idle();
      await waitFor(async () => (await runs(db))[0]?.rank === 20000, { what: 'first checkpoint' });
      await writeCheckpoint(dir, '030000');
      await waitFor(async () => (await runs(db))[0]?.rank === 30000, { what: 'second checkpoint', timeoutMs: 30_000 });
      const all = await runs(db);
      expect(all).toHaveLength(1);
      expect(all[0]!.kinds).toEqual(['log', 'train_config', 'train_config']);
    } finally {
      await daemon.close();
      await pool.end();
    }
  });

  it('a config that disagrees with the log on batch size is reported on the run', async () => {
    const { db, dir } = await fresh('lerobot_ckpt_mismatch');
    await mkdir(path.join(dir, 'logs'));
    await copyFile(LOG, path.join(dir, 'logs', 'j.log'));
    await writeCheckpoint(dir, '030000', (config) => {
      config['batch_size'] = 32;
      config['seed'] = 7;
    });
    await backfillInto(db.url, [dir]);
    const [row] = await db.query<{ batchSize: number; settings: { batchSize: number; seed: number } }>(
      `SELECT "batchSize", "configTree"->'settings' AS settings FROM "Run"`,
    );
    // The log printed 64 (it wins the column); the config's 32 is kept with the config for the check.
    expect(row).toMatchObject({ batchSize: 64, settings: { batchSize: 32, seed: 7 } });
  });
});

describe('what the checkpoints prove', () => {
  interface StatusRow {
    status: string;
    totalSteps: number | null;
    dataset: string | null;
    checkpoints: { step: number; path: string | null; onDisk: boolean }[];
  }
  const statusOf = async (db: TestDatabase) =>
    db.query<StatusRow>(
      `SELECT r.status, r."totalSteps", r.dataset,
              COALESCE((SELECT json_agg(json_build_object('step', c.step, 'path', c.path, 'onDisk', c."onDisk") ORDER BY c.step)
                          FROM "Checkpoint" c WHERE c."runId" = r.id), '[]') AS checkpoints
         FROM "Run" r ORDER BY r.id`,
    );

  it('checkpoint folders 010000, 020000 and last of a 20,000-step run: completed at step 20,000, its checkpoints listed', async () => {
    const { db, dir } = await fresh('lerobot_ckpt_completed');
    await writeCheckpoint(dir, '010000', undefined, '020000');
    await writeCheckpoint(dir, '020000');
    await pointLast(dir, '020000');
    await backfillInto(db.url, [dir]);
    const [run, ...others] = await statusOf(db);
    expect(others).toEqual([]);
    const folder = (step: string) => path.join(dir, OUTPUT_DIR, 'checkpoints', step);
    expect(run).toEqual({
      status: 'completed',
      totalSteps: 20000,
      dataset: 'user/j_smolvla_30k_push403',
      checkpoints: [
        { step: 10000, path: folder('010000'), onDisk: true },
        { step: 20000, path: folder('020000'), onDisk: true },
      ],
    });
    // the completion is an alert transition like any other (recorded, not sent: a backfill)
    const alerts = await db.query<{ rule: string; live: boolean }>(`SELECT rule, live FROM "Alert"`);
    expect(alerts).toEqual([{ rule: 'completed', live: false }]);
    // /api/runs/:id's query: lastStep from the newest checkpoint, step-based, the checkpoints in order
    setEnvOverrides({ DATABASE_URL: db.url });
    const { disconnectDb } = await import('../../lib/db/client');
    await disconnectDb();
    const { getRunDetail } = await import('../../lib/queries/run');
    const [{ id }] = (await db.query<{ id: number }>(`SELECT id FROM "Run"`)) as [{ id: number }];
    const detail = await getRunDetail(id);
    expect(detail.run.status).toBe('completed');
    expect(detail.run.dataset).toBe('user/j_smolvla_30k_push403');
    expect(detail.progress).toMatchObject({ lastStep: 20000, stepBased: true, epochsDone: 0 });
    expect(detail.checkpoints).toEqual([
      { step: 10000, path: folder('010000'), onDisk: true },
      { step: 20000, path: folder('020000'), onDisk: true },
    ]);
    const { listRunsPage } = await import('../../lib/queries/runs');
    const { runs: rows } = await listRunsPage({ sort: 'id', dir: 'asc' });
    expect(rows.map((r) => [r.status, r.lastStep, r.totalSteps, r.dataset])).toEqual([
      ['completed', 20000, 20000, 'user/j_smolvla_30k_push403'],
    ]);
    await disconnectDb();
  });

  it('the newest checkpoint short of the configured steps proves nothing about the end', async () => {
    const { db, dir } = await fresh('lerobot_ckpt_short');
    await writeCheckpoint(dir, '010000', (config) => (config['steps'] = 30000), '020000');
    await backfillInto(db.url, [dir]);
    const [run] = await statusOf(db);
    expect(run).toMatchObject({ status: 'running', totalSteps: 30000 });
    expect(run!.checkpoints.map((c) => c.step)).toEqual([10000]);
  });

  it('with the console log: the printed checkpoints join the folders (one row per step, the folder path wins), the printed config names the dataset', async () => {
    const { db, dir } = await fresh('lerobot_ckpt_with_log');
    await mkdir(path.join(dir, 'logs'));
    await copyFile(LOG, path.join(dir, 'logs', 'j.log'));
    await writeCheckpoint(dir, '020000');
    await backfillInto(db.url, [dir]);
    const [run] = await statusOf(db);
    expect(run).toMatchObject({ status: 'completed', totalSteps: 30000, dataset: 'user/j_smolvla_30k_push403' });
    const byStep = new Map(run!.checkpoints.map((c) => [c.step, c]));
    expect(byStep.get(20000)).toEqual({ step: 20000, path: path.join(dir, OUTPUT_DIR, 'checkpoints', '020000'), onDisk: true });
    expect(byStep.get(30000)).toEqual({ step: 30000, path: `${OUTPUT_DIR}/checkpoints/030000`, onDisk: false });
  });

  it('a SmolVLA run whose log prints its config: the strategy comes from the policy block (config), the dataset from it', async () => {
    const { db, dir } = await fresh('lerobot_printed_config');
    await copyFile(path.join(FIXTURES, 'lerobot-config/smolvla_printed_config.log'), path.join(dir, 'o.log'));
    await backfillInto(db.url, [dir]);
    const [row] = await db.query<{
      dataset: string;
      source: string;
      unfrozen: number[];
      status: string;
      tree: { policy: { type: string } };
    }>(
      `SELECT r.dataset, r.status, s.source, s."unfrozenLayers" AS unfrozen, r."configTree"->'tree' AS tree
         FROM "Run" r JOIN "VisionStrategy" s ON s."runId" = r.id`,
    );
    expect(row).toMatchObject({
      dataset: 'kuavo/task2_weighing_lerobot',
      status: 'completed',
      source: 'config',
      unfrozen: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      tree: { policy: { type: 'smolvla' } },
    });
  });
});
