// Run directories become runs: event files, training_results.json and Hydra configs, alone or with
// the console log of the same run — one run each, whatever the order, whichever daemon.
import { appendFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestDaemon } from '../../ingest/daemon';
import { createPool } from '../../lib/db/pool';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, memoryLogger, tempDir, waitFor } from '../helpers/ingest';
import { epochRecords, eventFileOf, hydraDirOf, runDirOf, writeRunDir, type RunDirSpec } from '../helpers/rundir';
import { corruptDataCrc, encodeEvent, encodeRecord } from '../../testkit/tfevents-writer';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/rundirs');

interface ExpectedRun {
  taskId: number;
  outputDir: string;
  epochs: Record<string, number>;
  val: Record<string, Record<string, number>>;
  final: Record<string, number>;
  unfrozen: number[];
  batchSize: number;
  lr: number;
  hasLog: boolean;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function freshDb(name: string): Promise<TestDatabase> {
  const db = await createTestDatabase(name);
  cleanups.push(() => db.drop());
  return db;
}

async function freshDir(): Promise<string> {
  const temp = await tempDir('thaw-rundirs-');
  cleanups.push(() => temp.cleanup());
  return temp.dir;
}

async function runsIn(db: TestDatabase) {
  return db.query<{
    id: number;
    identity: string | null;
    taskId: number | null;
    status: string;
    batchSize: number | null;
    learningRate: number | null;
    epochsTotal: number | null;
    timestamp: string | null;
    kinds: string[];
  }>(
    `SELECT r.id, r.identity, r."taskId", r.status, r."batchSize", r."learningRate", r."epochsTotal", r.timestamp,
            array(SELECT s.kind FROM "RunSource" rs JOIN "LogSource" s ON s.id = rs."sourceId" WHERE rs."runId" = r.id ORDER BY s.kind) AS kinds
       FROM "Run" r ORDER BY r.timestamp, r.id`,
  );
}

async function epochLosses(db: TestDatabase, runId: number): Promise<Record<string, number>> {
  const rows = await db.query<{ epoch: number; trainLoss: number }>(
    `SELECT epoch, "trainLoss" FROM "EpochMetric" WHERE "runId" = $1 AND "trainLoss" IS NOT NULL ORDER BY epoch`,
    [runId],
  );
  return Object.fromEntries(rows.map((row) => [String(row.epoch), Math.fround(row.trainLoss)]));
}

async function validations(db: TestDatabase, runId: number, final: boolean): Promise<Record<string, Record<string, number>>> {
  const rows = await db.query<{ epoch: number; taskId: number; loss: number }>(
    `SELECT epoch, "taskId", loss FROM "Validation" WHERE "runId" = $1 AND final = $2 ORDER BY epoch, "taskId"`,
    [runId, final],
  );
  const out: Record<string, Record<string, number>> = {};
  for (const row of rows) (out[String(row.epoch)] ??= {})[String(row.taskId)] = final ? row.loss : Math.fround(row.loss);
  return out;
}

describe('the sample run directories', () => {
  const expected = async () =>
    (JSON.parse(await readFile(path.join(FIXTURES, 'expected.json'), 'utf8')) as { runs: Record<string, ExpectedRun> }).runs;

  async function checkSamples(db: TestDatabase): Promise<void> {
    const runs = await runsIn(db);
    const wanted = await expected();
    expect(runs.map((run) => run.timestamp)).toEqual(Object.keys(wanted).sort());
    for (const run of runs) {
      const want = wanted[run.timestamp!]!;
      expect(run.taskId).toBe(want.taskId);
      expect(run.identity).toMatch(new RegExp(`:${want.outputDir.split('/').slice(-3).join('/')}$`));
      expect(run.status).toBe('completed');
      // The config's values; the task 1 log printed what the trainer used (64, 9e-05, a task-level
      // override the config does not hold), and a printed value wins over the config's.
      const config = (
        await db.query<{ batchSize: number; lr: number }>(
          `SELECT ("configTree"->'tree'->'training'->>'batch_size')::int AS "batchSize", ("configTree"->'tree'->'policy'->>'optimizer_lr')::float8 AS lr
             FROM "Run" WHERE id = $1`,
          [run.id],
        )
      )[0];
      expect(config).toEqual({ batchSize: want.batchSize, lr: want.lr });
      expect(run.batchSize).toBe(want.hasLog ? 64 : want.batchSize);
      expect(run.learningRate).toBe(want.hasLog ? 9e-5 : want.lr);
      expect(run.kinds).toEqual(
        want.hasLog ? ['hydra_config', 'log', 'results_json', 'tfevents'] : ['hydra_config', 'results_json', 'tfevents'],
      );
      expect(await epochLosses(db, run.id)).toEqual(want.epochs);
      expect(await validations(db, run.id, false)).toEqual(want.val);
      const final = await validations(db, run.id, true);
      expect(Object.values(final)).toEqual([want.final]);
      const strategy = (
        await db.query<{ unfrozenLayers: number[]; source: string }>(
          `SELECT "unfrozenLayers", source FROM "VisionStrategy" WHERE "runId" = $1`,
          [run.id],
        )
      )[0];
      expect(strategy?.unfrozenLayers).toEqual(want.unfrozen);
      // The task 1 log printed its banner; task 2 has only its config.
      expect(strategy?.source).toBe(want.hasLog ? 'log' : 'config');
    }
  }

  it('give exactly two runs with the expected values (one backfill)', async () => {
    const db = await freshDb('rundirs_samples');
    const dir = await freshDir();
    await cp(FIXTURES, dir, { recursive: true });
    await backfillInto(db.url, [dir]);
    await checkSamples(db);
    // Again: nothing changes, nothing is duplicated.
    await backfillInto(db.url, [dir]);
    await checkSamples(db);
  });

  it('give the same two runs whichever source is read first', async () => {
    for (const order of [
      ['logs', 'outputs'],
      ['outputs', 'logs'],
    ]) {
      const db = await freshDb(`rundirs_order_${order[0]}`);
      const dir = await freshDir();
      await cp(FIXTURES, dir, { recursive: true });
      for (const part of order) await backfillInto(db.url, [path.join(dir, part)]);
      await checkSamples(db);
    }
  });

  it('give two runs when two daemons ingest them at once', async () => {
    const db = await freshDb('rundirs_two_daemons');
    const dir = await freshDir();
    await cp(FIXTURES, dir, { recursive: true });
    await Promise.all([
      backfillInto(db.url, [dir], { batchEvents: 7 }),
      backfillInto(db.url, [path.join(dir, 'outputs'), path.join(dir, 'logs')]),
    ]);
    await checkSamples(db);
  });
});

describe('generated run directories', () => {
  let db: TestDatabase;
  let dir: string;
  let pool: ReturnType<typeof createPool>;
  let daemon: IngestDaemon;

  beforeAll(async () => {
    db = await freshDb('rundirs_live');
    dir = await freshDir();
    pool = createPool(db.url);
    daemon = new IngestDaemon({ pool, paths: [dir], log: memoryLogger('silent').logger, staleMinutes: 10 });
    await daemon.start();
  });
  afterAll(async () => {
    await daemon.close();
    await pool.end();
  });

  const runFor = async (timestamp: string) => (await runsIn(db)).filter((run) => run.timestamp === timestamp);

  it('a run directory without a console log is a run, with TF2 tensors read like simple values', async () => {
    const spec: RunDirSpec = {
      taskId: 3,
      taskName: 'pouring',
      timestamp: '20251201_100000',
      epochs: 6,
      style: 'tensor',
      batchSize: 24,
      lr: 5e-5,
    };
    await writeRunDir(dir, spec);
    await waitFor(
      async () => (await runFor(spec.timestamp))[0]?.status === 'completed' && (await runFor(spec.timestamp))[0]!.kinds.length === 3,
      {
        what: 'completed run from its directory',
      },
    );
    const [run] = await runFor(spec.timestamp);
    expect(run).toMatchObject({ taskId: 3, batchSize: 24, learningRate: 5e-5, epochsTotal: 6 });
    await waitFor(async () => Object.keys(await epochLosses(db, run!.id)).length === 6, { what: 'six epochs' });
    expect((await epochLosses(db, run!.id))['2']).toBe(Math.fround(0.3));
    expect(Object.keys(await validations(db, run!.id, false))).toHaveLength(6);
  });

  it('a growing event file: new epochs appear, a half-written record waits for its end, a bad CRC is skipped with a warning', async () => {
    const spec: RunDirSpec = { taskId: 1, taskName: 'grasp', timestamp: '20251202_100000', epochs: 10 };
    await mkdir(runDirOf(dir, spec), { recursive: true });
    const file = eventFileOf(dir, spec);
    await writeFile(file, epochRecords(spec, 1, 2, true));
    await waitFor(
      async () => {
        const [run] = await runFor(spec.timestamp);
        return run !== undefined && Object.keys(await epochLosses(db, run.id)).length === 2;
      },
      { what: 'two epochs' },
    );
    const [run] = await runFor(spec.timestamp);
    expect(run!.status).toBe('running');

    // Epoch 3, written in two pieces: nothing of the half record is stored meanwhile.
    const third = epochRecords(spec, 3, 3, false);
    await appendFile(file, third.subarray(0, 20));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(Object.keys(await epochLosses(db, run!.id))).toHaveLength(2);
    await appendFile(file, third.subarray(20));
    await waitFor(async () => Object.keys(await epochLosses(db, run!.id)).length === 3, { what: 'epoch 3' });

    // Epoch 4's train loss record has a bad data CRC: skipped with a warning; epoch 5 still arrives.
    const lossRecord = encodeRecord(encodeEvent({ wallTime: 1, step: 3, scalars: [{ tag: 'train/loss', value: 0.15 }] }));
    await appendFile(file, corruptDataCrc(lossRecord, 0));
    await appendFile(file, epochRecords(spec, 5, 5, false));
    await waitFor(async () => (await epochLosses(db, run!.id))['5'] !== undefined, { what: 'epoch 5' });
    expect(Object.keys(await epochLosses(db, run!.id))).toEqual(['1', '2', '3', '5']);
    const warnings = await db.query<{ message: string }>(`SELECT message FROM "ParseWarning" WHERE "runId" = $1`, [run!.id]);
    expect(warnings.map((w) => w.message).join('\n')).toMatch(/CRC/);
    expect(await runFor(spec.timestamp)).toHaveLength(1);
  });

  it('a console log written after its event file joins the same run, and the values agree', async () => {
    const spec: RunDirSpec = {
      taskId: 2,
      taskName: 'weigh',
      timestamp: '20251203_100000',
      epochs: 3,
      loss: (e) => [0.5511, 0.3432, 0.2134][e - 1]!,
    };
    await writeRunDir(dir, spec, { results: false, hydra: false });
    await waitFor(async () => (await runFor(spec.timestamp)).length === 1, { what: 'run from the event file' });
    const log = [
      '======================================================================',
      '🤖 SmolVLA Sequential Training - Stage 2',
      '======================================================================',
      'Task ID: 2',
      'Task Name: weigh',
      '======================================================================',
      '',
      `📁 Output Directory: outputs/train/task2_weigh/smolvla_sequential/run_${spec.timestamp}`,
      `📅 Timestamp: ${spec.timestamp}`,
      '',
      'Epoch 1/3',
      'Epoch 1 Average Loss: 0.5511',
      '',
    ].join('\n');
    await mkdir(path.join(dir, 'logs'), { recursive: true });
    const logFile = path.join(dir, 'logs', `task2_${spec.timestamp}.log`);
    // The header first (a run without identity), then the Output Directory: the two runs merge.
    const cut = log.indexOf('📁');
    await writeFile(logFile, log.slice(0, cut));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await appendFile(logFile, log.slice(cut));
    await waitFor(
      async () =>
        (await runFor(spec.timestamp))[0]?.kinds.includes('log') === true && (await runsIn(db)).every((r) => r.timestamp !== null),
      {
        what: 'log joined',
      },
    );
    const runs = await runFor(spec.timestamp);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.kinds).toEqual(['log', 'tfevents']);
    expect((await epochLosses(db, runs[0]!.id))['1']).toBe(Math.fround(0.5511));
    expect(Object.keys(await epochLosses(db, runs[0]!.id))).toEqual(['1', '2', '3']);
  });

  it('a Hydra config changed on disk is read again', async () => {
    const spec: RunDirSpec = { taskId: 4, taskName: 'stack', timestamp: '20251204_100000', epochs: 2, batchSize: 8 };
    await writeRunDir(dir, spec, { events: false, results: false });
    await waitFor(async () => (await runFor(spec.timestamp))[0]?.batchSize === 8, { what: 'config read' });
    const config = path.join(hydraDirOf(dir, spec), 'config.yaml');
    await writeFile(config, (await readFile(config, 'utf8')).replace('  - -4\n', '').replace('seed: 42', 'seed: 7'));
    await waitFor(
      async () => {
        const [run] = await runFor(spec.timestamp);
        const row = await db.query<{ seed: number }>(
          `SELECT ("configTree"->'tree'->'training'->>'seed')::int AS seed FROM "Run" WHERE id = $1`,
          [run!.id],
        );
        return row[0]?.seed === 7;
      },
      { what: 'config re-read' },
    );
    const [run] = await runFor(spec.timestamp);
    const strategy = await db.query<{ unfrozenLayers: number[] }>(`SELECT "unfrozenLayers" FROM "VisionStrategy" WHERE "runId" = $1`, [
      run!.id,
    ]);
    expect(strategy[0]?.unfrozenLayers).toEqual([9, 10, 11]);
  });

  it('every run appears exactly once', async () => {
    const runs = await runsIn(db);
    expect(new Set(runs.map((run) => run.identity)).size).toBe(runs.length);
  });
});
