// One tag's points as the scalars API sends them: [step, value, wallTime] in read order (step, then
// file, then as written), every point, or — `maxPoints` — the spike-keeping downsample of
// lib/analysis/series.ts (first, last, and each bucket's extremes: a spike never disappears).
// Values are never rounded: JSON writes every number as the shortest text that reads back as the same
// float64 (a float32 value stays exactly itself), and so does the CSV; NaN and ±Infinity, which JSON
// cannot hold, are null there and named in the CSV.
import { downsampleIndexes, type Point } from '../analysis';
import { axisX, type ScalarAxis } from '../analysis/scalar-metrics';
import type { TagPoints } from '../scalars/chunks';

/** [step, value as stored (NaN, ±Infinity kept), wall time in seconds]. */
export type StoredScalarPoint = [number, number, number];

/** [step, value (null: NaN or ±Infinity), wall time in seconds]: the API's JSON form. */
export type ScalarPoint = [number, number | null, number];

/** The points the response carries, as stored (module header). */
export function selectScalarPoints(points: TagPoints, maxPoints?: number): StoredScalarPoint[] {
  const { length, step, value, wallTime } = points;
  const at = (i: number): StoredScalarPoint => [step[i]!, value[i]!, wallTime[i]!];
  if (maxPoints === undefined || maxPoints >= length) return Array.from({ length }, (_, i) => at(i));
  return downsampleIndexes(length, (i) => value[i]!, maxPoints).map(at);
}

/** JSON form: NaN and ±Infinity become null. */
export function scalarPointsJson(points: readonly StoredScalarPoint[]): ScalarPoint[] {
  return points.map(([step, value, wallTime]) => [step, Number.isFinite(value) ? value : null, wallTime]);
}

/**
 * CSV rows: every number as String() writes it (exact, NaN and ±Infinity by name). The step as stored;
 * a tag logged per epoch (tagAxis) also gets the 1-based epoch its chart shows (axisX), beside it.
 */
export function scalarPointsCsv(points: readonly StoredScalarPoint[], axis: ScalarAxis = 'step'): Record<string, number>[] {
  if (axis === 'epoch') return points.map(([step, value, wallTime]) => ({ step, epoch: axisX('epoch', step), value, wallTime }));
  return points.map(([step, value, wallTime]) => ({ step, value, wallTime }));
}

/**
 * Equal-count buckets of points (x ascending), each as its mean x and mean y: what a group's mean
 * line averages (as the compare page averages per-step bucket means, never the spikes kept for
 * display). A bucket holding a non-finite y is a gap (null), so a NaN is never averaged away.
 */
export function bucketMeans(xs: Float64Array, ys: Float64Array, maxPoints: number): Point[] {
  const n = xs.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => ({ x: xs[i]!, y: Number.isFinite(ys[i]!) ? ys[i]! : null }));
  const out: Point[] = [];
  for (let b = 0; b < maxPoints; b++) {
    const from = Math.floor((b * n) / maxPoints);
    const to = Math.floor(((b + 1) * n) / maxPoints);
    let sx = 0;
    let sy = 0;
    let gap = false;
    for (let i = from; i < to; i++) {
      sx += xs[i]!;
      if (Number.isFinite(ys[i]!)) sy += ys[i]!;
      else gap = true;
    }
    const count = to - from;
    if (count > 0) out.push({ x: sx / count, y: gap ? null : sy / count });
  }
  return out;
}
