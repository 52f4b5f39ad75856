// The compare page with any TensorBoard scalar tag instead of the loss pair (`scalar`, `scalarDir`):
// each run's curve of the tag (individual runs), or per strategy group the mean over the runs that
// have it with their min–max band and n (lib/views/aggregate.ts, the page's honest aggregation).
//
// Only runs whose tag counts the view's x are drawn, so nothing is averaged across axes: on the epoch
// axis the runs whose tag is logged per epoch (lib/analysis/scalar-metrics.ts tagAxis; x = axisX:
// step + 1, the trainer's 1-based epoch), on the step axis those logged per optimizer or environment step, on
// the time axis every run (seconds since its first point of the tag). The others are named in a note.
import type { Point } from '../analysis';
import { axisX, tagAxis, type ScalarAxis } from '../analysis/scalar-metrics';
import type { CompareSeries } from '../api/schemas/compare';
import type { TagPoints } from '../scalars/chunks';
import { aggregateChart, alignAggregate, nLabel } from './aggregate';
import type { XAxis } from './axes';
import { chartSeries } from './chart';
import { bucketMeans, selectScalarPoints } from './scalar-points';

/** A run's curve of the tag on the view's axis. */
export interface ScalarCurve {
  /** Spike-keeping points: the run's own line. */
  raw: Point[];
  /** Bucket means: what a group averages. */
  means: Point[];
}

/** Why a run's tag is not on the view's axis. */
export type ScalarSkip = 'missing' | ScalarAxis;

/** The run's curve of the tag on `x`, or why it has none there (points: the tag's, in read order). */
export function scalarCurve(
  run: { format: string },
  ref: { dir: string; tag: string },
  points: TagPoints | undefined,
  x: XAxis,
  budget: number,
): ScalarCurve | { skip: ScalarSkip } {
  if (!points || points.length === 0) return { skip: 'missing' };
  const kind = tagAxis(run, ref);
  if (x !== 'time' && x !== kind) return { skip: kind };
  let start = Infinity;
  for (let i = 0; i < points.length; i++) start = Math.min(start, points.wallTime[i]!);
  const xOf = (step: number, wall: number) => (x === 'time' ? wall - start : axisX(kind, step));
  const xs = Float64Array.from({ length: points.length }, (_, i) => xOf(points.step[i]!, points.wallTime[i]!));
  // On the time axis a restart can make time go back: order by x (each curve's xs must ascend).
  const order = Array.from({ length: points.length }, (_, i) => i);
  if (x === 'time') order.sort((a, b) => xs[a]! - xs[b]! || a - b);
  const sortedX = Float64Array.from(order, (i) => xs[i]!);
  const sortedY = Float64Array.from(order, (i) => points.value[i]!);
  const raw = selectScalarPoints({ length: points.length, step: sortedX, wallTime: sortedX, value: sortedY }, 2 * budget).map(
    ([px, y]) => ({ x: px, y: Number.isFinite(y) ? y : null }),
  );
  return { raw, means: bucketMeans(sortedX, sortedY, 2 * budget) };
}

/** The note naming the runs left out of a scalar view, by reason. */
export function scalarSkipNotes(tag: string, skipped: readonly { runId: number; skip: ScalarSkip }[], x: XAxis): string[] {
  const ids = (reason: ScalarSkip) =>
    skipped
      .filter((s) => s.skip === reason)
      .map((s) => `#${s.runId}`)
      .join(', ');
  const notes: string[] = [];
  if (ids('missing')) notes.push(`${ids('missing')}: no scalar ${tag}`);
  if (ids('epoch')) notes.push(`${ids('epoch')}: ${tag} is logged per epoch there, not on the ${x} axis (choose Epoch)`);
  if (ids('step')) notes.push(`${ids('step')}: ${tag} is logged per step there, not on the ${x} axis (choose Step)`);
  return notes;
}

type SeriesBase = Omit<CompareSeries, 'id' | 'kind' | 'label' | 'points' | 'smoothed' | 'band'>;

/** One run's series of the tag. */
export function scalarRunSeries(
  base: SeriesBase,
  id: string,
  label: string,
  curve: ScalarCurve,
  options: { points: number; smooth: number },
): CompareSeries {
  const { points, smoothed } = chartSeries(curve.raw, options.points, options.smooth, curve.means);
  return { ...base, id, kind: 'scalar', label, points, smoothed, band: null };
}

/** A group's series of the tag: the mean over its members that have it (aligned), with band and n; null when none has. */
export function scalarGroupSeries(
  base: SeriesBase,
  id: string,
  label: string,
  curves: readonly ScalarCurve[],
  options: { points: number; smooth: number },
): CompareSeries | null {
  if (curves.length === 0) return null;
  const agg = alignAggregate(
    curves.map((c) => c.means),
    { maxGrid: 2 * options.points },
  );
  if (agg.length === 0) return null;
  return { ...base, id, kind: 'scalar', label: `${label} (mean, ${nLabel(agg)})`, ...aggregateChart(agg, options.points, options.smooth) };
}
