// Aligned aggregates of a group of runs: the mean line and min–max band of the compare page.
//
// The rule (one implementation, used for training and validation loss on every x axis):
// - Each member is a curve of points (x, y). Its finite points, sorted by x (the later record wins at
//   an equal x), make covered SEGMENTS; a non-finite y (NaN, ±inf, null) breaks the curve, so the run
//   covers neither that x nor the stretch between its finite neighbours.
// - A member COVERS x when x lies within one of its segments: never before its first point, never past
//   its last one (no extrapolation). Its value at x is the linear interpolation between its own two
//   neighbouring points (exact at its own points).
// - The grid is the union of the members' own x values (every x where some run has a measurement), or,
//   when that union is larger than `maxGrid`, `maxGrid` evenly spaced xs plus every segment's ends
//   (so where a run starts and stops is always on the grid).
// - At each grid x: n = the members covering x; mean, min and max of their values. Grid points no
//   member covers are left out (a gap in every run is not drawn as anything).
// So runs validated every epoch and every second epoch both count at odd epochs (the sparse one
// interpolated), and no band point rests on fewer runs than its n says.
import type { Point } from '../analysis';
import type { BandPoint } from '../api/schemas/common';
import type { CompareSeries } from '../api/schemas/compare';
import { chartSeries, compact } from './chart';

export interface AlignedPoint {
  x: number;
  /** Members covering x. */
  n: number;
  mean: number;
  min: number;
  max: number;
}

/** One member's covered stretches: finite points, x strictly ascending within each. */
export type Segments = Point[][];

const finite = (y: number | null | undefined): y is number => typeof y === 'number' && Number.isFinite(y);

/** A member's curve as covered segments (see the module rule). */
export function segmentsOf(points: readonly Point[]): Segments {
  let ascending = true;
  for (let i = 1; i < points.length && ascending; i++) ascending = points[i - 1]!.x <= points[i]!.x;
  const sorted =
    points.every((p) => Number.isFinite(p.x)) && ascending ? points : points.filter((p) => Number.isFinite(p.x)).sort((a, b) => a.x - b.x);
  // one record per x, the later one wins (stable sort keeps input order within an x)
  const unique: Point[] = [];
  for (const p of sorted) {
    if (unique.length > 0 && unique[unique.length - 1]!.x === p.x) unique[unique.length - 1] = p;
    else unique.push(p);
  }
  const out: Segments = [];
  let current: Point[] = [];
  for (const p of unique) {
    if (finite(p.y)) current.push(p);
    else {
      if (current.length > 0) out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The member's value at x (linear interpolation within a covering segment), or null if x is not covered. */
export function valueAt(segments: Segments, x: number): number | null {
  for (const seg of segments) {
    const first = seg[0]!;
    const last = seg[seg.length - 1]!;
    if (x < first.x || x > last.x) continue;
    let lo = 0;
    let hi = seg.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (seg[mid]!.x <= x) lo = mid;
      else hi = mid;
    }
    const a = seg[lo]!;
    const b = seg[hi]!;
    if (a.x === x || a.x === b.x) return a.y;
    if (b.x === x) return b.y;
    return a.y! + ((b.y! - a.y!) * (x - a.x)) / (b.x - a.x);
  }
  return null;
}

/** The grid of the module rule. */
export function alignmentGrid(members: readonly Segments[], maxGrid = Infinity): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  let total = 0;
  for (const segments of members)
    for (const seg of segments) {
      lo = Math.min(lo, seg[0]!.x);
      hi = Math.max(hi, seg[seg.length - 1]!.x);
      total += seg.length;
    }
  const xs = new Set<number>();
  if (total <= maxGrid) {
    for (const segments of members) for (const seg of segments) for (const p of seg) xs.add(p.x);
  } else {
    for (const segments of members) for (const seg of segments) for (const p of seg) if (xs.size <= maxGrid) xs.add(p.x);
  }
  if (xs.size > maxGrid) {
    xs.clear();
    const count = Math.max(2, Math.floor(maxGrid));
    for (let i = 0; i < count; i++) xs.add(lo + ((hi - lo) * i) / (count - 1));
    for (const segments of members)
      for (const seg of segments) {
        xs.add(seg[0]!.x);
        xs.add(seg[seg.length - 1]!.x);
      }
  }
  return [...xs].sort((a, b) => a - b);
}

/**
 * Mean, min, max and n over the members at every grid x (module rule). O(members × (grid + points)):
 * each member is swept once along the sorted grid.
 */
export function alignAggregate(
  members: readonly (readonly Point[])[],
  options: { maxGrid?: number; grid?: readonly number[] } = {},
): AlignedPoint[] {
  const segmented = members.map(segmentsOf);
  const grid = options.grid ?? alignmentGrid(segmented, options.maxGrid);
  const g = grid.length;
  const sum = new Float64Array(g);
  const min = new Float64Array(g).fill(Infinity);
  const max = new Float64Array(g).fill(-Infinity);
  const n = new Uint32Array(g);
  for (const segments of segmented) {
    let s = 0;
    let j = 0;
    for (let i = 0; i < g; i++) {
      const x = grid[i]!;
      while (s < segments.length && segments[s]![segments[s]!.length - 1]!.x < x) {
        s++;
        j = 0;
      }
      if (s >= segments.length) break;
      const seg = segments[s]!;
      if (x < seg[0]!.x) continue;
      while (j + 1 < seg.length && seg[j + 1]!.x <= x) j++;
      const a = seg[j]!;
      let v: number;
      if (a.x === x || j + 1 >= seg.length) v = a.y!;
      else {
        const b = seg[j + 1]!;
        v = a.y! + ((b.y! - a.y!) * (x - a.x)) / (b.x - a.x);
      }
      sum[i]! += v;
      n[i]! += 1;
      if (v < min[i]!) min[i] = v;
      if (v > max[i]!) max[i] = v;
    }
  }
  const out: AlignedPoint[] = [];
  for (let i = 0; i < g; i++) {
    if (n[i] === 0) continue;
    out.push({ x: grid[i]!, n: n[i]!, mean: sum[i]! / n[i]!, min: min[i]!, max: max[i]! });
  }
  return out;
}

/** The smallest and largest n of an aggregate ([0, 0] when empty). */
export function nRange(points: readonly AlignedPoint[]): [number, number] {
  if (points.length === 0) return [0, 0];
  let lo = Infinity;
  let hi = 0;
  for (const p of points) {
    if (p.n < lo) lo = p.n;
    if (p.n > hi) hi = p.n;
  }
  return [lo, hi];
}

/** "n=3", or "n=1–3" where the number of runs behind the line changes along it. */
export function nLabel(points: readonly AlignedPoint[]): string {
  const [lo, hi] = nRange(points);
  return lo === hi ? `n=${hi}` : `n=${lo}–${hi}`;
}

/** An aggregate as chart payload: mean points (and smoothed), and the band at the same xs as the points. */
export function aggregateChart(
  agg: readonly AlignedPoint[],
  budget: number,
  smooth: number,
): Pick<CompareSeries, 'points' | 'smoothed' | 'band'> {
  const line = agg.map((p, i) => ({ x: p.x, y: p.mean, i }));
  const { points, smoothed, kept } = chartSeries(line, budget, smooth);
  const band: BandPoint[] = kept.map(({ i }) => {
    const p = agg[i]!;
    return [compact(p.x), compact(p.min), compact(p.max), p.n];
  });
  return { points, smoothed, band };
}
