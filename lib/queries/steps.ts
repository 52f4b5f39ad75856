// Per-step losses (tqdm postfix) at chart resolution, without ever shipping 100k rows per run.
//
// Ingest keeps each run's steps summarised IN POSTGRESQL as it commits them (lib/summaries/store.ts):
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
import { lockRuns, refreshStepBuckets, staleStepSeries, type SqlRunner } from '../summaries/store';
import { sharedCache } from '../views/cache';
import type { StepBucket, StepSummary } from '../views/steps';

/** A summary is ≤ 2×FINE_BUCKETS buckets; 500k buckets (~60 MB) keep ~250 long runs warm. */
const summaries = sharedCache<StepSummary>('step-summaries', 500_000);

/** JSON has no NaN/Infinity: PostgreSQL writes them as strings. */
function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}
function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

/** The stored buckets of runs, one JSON array per run (parsed natively: ~100k buckets in tens of ms). */
async function readStored(ids: readonly number[]): Promise<Map<number, StepSummary>> {
  const out = new Map<number, StepSummary>();
  if (ids.length === 0) return out;
  const rows = await db().$queryRaw<{ runId: number; width: number; lastStep: number; buckets: string | null }[]>`
    SELECT ss."runId", ss.width, ss."lastStep",
           (SELECT json_agg(json_build_array(b.epoch, b.first, b.last, b.count, b.sum, b.min, b.max, b."nonFinite", b.lr, b.elapsed) ORDER BY b.first)::text
              FROM "StepBucket" b WHERE b."runId" = ss."runId") AS buckets
      FROM "StepSeries" ss WHERE ss."runId" = ANY(${[...ids]}::int[])`;
  for (const row of rows) {
    const raw = (row.buckets === null ? [] : JSON.parse(row.buckets)) as unknown[][];
    const buckets: StepBucket[] = raw.map((b) => ({
      epoch: b[0] === null ? null : num(b[0]),
      first: num(b[1]),
      last: num(b[2]),
      count: num(b[3]),
      sum: num(b[4]),
      min: b[5] === null ? Number.NaN : num(b[5]),
      max: b[6] === null ? Number.NaN : num(b[6]),
      nonFinite: b[7] === true,
      lr: numOrNull(b[8]),
      elapsed: numOrNull(b[9]),
    }));
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
): Promise<Map<number, StepSummary>> {
  const out = new Map<number, StepSummary>();
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
