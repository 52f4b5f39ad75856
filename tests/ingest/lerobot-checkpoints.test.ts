// LeRobot's own run record: checkpoints/<step>/pretrained_model/train_config.json under the printed
// `Output dir:`. With the console log it is the log's run (one run, not two), alone it makes the run;
// the newest checkpoint's config wins whatever the order; `checkpoints/last` (a symlink) is not
// counted twice; a config that disagrees with the log is reported.
import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestDaemon } from '../../ingest/daemon';
import { createPool } from '../../lib/db/pool';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, memoryLogger, tempDir, waitFor } from '../helpers/ingest';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const LOG = path.join(FIXTURES, 'lerobot/j_smolvla_30k_push403.log');
const CONFIGS = path.join(FIXTURES, 'lerobot-checkpoints');
const OUTPUT_DIR = 'outputs/train/smolvla_so101_pick';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
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
async function writeCheckpoint(dir: string, step: string, edit?: (config: Record<string, unknown>) => void): Promise<string> {
  const checkpoints = path.join(dir, OUTPUT_DIR, 'checkpoints');
  const target = path.join(checkpoints, step, 'pretrained_model');
  await mkdir(target, { recursive: true });
  const config = JSON.parse(await readFile(path.join(CONFIGS, `${step}.train_config.json`), 'utf8')) as Record<string, unknown>;
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
