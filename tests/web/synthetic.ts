// Deterministic synthetic training runs written straight into the database with SQL, for the web
// benchmark (bench/web.ts) and for tests that need more runs or steps than the sample logs have.
// The shapes imitate the SmolVLA sequential trainer: per-epoch train/validation losses (validation
// rising after a strategy-dependent epoch, i.e. overfitting), per-step tqdm losses, checkpoint events,
// and sequential chains task1 → task2 → … with a final multi-task validation block per stage.
import type pg from 'pg';
import { refreshRunSummaries, refreshStepBuckets, type SqlRunner } from '../../lib/summaries/store';

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

  // Runs: one row each (cheap even for thousands), chained within groups of `chainLength`.
  const ids: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const stage = (i % chainLength) + 1;
    const n = LAST_N[Math.floor(i / chainLength) % LAST_N.length]!;
    const parent = stage > 1 ? ids[i - 1]! : null;
    const taskId = stage;
    const outputDir = `outputs/train/task${taskId}/smolvla_sequential/run_${String(i).padStart(5, '0')}`;
    const started = new Date(Date.UTC(2025, 10, 1) + i * 3_600_000);
    const row = await db.query<{ id: number }>(
      `INSERT INTO "Run" ("sourceId", "runKey", format, "taskId", "taskName", stage, "outputDir", status, "loadedFrom",
                          "resumeTaskId", "resumePath", "parentRunId", "epochsTotal", "batchSize", "learningRate",
                          "stepsPerEpoch", "totalSteps", "datasetFrames", "totalParams", "trainableParams", "frozenParams",
                          "startedAt", "lastSeenAt", description, language)
       VALUES ($1, $2, 'smolvla_sequential', $3, $4, $3, $5, 'completed', $6, $7, $8, $9, $10, 64, 0.0001, $11, $12, $13,
               450046176, $14::bigint, 450046176 - $14::bigint, $15, $15, 'synthetic run', 'Pick up the object and place it on the target.')
       RETURNING id`,
      [
        sourceId,
        i * 1000,
        taskId,
        ['moving_grasp', 'weighing', 'placement', 'sorting'][(taskId - 1) % 4],
        outputDir,
        parent === null ? 'pretrained' : 'task',
        parent === null ? null : taskId - 1,
        parent === null ? null : `outputs/train/task${taskId - 1}/smolvla_sequential/run_${String(i - 1).padStart(5, '0')}/best`,
        parent,
        options.epochs,
        stepsPerEpoch,
        stepsPerEpoch * options.epochs,
        2560 * taskId,
        300_000_000 + n * 7_000_000,
        started,
      ],
    );
    const id = row.rows[0]!.id;
    ids.push(id);
    const unfrozen = Array.from({ length: n }, (_, k) => 12 - n + k);
    const frozen = Array.from({ length: 12 - n }, (_, k) => k);
    await db.query(
      `INSERT INTO "VisionStrategy" ("runId", kind, spec, "totalLayers", "frozenLayers", "unfrozenLayers", applied)
       VALUES ($1, 'unfreeze', $2, 12, $3, $4, true)`,
      [id, JSON.stringify(Array.from({ length: n }, (_, k) => -(k + 1))), frozen, unfrozen],
    );
  }
  const idArray = `{${ids.join(',')}}`;
  // noise(a, b) in [0, 1): a deterministic hash of two numbers.
  const noise = (a: string, b: string) =>
    `(abs(sin(${a} * 12.9898 + ${b} * 78.233)) * 43758.5453 - floor(abs(sin(${a} * 12.9898 + ${b} * 78.233)) * 43758.5453))`;
  // Strategy with more layers fits faster and overfits earlier: minimum of validation near epoch 60%·E·(10/(n+6)).
  await db.query(
    `INSERT INTO "EpochMetric" ("runId", epoch, "trainLoss", lr, "msPerBatch", "samplesPerSec", "durationMinutes")
     SELECT r.id, e,
            0.05 + 0.75 * exp(-e::float8 / (4 + cardinality(s."unfrozenLayers"))) + 0.01 * ${noise('e', 'r.id')},
            0.0001 * (0.5 + 0.5 * cos(pi() * e / $2)), 200 + 10 * ${noise('r.id', 'e')}, 300, $3::float8 * 0.2 / 60
       FROM unnest($1::int[]) AS r(id) JOIN "VisionStrategy" s ON s."runId" = r.id, generate_series(1, $2) AS e`,
    [idArray, options.epochs, stepsPerEpoch],
  );
  await db.query(
    `INSERT INTO "Validation" ("runId", epoch, final, "taskId", loss, retention)
     SELECT r.id, e, false, t,
            CASE WHEN t = run."taskId"
                 THEN 0.12 + 0.6 * exp(-e::float8 / 5) + 0.004 * greatest(0, e - $2 * 6.0 / (cardinality(s."unfrozenLayers") + 2)) + 0.01 * ${noise('e', 'r.id + t')}
                 ELSE 0.3 + 0.05 * (run."taskId" - t) + 0.003 * e + 0.02 * ${noise('e', 'r.id * t')} END,
            NULL
       FROM unnest($1::int[]) AS r(id) JOIN "Run" run ON run.id = r.id JOIN "VisionStrategy" s ON s."runId" = r.id,
            generate_series(1, $2) AS e, generate_series(1, 4) AS t
      WHERE t <= run."taskId" AND ($3 OR t = run."taskId")`,
    [idArray, options.epochs, options.earlierTasks ?? true],
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
       FROM unnest($1::int[]) AS r(id), generate_series(1, $3) AS st`,
    [idArray, stepsPerEpoch, stepsPerEpoch * options.epochs],
  );
  await db.query(
    `INSERT INTO "RunEvent" ("runId", kind, line, epoch, loss, path)
     SELECT r.id, 'checkpoint_saved', 1000 + e, e, NULL::float8, run."outputDir" || '/epoch' || e
       FROM unnest($1::int[]) AS r(id) JOIN "Run" run ON run.id = r.id, generate_series(10, $2, 10) AS e
     UNION ALL
     SELECT r.id, 'best_saved', 2000 + $2, $2, NULL, run."outputDir" || '/best' FROM unnest($1::int[]) AS r(id) JOIN "Run" run ON run.id = r.id
     UNION ALL
     SELECT r.id, 'completed', 3000 + $2, NULL, 0.05, NULL::text FROM unnest($1::int[]) AS r(id)`,
    [idArray, options.epochs],
  );
  // What ingest stores with every batch: the runs' summaries and step buckets (lib/summaries).
  const sql: SqlRunner = async (text, params) => (await db.query(text, params as unknown[])).rows as Record<string, unknown>[];
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
