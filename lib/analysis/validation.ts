/**
 * Which numbers of a run the analyses look at: the shared selection rules.
 *
 * - Finite: a loss counts only if it is a finite number. `null` (JSON for NaN), NaN and ±Infinity are
 *   non-finite (the trainer prints `inf` when a validation task produced no batches, log-formats §1.6).
 * - Own task: `series.taskId`; when that is null, the highest task id that was validated (the trainer
 *   validates tasks 1..current, so the highest one is the run's own task); null when neither exists.
 * - Validation trend: the run's own-task, per-epoch (`final: false`) validations, sorted by epoch;
 *   if an epoch appears twice the later record wins (later events refine earlier ones).
 * - Final validation: the own-task record of the "Final Multi-Task Validation" block (`final: true`),
 *   the one with the highest epoch if there are several.
 * - Training loss at epoch e: the finite training loss at e, else the latest finite one before e;
 *   null if there is none (never a later one: that would look into the future of the comparison).
 * - Latest training loss (what a run shows as its last training loss): the highest epoch's training
 *   loss as it is, NaN and ±inf included (a run whose loss turned NaN must show NaN, not its last
 *   finite value).
 * - Best validation of a run: the minimum finite own-task validation loss over the per-epoch AND the
 *   final records (a final-only run — every all-in-one run after 10-28 — still has a best); ties go to
 *   the earliest epoch, and a per-epoch record before a final one at the same epoch.
 */
import type { EpochPoint, RunSeries, ValidationPoint } from './types';

export function isFiniteLoss(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** The run's own task (see the module rule). */
export function ownTaskId(series: Pick<RunSeries, 'taskId' | 'validations'>): number | null {
  if (series.taskId !== null && series.taskId !== undefined) return series.taskId;
  let max: number | null = null;
  for (const v of series.validations) if (max === null || v.taskId > max) max = v.taskId;
  return max;
}

export interface LossAtEpoch {
  epoch: number;
  loss: number | null;
}

/** Own-task per-epoch validations, epoch-ascending, one per epoch (later record wins). */
export function validationTrend(
  series: Pick<RunSeries, 'taskId' | 'validations'>,
  taskId: number | null = ownTaskId(series),
): LossAtEpoch[] {
  if (taskId === null) return [];
  // Stored series come ordered by epoch, one record per epoch: then the trend is the records in
  // order, with no map and no sort (a long run has hundreds of thousands). Anything else (an epoch
  // twice, out of order) takes the general rule below.
  const inOrder: LossAtEpoch[] = [];
  let last = -Infinity;
  let ordered = true;
  for (const v of series.validations) {
    if (v.final || v.taskId !== taskId) continue;
    if (!(v.epoch > last)) {
      ordered = false;
      break;
    }
    inOrder.push({ epoch: v.epoch, loss: v.loss });
    last = v.epoch;
  }
  if (ordered) return inOrder;
  const byEpoch = new Map<number, number | null>();
  for (const v of series.validations) {
    if (!v.final && v.taskId === taskId) byEpoch.set(v.epoch, v.loss);
  }
  return [...byEpoch.entries()].sort((a, b) => a[0] - b[0]).map(([epoch, loss]) => ({ epoch, loss }));
}

/** The own-task record of the final validation block, or null. */
export function finalValidation(
  series: Pick<RunSeries, 'taskId' | 'validations'>,
  taskId: number | null = ownTaskId(series),
): LossAtEpoch | null {
  if (taskId === null) return null;
  let found: ValidationPoint | null = null;
  for (const v of series.validations) {
    if (v.final && v.taskId === taskId && (found === null || v.epoch >= found.epoch)) found = v;
  }
  return found === null ? null : { epoch: found.epoch, loss: found.loss };
}

/** Finite training loss at `epoch`, else the latest finite one before it, else null. */
export function trainLossAt(epochs: readonly EpochPoint[], epoch: number): number | null {
  let bestEpoch = -Infinity;
  let value: number | null = null;
  for (const e of epochs) {
    if (e.epoch <= epoch && e.epoch >= bestEpoch && isFiniteLoss(e.trainLoss)) {
      bestEpoch = e.epoch;
      value = e.trainLoss;
    }
  }
  return value;
}

/** The last finite training loss of the run (highest epoch), or null. */
export function lastTrainLoss(epochs: readonly EpochPoint[]): LossAtEpoch | null {
  let found: LossAtEpoch | null = null;
  for (const e of epochs) {
    if (isFiniteLoss(e.trainLoss) && (found === null || e.epoch >= found.epoch)) {
      found = { epoch: e.epoch, loss: e.trainLoss };
    }
  }
  return found;
}

/** The highest epoch's training loss, whatever it is (NaN and ±inf included), or null without epochs. */
export function latestTrainLoss(epochs: readonly EpochPoint[]): LossAtEpoch | null {
  let found: LossAtEpoch | null = null;
  for (const e of epochs) if (found === null || e.epoch >= found.epoch) found = { epoch: e.epoch, loss: e.trainLoss ?? Number.NaN };
  return found;
}

export interface BestValidation {
  epoch: number;
  loss: number;
  final: boolean;
}

/** Minimum finite own-task validation over per-epoch and final records (see the module rule). */
export function bestValidation(
  series: Pick<RunSeries, 'taskId' | 'validations'>,
  taskId: number | null = ownTaskId(series),
): BestValidation | null {
  let best: BestValidation | null = null;
  const consider = (epoch: number, loss: number | null, final: boolean) => {
    if (!isFiniteLoss(loss)) return;
    if (best === null || loss < best.loss || (loss === best.loss && (epoch < best.epoch || (epoch === best.epoch && !final && best.final))))
      best = { epoch, loss, final };
  };
  for (const p of validationTrend(series, taskId)) consider(p.epoch, p.loss, false);
  const fin = finalValidation(series, taskId);
  if (fin !== null) consider(fin.epoch, fin.loss, true);
  return best;
}
