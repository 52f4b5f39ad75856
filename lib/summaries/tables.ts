// Keeps the stored per-run summaries current: "RunSummary" (the derived runs-table fields) and
// "StepSeries"/"StepBucket" (per-step losses in fixed-width buckets, what charts read instead of
// 100k StepPoints). Ingest calls these inside each batch's transaction for the runs the batch
// touched; readers call them only to repair rows that are missing or were computed by other rules
// (data written before this table existed, or by another version). Both take a SQL runner, so the
// same statements serve node-postgres (ingest) and Prisma (web).
//
// Concurrency: callers hold the per-run advisory lock (`lockRuns`) for the rest of the transaction,
// so a reader's repair and a daemon's batch never rebuild the same run's buckets at once.
import type { StepLoss, ValidationCurve, ValidationPoint } from '../analysis';
import { methodOfIdentity, type TagSummary } from '../analysis/scalar-metrics';
import { runDirIdentity } from '../db/run-key';
import { FINE_BUCKETS } from '../views/steps';
import { strategyFromColumns, type StrategyColumns } from '../views/strategy-view';
import { summarizeRun, summaryRules } from './run-summary';
import { loadValidationCurves } from './validation-curves';

/** Runs one parameterised statement and returns its rows. */
export type SqlRunner = (text: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/** A SqlRunner over a node-postgres client or pool (ingest's connections, tests and seeds). */
export function pgRunner(db: { query(text: string, params: unknown[]): Promise<{ rows: unknown[] }> }): SqlRunner {
  return async (text, params) => (await db.query(text, params as unknown[])).rows as Record<string, unknown>[];
}

const SUMMARY_LOCK = 0x7468; // "th": the advisory-lock namespace of per-run summaries

/** Takes the transaction-scoped summary lock of each run, in id order (no deadlocks). */
export async function lockRuns(sql: SqlRunner, runIds: readonly number[]): Promise<void> {
  if (runIds.length === 0) return;
  await sql(
    `SELECT count(*)::int AS n FROM (SELECT pg_advisory_xact_lock(${SUMMARY_LOCK}, id) FROM unnest($1::int[]) AS id ORDER BY id) AS locked`,
    [`{${[...new Set(runIds)].sort((a, b) => a - b).join(',')}}`],
  );
}

interface SeriesRow extends StrategyColumns {
  id: number;
  taskId: number | null;
  format: string;
  identity: string | null;
  /** The run's scalar tags as json (lastValue NaN/±Infinity come as strings). */
  tags: { dir: string; tag: string; count: number; firstStep: number; lastStep: number; lastValue: number | string }[] | null;
  /** EPOCH_ROW_SQL per epoch, end to end (null: none). */
  epochRows: Uint8Array | null;
  /** VALIDATION_ROW_SQL per validation, end to end (null: none). */
  validationRows: Uint8Array | null;
  /** The first step whose loss is NaN or ±inf (nulls: none); the loss as text, which keeps NaN and ±Infinity. */
  nanStep: number | null;
  nanStepEpoch: number | null;
  nanStepLoss: string | null;
}

/**
 * A run's own series as the rules read them: its epochs that have a training loss, its own task's
 * validations that have a loss, and its first non-finite step. NULL in the database is "not known
 * yet" (an epoch's learning rate or timing can be stored before its average loss: the trainer's
 * stdout is block-buffered, its progress bar is not), never NaN, which is stored as NaN. Every rule
 * that judges a run — its summary, its alerts, its page — reads this, so none of them mistakes a
 * half-known epoch for a NaN loss.
 */
export interface StoredRunSeries {
  id: number;
  taskId: number | null;
  format: string;
  /** The `<method>` the run directory names (lib/analysis/scalar-metrics.ts methodOfIdentity). */
  method: string | null;
  /** Its scalar tags' summaries ("ScalarTag"). */
  tags: TagSummary[];
  strategy: StrategyColumns;
  epochs: { epoch: number; trainLoss: number }[];
  validations: ValidationPoint[];
  stepLoss: { firstNonFinite: StepLoss | null };
  /** Without validation records: its eval_loss by step, or the validation tag the metrics rule names (validation-curves.ts). */
  validationCurve: ValidationCurve | null;
}

const intArray = (values: readonly number[]) => `{${values.join(',')}}`;

/** A float8[] literal that keeps NaN and ±Infinity: a driver sends a JS array's non-finite numbers as NULL (Prisma does). */
const floatArray = (values: readonly (number | null)[]) =>
  `{${values.map((v) => (v === null ? 'NULL' : Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v))).join(',')}}`;

// The series travel in binary, one bytea per run and table built from PostgreSQL's send functions
// (network byte order), decoded with a DataView: a long run's series is hundreds of thousands of rows,
// and this is several times cheaper on both sides than text. NaN and ±Infinity stay what they are; a
// NULL loss is a flag bit.
//
// Rows come in the table's physical order and are put in key order here. Rows are appended in key
// order, so that is already sorted almost always, and checking costs one pass; an ORDER BY made
// PostgreSQL sort every time, on disk when its statistics still counted a run's rows from before a
// backfill (270k rows estimated at 1,213: an external merge, 40 % of the read).

/** An epoch row: int4 epoch, float8 trainLoss, int2 flags (1: trainLoss is NULL; loadRunSeries reads none). */
const EPOCH_ROW_SQL = `int4send(m.epoch) || float8send(COALESCE(m."trainLoss", 0)) || int2send((m."trainLoss" IS NULL)::int::int2)`;
const EPOCH_ROW_BYTES = 14;
/** A validation row: int4 epoch, int4 taskId, float8 loss, int2 flags (1: loss is NULL, 2: final). */
const VALIDATION_ROW_SQL = `int4send(x.epoch) || int4send(x."taskId") || float8send(COALESCE(x.loss, 0))
  || int2send(((x.loss IS NULL)::int | (x.final::int << 1))::int2)`;
const VALIDATION_ROW_BYTES = 18;

function rowsView(bytes: Uint8Array | null, rowBytes: number, what: string): DataView | null {
  if (bytes === null || bytes.length === 0) return null;
  if (bytes.length % rowBytes !== 0) throw new Error(`run series: ${bytes.length} bytes of ${what} is not a whole number of rows`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Sorts `rows` by `compare` unless they already are in that order (one pass). */
function inKeyOrder<T>(rows: T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < rows.length; i++) if (compare(rows[i - 1]!, rows[i]!) > 0) return rows.sort(compare);
  return rows;
}

const byEpoch = (a: { epoch: number }, b: { epoch: number }) => a.epoch - b.epoch;
/** Validations by (epoch, final, task): per-epoch records before the final block's. */
const byValidationKey = (a: ValidationPoint, b: ValidationPoint) =>
  a.epoch - b.epoch || Number(a.final) - Number(b.final) || a.taskId - b.taskId;

/** Epoch rows (EPOCH_ROW_SQL, end to end), by epoch. */
export function decodeEpochRows(bytes: Uint8Array | null): { epoch: number; trainLoss: number | null }[] {
  const view = rowsView(bytes, EPOCH_ROW_BYTES, 'epochs');
  if (view === null) return [];
  const out = new Array<{ epoch: number; trainLoss: number | null }>(view.byteLength / EPOCH_ROW_BYTES);
  for (let i = 0, at = 0; at < view.byteLength; i++, at += EPOCH_ROW_BYTES) {
    out[i] = { epoch: view.getInt32(at), trainLoss: view.getInt16(at + 12) & 1 ? null : view.getFloat64(at + 4) };
  }
  return inKeyOrder(out, byEpoch);
}

/** Validation rows (VALIDATION_ROW_SQL, end to end), by (epoch, final, task). */
export function decodeValidationRows(bytes: Uint8Array | null): ValidationPoint[] {
  const view = rowsView(bytes, VALIDATION_ROW_BYTES, 'validations');
  if (view === null) return [];
  const out = new Array<ValidationPoint>(view.byteLength / VALIDATION_ROW_BYTES);
  for (let i = 0, at = 0; at < view.byteLength; i++, at += VALIDATION_ROW_BYTES) {
    const flags = view.getInt16(at + 16);
    out[i] = {
      epoch: view.getInt32(at),
      final: (flags & 2) !== 0,
      taskId: view.getInt32(at + 4),
      loss: flags & 1 ? null : view.getFloat64(at + 8),
    };
  }
  return inKeyOrder(out, byValidationKey);
}

/**
 * The series of these runs (StoredRunSeries), one read for every rule that judges a run (summaries
 * here, alert transitions in ingest/outbox.ts, the run page): epochs in order, the run's own task's
 * validations (its taskId, else every task) ordered by epoch, final, task, and its first non-finite
 * step, found through the step buckets' `nonFinite` flag (kept current in the same transaction as the
 * steps) so a healthy run's 100k steps are never scanned.
 */
export async function loadRunSeries(sql: SqlRunner, runIds: readonly number[]): Promise<StoredRunSeries[]> {
  if (runIds.length === 0) return [];
  const rows = (await sql(
    `SELECT r.id, r."taskId", r.format, r.identity,
            (SELECT json_agg(json_build_object('dir', t.dir, 'tag', t.tag, 'count', t.count, 'firstStep', t."firstStep",
                                               'lastStep', t."lastStep", 'lastValue', t."lastValue"))
               FROM "ScalarTag" t WHERE t."runId" = r.id) AS tags,
            s.kind, s.spec, s."totalLayers", s."frozenLayers", s."unfrozenLayers", s.applied, s."failureReason",
            (SELECT string_agg(${EPOCH_ROW_SQL}, ''::bytea)
               FROM "EpochMetric" m WHERE m."runId" = r.id AND m."trainLoss" IS NOT NULL) AS "epochRows",
            (SELECT string_agg(${VALIDATION_ROW_SQL}, ''::bytea)
               FROM "Validation" x WHERE x."runId" = r.id AND x.loss IS NOT NULL AND (r."taskId" IS NULL OR x."taskId" = r."taskId")) AS "validationRows",
            nf.step AS "nanStep", nf.epoch AS "nanStepEpoch", nf.loss AS "nanStepLoss"
       FROM "Run" r
       LEFT JOIN "VisionStrategy" s ON s."runId" = r.id
       LEFT JOIN LATERAL (
         SELECT p.step, p.epoch, p.loss::text AS loss
           FROM "StepBucket" b JOIN "StepPoint" p ON p."runId" = b."runId" AND p.step BETWEEN b.first AND b.last
          WHERE b."runId" = r.id AND b."nonFinite" AND p.loss IS NOT NULL AND NOT (p.loss - p.loss = 0)
          ORDER BY b.first, p.step LIMIT 1) nf ON true
      WHERE r.id = ANY($1::int[])`,
    [intArray(runIds)],
  )) as unknown as SeriesRow[];
  const series = rows.map(
    ({ id, taskId, format, identity, tags, epochRows, validationRows, nanStep, nanStepEpoch, nanStepLoss, ...strategy }) => ({
      id,
      taskId,
      format,
      method: methodOfIdentity(runDirIdentity(identity)),
      tags: (tags ?? []).map((t) => ({ ...t, lastValue: Number(t.lastValue) })),
      strategy,
      epochs: decodeEpochRows(epochRows).filter((e): e is { epoch: number; trainLoss: number } => e.trainLoss !== null),
      validations: decodeValidationRows(validationRows),
      stepLoss: {
        firstNonFinite:
          nanStep === null || nanStepLoss === null
            ? null
            : { step: Number(nanStep), epoch: nanStepEpoch === null ? null : Number(nanStepEpoch), loss: Number(nanStepLoss) },
      },
      validationCurve: null as ValidationCurve | null,
    }),
  );
  // Runs without validation records of their own are judged on the validation curve they have.
  const curves = await loadValidationCurves(
    sql,
    series.filter((r) => r.validations.length === 0),
  );
  for (const r of series) r.validationCurve = curves.get(r.id) ?? null;
  return series;
}

/**
 * Recomputes and stores the RunSummary of each run; returns the series it read, so the caller's other
 * rules (the alert outbox) judge the same rows without reading them again.
 */
export async function refreshRunSummaries(sql: SqlRunner, runIds: readonly number[]): Promise<readonly StoredRunSeries[]> {
  if (runIds.length === 0) return [];
  const rows = await loadRunSeries(sql, runIds);
  if (rows.length === 0) return rows;
  const columns = {
    id: [] as number[],
    view: [] as string[],
    strategyKey: [] as string[],
    strategySort: [] as (number | null)[],
    verdict: [] as string[],
    epochsDone: [] as number[],
    lastTrainLoss: [] as (number | null)[],
    bestValLoss: [] as (number | null)[],
    finalGap: [] as (number | null)[],
    searchText: [] as string[],
  };
  for (const row of rows) {
    const summary = summarizeRun({ ...row, strategy: strategyFromColumns(row.strategy) });
    columns.id.push(row.id);
    columns.view.push(JSON.stringify(summary.view));
    columns.strategyKey.push(summary.strategyKey);
    columns.strategySort.push(summary.strategySort);
    columns.verdict.push(summary.verdict);
    columns.epochsDone.push(summary.epochsDone);
    columns.lastTrainLoss.push(summary.lastTrainLoss);
    columns.bestValLoss.push(summary.bestValLoss);
    columns.finalGap.push(summary.finalGap);
    columns.searchText.push(summary.searchText);
  }
  await sql(
    `INSERT INTO "RunSummary" ("runId", rules, view, "strategyKey", "strategySort", verdict, "epochsDone", "lastTrainLoss", "bestValLoss", "finalGap", "searchText")
     SELECT u.id, $1, u.view::jsonb, u.key, u.sort, u.verdict, u.epochs, u.last, u.best, u.gap, u.search
       FROM unnest($2::int[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[], $8::float8[], $9::float8[], $10::float8[], $11::text[])
            AS u(id, view, key, sort, verdict, epochs, last, best, gap, search)
     ON CONFLICT ("runId") DO UPDATE SET rules = EXCLUDED.rules, view = EXCLUDED.view, "strategyKey" = EXCLUDED."strategyKey",
       "strategySort" = EXCLUDED."strategySort", verdict = EXCLUDED.verdict, "epochsDone" = EXCLUDED."epochsDone",
       "lastTrainLoss" = EXCLUDED."lastTrainLoss", "bestValLoss" = EXCLUDED."bestValLoss", "finalGap" = EXCLUDED."finalGap",
       "searchText" = EXCLUDED."searchText"`,
    [
      summaryRules(),
      columns.id,
      columns.view,
      columns.strategyKey,
      columns.strategySort,
      columns.verdict,
      columns.epochsDone,
      floatArray(columns.lastTrainLoss),
      floatArray(columns.bestValLoss),
      floatArray(columns.finalGap),
      columns.searchText,
    ],
  );
  return rows;
}

/** Runs (of `runIds`, or all) whose summary is missing or was computed by other rules. */
export async function staleSummaries(sql: SqlRunner, runIds?: readonly number[]): Promise<number[]> {
  const rows = await sql(
    // An anti-join of two index-only scans ("Run" pkey, "RunSummary" (runId, rules)): every listing
    // asks, so it never reads the wide summary rows.
    `SELECT r.id FROM "Run" r
      WHERE ($2::int[] IS NULL OR r.id = ANY($2::int[]))
        AND NOT EXISTS (SELECT 1 FROM "RunSummary" rs WHERE rs."runId" = r.id AND rs.rules = $1)`,
    [summaryRules(), runIds === undefined ? null : intArray(runIds)],
  );
  return rows.map((row) => Number(row.id));
}

/** Step numbers [from, to] of a run that were written (or rewritten) since its buckets were made. */
export interface StepRange {
  runId: number;
  from: number;
  to: number;
}

/**
 * Rebuilds the buckets that cover each range from the run's StepPoints (an index range scan of just
 * those steps), so a replayed or rewritten step is counted once; then halves a run's resolution
 * while it has more than 2×FINE_BUCKETS buckets. A new run's bucket width comes from its expected
 * total steps (the header's), so most runs never change resolution.
 */
export async function refreshStepBuckets(sql: SqlRunner, ranges: readonly StepRange[]): Promise<void> {
  if (ranges.length === 0) return;
  const ids = intArray(ranges.map((r) => r.runId));
  const froms = intArray(ranges.map((r) => r.from));
  const tos = intArray(ranges.map((r) => r.to));
  await sql(
    `INSERT INTO "StepSeries" ("runId", width)
     SELECT r.id, GREATEST(1, CEIL(GREATEST(COALESCE(r."totalSteps", 0), u.hi)::float8 / ${FINE_BUCKETS}))::int
       FROM unnest($1::int[], $2::int[]) AS u(id, hi) JOIN "Run" r ON r.id = u.id
     ON CONFLICT ("runId") DO NOTHING`,
    [ids, tos],
  );
  await sql(
    `DELETE FROM "StepBucket" b USING unnest($1::int[], $2::int[], $3::int[]) AS u(id, lo, hi), "StepSeries" ss
      WHERE ss."runId" = u.id AND b."runId" = u.id
        AND (b.first - 1) / ss.width BETWEEN (u.lo - 1) / ss.width AND (u.hi - 1) / ss.width`,
    [ids, froms, tos],
  );
  await sql(
    `INSERT INTO "StepBucket" ("runId", first, last, epoch, count, sum, min, max, "nonFinite", lr, elapsed)
     SELECT p."runId", min(p.step), max(p.step), p.epoch, count(*) FILTER (WHERE p.f), COALESCE(sum(p.loss) FILTER (WHERE p.f), 0),
            min(p.loss) FILTER (WHERE p.f), max(p.loss) FILTER (WHERE p.f), COALESCE(bool_or(p.loss - p.loss <> 0), false),
            avg(p.lr), max(p."elapsedS")
       FROM unnest($1::int[], $2::int[], $3::int[]) AS u(id, lo, hi)
       JOIN "StepSeries" ss ON ss."runId" = u.id
       JOIN LATERAL (
         SELECT s."runId", s.step, s.epoch, s.loss, s.lr, s."elapsedS", (s.step - 1) / ss.width AS b, s.loss - s.loss = 0 AS f
           FROM "StepPoint" s
          WHERE s."runId" = u.id
            AND s.step BETWEEN LEAST(u.lo, ((u.lo - 1) / ss.width) * ss.width + 1) AND GREATEST(u.hi, ((u.hi - 1) / ss.width + 1) * ss.width)
            AND (s.step - 1) / ss.width BETWEEN (u.lo - 1) / ss.width AND (u.hi - 1) / ss.width) p ON true
      GROUP BY p."runId", p.epoch, p.b`,
    [ids, froms, tos],
  );
  const grown = await sql(
    `UPDATE "StepSeries" ss SET "lastStep" = GREATEST(ss."lastStep", u.hi)
       FROM unnest($1::int[], $2::int[]) AS u(id, hi) WHERE ss."runId" = u.id
     RETURNING ss."runId" AS id, ss.width, (SELECT count(*) FROM "StepBucket" b WHERE b."runId" = ss."runId") AS n`,
    [ids, tos],
  );
  for (const row of grown) {
    let count = Number(row.n);
    let width = Number(row.width);
    while (count > 2 * FINE_BUCKETS) {
      width *= 2;
      const merged = await sql(
        `WITH old AS (DELETE FROM "StepBucket" WHERE "runId" = $1 RETURNING *),
              merged AS (
                INSERT INTO "StepBucket" ("runId", first, last, epoch, count, sum, min, max, "nonFinite", lr, elapsed)
                SELECT "runId", min(first), max(last), epoch, sum(count), sum(sum), min(min), max(max), bool_or("nonFinite"),
                       COALESCE(sum(lr * count) FILTER (WHERE lr IS NOT NULL) / NULLIF(sum(count) FILTER (WHERE lr IS NOT NULL), 0), avg(lr)),
                       max(elapsed)
                  FROM old GROUP BY "runId", epoch, (first - 1) / $2 RETURNING 1)
         SELECT count(*) AS n FROM merged`,
        [Number(row.id), width],
      );
      await sql(`UPDATE "StepSeries" SET width = $2 WHERE "runId" = $1`, [Number(row.id), width]);
      const next = Number(merged[0]?.n ?? 0);
      if (next >= count) break; // more epochs than buckets: nothing left to merge
      count = next;
    }
  }
}

/** Runs whose stored buckets end before their last StepPoint (steps written without ingest). */
export async function staleStepSeries(sql: SqlRunner, runIds: readonly number[]): Promise<StepRange[]> {
  if (runIds.length === 0) return [];
  const rows = await sql(
    `SELECT r.id, COALESCE(ss."lastStep", 0) AS stored,
            (SELECT s.step FROM "StepPoint" s WHERE s."runId" = r.id ORDER BY s.step DESC LIMIT 1) AS last
       FROM unnest($1::int[]) AS r(id) LEFT JOIN "StepSeries" ss ON ss."runId" = r.id`,
    [intArray(runIds)],
  );
  return rows
    .filter((row) => row.last !== null && Number(row.last) > Number(row.stored))
    .map((row) => ({ runId: Number(row.id), from: Number(row.stored) + 1, to: Number(row.last) }));
}
