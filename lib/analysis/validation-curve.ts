/**
 * A run's held-out loss curve when it has no validation records of its own (validation.ts): what the
 * overfitting rule (overfitting.ts) judges for a LeRobot run with `eval_loss`, or a run directory whose
 * validation tag the metrics rule (scalar-metrics.ts chooseMetrics) names — Keras `validation/epoch_loss`,
 * Hugging Face `eval/loss`, Lightning `val_loss`. One rule for every reader, pure:
 *
 * - x: the optimiser step on the `step` axis; on the `epoch` axis the tag's step is the 0-based epoch
 *   index (Keras, as chooseMetrics reads it), so x = step + 1, the epoch number (`epochsDone` counts so):
 *   scalar-metrics.ts axisX, the numbering the run page's Scalars section and Compare draw too.
 * - validation: one point per x, the last written wins (a step logged twice is refined, as TensorBoard
 *   draws the later one on top); NaN and ±inf kept (the rule calls them divergence).
 * - training: for each validation point, the last training point at or before it, as it is (NaN
 *   kept); none when the training loss starts later. A validation at x compares with what training
 *   had reached by then, never a later value.
 */
import { axisX, type ScalarAxis } from './scalar-metrics';
import type { CurvePoint, ValidationCurve } from './types';

/** One series as stored: x-ascending or not, repeated x allowed (later entries win). */
export interface RawSeries {
  x: ArrayLike<number>;
  loss: ArrayLike<number>;
}

function lastPerX(series: RawSeries, axis: ScalarAxis): CurvePoint[] {
  const byX = new Map<number, number>();
  for (let i = 0; i < series.x.length; i++) {
    const x = series.x[i]!;
    if (Number.isFinite(x)) byX.set(axisX(axis, x), series.loss[i]!);
  }
  return [...byX].sort((a, b) => a[0] - b[0]).map(([x, loss]) => ({ x, loss }));
}

/** The curve (module rule); null when there is no validation point. */
export function validationCurve(input: {
  axis: ScalarAxis;
  name: string;
  val: RawSeries;
  train: RawSeries | null;
}): ValidationCurve | null {
  const val = lastPerX(input.val, input.axis);
  if (val.length === 0) return null;
  const train: CurvePoint[] = [];
  if (input.train !== null) {
    const all = lastPerX(input.train, input.axis);
    let i = -1;
    for (const v of val) {
      while (i + 1 < all.length && all[i + 1]!.x <= v.x) i++;
      const t = all[i];
      if (t !== undefined && train.at(-1)?.x !== t.x) train.push(t);
    }
  }
  return { axis: input.axis, name: input.name, val, train };
}
