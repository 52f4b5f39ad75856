/**
 * How fast a run converged: the first epoch whose own-task per-epoch validation is within 5% of the
 * run's best validation (loss ≤ best + 0.05·|best|), the best epoch itself, and the training time to the
 * convergence epoch (the sum of the per-epoch training seconds of epochs 1..that epoch; null when any of
 * them is untimed).
 *
 * The best is validation.ts's `bestValidation` (per-epoch and final records). When the best is a final
 * record that no per-epoch record comes within 5% of (or the run has only a final record), the
 * convergence epoch is the final record's epoch. No finite validation → all null.
 */
import type { EpochSeconds } from './cost';
import type { RunSeries } from './types';
import { bestValidation, isFiniteLoss, validationTrend } from './validation';

export const CONVERGENCE_TOLERANCE = 0.05;

export interface Convergence {
  bestEpoch: number | null;
  bestLoss: number | null;
  /** First epoch within 5% of the best. */
  epochsToConverge: number | null;
  /** Training minutes up to the end of that epoch. */
  minutesToConverge: number | null;
}

export function convergence(series: Pick<RunSeries, 'taskId' | 'validations'>, seconds: readonly EpochSeconds[] = []): Convergence {
  const best = bestValidation(series);
  if (best === null) return { bestEpoch: null, bestLoss: null, epochsToConverge: null, minutesToConverge: null };
  const threshold = best.loss + CONVERGENCE_TOLERANCE * Math.abs(best.loss);
  const first = validationTrend(series).find((p) => isFiniteLoss(p.loss) && p.loss <= threshold);
  const epoch = first?.epoch ?? best.epoch;
  const byEpoch = new Map(seconds.map((s) => [s.epoch, s.seconds]));
  let total = 0;
  let known = true;
  for (let e = 1; e <= epoch; e++) {
    const s = byEpoch.get(e);
    if (s === undefined) {
      known = false;
      break;
    }
    total += s;
  }
  return { bestEpoch: best.epoch, bestLoss: best.loss, epochsToConverge: epoch, minutesToConverge: known && epoch > 0 ? total / 60 : null };
}
