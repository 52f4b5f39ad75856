// Per-step losses (tqdm postfix) at chart resolution, without ever shipping 100k rows per run.
//
// Each run's steps are summarised once into at most ~2×FINE_BUCKETS fixed-width buckets (SQL
// aggregates: count, sum, min, max, non-finite flag, mean lr, max tqdm elapsed), split at epoch
// boundaries so every bucket lies in one epoch. The summary is cached per run and kept current
// incrementally: steps are appended in order by the ingest daemon, so a run whose version changed
// (cache.ts) only needs its steps after the last one summarised. When the run outgrows the bucket
// budget, adjacent buckets are merged (the width doubles).
//
// From a summary:
// - raw points: each bucket's minimum and maximum (at its first and last step: at ≤ 1/2048 of the
//   axis this is below a pixel), and a gap where the bucket held NaN/inf; then downsampleMinMax to the
//   requested budget, so every response keeps the extremes;
// - mean points: each bucket's mean at its last step (exact when a bucket is one step), which is what
//   smoothing and the per-strategy aggregates use;
// - epoch timing: the tqdm `elapsed` of an epoch's last step is that epoch's training time.
import { db } from '../db/client';
import { sharedCache } from '../views/cache';
import { FINE_BUCKETS, append, type StepBucket, type StepSummary } from '../views/steps';

interface BucketRow {
  runId: number;
  epoch: number | null;
  first: number;
  last: number;
  n: number | bigint;
  sum: number | null;
  lo: number | null;
  hi: number | null;
  gap: boolean | null;
  lr: number | null;
  el: number | null;
}

/** A summary is ≤ 2×FINE_BUCKETS buckets; 500k buckets (~60 MB) keep ~250 long runs warm. */
const summaries = sharedCache<StepSummary>('step-summaries', 500_000);

interface BucketRequest {
  runId: number;
  width: number;
  afterStep: number;
}

/**
 * The buckets of several runs' steps after `afterStep`, in one statement per shape:
 * - runs summarised for the first time: one hash join over their steps (one scan, whatever the
 *   number of runs; a bigger work_mem keeps the ~100k groups of 50 long runs in memory);
 * - runs that grew: an index range scan per run for just the new steps.
 * ("finite" is `loss - loss = 0`: false for NaN and ±inf, null for a missing loss.)
 */
async function readBuckets(requests: readonly BucketRequest[]): Promise<Map<number, StepBucket[]>> {
  const out = new Map<number, StepBucket[]>(requests.map((r) => [r.runId, []]));
  const cold = requests.filter((r) => r.afterStep <= 0);
  const warm = requests.filter((r) => r.afterStep > 0);
  const rows: BucketRow[] = [];
  if (cold.length > 0) {
    rows.push(
      ...(await db().$transaction(
        async (tx) => {
          await tx.$executeRawUnsafe(`SET LOCAL work_mem = '64MB'`);
          return tx.$queryRaw<BucketRow[]>`
          SELECT s."runId", s.epoch, min(s.step) AS first, max(s.step) AS last,
                 count(*) FILTER (WHERE s.loss - s.loss = 0) AS n, sum(s.loss) FILTER (WHERE s.loss - s.loss = 0) AS sum,
                 min(s.loss) FILTER (WHERE s.loss - s.loss = 0) AS lo, max(s.loss) FILTER (WHERE s.loss - s.loss = 0) AS hi,
                 bool_or(s.loss - s.loss <> 0) AS gap, avg(s.lr) AS lr, max(s."elapsedS") AS el
            FROM unnest(${cold.map((r) => r.runId)}::int[], ${cold.map((r) => r.width)}::int[]) AS w(id, width)
            JOIN "StepPoint" s ON s."runId" = w.id
           GROUP BY s."runId", s.epoch, (s.step - 1) / w.width`;
        },
        { timeout: 120_000 },
      )),
    );
  }
  if (warm.length > 0) {
    rows.push(
      ...(await db().$queryRaw<BucketRow[]>`
        SELECT p."runId", p.epoch, min(p.step) AS first, max(p.step) AS last,
               count(*) FILTER (WHERE p.f) AS n, sum(p.loss) FILTER (WHERE p.f) AS sum,
               min(p.loss) FILTER (WHERE p.f) AS lo, max(p.loss) FILTER (WHERE p.f) AS hi,
               bool_or(p.loss - p.loss <> 0) AS gap, avg(p.lr) AS lr, max(p."elapsedS") AS el
          FROM unnest(${warm.map((r) => r.runId)}::int[], ${warm.map((r) => r.width)}::int[], ${warm.map((r) => r.afterStep)}::int[]) AS w(id, width, after)
          JOIN LATERAL (
            SELECT s."runId", s.step, s.epoch, s.loss, s.lr, s."elapsedS", (s.step - 1) / w.width AS b, s.loss - s.loss = 0 AS f
              FROM "StepPoint" s WHERE s."runId" = w.id AND s.step > w.after) p ON true
         GROUP BY p."runId", p.epoch, p.b`),
    );
  }
  for (const row of rows) {
    out.get(row.runId)?.push({
      epoch: row.epoch,
      first: row.first,
      last: row.last,
      count: Number(row.n),
      sum: row.sum ?? 0,
      min: row.lo ?? Number.NaN,
      max: row.hi ?? Number.NaN,
      nonFinite: row.gap === true,
      lr: row.lr,
      elapsed: row.el,
    });
  }
  for (const list of out.values()) list.sort((a, b) => a.first - b.first);
  return out;
}

/**
 * The step summary of each run (those without steps get an empty one), brought up to date.
 * `versions` are the runs' current versions; `expectedSteps` sizes a new summary's buckets.
 */
export async function stepSummaries(
  runs: readonly { id: number; version: string; expectedSteps: number | null; lastStep: number | null; revision?: number }[],
): Promise<Map<number, StepSummary>> {
  const out = new Map<number, StepSummary>();
  const pending: { run: (typeof runs)[number]; summary: StepSummary }[] = [];
  for (const run of runs) {
    const cached = summaries.peek(run.id);
    if (cached && cached.version === run.version) {
      out.set(run.id, cached.value);
      continue;
    }
    let summary: StepSummary;
    if (
      cached &&
      (cached.value.revision ?? 0) === (run.revision ?? 0) &&
      (run.lastStep === null || run.lastStep >= cached.value.lastStep)
    ) {
      // Incremental: only the steps after the last one summarised (steps are appended in order).
      summary = { ...cached.value, buckets: cached.value.buckets.map((b) => ({ ...b })) };
    } else {
      const expected = Math.max(run.expectedSteps ?? 0, run.lastStep ?? 0);
      summary = {
        runId: run.id,
        width: Math.max(1, Math.ceil(expected / FINE_BUCKETS)),
        lastStep: 0,
        buckets: [],
        revision: run.revision ?? 0,
      };
    }
    pending.push({ run, summary });
  }
  const toRead = pending.filter(({ run, summary }) => (run.lastStep ?? 0) > summary.lastStep);
  const fresh = await readBuckets(toRead.map(({ run, summary }) => ({ runId: run.id, width: summary.width, afterStep: summary.lastStep })));
  for (const { run, summary } of pending) {
    append(summary, fresh.get(run.id) ?? []);
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
