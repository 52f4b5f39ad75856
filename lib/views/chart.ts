// Turning series into chart payloads: server-side smoothing (TensorBoard's debiased EMA) and
// extreme-preserving downsampling, so no response carries more than `points` points per series.
import { downsampleMinMax, smoothEma, type Point } from '../analysis';
import type { ChartPoint } from '../api/schemas/common';
import { bucketX, type RunTiming, type XAxis } from './axes';
import type { RunStepBuckets } from './steps';
import { memo } from './memo';
import { freezePayload } from '../api/payload';

export interface ChartSeriesData<P extends Point = Point> {
  points: ChartPoint[];
  /** The smoothed line (null when smoothing is off). */
  smoothed: ChartPoint[] | null;
  /** The input points kept by downsampling (same objects, so callers can read their extra fields). */
  kept: P[];
}

const POW10 = Array.from({ length: 40 }, (_, i) => 10 ** (i - 12));

/**
 * A number rounded to 7 significant digits. The log prints losses with 4 decimals, so nothing real
 * is lost, and a compare response of 100 series shrinks to less than half (17-digit means and EMAs
 * are what made it large).
 */
export function compact(value: number): number {
  if (value === 0 || Number.isInteger(value) || !Number.isFinite(value)) return value;
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  const scale = POW10[6 - exponent + 12];
  return scale === undefined ? value : Math.round(value * scale) / scale;
}

const toTuple = (p: Point): ChartPoint => [compact(p.x), p.y !== null && Number.isFinite(p.y) ? compact(p.y) : null];

export function byX<P extends Point>(points: P[]): P[] {
  return points.sort((a, b) => a.x - b.x);
}

/** Raw and smoothed series within the budget. `smoothSource` defaults to the raw points. */
export function chartSeries<P extends Point>(raw: P[], budget: number, smooth: number, smoothSource: Point[] = raw): ChartSeriesData<P> {
  const kept = downsampleMinMax(raw, budget);
  const points = kept.map(toTuple);
  if (smooth <= 0) return { points, smoothed: null, kept };
  const smoothed = smoothEma(smoothSource, smooth).map((p) => ({ x: p.x, y: p.smoothed }));
  return { points, smoothed: downsampleMinMax(smoothed, budget).map(toTuple), kept };
}

/** A key for what a timing makes of the axes (steps per epoch and the epoch ends it knows). */
export function timingKey(timing: RunTiming): string {
  let last = 0;
  for (const value of timing.epochEnd.values()) last = value;
  return `${timing.stepsPerEpoch}|${timing.epochEnd.size}|${last}`;
}

/** Each bucket's extremes (and a gap where it held NaN/inf), in step order. */
export function stepRawPoints(summary: RunStepBuckets, axis: XAxis, timing: RunTiming): Point[] {
  return memo(summary, `raw|${axis}|${timingKey(timing)}`, () => computeRawPoints(summary, axis, timing));
}

function computeRawPoints(summary: RunStepBuckets, axis: XAxis, timing: RunTiming): Point[] {
  const out: Point[] = [];
  for (const bucket of summary.buckets) {
    const first = bucketX(bucket, axis, timing, 'first');
    const last = bucketX(bucket, axis, timing, 'last');
    if (first === null || last === null) continue;
    if (bucket.count > 0) {
      // Which extreme came first is not kept; within one fine bucket the order is below a pixel.
      out.push({ x: first, y: bucket.max });
      if (bucket.min !== bucket.max || last !== first) out.push({ x: last, y: bucket.min });
    }
    if (bucket.nonFinite) out.push({ x: last, y: null });
  }
  return out;
}

/** Each bucket's mean loss at its last step: the series smoothing and aggregates use. */
export function stepMeanPoints(summary: RunStepBuckets, axis: XAxis, timing: RunTiming): Point[] {
  return memo(summary, `mean|${axis}|${timingKey(timing)}`, () => computeMeanPoints(summary, axis, timing));
}

function computeMeanPoints(summary: RunStepBuckets, axis: XAxis, timing: RunTiming): Point[] {
  const out: Point[] = [];
  for (const bucket of summary.buckets) {
    const x = bucketX(bucket, axis, timing, 'last');
    if (x === null) continue;
    if (bucket.count > 0) out.push({ x, y: bucket.sum / bucket.count });
    if (bucket.nonFinite) out.push({ x, y: null });
  }
  return out;
}

/** The chart series of a run's per-step loss, memoised on its summary for these options. */
export function stepChartSeries(summary: RunStepBuckets, axis: XAxis, timing: RunTiming, budget: number, smooth: number): ChartSeriesData {
  return memo(summary, `series|${axis}|${timingKey(timing)}|${budget}|${smooth}`, () => {
    const series = chartSeries(stepRawPoints(summary, axis, timing), budget, smooth, stepMeanPoints(summary, axis, timing));
    // Shared by every response of this summary: frozen, so each is checked and written as JSON once.
    return { ...series, points: freezePayload(series.points), smoothed: freezePayload(series.smoothed) };
  });
}

/** Mean lr per bucket (for trainers that print lr per step only). */
export function stepLrPoints(summary: RunStepBuckets, axis: XAxis, timing: RunTiming): Point[] {
  const out: Point[] = [];
  for (const bucket of summary.buckets) {
    const x = bucketX(bucket, axis, timing, 'last');
    if (x !== null && bucket.lr !== null) out.push({ x, y: bucket.lr });
  }
  return out;
}
