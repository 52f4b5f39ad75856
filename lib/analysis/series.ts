/**
 * Series tools for charts: TensorBoard smoothing and extreme-preserving downsampling. Both are O(n),
 * never mutate their input, and keep raw values (smoothing adds a field; downsampling returns input
 * points as they are).
 *
 * Smoothing — exactly TensorBoard's debiased EMA (tensorboard/components/vz_line_chart2/line-chart.ts,
 * `resmoothDataset`), with weight s in [0, 1):
 *     last = 0, n = 0
 *     for each point: if the series is constant, or y is not finite (null, NaN, ±inf):
 *                        smoothed = y                         (passed through, n not advanced)
 *                     else: last = s·last + (1−s)·y;  n += 1;  smoothed = last / (1 − sⁿ)
 * ("constant" = every y equals the first one, TensorBoard's fix for #786; s = 0 is no smoothing.
 * TensorBoard's slider stops below 1 — at s = 1 its formula returns 0 — so s ≥ 1 is rejected.)
 *
 * Downsampling — per-bucket min/max (`downsampleMinMax(points, maxPoints)`):
 * - maxPoints ≥ input length: the input is returned unchanged (a copy of the same points).
 * - otherwise (maxPoints must then be ≥ 4): the first and last points are always kept; the interior
 *   points 1..n−2 are cut into B equal-count index buckets and each bucket contributes its finite
 *   minimum and maximum (first occurrence on ties; one point if they coincide), in index order.
 *   A point whose y is not finite (null/NaN/±inf) is a gap: a bucket containing gaps also contributes
 *   its first gap point, so a line break survives downsampling. B = ⌊(maxPoints−2)/3⌋ when the
 *   interior has gaps (3 slots per bucket), else ⌊(maxPoints−2)/2⌋. If B would be 0 (maxPoints 4 with
 *   gaps), only first, last, global min and global max are returned.
 * Consequently the output has ≤ maxPoints points and always contains the first point, the last point
 * and the global (finite) minimum and maximum — the bucket holding the global extreme's first
 * occurrence emits exactly that point — so a spike never disappears.
 */
import type { Point } from './types';

export interface SmoothedPoint extends Point {
  /** The EMA value; equals `y` where y is not finite. */
  smoothed: number | null;
}

function finite(y: number | null): y is number {
  return y !== null && Number.isFinite(y);
}

/** TensorBoard's debiased EMA (module rule). Throws RangeError unless 0 ≤ weight < 1. */
export function smoothEma(points: readonly Point[], weight: number): SmoothedPoint[] {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}`);
  const first = points[0]?.y;
  // TensorBoard compares with `==`; for number | null that is `===` (NaN never equals, null equals null)
  const isConstant = points.every((p) => p.y === first);
  let last = 0;
  let n = 0;
  return points.map((p) => {
    if (isConstant || !finite(p.y)) return { x: p.x, y: p.y, smoothed: p.y };
    last = last * weight + (1 - weight) * p.y;
    n += 1;
    return { x: p.x, y: p.y, smoothed: last / (1 - Math.pow(weight, n)) };
  });
}

/** Per-bucket min/max downsampling (module rule). Throws RangeError if maxPoints < 4 and reduction is needed. */
export function downsampleMinMax<P extends Point>(points: readonly P[], maxPoints: number): P[] {
  if (Number.isNaN(maxPoints)) throw new RangeError('maxPoints must be a number');
  if (Math.floor(maxPoints) >= points.length) return points.slice();
  return downsampleIndexes(points.length, (i) => points[i]?.y ?? null, maxPoints)
    .map((i) => points[i])
    .filter((p): p is P => p !== undefined);
}

/**
 * The same rule over any n points given by their y (`yAt(i)`): the indexes kept, ascending (all of
 * them when maxPoints ≥ n). For columns of numbers (a tag's 100,000 points) without an object per point.
 */
export function downsampleIndexes(n: number, yAt: (i: number) => number | null, maxPoints: number): number[] {
  if (Number.isNaN(maxPoints)) throw new RangeError('maxPoints must be a number');
  const budget = Math.floor(maxPoints);
  if (budget >= n) return Array.from({ length: n }, (_, i) => i);
  if (budget < 4) throw new RangeError(`maxPoints must be at least 4 to keep first, last, min and max (got ${maxPoints})`);
  if (n === 0) return [];
  const interior = n - 2;

  let hasGap = false;
  let gMin = -1;
  let gMax = -1;
  let gMinV = Infinity;
  let gMaxV = -Infinity;
  for (let i = 0; i < n; i++) {
    const y = yAt(i);
    if (!finite(y)) {
      if (i > 0 && i < n - 1) hasGap = true;
      continue;
    }
    if (gMin < 0 || y < gMinV) [gMin, gMinV] = [i, y];
    if (gMax < 0 || y > gMaxV) [gMax, gMaxV] = [i, y];
  }

  const slots = hasGap ? 3 : 2;
  const buckets = Math.min(Math.floor((budget - 2) / slots), interior);
  if (buckets <= 0) return [...new Set([0, gMin, gMax, n - 1].filter((i) => i >= 0))].sort((a, b) => a - b);

  const out: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * interior) / buckets);
    const end = 1 + Math.floor(((b + 1) * interior) / buckets); // exclusive
    let minI = -1;
    let maxI = -1;
    let gapI = -1;
    let minV = Infinity;
    let maxV = -Infinity;
    for (let i = start; i < end; i++) {
      const y = yAt(i);
      if (!finite(y)) {
        if (gapI < 0) gapI = i;
        continue;
      }
      if (minI < 0 || y < minV) [minI, minV] = [i, y];
      if (maxI < 0 || y > maxV) [maxI, maxV] = [i, y];
    }
    for (const i of [...new Set([minI, maxI, gapI].filter((k) => k >= 0))].sort((a, c) => a - c)) out.push(i);
  }
  out.push(n - 1);
  return out;
}
