// The three x axes of every chart, as TensorBoard names them: epoch, step, and (relative) wall time.
//
// Wall time: the log has no clock per line, so Thaw derives a run's TRAINING time. An epoch lasts
// what tqdm reports as `elapsed` at its last step (the SmolVLA trainer's bar covers the training loop
// only), else the trainer's own `⏱️ Epoch N 训练完成，用时` minutes (some versions), else the printed
// ms/batch × steps per epoch (lib/analysis/cost.ts `epochTrainingSeconds`, the one rule), else nothing. Time at a
// step = the durations of the earlier epochs + that step's elapsed; a validation sits at the end of its
// epoch. Validation and checkpoint saving are not training time, so they are not on this axis; every
// run starts at 0, so runs of different days are comparable. A run without timing has no wall-time
// points (the response says so in `notes`).
import { epochTrainingSeconds, type EpochTimingInput } from '../analysis/cost';
import type { StepBucket, RunStepBuckets } from './steps';
import { epochSeconds } from './steps';
import { memo } from './memo';

export type XAxis = 'epoch' | 'step' | 'time';

export interface RunTiming {
  stepsPerEpoch: number | null;
  /** Seconds from the start of training to the END of each epoch (only where every earlier epoch is known). */
  epochEnd: Map<number, number>;
  /** Epoch → [first step, last step] seen, when steps exist. */
  epochSteps: Map<number, [number, number]>;
}

export function runTiming(
  stepsPerEpoch: number | null,
  epochs: readonly EpochTimingInput[],
  summary: RunStepBuckets | undefined,
): RunTiming {
  if (summary === undefined) return computeRunTiming(stepsPerEpoch, epochs, undefined);
  // Memoised on the (immutable) step summary, keyed by everything else it reads: one pass over a
  // long run's buckets per summary rather than per request.
  let key = `timing|${stepsPerEpoch}`;
  for (const e of epochs) key += `|${e.epoch},${e.durationMinutes ?? ''},${e.msPerBatch ?? ''}`;
  return memo(summary, key, () => computeRunTiming(stepsPerEpoch, epochs, summary));
}

function computeRunTiming(
  stepsPerEpoch: number | null,
  epochs: readonly EpochTimingInput[],
  summary: RunStepBuckets | undefined,
): RunTiming {
  // one rule for an epoch's training seconds (tqdm, else the printed minutes, else ms/batch × steps)
  const seconds = new Map(
    epochTrainingSeconds(epochs, summary ? epochSeconds(summary) : new Map<number, number>(), stepsPerEpoch).map((e) => [
      e.epoch,
      e.seconds,
    ]),
  );
  const epochEnd = new Map<number, number>();
  const last = Math.max(0, ...seconds.keys());
  let total = 0;
  for (let epoch = 1; epoch <= last; epoch++) {
    const s = seconds.get(epoch);
    if (s === undefined) break; // a hole: later epochs have no known start
    total += s;
    epochEnd.set(epoch, total);
  }
  const epochSteps = new Map<number, [number, number]>();
  for (const bucket of summary?.buckets ?? []) {
    if (bucket.epoch === null) continue;
    const range = epochSteps.get(bucket.epoch);
    epochSteps.set(bucket.epoch, range ? [Math.min(range[0], bucket.first), Math.max(range[1], bucket.last)] : [bucket.first, bucket.last]);
  }
  return { stepsPerEpoch, epochEnd, epochSteps };
}

/** Where the END of an epoch (its average loss, its validation) sits on the axis. */
export function epochEndX(epoch: number, axis: XAxis, timing: RunTiming): number | null {
  if (axis === 'epoch') return epoch;
  if (axis === 'time') return timing.epochEnd.get(epoch) ?? null;
  if (timing.stepsPerEpoch !== null && timing.stepsPerEpoch > 0) return epoch * timing.stepsPerEpoch;
  return timing.epochSteps.get(epoch)?.[1] ?? null;
}

/** Where a step sits: fractional epochs on the epoch axis, seconds of training on the time axis. */
export function stepX(step: number, epoch: number | null, elapsed: number | null, axis: XAxis, timing: RunTiming): number | null {
  if (axis === 'step') return step;
  if (axis === 'epoch') {
    if (timing.stepsPerEpoch !== null && timing.stepsPerEpoch > 0) return step / timing.stepsPerEpoch;
    const range = epoch === null ? undefined : timing.epochSteps.get(epoch);
    if (epoch === null || range === undefined) return null;
    return epoch - 1 + (step - range[0] + 1) / (range[1] - range[0] + 1);
  }
  if (elapsed === null) return null;
  if (epoch === null || epoch <= 1) return elapsed;
  const before = timing.epochEnd.get(epoch - 1);
  return before === undefined ? null : before + elapsed;
}

/** A bucket's end on the axis (its last step, with its epoch's elapsed). */
export function bucketX(bucket: StepBucket, axis: XAxis, timing: RunTiming, at: 'first' | 'last'): number | null {
  const step = at === 'first' ? bucket.first : bucket.last;
  // the elapsed of the bucket's first step is not kept; on the time axis both ends use the last one
  return stepX(step, bucket.epoch, bucket.elapsed, axis, timing);
}
