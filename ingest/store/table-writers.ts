// The per-table writers of a planned batch (./plan-batch.ts), each an upsert keyed on content so a
// replayed batch is a no-op; called in order by commitBatch (./commit-batch.ts).
import type pg from 'pg';
import {
  lockRuns,
  pgRunner,
  refreshRunSummaries,
  refreshStepBuckets,
  type StepRange,
  type StoredRunSeries,
} from '../../lib/summaries/tables';
import { EPOCH_METRICS, type RunInfo, type StrategyInfo } from '../events';
import { statusAfterSql } from '../run-status';
import type { EpochRows, ValidationRows } from '../plan-rows';
import { BinaryCopyRows, copyBinaryIn } from '../pg-copy';
import { concatFloats, joined, lastStoredKeys, partitionFresh, rowSource, writeBulk, type BulkColumn } from './bulk-rows';
import { movesVerdict, type BatchPlan, type EvalRow, type EventRow, type StepRow } from './plan-batch';
import { agreeingValue, pgJson, pgText } from './sql-literals';

/** RunInfo fields are named like their columns. */
export const RUN_INFO_COLUMNS: readonly (keyof RunInfo)[] = [
  'taskId',
  'taskName',
  'description',
  'language',
  'stage',
  'outputDir',
  'timestamp',
  'datasetFrames',
  'datasetFps',
  'epochsTotal',
  'batchSize',
  'learningRate',
  'stepsPerEpoch',
  'totalSteps',
  'episodes',
  'dataset',
  'pushError',
  'loadedFrom',
  'pretrainedPath',
  'resumeTaskId',
  'resumePath',
  'totalParams',
  'trainableParams',
  'frozenParams',
];

/** "20251106_144248" → the run's start time (the trainer's clock; stored as given). */
function timestampToDate(timestamp: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/.exec(timestamp);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? null : date;
}

function infoValue(value: RunInfo[keyof RunInfo] | undefined): unknown {
  if (typeof value === 'string') return pgText(value);
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

export async function writeRunInfo(client: pg.PoolClient, plan: BatchPlan, runIds: Map<number, number>): Promise<void> {
  for (const [runKey, run] of plan.runs) {
    const fields = RUN_INFO_COLUMNS.filter((column) => run.info[column] !== undefined);
    // Config and results-JSON values fill only what no log printed.
    const fallbacks = RUN_INFO_COLUMNS.filter((column) => run.fallbackInfo[column] !== undefined && run.info[column] === undefined);
    if (fields.length === 0 && fallbacks.length === 0) continue;
    const values: unknown[] = [];
    const assignments: string[] = [];
    for (const column of fields) {
      values.push(infoValue(run.info[column]));
      assignments.push(`"${column}" = $${values.length + 1}`);
    }
    for (const column of fallbacks) {
      values.push(infoValue(run.fallbackInfo[column]));
      assignments.push(`"${column}" = COALESCE("${column}", $${values.length + 1})`);
    }
    const timestamp = run.info.timestamp ?? run.fallbackInfo.timestamp;
    const started = timestamp ? timestampToDate(timestamp) : null;
    if (started) {
      values.push(started);
      assignments.push(`"startedAt" = $${values.length + 1}`);
    }
    await client.query(`UPDATE "Run" SET ${assignments.join(', ')} WHERE id = $1`, [runIds.get(runKey), ...values]);
  }
}

/**
 * The config tree (Hydra's config, LeRobot's train_config.json, hyperparameters of an event file or
 * Lightning's hparams.yaml), the settings and the strategy it asks for (shown as such while no banner
 * was seen). Of several configs of one run the highest rank wins, whatever order they are read in: a
 * config without a rank (Hydra's) replaces any; one with a rank (LeRobot's checkpoint step) replaces
 * a lower or equal one, and a rank-less one too unless its rank is negative — the hyperparameters an
 * event file (−2) or hparams.yaml (−1) carry never replace what the trainer's own config says.
 */
export async function writeConfigs(client: pg.PoolClient, plan: BatchPlan, runIds: Map<number, number>): Promise<void> {
  for (const [runKey, run] of plan.runs) {
    const config = run.config;
    if (!config) continue;
    const runId = runIds.get(runKey);
    const stored = {
      tree: config.tree,
      overrides: config.overrides,
      ...(config.settings !== null ? { settings: config.settings } : {}),
      ...(config.rank !== null ? { rank: config.rank } : {}),
      ...(config.source !== null ? { source: config.source } : {}),
    };
    const updated = await client.query<{ previous: Partial<Record<SettingColumn, unknown>> | null }>(
      `UPDATE "Run" AS r SET "configTree" = $2, "configStrategy" = $3
         FROM (SELECT id, "configTree"->'settings' AS previous FROM "Run" WHERE id = $1) AS old
        WHERE r.id = old.id AND ($4::float8 IS NULL OR r."configTree" IS NULL
               OR COALESCE((r."configTree"->>'rank')::float8, CASE WHEN $4::float8 < 0 THEN 'Infinity'::float8 ELSE '-Infinity'::float8 END) <= $4::float8)
        RETURNING old.previous`,
      [runId, pgJson(stored), config.strategy === null ? null : pgJson(config.strategy), config.rank],
    );
    const row = updated.rows[0];
    if (!row) continue;
    if (config.strategy) await upsertStrategy(client, runId!, config.strategy, 'config');
    // A newer checkpoint's config replaces what an older one filled in (not what a log printed).
    if (config.rank !== null && config.settings !== null) {
      for (const column of SETTING_COLUMNS) {
        const value = config.settings[column];
        const previous = row.previous?.[column];
        if (value === undefined || typeof previous !== 'number') continue;
        await client.query(`UPDATE "Run" SET "${column}" = $2 WHERE id = $1 AND "${column}" = $3`, [runId, value, previous]);
      }
    }
  }
}

/** Config settings that are also Run columns (filled from the config when no log printed them). */
const SETTING_COLUMNS = ['batchSize', 'learningRate', 'epochsTotal', 'totalSteps'] as const;
type SettingColumn = (typeof SETTING_COLUMNS)[number];

export async function writeStrategies(client: pg.PoolClient, plan: BatchPlan, runIds: Map<number, number>): Promise<void> {
  for (const [runKey, run] of plan.runs) {
    if (run.strategy) await upsertStrategy(client, runIds.get(runKey)!, run.strategy, 'log');
  }
}

/** A banner in the log replaces anything; a config's strategy only replaces another config's. */
async function upsertStrategy(client: pg.PoolClient, runId: number, strategy: StrategyInfo, source: 'log' | 'config'): Promise<void> {
  await client.query(
    `INSERT INTO "VisionStrategy" ("runId", kind, spec, "totalLayers", "frozenLayers", "unfrozenLayers", applied, "failureReason", "visionTrainableParams", "visionTotalParams", source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT ("runId") DO UPDATE SET kind = EXCLUDED.kind, spec = EXCLUDED.spec, "totalLayers" = EXCLUDED."totalLayers",
       "frozenLayers" = EXCLUDED."frozenLayers", "unfrozenLayers" = EXCLUDED."unfrozenLayers", applied = EXCLUDED.applied,
       "failureReason" = EXCLUDED."failureReason",
       "visionTrainableParams" = COALESCE(EXCLUDED."visionTrainableParams", "VisionStrategy"."visionTrainableParams"),
       "visionTotalParams" = COALESCE(EXCLUDED."visionTotalParams", "VisionStrategy"."visionTotalParams"),
       source = EXCLUDED.source
     WHERE EXCLUDED.source = 'log' OR "VisionStrategy".source = 'config'`,
    [
      runId,
      strategy.kind,
      strategy.spec === null ? null : pgJson(strategy.spec),
      strategy.totalLayers,
      strategy.frozen,
      strategy.unfrozen,
      strategy.applied,
      strategy.failureReason === null ? null : pgText(strategy.failureReason),
      strategy.visionTrainableParams,
      strategy.visionTotalParams,
      source,
    ],
  );
}

export async function writeEpochs(client: pg.PoolClient, plan: BatchPlan, runIds: Map<number, number>): Promise<void> {
  const runs: number[] = [];
  const epochs: number[] = [];
  const tables: EpochRows[] = [];
  for (const [runKey, run] of plan.runs) {
    if (run.epochs.size === 0) continue;
    const runId = runIds.get(runKey)!;
    tables.push(run.epochs);
    for (let row = 0; row < run.epochs.size; row++) {
      runs.push(runId);
      epochs.push(run.epochs.epoch(row));
    }
  }
  if (runs.length === 0) return;
  const sizes = tables.map((table) => table.size);
  const columns: BulkColumn[] = [
    { type: 'int4', values: runs },
    { type: 'int4', values: epochs },
    ...EPOCH_METRICS.map((_, metric) =>
      concatFloats(
        tables.map((table) => table.columns[metric]!),
        sizes,
      ),
    ),
  ];
  await writeBulk(
    client,
    'epochs',
    `"EpochMetric" ("runId", epoch, "trainLoss", lr, "msPerBatch", "samplesPerSec", "durationMinutes")`,
    columns,
    runs.length,
    partitionFresh(runs, epochs, await lastStoredKeys(client, 'EpochMetric', 'epoch', runs)),
    (from) =>
      `INSERT INTO "EpochMetric" ("runId", epoch, "trainLoss", lr, "msPerBatch", "samplesPerSec", "durationMinutes")
     SELECT * FROM ${from}
     ON CONFLICT ("runId", epoch) DO UPDATE SET
       "trainLoss" = ${agreeingValue('"EpochMetric"."trainLoss"', 'EXCLUDED."trainLoss"', 'incoming')},
       lr = ${agreeingValue('"EpochMetric".lr', 'EXCLUDED.lr', 'incoming')},
       "msPerBatch" = COALESCE(EXCLUDED."msPerBatch", "EpochMetric"."msPerBatch"),
       "samplesPerSec" = COALESCE(EXCLUDED."samplesPerSec", "EpochMetric"."samplesPerSec"),
       "durationMinutes" = COALESCE(EXCLUDED."durationMinutes", "EpochMetric"."durationMinutes")`,
  );
}

/** Metrics as jsonb text: JSON has no NaN/±Infinity, so those become null (the loss column keeps NaN). */
function metricsJson(metrics: Record<string, number | null> | undefined): string | null {
  if (metrics === undefined) return null;
  const clean: Record<string, number | null> = {};
  for (const [name, value] of Object.entries(metrics)) clean[name] = value !== null && Number.isFinite(value) ? value : null;
  return pgJson(clean);
}

export async function writeSteps(client: pg.PoolClient, plan: BatchPlan, runIds: Map<number, number>): Promise<void> {
  const runs: number[] = [];
  const rows: StepRow[] = [];
  const retractRuns: number[] = [];
  const retractSteps: number[] = [];
  for (const [runKey, run] of plan.runs) {
    const runId = runIds.get(runKey)!;
    for (const row of run.steps.values()) {
      runs.push(runId);
      rows.push(row);
    }
    for (const step of run.retracted) {
      retractRuns.push(runId);
      retractSteps.push(step);
    }
  }
  if (retractSteps.length > 0) {
    await client.query(
      `DELETE FROM "StepPoint" AS p USING unnest($1::int[], $2::int[]) AS r(run, step) WHERE p."runId" = r.run AND p.step = r.step`,
      [`{${retractRuns.join(',')}}`, `{${retractSteps.join(',')}}`],
    );
    // Steps before the last one changed: readers' incremental step summaries must start over.
    await client.query(`UPDATE "Run" SET "stepRevision" = "stepRevision" + 1 WHERE id = ANY($1::int[])`, [
      `{${[...new Set(retractRuns)].join(',')}}`,
    ]);
  }
  if (rows.length === 0) return;
  // Rows past a run's last stored step cannot conflict (the caller holds the run's lock, and every
  // StepPoint writer takes it first): they go in by binary COPY, the cheapest way into the table. The
  // rest (a redrawn or corrected step, a run with retractions) take the upsert.
  const last = await lastStoredKeys(
    client,
    'StepPoint',
    'step',
    [...new Set(runs)].filter((id) => !retractRuns.includes(id)),
  );
  // Most trainers have no extra metrics: then the jsonb column is not sent at all (the bulk path stays narrow).
  const withMetrics = rows.some((row) => row.metrics !== undefined);
  const target = `"StepPoint" ("runId", step, epoch, loss, lr, "procMs", "elapsedS", estimated${withMetrics ? ', metrics' : ''})`;
  const { fresh, upsert } = partitionFresh(
    runs,
    rows.map((row) => row.step),
    last,
  );
  if (fresh.length > 0) await copySteps(client, target, fresh, runs, rows, withMetrics);
  if (upsert.length === 0) return;
  const upRows = upsert.map((i) => rows[i]!);
  const { from, params } = await rowSource(
    client,
    'steps',
    [
      { type: 'int4', values: upsert.map((i) => runs[i]!) },
      { type: 'int4', values: upRows.map((row) => row.step) },
      { type: 'int4', values: upRows.map((row) => row.epoch) },
      { type: 'float8', values: upRows.map((row) => row.loss) },
      { type: 'float8', values: upRows.map((row) => row.lr) },
      { type: 'float8', values: upRows.map((row) => row.procMs) },
      { type: 'float8', values: upRows.map((row) => row.elapsedS) },
      { type: 'bool', values: upRows.map((row) => row.estimated === true) },
      ...(withMetrics ? [{ type: 'jsonb' as const, values: upRows.map((row) => metricsJson(row.metrics)) }] : []),
    ],
    upRows.length,
  );
  await client.query(
    `INSERT INTO ${target}
     SELECT * FROM ${from}
     ON CONFLICT ("runId", step) DO UPDATE SET epoch = EXCLUDED.epoch, loss = EXCLUDED.loss, lr = EXCLUDED.lr,
       "procMs" = EXCLUDED."procMs", "elapsedS" = EXCLUDED."elapsedS", estimated = EXCLUDED.estimated${
         withMetrics ? ', metrics = EXCLUDED.metrics' : ''
       }`,
    params,
  );
}

/**
 * New step rows by binary COPY, encoded straight from the row objects. Kept apart from writeBulk's
 * generic encoder on purpose: this is the hot path of a backfill (a million steps per log), and
 * building bulk columns from the rows and encoding them cell by cell measured 2.7× this loop's CPU
 * time (1M rows, median of 6, same process), which showed in the backfill bench.
 */
async function copySteps(
  client: pg.PoolClient,
  target: string,
  picked: readonly number[],
  runs: readonly number[],
  rows: readonly StepRow[],
  withMetrics: boolean,
): Promise<void> {
  const fields = withMetrics ? 9 : 8;
  const data = new BinaryCopyRows(picked.length, 2 + 3 * 8 + 4 * 12 + 5 + (withMetrics ? 64 : 0));
  for (const i of picked) {
    const row = rows[i]!;
    data
      .row(fields)
      .int4(runs[i]!)
      .int4(row.step)
      .int4(row.epoch ?? null)
      .float8(row.loss ?? null)
      .float8(row.lr ?? null)
      .float8(row.procMs ?? null)
      .float8(row.elapsedS ?? null)
      .bool(row.estimated === true);
    if (withMetrics) data.jsonb(metricsJson(row.metrics));
  }
  await copyBinaryIn(client, target, data.finish());
}

export async function writeEvals(client: pg.PoolClient, plan: BatchPlan, runIds: Map<number, number>): Promise<void> {
  const runs: number[] = [];
  const rows: EvalRow[] = [];
  for (const [runKey, run] of plan.runs) {
    for (const row of run.evals.values()) {
      runs.push(runIds.get(runKey)!);
      rows.push(row);
    }
  }
  if (rows.length === 0) return;
  const { from, params } = await rowSource(
    client,
    'evals',
    [
      { type: 'int4', values: runs },
      { type: 'int4', values: rows.map((row) => row.step) },
      { type: 'float8', values: rows.map((row) => row.successRate) },
      { type: 'float8', values: rows.map((row) => row.reward) },
      { type: 'float8', values: rows.map((row) => row.evalS) },
      { type: 'float8', values: rows.map((row) => row.loss) },
    ],
    rows.length,
  );
  await client.query(
    `INSERT INTO "EvalPoint" ("runId", step, "successRate", reward, "evalS", loss)
     SELECT * FROM ${from}
     ON CONFLICT ("runId", step) DO UPDATE SET
       "successRate" = COALESCE(EXCLUDED."successRate", "EvalPoint"."successRate"),
       reward = COALESCE(EXCLUDED.reward, "EvalPoint".reward),
       "evalS" = COALESCE(EXCLUDED."evalS", "EvalPoint"."evalS"),
       loss = COALESCE(EXCLUDED.loss, "EvalPoint".loss)`,
    params,
  );
}

export async function writeValidations(client: pg.PoolClient, plan: BatchPlan, runIds: Map<number, number>): Promise<void> {
  const runs: number[] = [];
  const tables: ValidationRows[] = [];
  for (const [runKey, run] of plan.runs) {
    if (run.validations.size === 0) continue;
    const runId = runIds.get(runKey)!;
    tables.push(run.validations);
    for (let row = 0; row < run.validations.size; row++) runs.push(runId);
  }
  if (runs.length === 0) return;
  const epochs = joined(tables, (table) => table.epoch);
  const finals = joined(tables, (table) => table.final);
  const columns: BulkColumn[] = [
    { type: 'int4', values: runs },
    { type: 'int4', values: epochs },
    { type: 'bool', values: finals },
    { type: 'int4', values: joined(tables, (table) => table.taskId) },
    concatFloats(
      tables.map((table) => table.loss),
      tables.map((table) => table.size),
    ),
    { type: 'text', values: joined(tables, (table) => table.retention) },
  ];
  // Per-epoch rows past the run's last per-epoch row are new; final rows (one block per run) always upsert.
  const last = await lastStoredKeys(client, 'Validation', 'epoch', runs, 'AND NOT t.final');
  await writeBulk(
    client,
    'validations',
    `"Validation" ("runId", epoch, final, "taskId", loss, retention)`,
    columns,
    runs.length,
    partitionFresh(runs, epochs, last, (i) => !finals[i]!),
    (from) =>
      `INSERT INTO "Validation" ("runId", epoch, final, "taskId", loss, retention)
     SELECT * FROM ${from}
     ON CONFLICT ("runId", epoch, final, "taskId") DO UPDATE SET
       loss = ${agreeingValue('"Validation".loss', 'EXCLUDED.loss', 'incoming')},
       retention = COALESCE(EXCLUDED.retention, "Validation".retention)`,
  );
}

export async function writeEvents(client: pg.PoolClient, plan: BatchPlan, runIds: Map<number, number>): Promise<void> {
  const runs: number[] = [];
  const rows: EventRow[] = [];
  for (const [runKey, run] of plan.runs) {
    for (const row of run.events) {
      runs.push(runIds.get(runKey)!);
      rows.push(row);
    }
  }
  if (rows.length === 0) return;
  const { from, params } = await rowSource(
    client,
    'events',
    [
      { type: 'int4', values: runs },
      { type: 'text', values: rows.map((row) => row.kind) },
      { type: 'int4', values: rows.map((row) => row.line) },
      { type: 'int4', values: rows.map((row) => row.epoch) },
      { type: 'float8', values: rows.map((row) => row.loss) },
      { type: 'text', values: rows.map((row) => row.path) },
      { type: 'text', values: rows.map((row) => row.message) },
    ],
    rows.length,
  );
  await client.query(
    `INSERT INTO "RunEvent" ("runId", kind, line, epoch, loss, path, message)
     SELECT * FROM ${from}
     ON CONFLICT ("runId", kind, line) DO NOTHING`,
    params,
  );
}

export async function writeWarnings(client: pg.PoolClient, sourceId: number, plan: BatchPlan, runIds: Map<number, number>): Promise<void> {
  if (plan.warnings.length === 0) return;
  const unique = new Map(plan.warnings.map((warning) => [`${warning.line}\0${warning.message}`, warning]));
  const rows = [...unique.values()];
  // $1 is the source; the rows' parameters follow it.
  const { from, params } = await rowSource(
    client,
    'warnings',
    [
      { type: 'int4', values: rows.map((row) => (row.runKey === null ? null : (runIds.get(row.runKey) ?? null))) },
      { type: 'int4', values: rows.map((row) => row.line) },
      { type: 'text', values: rows.map((row) => row.message) },
    ],
    rows.length,
    1,
  );
  await client.query(
    `INSERT INTO "ParseWarning" ("sourceId", "runId", line, message)
     SELECT $1, * FROM ${from}
     ON CONFLICT ("sourceId", line, message) DO NOTHING`,
    [sourceId, ...params],
  );
}

export async function writeStatuses(client: pg.PoolClient, plan: BatchPlan, runIds: Map<number, number>, seenAt: Date): Promise<void> {
  const ids: number[] = [];
  const statuses: (string | null)[] = [];
  const bestLosses: (number | null)[] = [];
  const errors: (string | null)[] = [];
  for (const [runKey, run] of plan.runs) {
    ids.push(runIds.get(runKey)!);
    statuses.push(run.status?.status ?? null);
    bestLosses.push(run.status?.bestLoss ?? null);
    errors.push(run.status?.error ?? null);
  }
  if (ids.length === 0) return;
  // $1 is the time seen; the rows' parameters follow it.
  const { from, params } = await rowSource(
    client,
    'statuses',
    [
      { type: 'int4', values: ids },
      { type: 'text', values: statuses },
      { type: 'float8', values: bestLosses },
      { type: 'text', values: errors },
    ],
    ids.length,
    1,
  );
  // New lines wake a stale run; a status line then decides as ingest/run-status.ts says (a completed run
  // stays completed). Without one, completed and crashed stay so.
  await client.query(
    `UPDATE "Run" AS r SET
       status = ${statusAfterSql(`CASE WHEN r.status = 'stale' THEN 'running' ELSE r.status END`, 'u.status')},
       "bestLoss" = COALESCE(u.best, r."bestLoss"),
       "errorMessage" = COALESCE(u.error, r."errorMessage"),
       "lastSeenAt" = GREATEST(r."lastSeenAt", $1)
     FROM ${from}(id, status, best, error)
     WHERE r.id = u.id`,
    [seenAt, ...params],
  );
}

/**
 * Keeps the stored summaries (lib/summaries) current in the batch's transaction: the step buckets
 * covering the batch's steps, and the derived runs-table fields of runs whose series, info or
 * strategy changed, or that got a NaN/inf step loss (a batch of finite tqdm frames alone leaves them
 * as they are).
 */
export async function writeSummaries(
  client: pg.PoolClient,
  plan: BatchPlan,
  runIds: Map<number, number>,
  options: { interim: boolean; settle: readonly number[] },
): Promise<readonly StoredRunSeries[]> {
  const ranges: StepRange[] = [];
  const changed: number[] = [];
  for (const [runKey, runId] of runIds) {
    const run = plan.runs.get(runKey);
    if (run && (run.steps.size > 0 || run.retracted.size > 0)) {
      // Written and retracted steps alike: their buckets are rebuilt from what StepPoint now holds.
      let from = Infinity;
      let to = -Infinity;
      for (const step of [...run.steps.keys(), ...run.retracted]) {
        if (step < from) from = step;
        if (step > to) to = step;
      }
      ranges.push({ runId, from, to });
    }
    const seriesOnly =
      run !== undefined &&
      run.format === null &&
      Object.keys(run.info).length === 0 &&
      run.strategy === null &&
      // Event-file scalars also move the summary's training loss and step (lib/summaries/run-summary.ts).
      !movesVerdict(run);
    if (!seriesOnly) changed.push(runId);
  }
  for (const runId of options.settle) if (!changed.includes(runId)) changed.push(runId);
  if (ranges.length === 0 && changed.length === 0) return [];
  const sql = pgRunner(client);
  await lockRuns(sql, [...ranges.map((r) => r.runId), ...changed]);
  await refreshStepBuckets(sql, ranges);
  // The series read for the summaries is returned: the alert rules judge the same rows (one read).
  if (!options.interim) return refreshRunSummaries(sql, changed);
  if (changed.length > 0) await client.query(`DELETE FROM "RunSummary" WHERE "runId" = ANY($1::int[])`, [`{${changed.join(',')}}`]);
  return [];
}
