/**
 * Learning-curve families fitted to a loss curve ON LOG LOSS, robustly, with ml-levenberg-marquardt
 * (a maintained Levenberg–Marquardt fitter; Thaw only supplies the models and their exact Jacobians).
 *
 * Input: weighted points {x, y, n} — y is the mean of n raw losses at x (a raw point has n = 1; a
 * step-summary bucket has its count), y > 0. The seen x-range [x0, xs] is mapped to u ∈ (0, 1]:
 * u = (x − x0 + h) / (xs − x0 + h), h = the median spacing of the points (one logging interval), so a
 * curve that starts at step 0 has no singular first point and every family lives on the same scale.
 *
 * Points are reduced to at most MAX_BINS bins of equal width in x (the mean log loss of each bin,
 * weight 1 per non-empty bin: the tail of a curve matters as much as its start). This bounds the cost of
 * a fit whatever the curve's length (100,000 steps cost what 64 do) and averages step noise.
 *
 * Families, y as a function of u (every parameter ≥ 0, so y > 0 and never rises except in 'rising'):
 * - power:        y = c + a · u^(−b)           (c: the floor; b ∈ [0.02, 4])
 * - exponential:  y = c + a · e^(−k·u)         (k ∈ [0.05, 60])
 * - rising:       y = c + r · max(0, u − u_m)  (a validation curve that turned upward: the rise from its
 *                 lowest bin u_m on, fitted on the bins from u_m; c, r ≥ 0)
 * The floor of the decaying families is bounded by the lowest binned loss (a floor above the data is no
 * floor).
 *
 * Robustness: a least-squares fit on log loss, then one Huber reweighting (k = 1.345 × the MAD scale
 * of the residuals) and a refit, so a spike or a glued progress-bar value does not bend the curve.
 * Each family is started from a few floors (0, 0.5·min, 0.9·min) with the rest from a log-log or
 * log-linear regression, and the start with the lowest weighted error wins.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';

export interface WeightedPoint {
  x: number;
  /** Mean of `n` raw losses at x; > 0. */
  y: number;
  n: number;
}

export type CurveFamily = 'power' | 'exponential' | 'rising';

export const MAX_BINS = 64;
const HUBER_K = 1.345;
const MAX_ITERATIONS = 40;
const ROUND = 8;

export interface Bin {
  u: number;
  /** Mean log loss of the bin. */
  logY: number;
  /** Raw losses in the bin. */
  n: number;
}

/** The map x → u of a seen range (see the module rule). */
export interface Scale {
  x0: number;
  h: number;
  span: number;
}

export function toU(scale: Scale, x: number): number {
  return (x - scale.x0 + scale.h) / scale.span;
}

/** The scale of points sorted by x (≥ 2 distinct x). */
export function scaleOf(points: readonly WeightedPoint[]): Scale {
  const x0 = points[0]!.x;
  const xs = points[points.length - 1]!.x;
  const gaps: number[] = [];
  const stride = Math.max(1, Math.floor(points.length / 256));
  for (let i = stride; i < points.length; i += stride) gaps.push((points[i]!.x - points[i - stride]!.x) / stride);
  gaps.sort((a, b) => a - b);
  const median = gaps.length > 0 ? gaps[Math.floor(gaps.length / 2)]! : 1;
  const h = Math.max(median, (xs - x0) / 1000, Number.MIN_VALUE);
  return { x0, h, span: xs - x0 + h };
}

/** Points (sorted by x, y > 0) → at most MAX_BINS equal-width bins of mean log loss. */
export function binPoints(points: readonly WeightedPoint[], scale: Scale, maxBins = MAX_BINS): Bin[] {
  const xs = points[points.length - 1]!.x;
  const width = (xs - scale.x0) / maxBins;
  if (points.length <= maxBins || width <= 0) return points.map((p) => ({ u: toU(scale, p.x), logY: Math.log(p.y), n: p.n }));
  const sumX = new Float64Array(maxBins);
  const sumLog = new Float64Array(maxBins);
  const count = new Float64Array(maxBins);
  for (const p of points) {
    const k = Math.min(maxBins - 1, Math.floor((p.x - scale.x0) / width));
    sumX[k]! += p.x * p.n;
    sumLog[k]! += Math.log(p.y) * p.n;
    count[k]! += p.n;
  }
  const bins: Bin[] = [];
  for (let k = 0; k < maxBins; k++) {
    if (count[k]! > 0) bins.push({ u: toU(scale, sumX[k]! / count[k]!), logY: sumLog[k]! / count[k]!, n: count[k]! });
  }
  return bins;
}

export interface FittedCurve {
  family: CurveFamily;
  params: number[];
  /** Robust scale (MAD × 1.4826) of the binned log residuals. */
  residualScale: number;
  /** Weighted mean squared log residual of the final fit. */
  mse: number;
}

/** The fitted loss at u. */
export function evaluate(curve: Pick<FittedCurve, 'family' | 'params'>, u: number): number {
  const p = curve.params;
  switch (curve.family) {
    case 'power':
      return p[0]! + p[1]! * Math.pow(u, -p[2]!);
    case 'exponential':
      return p[0]! + p[1]! * Math.exp(-p[2]! * u);
    case 'rising':
      return p[0]! + p[1]! * Math.max(0, u - p[2]!);
  }
}

const TINY = 1e-300;

function gradient(family: CurveFamily, p: readonly number[], u: number): number[] {
  switch (family) {
    case 'power': {
      const pow = Math.pow(u, -p[2]!);
      return [1, pow, -p[1]! * pow * Math.log(u)];
    }
    case 'exponential': {
      const e = Math.exp(-p[2]! * u);
      return [1, e, -p[1]! * u * e];
    }
    case 'rising':
      return [1, Math.max(0, u - p[2]!), 0];
  }
}

interface Bounds {
  min: number[];
  max: number[];
}

function bounds(family: CurveFamily, minY: number, maxY: number): Bounds {
  const big = maxY * 1e6;
  switch (family) {
    case 'power':
      return { min: [0, 0, 0.02], max: [minY, big, 4] };
    case 'exponential':
      return { min: [0, 0, 0.05], max: [minY, big, 60] };
    case 'rising':
      // u_m is fixed by the caller (min = max); c and r are fitted.
      return { min: [0, 0, 0], max: [maxY * 10, big, 0] };
  }
}

/** Least squares of y = α + β·x (weights w); null when x does not vary. */
function linearFit(x: readonly number[], y: readonly number[], w: readonly number[]): { alpha: number; beta: number } | null {
  let sw = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    sw += w[i]!;
    sx += w[i]! * x[i]!;
    sy += w[i]! * y[i]!;
  }
  const mx = sx / sw;
  const my = sy / sw;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    sxx += w[i]! * (x[i]! - mx) ** 2;
    sxy += w[i]! * (x[i]! - mx) * (y[i]! - my);
  }
  if (!(sxx > 0)) return null;
  const beta = sxy / sxx;
  return { alpha: my - beta * mx, beta };
}

const clamp = (v: number, lo: number, hi: number) => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : lo);

/** A starting point for a family with floor c (regression of log(y − c) on log u or u). */
function start(family: 'power' | 'exponential', bins: readonly Bin[], c: number, b: Bounds): number[] {
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  for (const bin of bins) {
    const rest = Math.exp(bin.logY) - c;
    if (rest <= 0) continue;
    xs.push(family === 'exponential' ? bin.u : Math.log(bin.u));
    ys.push(Math.log(rest));
    ws.push(1);
  }
  const fit = xs.length >= 2 ? linearFit(xs, ys, ws) : null;
  const a = fit ? Math.exp(fit.alpha) : Math.exp(bins[bins.length - 1]!.logY) - c;
  const slope = fit ? -fit.beta : 0.5;
  const p = [c, a, slope];
  return p.map((v, i) => clamp(v, b.min[i]!, b.max[i]!));
}

function lm(family: CurveFamily, bins: readonly Bin[], weights: readonly number[], initial: number[], b: Bounds): number[] {
  const root = weights.map(Math.sqrt);
  const index = bins.map((_, i) => i);
  const target = bins.map((bin, i) => root[i]! * bin.logY);
  const model = (p: number[]) => (i: number) => root[i]! * Math.log(Math.max(evaluate({ family, params: p }, bins[i]!.u), TINY));
  const jacobian = (p: number[]) => (i: number) => {
    const u = bins[i]!.u;
    const f = Math.max(evaluate({ family, params: p }, u), TINY);
    return gradient(family, p, u).map((g) => (root[i]! * g) / f);
  };
  // In rounds of ROUND iterations, stopping when a round improves the error by less than 1e-6 of it
  // (the fitter itself only stops at an absolute error, which a noisy curve never reaches).
  let params = initial;
  let error = Infinity;
  for (let done = 0; done < MAX_ITERATIONS; done += ROUND) {
    const result = levenbergMarquardt({ x: index, y: target }, model, {
      initialValues: params,
      minValues: b.min,
      maxValues: b.max,
      maxIterations: ROUND,
      damping: 1e-2,
      errorTolerance: 1e-12,
      jacobianFunction: jacobian,
    });
    if (!(result.parameterError < error)) break;
    const converged = error - result.parameterError < 1e-6 * result.parameterError;
    params = result.parameterValues;
    error = result.parameterError;
    if (converged) break;
  }
  return params;
}

function residuals(family: CurveFamily, params: readonly number[], bins: readonly Bin[]): number[] {
  return bins.map((bin) => bin.logY - Math.log(Math.max(evaluate({ family, params: [...params] }, bin.u), TINY)));
}

function weightedMse(r: readonly number[], w: readonly number[]): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < r.length; i++) {
    s += w[i]! * r[i]! ** 2;
    sw += w[i]!;
  }
  return sw > 0 ? s / sw : Infinity;
}

/** Median absolute deviation × 1.4826 (a robust standard deviation); 0 for fewer than 2 values. */
export function madScale(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const dev = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  const mad = 1.4826 * dev[Math.floor(dev.length / 2)]!;
  if (mad > 0) return mad;
  // Over half the values equal (a loss printed with 3 decimals that barely moves): the mean absolute
  // deviation × √(π/2) still sees the rest.
  return (1.2533 * dev.reduce((a, b) => a + b, 0)) / dev.length;
}

/** The rise of a turned-up curve: y = c + r·(u − u_m) on the bins from the lowest one on. */
function fitRising(bins: readonly Bin[]): FittedCurve | null {
  let low = 0;
  for (let i = 1; i < bins.length; i++) if (bins[i]!.logY < bins[low]!.logY) low = i;
  const tail = bins.slice(low);
  const um = bins[low]!.u;
  const c = Math.exp(bins[low]!.logY);
  const last = tail[tail.length - 1]!;
  const r0 = last.u > um ? Math.max(0, (Math.exp(last.logY) - c) / (last.u - um)) : 0;
  if (tail.length < 3) {
    const params = [c, r0, um];
    return { family: 'rising', params, residualScale: madScale(residuals('rising', params, tail)), mse: 0 };
  }
  let maxY = 0;
  for (const bin of tail) maxY = Math.max(maxY, Math.exp(bin.logY));
  const b = bounds('rising', 0, maxY);
  b.min[2] = um;
  b.max[2] = um;
  const ones = tail.map(() => 1);
  const params = lm('rising', tail, ones, [c, r0, um], b);
  const r = residuals('rising', params, tail);
  return { family: 'rising', params, residualScale: madScale(r), mse: weightedMse(r, ones) };
}

/** Fits one family to bins (≥ number of parameters + 1 bins), robustly (see the module rule). */
export function fitFamily(family: CurveFamily, bins: readonly Bin[]): FittedCurve | null {
  if (family === 'rising') return fitRising(bins);
  if (bins.length < 4) return null;
  let minY = Infinity;
  let maxY = 0;
  for (const bin of bins) {
    const y = Math.exp(bin.logY);
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const b = bounds(family, minY, maxY);
  const ones = bins.map(() => 1);
  let best: { params: number[]; mse: number } | null = null;
  for (const floor of [0, 0.8 * minY]) {
    const params = lm(family, bins, ones, start(family, bins, floor, b), b);
    const mse = weightedMse(residuals(family, params, bins), ones);
    if (Number.isFinite(mse) && (best === null || mse < best.mse)) best = { params, mse };
  }
  if (best === null) return null;
  // One Huber reweighting: residuals beyond k·scale count with weight k·scale/|r|.
  const r = residuals(family, best.params, bins);
  const scale = madScale(r);
  if (scale > 0) {
    const w = r.map((v) => Math.min(1, (HUBER_K * scale) / Math.max(Math.abs(v), TINY)));
    if (w.some((v) => v < 1)) {
      const params = lm(family, bins, w, best.params, b);
      const mse = weightedMse(residuals(family, params, bins), w);
      if (Number.isFinite(mse)) best = { params, mse };
    }
  }
  const final = residuals(family, best.params, bins);
  return { family, params: best.params, residualScale: madScale(final), mse: best.mse };
}
