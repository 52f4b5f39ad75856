// Per-step losses (tqdm postfix) at chart resolution, without ever shipping 100k rows per run.
//
// Ingest keeps each run's steps summarised IN POSTGRESQL as it commits them (lib/summaries/tables.ts):
// at most ~2×FINE_BUCKETS fixed-width buckets per run (count, sum, min, max, non-finite flag, mean
// lr, max tqdm elapsed), split at epoch boundaries so every bucket lies in one epoch. Reading a
// summary is one indexed read of those buckets, so a freshly started web process (or a second one)
// answers its first chart as fast as its hundredth. A process-wide cache keyed by the run row's
// version (cache.ts) only saves re-reading unchanged runs. Steps written without ingest (older
// databases, tests that insert rows directly) are summarised once when first read.
//
// From a summary:
// - raw points: each bucket's minimum and maximum (at its first and last step: at ≤ 1/2048 of the
//   axis this is below a pixel), and a gap where the bucket held NaN/inf; then downsampleMinMax to the
//   requested budget, so every response keeps the extremes;
// - mean points: each bucket's mean at its last step (exact when a bucket is one step), which is what
//   smoothing and the per-strategy aggregates use;
// - epoch timing: the tqdm `elapsed` of an epoch's last step is that epoch's training time.
import { db } from '../db/client';
import { lockRuns, refreshStepBuckets, staleStepSeries, type SqlRunner } from '../summaries/tables';
import { sharedCache } from '../cache';
import type { StepBucket, RunStepBuckets } from '../views/steps';

/** A summary is ≤ 2×FINE_BUCKETS buckets; 500k buckets (~60 MB) keep ~250 long runs warm. */
const summaries = sharedCache<RunStepBuckets>('step-summaries', 500_000);

/**
 * One bucket as PostgreSQL's binary send functions write it (big-endian), concatenated per run in
 * step order: int4 first, last, count, epoch; float8 sum, min, max, lr, elapsed; int2 flags (1 the
 * bucket held NaN/inf, 2 no epoch, 4 no lr, 8 no elapsed). Binary: PostgreSQL formats no floats and
 * JavaScript parses none, which made this read (50 runs × 2,000 buckets, a restarted process's first
 * chart) about twice as fast as JSON.
 */
const BUCKET_BYTES = 4 * 4 + 5 * 8 + 2;
const BUCKET_SQL = `int4send(b.first) || int4send(b.last) || int4send(b.count) || int4send(COALESCE(b.epoch, 0))
  || float8send(b.sum) || float8send(COALESCE(b.min, 'NaN')) || float8send(COALESCE(b.max, 'NaN'))
  || float8send(COALESCE(b.lr, 0)) || float8send(COALESCE(b.elapsed, 0))
  || int2send((b."nonFinite"::int | ((b.epoch IS NULL)::int << 1) | ((b.lr IS NULL)::int << 2) | ((b.elapsed IS NULL)::int << 3))::int2)`;

/** The buckets of one run from their binary form (BUCKET_SQL). */
export function decodeBuckets(bytes: Uint8Array): StepBucket[] {
  if (bytes.length % BUCKET_BYTES !== 0) throw new Error(`step buckets: ${bytes.length} bytes is not a whole number of buckets`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<StepBucket>(bytes.length / BUCKET_BYTES);
  for (let i = 0, at = 0; at < bytes.length; i++, at += BUCKET_BYTES) {
    const flags = view.getInt16(at + 56);
    out[i] = {
      first: view.getInt32(at),
      last: view.getInt32(at + 4),
      count: view.getInt32(at + 8),
      epoch: flags & 2 ? null : view.getInt32(at + 12),
      sum: view.getFloat64(at + 16),
      min: view.getFloat64(at + 24),
      max: view.getFloat64(at + 32),
      lr: flags & 4 ? null : view.getFloat64(at + 40),
      elapsed: flags & 8 ? null : view.getFloat64(at + 48),
      nonFinite: (flags & 1) !== 0,
    };
  }
  return out;
}

/** The stored buckets of runs (one binary string per run, see BUCKET_SQL). */
async function readStored(ids: readonly number[]): Promise<Map<number, RunStepBuckets>> {
  const out = new Map<number, RunStepBuckets>();
  if (ids.length === 0) return out;
  const rows = await db().$queryRawUnsafe<{ runId: number; width: number; lastStep: number; buckets: Uint8Array | null }[]>(
    `SELECT ss."runId", ss.width, ss."lastStep",
            (SELECT string_agg(${BUCKET_SQL}, ''::bytea ORDER BY b.first) FROM "StepBucket" b WHERE b."runId" = ss."runId") AS buckets
       FROM "StepSeries" ss WHERE ss."runId" = ANY($1::int[])`,
    [...ids],
  );
  for (const row of rows) {
    const buckets = row.buckets === null ? [] : decodeBuckets(row.buckets);
    out.set(row.runId, { runId: row.runId, width: row.width, lastStep: row.lastStep, buckets });
    // (No `revision` needed: ingest rebuilds the buckets of retracted steps in the same transaction.)
  }
  return out;
}

/** Summarises steps that reached the database without ingest (once; stored for every process). */
async function repair(ids: readonly number[]): Promise<void> {
  await db().$transaction(
    async (tx) => {
      const sql: SqlRunner = (text, params) => tx.$queryRawUnsafe<Record<string, unknown>[]>(text, ...params);
      const stale = await staleStepSeries(sql, ids);
      if (stale.length === 0) return;
      await tx.$executeRawUnsafe(`SET LOCAL work_mem = '64MB'`);
      await lockRuns(
        sql,
        stale.map((r) => r.runId),
      );
      // Re-check under the lock: a daemon may have summarised them meanwhile.
      await refreshStepBuckets(
        sql,
        await staleStepSeries(
          sql,
          stale.map((r) => r.runId),
        ),
      );
    },
    { timeout: 120_000 },
  );
}

/**
 * The step summary of each run (those without steps get an empty one), current as of `versions`.
 * `lastStep` (from stepVersions) detects steps the stored buckets do not cover yet.
 */
export async function stepSummaries(
  runs: readonly { id: number; version: string; expectedSteps: number | null; lastStep: number | null; revision?: number }[],
): Promise<Map<number, RunStepBuckets>> {
  const out = new Map<number, RunStepBuckets>();
  const toRead: (typeof runs)[number][] = [];
  for (const run of runs) {
    const cached = summaries.get(run.id, run.version);
    if (cached) out.set(run.id, cached);
    else toRead.push(run);
  }
  if (toRead.length === 0) return out;
  let stored = await readStored(toRead.map((r) => r.id));
  const behind = toRead.filter((run) => run.lastStep !== null && (stored.get(run.id)?.lastStep ?? 0) < run.lastStep);
  if (behind.length > 0) {
    await repair(behind.map((r) => r.id));
    const repaired = await readStored(behind.map((r) => r.id));
    stored = new Map([...stored, ...repaired]);
  }
  for (const run of toRead) {
    const summary = stored.get(run.id) ?? { runId: run.id, width: 1, lastStep: 0, buckets: [] };
    summaries.set(run.id, run.version, summary, Math.max(1, summary.buckets.length));
    out.set(run.id, summary);
  }
  return out;
}

/** Version, expected and last step of runs (the last step by a backward index probe per run). */
export async function stepVersions(
  ids: readonly number[],
): Promise<{ id: number; version: string; expectedSteps: number | null; lastStep: number | null; revision: number }[]> {
  if (ids.length === 0) return [];
  return db().$queryRaw`
    SELECT r.id, r.xmin::text AS version, r."totalSteps" AS "expectedSteps", r."stepRevision" AS revision,
           (SELECT s.step FROM "StepPoint" s WHERE s."runId" = r.id ORDER BY s.step DESC LIMIT 1) AS "lastStep"
      FROM "Run" r WHERE r.id = ANY(${[...ids]}::int[])`;
}
