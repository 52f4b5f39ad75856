// Pure shaping of per-run step summaries (see lib/queries/steps.ts for how they are read and kept current).

/** Buckets per run at summary time; the summary merges down to this when it reaches twice as many. */
export const FINE_BUCKETS = 2048;

export interface StepBucket {
  epoch: number | null;
  first: number;
  last: number;
  /** Finite losses in the bucket. */
  count: number;
  sum: number;
  min: number;
  max: number;
  /** The bucket held a NaN or infinite loss (a line break on the chart). */
  nonFinite: boolean;
  lr: number | null;
  /** The largest tqdm elapsed (seconds into the epoch) in the bucket. */
  elapsed: number | null;
}

export interface RunStepBuckets {
  runId: number;
  width: number;
  /** The last step summarised. */
  lastStep: number;
  /** Run.stepRevision when summarised: a different one means earlier steps moved (start over). */
  revision?: number;
  buckets: StepBucket[];
}

function mergeInto(target: StepBucket, source: StepBucket): void {
  target.first = Math.min(target.first, source.first);
  target.last = Math.max(target.last, source.last);
  if (source.count > 0) {
    target.min = target.count > 0 ? Math.min(target.min, source.min) : source.min;
    target.max = target.count > 0 ? Math.max(target.max, source.max) : source.max;
  }
  const lrWeight = target.count + source.count;
  if (source.lr !== null)
    target.lr = target.lr === null || lrWeight === 0 ? source.lr : (target.lr * target.count + source.lr * source.count) / lrWeight;
  target.count += source.count;
  target.sum += source.sum;
  target.nonFinite ||= source.nonFinite;
  if (source.elapsed !== null) target.elapsed = Math.max(target.elapsed ?? source.elapsed, source.elapsed);
}

const bucketIndex = (bucket: StepBucket, width: number) => Math.floor((bucket.first - 1) / width);

/** Appends new buckets; the first may continue the last bucket of the same epoch and index. */
export function append(summary: RunStepBuckets, fresh: readonly StepBucket[]): void {
  for (const bucket of fresh) {
    const tail = summary.buckets[summary.buckets.length - 1];
    if (tail && tail.epoch === bucket.epoch && bucketIndex(tail, summary.width) === bucketIndex(bucket, summary.width))
      mergeInto(tail, bucket);
    else summary.buckets.push({ ...bucket });
    summary.lastStep = Math.max(summary.lastStep, bucket.last);
  }
  while (summary.buckets.length > 2 * FINE_BUCKETS) halveResolution(summary);
}

function halveResolution(summary: RunStepBuckets): void {
  summary.width *= 2;
  const merged: StepBucket[] = [];
  for (const bucket of summary.buckets) {
    const tail = merged[merged.length - 1];
    if (tail && tail.epoch === bucket.epoch && bucketIndex(tail, summary.width) === bucketIndex(bucket, summary.width))
      mergeInto(tail, bucket);
    else merged.push({ ...bucket });
  }
  summary.buckets = merged;
}

const epochSecondsMemo = new WeakMap<RunStepBuckets, Map<number, number>>();

/** Training seconds per epoch from tqdm's elapsed (the epoch's last step), for the wall-time axis. */
export function epochSeconds(summary: RunStepBuckets): Map<number, number> {
  let cached = epochSecondsMemo.get(summary);
  if (!cached) epochSecondsMemo.set(summary, (cached = computeEpochSeconds(summary)));
  return cached;
}

function computeEpochSeconds(summary: RunStepBuckets): Map<number, number> {
  const out = new Map<number, number>();
  for (const bucket of summary.buckets) {
    if (bucket.epoch === null || bucket.elapsed === null) continue;
    out.set(bucket.epoch, Math.max(out.get(bucket.epoch) ?? 0, bucket.elapsed));
  }
  return out;
}
