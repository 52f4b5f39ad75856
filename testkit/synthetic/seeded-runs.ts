// Deterministic synthetic training runs written straight into the database with SQL, for the web
// benchmark (bench/web.ts) and for tests that need more runs or steps than the sample logs have.
// The shapes imitate the SmolVLA sequential trainer: per-epoch train/validation losses (validation
// rising after a strategy-dependent epoch, i.e. overfitting), per-step tqdm losses, checkpoint events,
// and sequential chains task1 → task2 → … with a final multi-task validation block per stage.
import type pg from 'pg';
import { pgRunner, refreshRunSummaries, refreshStepBuckets } from '../../lib/summaries/tables';

export interface SyntheticOptions {
  runs: number;
  epochs: number;
  /** Step points per run (spread evenly over the epochs). */
  stepsPerRun: number;
  /** Stages per chain (1 = independent single-task runs). */
  chainLength?: number;
  /** Prefix of the fake log paths. */
  pathPrefix?: string;
  /** Also validate every earlier task each epoch (default true); false: the run's own task only. */
  earlierTasks?: boolean;
  /**
   * A realistic mix instead of uniform runs (the 10,000-run bench): every strategy kind (last-N
   * unfreeze, freeze lists, ratios, full fine-tuning, none printed), and statuses completed, crashed,
   * stopped and running, the unfinished ones stopped part-way.
   */
  mixed?: boolean;
}

interface MixedShape {
  status: 'completed' | 'crashed' | 'stopped' | 'running';
  /** Fraction of the epochs the run got through. */
  done: number;
  /** null: the log printed no strategy banner. */
  strategy: { kind: string; spec: unknown; frozen: number[]; unfrozen: number[] } | null;
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);

/** Run i's shape in a mixed seed: deterministic, every kind and status present within 40 runs. */
function mixedShape(i: number): MixedShape {
  const status = i % 20 === 7 ? 'crashed' : i % 40 === 13 ? 'stopped' : i % 25 === 3 ? 'running' : 'completed';
  const done = status === 'completed' ? 1 : 0.3 + 0.1 * (i % 6);
  const variant = Math.floor(i / 4) % 8;
  const lastN = (n: number) => ({
    kind: 'unfreeze',
    spec: range(1, n).map((k) => -k),
    frozen: range(0, 12 - n),
    unfrozen: range(12 - n, n),
  });
  const strategies: MixedShape['strategy'][] = [
    lastN(4),
    lastN(8),
    { kind: 'freeze', spec: range(0, 6), frozen: range(0, 6), unfrozen: range(6, 6) },
    { kind: 'ratio', spec: 0.75, frozen: range(0, 9), unfrozen: range(9, 3) },
    { kind: 'ratio', spec: 0.5, frozen: range(0, 6), unfrozen: range(6, 6) },
    { kind: 'none', spec: null, frozen: [], unfrozen: range(0, 12) },
    lastN(10),
    null,
  ];
  return { status, done, strategy: strategies[variant] ?? null };
}

type Query = Pick<pg.Pool, 'query'>;

/** Last-N unfreeze strategies, cycled over the runs (trainable layers 4, 6, 8, 9, 10). */
const LAST_N = [4, 6, 8, 9, 10] as const;

export async function seedSyntheticRuns(db: Query, options: SyntheticOptions): Promise<number[]> {
  const chainLength = options.chainLength ?? 4;
  const stepsPerEpoch = Math.max(1, Math.floor(options.stepsPerRun / options.epochs));
  const prefix = options.pathPrefix ?? '/synthetic/logs';
  const source = await db.query<{ id: number }>(
    `INSERT INTO "LogSource" (host, path, device, inode, fingerprint, "fingerprintLength", size, "committedOffset")
     VALUES ('synthetic', $1, '0', $1, 'synthetic', 0, 0, 0) RETURNING id`,
    [`${prefix}/synthetic-${Date.now()}.log`],
  );
  const sourceId = source.rows[0]!.id;

  // Runs: built here, written in one statement (10,000 runs in seconds), then chained within groups
  // of `chainLength` (each stage's parent is the run before it).
  const epochsDone: number[] = [];
  const rows: unknown[][] = [];
  const strategies: { index: number; kind: string; spec: string; frozen: string; unfrozen: string }[] = [];
  const taskNames = ['moving_grasp', 'weighing', 'placement', 'sorting'];
  for (let i = 0; i < options.runs; i++) {
    const stage = (i % chainLength) + 1;
    const n = LAST_N[Math.floor(i / chainLength) % LAST_N.length]!;
    const chained = stage > 1;
    const taskId = stage;
    const shape = options.mixed ? mixedShape(i) : null;
    rows.push([
      i * 1000,
      taskId,
      taskNames[(taskId - 1) % 4],
      `outputs/train/task${taskId}/smolvla_sequential/run_${String(i).padStart(5, '0')}`,
      shape?.status ?? 'completed',
      chained ? 'task' : 'pretrained',
      chained ? taskId - 1 : null,
      chained ? `outputs/train/task${taskId - 1}/smolvla_sequential/run_${String(i - 1).padStart(5, '0')}/best` : null,
      2560 * taskId,
      300_000_000 + n * 7_000_000,
      new Date(Date.UTC(2025, 10, 1) + i * 3_600_000).toISOString(),
    ]);
    epochsDone.push(shape ? Math.max(1, Math.floor(options.epochs * shape.done)) : options.epochs);
    const strategy =
      shape === null
        ? { kind: 'unfreeze', spec: range(1, n).map((k) => -k), frozen: range(0, 12 - n), unfrozen: range(12 - n, n) }
        : shape.strategy;
    if (strategy !== null) {
      strategies.push({
        index: i,
        kind: strategy.kind,
        spec: JSON.stringify(strategy.spec),
        frozen: `{${strategy.frozen.join(',')}}`,
        unfrozen: `{${strategy.unfrozen.join(',')}}`,
      });
    }
  }
  const column = (k: number) => rows.map((row) => row[k]);
  const inserted = await db.query<{ id: number; runKey: string }>(
    `INSERT INTO "Run" ("sourceId", "runKey", format, "taskId", "taskName", stage, "outputDir", status, "loadedFrom",
                        "resumeTaskId", "resumePath", "epochsTotal", "batchSize", "learningRate",
                        "stepsPerEpoch", "totalSteps", "datasetFrames", "totalParams", "trainableParams", "frozenParams",
                        "startedAt", "lastSeenAt", description, language)
     SELECT $1, u.key, 'smolvla_sequential', u.task, u.name, u.task, u.dir, u.status, u.loaded, u.resume_task, u.resume_path,
            $2::int, 64, 0.0001, $3::int, $2::int * $3::int, u.frames, 450046176, u.trainable, 450046176 - u.trainable, u.started, u.started,
            'synthetic run', 'Pick up the object and place it on the target.'
       FROM unnest($4::bigint[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::text[], $12::int[],
                   $13::bigint[], $14::timestamptz[])
            AS u(key, task, name, dir, status, loaded, resume_task, resume_path, frames, trainable, started)
     RETURNING id, "runKey"`,
    [sourceId, options.epochs, stepsPerEpoch, ...Array.from({ length: 11 }, (_, k) => column(k))],
  );
  const idByKey = new Map(inserted.rows.map((row) => [Number(row.runKey), row.id]));
  const ids = rows.map((_, i) => idByKey.get(i * 1000)!);
  await db.query(`UPDATE "Run" r SET "parentRunId" = u.parent FROM unnest($1::int[], $2::int[]) AS u(id, parent) WHERE r.id = u.id`, [
    ids.filter((_, i) => i % chainLength !== 0),
    ids.flatMap((id, i) => (i % chainLength !== 0 ? [ids[i - 1]!] : [])),
  ]);
  await db.query(
    `INSERT INTO "VisionStrategy" ("runId", kind, spec, "totalLayers", "frozenLayers", "unfrozenLayers", applied)
     SELECT u.id, u.kind, u.spec::jsonb, 12, u.frozen::int[], u.unfrozen::int[], true
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(id, kind, spec, frozen, unfrozen)`,
    [
      strategies.map((s) => ids[s.index]),
      strategies.map((s) => s.kind),
      strategies.map((s) => s.spec),
      strategies.map((s) => s.frozen),
      strategies.map((s) => s.unfrozen),
    ],
  );
  // Epochs each run got through (all of them unless mixed).
  const doneArray = `{${epochsDone.join(',')}}`;
  const idArray = `{${ids.join(',')}}`;
  // noise(a, b) in [0, 1): a deterministic hash of two numbers.
  const noise = (a: string, b: string) =>
    `(abs(sin(${a} * 12.9898 + ${b} * 78.233)) * 43758.5453 - floor(abs(sin(${a} * 12.9898 + ${b} * 78.233)) * 43758.5453))`;
  // Strategy with more layers fits faster and overfits earlier: minimum of validation near epoch 60%·E·(10/(n+6)).
  await db.query(
    `INSERT INTO "EpochMetric" ("runId", epoch, "trainLoss", lr, "msPerBatch", "samplesPerSec", "durationMinutes")
     SELECT r.id, e,
            0.05 + 0.75 * exp(-e::float8 / (4 + COALESCE(cardinality(s."unfrozenLayers"), 6))) + 0.01 * ${noise('e', 'r.id')},
            0.0001 * (0.5 + 0.5 * cos(pi() * e / $2)), 200 + 10 * ${noise('r.id', 'e')}, 300, $3::float8 * 0.2 / 60
       FROM unnest($1::int[], $4::int[]) AS r(id, done) LEFT JOIN "VisionStrategy" s ON s."runId" = r.id, generate_series(1, r.done) AS e`,
    [idArray, options.epochs, stepsPerEpoch, doneArray],
  );
  await db.query(
    `INSERT INTO "Validation" ("runId", epoch, final, "taskId", loss, retention)
     SELECT r.id, e, false, t,
            CASE WHEN t = run."taskId"
                 THEN 0.12 + 0.6 * exp(-e::float8 / 5) + 0.004 * greatest(0, e - $2 * 6.0 / (COALESCE(cardinality(s."unfrozenLayers"), 6) + 2)) + 0.01 * ${noise('e', 'r.id + t')}
                 ELSE 0.3 + 0.05 * (run."taskId" - t) + 0.003 * e + 0.02 * ${noise('e', 'r.id * t')} END,
            NULL
       FROM unnest($1::int[], $4::int[]) AS r(id, done) JOIN "Run" run ON run.id = r.id LEFT JOIN "VisionStrategy" s ON s."runId" = r.id,
            generate_series(1, r.done) AS e, generate_series(1, 4) AS t
      WHERE t <= run."taskId" AND ($3 OR t = run."taskId")`,
    [idArray, options.epochs, options.earlierTasks ?? true, doneArray],
  );
  await db.query(
    `INSERT INTO "Validation" ("runId", epoch, final, "taskId", loss, retention)
     SELECT v."runId", v.epoch, true, v."taskId", v.loss * 1.01,
            CASE WHEN v."taskId" = run."taskId" THEN NULL WHEN v.loss * 1.01 < 0.7 THEN 'retained'
                 WHEN v.loss * 1.01 < 1.0 THEN 'slight_degradation' ELSE 'significant_forgetting' END
       FROM "Validation" v JOIN "Run" run ON run.id = v."runId"
      WHERE v."runId" = ANY($1::int[]) AND v.epoch = $2 AND NOT v.final`,
    [idArray, options.epochs],
  );
  await db.query(
    `INSERT INTO "StepPoint" ("runId", step, epoch, loss, lr, "procMs", "elapsedS")
     SELECT r.id, st, (st - 1) / $2 + 1,
            0.05 + 0.75 * exp(-((st - 1) / $2 + 1)::float8 / 8) + 0.05 * ${noise('st', 'r.id')},
            0.0001, 200, ((st - 1) % $2 + 1) * 0.2
       FROM unnest($1::int[], $3::int[]) AS r(id, done), generate_series(1, r.done * $2) AS st`,
    [idArray, stepsPerEpoch, doneArray],
  );
  await db.query(
    `INSERT INTO "RunEvent" ("runId", kind, line, epoch, loss, path)
     SELECT r.id, 'checkpoint_saved', 1000 + e, e, NULL::float8, run."outputDir" || '/epoch' || e
       FROM unnest($1::int[]) AS r(id) JOIN "Run" run ON run.id = r.id, generate_series(10, $2, 10) AS e
     UNION ALL
     SELECT r.id, 'best_saved', 2000 + $2, $2, NULL, run."outputDir" || '/best' FROM unnest($1::int[]) AS r(id) JOIN "Run" run ON run.id = r.id
     UNION ALL
     SELECT r.id, 'completed', 3000 + $2, NULL, 0.05, NULL::text FROM unnest($1::int[]) AS r(id) JOIN "Run" run ON run.id = r.id
      WHERE run.status = 'completed'`,
    [idArray, options.epochs],
  );
  // What ingest stores with every batch: the runs' summaries and step buckets (lib/summaries).
  const sql = pgRunner(db);
  for (let at = 0; at < ids.length; at += 1000) await refreshRunSummaries(sql, ids.slice(at, at + 1000));
  const steps = stepsPerEpoch * options.epochs;
  for (let at = 0; at < ids.length; at += 10)
    await refreshStepBuckets(
      sql,
      ids.slice(at, at + 10).map((runId) => ({ runId, from: 1, to: steps })),
    );
  await db.query('ANALYZE');
  return ids;
}
