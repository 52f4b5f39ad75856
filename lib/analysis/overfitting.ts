/**
 * Overfitting verdict for one run, in the vocabulary of Keras/Lightning early stopping.
 *
 * Series used (validation.ts): the trend is the run's OWN-task, per-epoch (non-final) validation
 * losses, epoch-ascending; only finite points count as "validation points". The training loss at an
 * epoch is the finite epoch-average at that epoch (else the latest earlier one).
 *
 * Quantities:
 * - best        = the minimum finite trend loss; `bestEpoch` its epoch (earliest on ties).
 * - latest      = the last finite trend point.
 * - wait        = Keras' patience counter: walking the trend with `ref = +∞`, a point is an
 *                 improvement when `loss < ref − minDelta·|ref|` (min_delta is RELATIVE, default 2%),
 *                 which sets `ref = loss, wait = 0`; any other point does `wait += 1`.
 *                 "Stalled" means `wait ≥ patience` (default 3 validations).
 * - rise        = (latest − best) / |best|  ("now ≥ riseThreshold above its best", default 5%).
 * - trainFell   = training loss at the latest validation epoch < training loss at `bestEpoch`
 *                 (the "same window" as the validation rise).
 * - gap         = validation / training loss at the same epoch (generalisation gap as a ratio);
 *                 `gapAtBest` at `bestEpoch`, `gapAtEnd` at the latest point.
 * - gap widening = gapAtEnd > gap at the point `patience` validations before the latest
 *                 × (1 + gapWideningThreshold, default 10%); "large" = gapAtEnd ≥ gapRatioThreshold (2).
 *
 * Verdict, first match wins:
 * 1. `diverged`: any training loss, own-task validation loss (per-epoch or final) that is non-finite
 *    (NaN/inf/null, when `checkFinite`, default on — Lightning's `check_finite`) or above
 *    `divergenceThreshold` (absolute, default 10 — Lightning's `divergence_threshold`; a SmolVLA
 *    flow-matching loss from the pretrained model starts below ~1). Reports the first such epoch.
 *    Per-step training losses (`series.stepLoss`) count when non-finite (never by the threshold: a
 *    single step's loss is noisy, and step-based trainers' losses have other scales), so a step-based
 *    run (LeRobot) whose loss turned NaN is diverged at the first NaN step, and an epoch-based run as
 *    soon as a progress frame shows it (its epoch average comes later). A step point beats an epoch
 *    point at the same or a later epoch; a step without an epoch only counts when no epoch does.
 * 2. `insufficient`: fewer than `minValidations` (3) validation points. Only the end gap is reported
 *    (from the final validation block if present, else the last per-epoch point), never a trend:
 *    best/latest epochs and gapAtBest stay null.
 * 3. `overfitting`: stalled AND rise ≥ riseThreshold AND trainFell.
 * 4. `watch`: stalled with rise ≥ riseThreshold but training did not fall (a rise that is not the
 *    classic overfit shape); or stalled without a clear rise; or the gap is large AND widening.
 * 5. `ok`.
 *
 * `overfitStartEpoch` (chart marker, only for `overfitting`): the first trend epoch after `bestEpoch`
 * whose loss exceeds `best + minDelta·|best|`, i.e. where the rise began.
 *
 * A run with no own-task validation records of its own (per-epoch or final) is judged on the
 * validation curve it has (`series.validationCurve`, validation-curve.ts: LeRobot's eval_loss by step,
 * Keras' validation/epoch_loss by epoch, Hugging Face's eval/loss by step, …): the same rules with x
 * its epoch or step (`axis`; the `…Epoch` fields then count steps and the reason says "step"), the
 * training loss sampled at its points, and divergence by non-finite values only (another trainer's
 * loss has its own scale, so the absolute threshold is the SmolVLA trainer's alone).
 *
 * Caveat: when the validation episodes are a subset of the training episodes — always for the stock
 * SmolVLA sequential trainer (log-formats §1.6, §6.1) — the result carries a note that validation is
 * optimistic. `validationOnTrainingEpisodes` defaults to true when `format` is 'smolvla_sequential' or
 * absent (parse JSON has no format field and only that trainer prints validations), false otherwise.
 */
import { fmt, fmtCount, pct, plural } from './format';
import type { RunSeries, ValidationCurve } from './types';
import { finalValidation, isFiniteLoss, lastTrainLoss, ownTaskId, trainLossAt, validationTrend, type LossAtEpoch } from './validation';

export type OverfittingVerdict = 'overfitting' | 'watch' | 'diverged' | 'ok' | 'insufficient';

export interface OverfittingOptions {
  /** Validations without an improvement larger than `minDelta` before the run counts as stalled. */
  patience: number;
  /** Relative improvement that counts (0.02 = a new value must be 2% below the reference). */
  minDelta: number;
  /** Relative rise of the latest value over the best that counts as "clearly rising". */
  riseThreshold: number;
  /** Absolute loss above which the run is diverged. */
  divergenceThreshold: number;
  /** Treat NaN/inf (null) losses as divergence. */
  checkFinite: boolean;
  /** Fewer finite validation points than this → `insufficient`. */
  minValidations: number;
  /** val/train ratio at or above which the gap is "large". */
  gapRatioThreshold: number;
  /** Relative growth of the gap over the last `patience` validations that counts as "widening". */
  gapWideningThreshold: number;
  /** Validation episodes are a subset of the training episodes (default: by format, see above). */
  validationOnTrainingEpisodes?: boolean;
  /** Override the run's own task. */
  taskId?: number;
}

export const DEFAULT_OVERFITTING_OPTIONS: Readonly<OverfittingOptions> = Object.freeze({
  patience: 3,
  minDelta: 0.02,
  riseThreshold: 0.05,
  divergenceThreshold: 10,
  checkFinite: true,
  minValidations: 3,
  gapRatioThreshold: 2,
  gapWideningThreshold: 0.1,
});

export const OPTIMISTIC_VALIDATION_NOTE =
  'Validation episodes are a subset of the training episodes (the stock SmolVLA trainer validates on ' +
  'the first N training episodes), so validation loss is optimistic and understates overfitting.';

export interface DivergencePoint {
  /** The epoch (null for a step of a step-based trainer, which has none). */
  epoch: number | null;
  /** The optimiser step, when a per-step loss is the first one that diverged; else null. */
  step: number | null;
  source: 'training' | 'validation';
  /** The offending value; null when the log had NaN (JSON null). */
  value: number | null;
}

export interface OverfittingResult {
  verdict: OverfittingVerdict;
  /** Plain-English sentence with the numbers in it. */
  reason: string;
  /** The task whose validation was judged (the run's own task). */
  taskId: number | null;
  /** What the `…Epoch` fields count: epochs, or optimiser steps for a validation loss logged by step. */
  axis: 'epoch' | 'step';
  /** Finite per-epoch own-task validation points. */
  validationPoints: number;
  bestEpoch: number | null;
  bestValue: number | null;
  latestEpoch: number | null;
  latestValue: number | null;
  /** latestEpoch − bestEpoch. */
  epochsSinceBest: number | null;
  /** Keras' `wait`: validations since the last improvement larger than minDelta. */
  validationsSinceImprovement: number;
  /** (latest − best) / |best|. */
  riseFromBest: number | null;
  trainAtBest: number | null;
  trainAtEnd: number | null;
  /** Validation / training loss at bestEpoch. */
  gapAtBest: number | null;
  /** Validation / training loss at the end (latest point, or the final block when insufficient). */
  gapAtEnd: number | null;
  /** First epoch after the best at which the rise began (only for `overfitting`). */
  overfitStartEpoch: number | null;
  divergence: DivergencePoint | null;
  /** Set when validation runs on training episodes (optimistic validation). */
  caveat: string | null;
  options: OverfittingOptions;
}

/** (to − from) / |from|; ±Infinity when from is 0 and to differs. */
export function relativeChange(from: number, to: number): number {
  if (from === 0) return to === 0 ? 0 : to > 0 ? Infinity : -Infinity;
  return (to - from) / Math.abs(from);
}

function ratio(val: number | null, train: number | null): number | null {
  if (val === null || train === null || !(train > 0)) return null;
  return val / train;
}

function defaultOnTrainingEpisodes(format: string | undefined): boolean {
  return format === undefined || format === 'smolvla_sequential';
}

/**
 * First non-finite or above-threshold loss in training or own-task validation, earliest x (rule 1
 * above); `x` counts `unit`s. `threshold` false: only non-finite values count (another trainer's loss
 * has its own scale).
 */
function findDivergence(
  series: RunSeries,
  taskId: number | null,
  opts: OverfittingOptions,
  unit: XUnit,
  threshold: boolean,
): DivergencePoint | null {
  const bad = (v: number | null): boolean => (isFiniteLoss(v) ? threshold && v > opts.divergenceThreshold : opts.checkFinite);
  let first: { x: number; source: DivergencePoint['source']; value: number | null } | null = null;
  const consider = (x: number, source: DivergencePoint['source'], value: number | null) => {
    if (bad(value) && (first === null || x < first.x)) first = { x, source, value };
  };
  for (const e of series.epochs) consider(e.epoch, 'training', e.trainLoss);
  if (taskId !== null) for (const v of series.validations) if (v.taskId === taskId) consider(v.epoch, 'validation', v.loss);
  const f = first as { x: number; source: DivergencePoint['source']; value: number | null } | null;
  const found: DivergencePoint | null =
    f === null ? null : { epoch: unit === 'epoch' ? f.x : null, step: unit === 'step' ? f.x : null, source: f.source, value: f.value };
  const step = opts.checkFinite ? (series.stepLoss?.firstNonFinite ?? null) : null;
  if (step === null) return found;
  const atStep: DivergencePoint = { epoch: step.epoch, step: step.step, source: 'training', value: step.loss };
  if (found === null) return atStep;
  if (unit === 'step') return step.step <= found.step! ? atStep : found;
  return step.epoch !== null && step.epoch <= found.epoch! ? atStep : found;
}

/** What a judged series' x counts. */
type XUnit = 'epoch' | 'step';

/**
 * The series the rule judges: the run's own validation records when it has any; else its validation
 * curve (validation-curve.ts) as a series on the curve's axis, with the training loss sampled there.
 */
function judgedSeries(series: RunSeries, taskId: number | null): { judged: RunSeries; curve: ValidationCurve | null; task: number | null } {
  const curve = series.validationCurve ?? null;
  if (curve === null || curve.val.length === 0 || validationTrend(series, taskId).length > 0 || finalValidation(series, taskId) !== null)
    return { judged: series, curve: null, task: taskId };
  const task = taskId ?? 0;
  return {
    judged: {
      epochs: curve.train.map((p) => ({ epoch: p.x, trainLoss: p.loss })),
      validations: curve.val.map((p) => ({ epoch: p.x, final: false, taskId: task, loss: p.loss })),
      taskId: task,
      format: series.format,
      stepLoss: series.stepLoss ?? null,
      validationAxis: curve.axis,
    },
    curve,
    task,
  };
}

function nonFiniteName(v: number | null): string {
  return v === null || Number.isNaN(v) ? 'NaN' : fmt(v);
}

/** "epoch 3", "step 600" or "step 600 (epoch 3)". */
function divergedAt(p: DivergencePoint): string {
  if (p.step === null) return `epoch ${p.epoch ?? 'n/a'}`;
  return p.epoch === null ? `step ${fmtCount(p.step)}` : `step ${fmtCount(p.step)} (epoch ${p.epoch})`;
}

/** The overfitting verdict of one run (rule in the module comment). */
export function overfittingVerdict(series: RunSeries, options: Partial<OverfittingOptions> = {}): OverfittingResult {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const opts: OverfittingOptions = { ...DEFAULT_OVERFITTING_OPTIONS, ...given };
  const onTraining = opts.validationOnTrainingEpisodes ?? defaultOnTrainingEpisodes(series.format);
  opts.validationOnTrainingEpisodes = onTraining;
  const ownTask = opts.taskId ?? ownTaskId(series);
  const { judged, curve, task: taskId } = judgedSeries(series, ownTask);
  const unit: XUnit = judged.validationAxis ?? 'epoch';
  /** "epoch 12", "step 20,000": steps with thousands separators, as every page writes them. */
  const at = (x: number | null) => `${unit} ${unit === 'step' ? fmtCount(x) : x}`;
  const unitCount = (n: number) => (unit === 'step' ? `${fmtCount(n)} step${n === 1 ? '' : 's'}` : plural(n, unit));
  const taskName = (ownTask === null ? "this run's task" : `task ${ownTask}`) + (curve === null ? '' : ` (${curve.name})`);
  const caveat = onTraining ? OPTIMISTIC_VALIDATION_NOTE : null;

  const points = validationTrend(judged, taskId).filter((p): p is { epoch: number; loss: number } => isFiniteLoss(p.loss));

  // Trend statistics (computed for every verdict except `insufficient`).
  let best: { epoch: number; loss: number } | null = null;
  let ref: number | null = null; // Keras starts from +∞: the first point is always an improvement
  let wait = 0;
  for (const p of points) {
    if (best === null || p.loss < best.loss) best = p;
    if (ref === null || p.loss < ref - opts.minDelta * Math.abs(ref)) {
      ref = p.loss;
      wait = 0;
    } else {
      wait += 1;
    }
  }
  const latest = points[points.length - 1] ?? null;
  const trainAtBest = best === null ? null : trainLossAt(judged.epochs, best.epoch);
  const trainAtEnd = latest === null ? null : trainLossAt(judged.epochs, latest.epoch);
  const rise = best === null || latest === null ? null : relativeChange(best.loss, latest.loss);
  const gapAtBest = best === null ? null : ratio(best.loss, trainAtBest);
  const gapAtEnd = latest === null ? null : ratio(latest.loss, trainAtEnd);

  const base: OverfittingResult = {
    verdict: 'ok',
    reason: '',
    taskId: ownTask,
    axis: unit,
    validationPoints: points.length,
    bestEpoch: best?.epoch ?? null,
    bestValue: best?.loss ?? null,
    latestEpoch: latest?.epoch ?? null,
    latestValue: latest?.loss ?? null,
    epochsSinceBest: best !== null && latest !== null ? latest.epoch - best.epoch : null,
    validationsSinceImprovement: wait,
    riseFromBest: rise,
    trainAtBest,
    trainAtEnd,
    gapAtBest,
    gapAtEnd,
    overfitStartEpoch: null,
    divergence: null,
    caveat,
    options: opts,
  };

  // 1. diverged
  const divergence = findDivergence(judged, taskId, opts, unit, curve === null);
  if (divergence !== null) {
    const what = divergence.source === 'training' ? 'Training loss' : `Validation loss on ${taskName}`;
    const reason = isFiniteLoss(divergence.value)
      ? `${what} reached ${fmt(divergence.value)} at ${divergedAt(divergence)}, above the divergence threshold ${fmt(opts.divergenceThreshold)}: diverged.`
      : `${what} is ${nonFiniteName(divergence.value)} (not finite) at ${divergedAt(divergence)}: diverged.`;
    return { ...base, verdict: 'diverged', divergence, reason };
  }

  // 2. insufficient: end gap only, never a trend.
  if (points.length < opts.minValidations) {
    const fin = finalValidation(judged, taskId);
    const end: LossAtEpoch | null = fin !== null && isFiniteLoss(fin.loss) ? fin : latest;
    const train = end === null ? null : (trainLossAt(judged.epochs, end.epoch) ?? lastTrainLoss(judged.epochs)?.loss ?? null);
    const endGap = end === null ? null : ratio(end.loss, train);
    const what = curve === null && unit === 'epoch' ? 'per-epoch validation point' : 'validation point';
    const by = curve === null && unit === 'epoch' ? '' : ` by ${unit}`;
    const count =
      points.length === 0
        ? `No ${what}${by} for ${taskName} (${opts.minValidations} are needed for a trend)`
        : `Only ${plural(points.length, what)}${by} for ${taskName}, fewer than the ${opts.minValidations} needed for a trend`;
    let detail: string;
    if (end === null && curve !== null) detail = '; none of its validation losses is finite, so there is no gap either.';
    else if (end === null) detail = '; no validation loss was recorded, so there is no gap either.';
    else {
      const which = end === fin ? 'final validation loss' : 'latest validation loss';
      detail =
        endGap === null
          ? `; the ${which} is ${fmt(end.loss)} at ${at(end.epoch)} (no training loss to compare).`
          : `; the ${which} is ${fmt(end.loss)} at ${at(end.epoch)}, ${fmt(endGap)}x the training loss ${fmt(train)}.`;
    }
    return {
      ...base,
      verdict: 'insufficient',
      // Nothing validated at all (a step trainer, checkpoint folders alone): that, not a count of none.
      reason:
        end === null && points.length === 0 && curve === null
          ? `No validation loss was recorded for ${taskName}: there is no trend and no gap to judge.`
          : count + detail,
      bestEpoch: null,
      bestValue: null,
      latestEpoch: end?.epoch ?? null,
      latestValue: end?.loss ?? null,
      epochsSinceBest: null,
      riseFromBest: null,
      trainAtBest: null,
      trainAtEnd: train,
      gapAtBest: null,
      gapAtEnd: endGap,
    };
  }

  // From here on there are ≥ minValidations ≥ 1 finite points.
  if (best === null || latest === null || rise === null) throw new Error('unreachable: no validation points');
  const stalled = wait >= opts.patience;
  const rising = rise >= opts.riseThreshold;
  const trainFell = trainAtBest !== null && trainAtEnd !== null && trainAtEnd < trainAtBest;
  const since = latest.epoch - best.epoch;

  // 3. overfitting
  if (stalled && rising && trainFell) {
    const threshold = best.loss + opts.minDelta * Math.abs(best.loss);
    const start = points.find((p) => p.epoch > best.epoch && p.loss > threshold) ?? null;
    return {
      ...base,
      verdict: 'overfitting',
      overfitStartEpoch: start?.epoch ?? null,
      reason:
        `Validation loss on ${taskName} bottomed at ${fmt(best.loss)} at ${at(best.epoch)} and has risen ` +
        `${pct(rise)} over ${unitCount(since)} since, while training loss fell from ${fmt(trainAtBest)} ` +
        `to ${fmt(trainAtEnd)}: overfitting.`,
    };
  }

  // 4. watch
  if (stalled && rising) {
    const train =
      trainAtBest === null || trainAtEnd === null
        ? 'there is no training loss over that window to confirm an overfit'
        : `training loss did not fall (${fmt(trainAtBest)} to ${fmt(trainAtEnd)}), so this is not the classic overfit shape`;
    return {
      ...base,
      verdict: 'watch',
      reason:
        `Validation loss on ${taskName} bottomed at ${fmt(best.loss)} at ${at(best.epoch)} and has risen ` +
        `${pct(rise)} over ${unitCount(since)} since, but ${train}: watch.`,
    };
  }
  if (stalled) {
    return {
      ...base,
      verdict: 'watch',
      reason:
        `Validation loss on ${taskName} has not improved by more than ${pct(opts.minDelta)} for ` +
        `${plural(wait, 'validation')} (best ${fmt(best.loss)} at ${at(best.epoch)}, latest ` +
        `${fmt(latest.loss)} at ${at(latest.epoch)}, ${pct(rise)} above the best): stalled, watch.`,
    };
  }
  const startPoint = points.length > opts.patience ? points[points.length - 1 - opts.patience] : undefined;
  const gapStart = startPoint === undefined ? null : ratio(startPoint.loss, trainLossAt(judged.epochs, startPoint.epoch));
  if (
    gapAtEnd !== null &&
    gapStart !== null &&
    startPoint !== undefined &&
    gapAtEnd >= opts.gapRatioThreshold &&
    gapAtEnd > gapStart * (1 + opts.gapWideningThreshold)
  ) {
    return {
      ...base,
      verdict: 'watch',
      reason:
        `Validation loss on ${taskName} is ${fmt(gapAtEnd)}x the training loss at ${at(latest.epoch)} ` +
        `(${fmt(latest.loss)} vs ${fmt(trainAtEnd)}), up from ${fmt(gapStart)}x at ${at(startPoint.epoch)}: ` +
        `the generalisation gap is large and widening, watch.`,
    };
  }

  // 5. ok
  const gapText = gapAtEnd === null ? '' : `, ${fmt(gapAtEnd)}x the training loss ${fmt(trainAtEnd)}`;
  const where =
    latest.epoch === best.epoch
      ? `is at its best, ${fmt(latest.loss)} at ${at(latest.epoch)}${gapText}`
      : `is ${fmt(latest.loss)} at ${at(latest.epoch)}${gapText}, ${pct(rise)} above its best ` +
        `${fmt(best.loss)} at ${at(best.epoch)} and still within patience (${wait} of ${opts.patience} validations)`;
  return { ...base, verdict: 'ok', reason: `Validation loss on ${taskName} ${where}: ok.` };
}
