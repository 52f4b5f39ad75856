/**
 * Where a loss curve will end: a central value and an 80% interval for its level at a target x.
 *
 * Level (the forecast's target, module rule `levelAt`): the mean of the raw losses in the last 5% of the
 * x-range [x0, x] (at least one point: the last one at or before x). A weighted point {x, y, n} counts
 * as n raw losses of mean y (a step-summary bucket), so a summary and the raw rows give one answer.
 *
 * What was seen (`seenAt`): with `at` = F (0 < F ≤ 1), the points with x ≤ x0 + F·(x_last − x0).
 *
 * The forecast (`forecastCurve`), on log loss:
 * 1. Fewer than MIN_POINTS distinct seen x → no forecast (`insufficient`).
 * 2. Families (curve-fit.ts): power law and exponential decay towards a floor. Model choice by a
 *    holdout on the seen curve itself: each family is fitted to the first 70% of the seen range and
 *    scored (mean |log error|) on the last 30%; the best scorer, refitted on everything, is the model.
 *    A validation curve that has turned upward (`turnedUp`: the overfitting rule of overfitting.ts,
 *    decided by the caller) is forecast by its rise since its minimum ('rising').
 * 3. Raw forecast m̂: the mean log of the fitted curve over the target's 5% window.
 * 4. Scale σ: √(s_w² + L²) — s_w the fit's robust residual scale brought to the window's width (noise
 *    of the level), L = |log f(x_s) − log f(x_s − ½·seen range)| · 2·h, the curve's recent pace
 *    continued over the horizon h = (toX − x_s)/(x_s − x0) (how far it could still move). At least
 *    MIN_SIGMA.
 * 5. Calibration (backtest.ts): z = (log outcome − m̂)/σ over backtests of finished runs; the central
 *    value is exp(m̂ + σ·median z), the 80% interval exp(m̂ + σ·q10(z)) … exp(m̂ + σ·q90(z)).
 *
 * pBeat (`probabilityBelow`): P(level at toX < value) = P(z < (log value − m̂)/σ) under the calibration's
 * z sample, smoothed with a Gaussian kernel (Silverman's bandwidth) so it is continuous and never
 * exactly 0 or 1 from a finite sample.
 */
import { binPoints, evaluate, fitFamily, fromU, scaleOf, toU, type Bin, type CurveFamily, type FittedCurve, type Scale, type WeightedPoint } from './curve-fit';

export type { WeightedPoint } from './curve-fit';

export const LEVEL_WINDOW = 0.05;
export const MIN_POINTS = 5;
export const MIN_SIGMA = 0.005;
export const INTERVAL_LEVEL = 0.8;
const HOLDOUT = 0.7;
const WINDOW_SAMPLES = 5;

/** Points with finite y > 0, sorted by x (stable), n ≥ 1. */
export function cleanPoints(points: readonly WeightedPoint[]): WeightedPoint[] {
  const out = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.y > 0 && p.n > 0);
  let sorted = true;
  for (let i = 1; i < out.length; i++) if (out[i]!.x < out[i - 1]!.x) sorted = false;
  return sorted ? out : out.sort((a, b) => a.x - b.x);
}

/** The level at x (module rule): mean raw loss in [x − 5%·(x − x0), x], else the last point ≤ x. */
export function levelAt(points: readonly WeightedPoint[], x0: number, x: number): number | null {
  const from = x - LEVEL_WINDOW * (x - x0);
  let sum = 0;
  let count = 0;
  let last: WeightedPoint | null = null;
  for (const p of points) {
    if (p.x > x) break;
    last = p;
    if (p.x >= from) {
      sum += p.y * p.n;
      count += p.n;
    }
  }
  if (count > 0) return sum / count;
  return last ? last.y : null;
}

/** The points seen at fraction F of the x-range (F = 1: all). */
export function seenAt(points: readonly WeightedPoint[], at: number): WeightedPoint[] {
  if (points.length === 0 || at >= 1) return [...points];
  const x0 = points[0]!.x;
  const cut = x0 + at * (points[points.length - 1]!.x - x0);
  const out: WeightedPoint[] = [];
  for (const p of points) {
    if (p.x > cut) break;
    out.push(p);
  }
  return out;
}

/** How a forecast turns raw fits into intervals: quantiles of standardized backtest errors z. */
export interface Calibration {
  /** 'finished_runs': Thaw's own backtests; 'built_in': the real-curve backtests shipped with Thaw. */
  source: 'finished_runs' | 'built_in';
  runs: number;
  cases: number;
  /** Sorted quantiles of z (at probabilities (k + ½)/K): the whole sample when small. */
  z: readonly number[];
}

function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = p * (sorted.length - 1);
  const lo = Math.floor(i);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

export function calibrationQuantile(calibration: Pick<Calibration, 'z'>, p: number): number {
  return quantileSorted(calibration.z, p);
}

const SQRT2 = Math.SQRT2;
/** Φ, the standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = Math.abs(x) / SQRT2;
  const k = 1 / (1 + 0.3275911 * t);
  const erf = 1 - ((((1.061405429 * k - 1.453152027) * k + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.exp(-t * t);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** P(Z < t) for the calibration's z sample, Gaussian-kernel smoothed (Silverman's bandwidth). */
export function zCdf(calibration: Pick<Calibration, 'z'>, t: number): number {
  const z = calibration.z;
  if (z.length === 0) return normalCdf(t);
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, z.length - 1));
  const iqr = (quantileSorted(z, 0.75) - quantileSorted(z, 0.25)) / 1.349;
  const spread = Math.min(sd, iqr > 0 ? iqr : sd) || 1;
  const bandwidth = 0.9 * spread * Math.pow(z.length, -0.2);
  let sum = 0;
  for (const v of z) sum += normalCdf((t - v) / bandwidth);
  return sum / z.length;
}

export interface CurveForecastOptions {
  /** Where the level is forecast (the planned end, or the last x for a backtest). */
  toX: number;
  /** Start of the run's x-range (default: the first point). */
  x0?: number;
  /** A validation curve that has turned upward (overfitting.ts): its rise is forecast ('rising'). */
  turnedUp?: boolean;
}

/** A fit before calibration: everything the backtest and the calibrated forecast need. */
export interface RawForecast {
  family: CurveFamily;
  /** m̂: mean log loss of the fitted curve over the target window. */
  logMean: number;
  sigma: number;
  /** Last seen x and the fitted level there. */
  fromX: number;
  fromLevel: number;
  toX: number;
  x0: number;
  /** Raw losses seen. */
  points: number;
  curve: FittedCurve;
  scale: Scale;
}

function windowLogMean(curve: FittedCurve, scale: Scale, x0: number, toX: number): number {
  const from = toX - LEVEL_WINDOW * (toX - x0);
  let s = 0;
  for (let i = 0; i < WINDOW_SAMPLES; i++) {
    const x = from + ((toX - from) * i) / (WINDOW_SAMPLES - 1);
    s += Math.log(Math.max(evaluate(curve, toU(scale, x)), 1e-300));
  }
  return s / WINDOW_SAMPLES;
}

function holdoutScore(family: CurveFamily, bins: readonly Bin[]): number {
  const uCut = bins[0]!.u + HOLDOUT * (bins[bins.length - 1]!.u - bins[0]!.u);
  const head = bins.filter((b) => b.u <= uCut);
  const tail = bins.filter((b) => b.u > uCut);
  if (tail.length === 0) return Infinity;
  const fit = fitFamily(family, head);
  if (!fit) return Infinity;
  let s = 0;
  for (const b of tail) s += Math.abs(b.logY - Math.log(Math.max(evaluate(fit, b.u), 1e-300)));
  return s / tail.length;
}

function distinctX(points: readonly WeightedPoint[]): number {
  let n = 0;
  let last = NaN;
  for (const p of points) {
    if (p.x !== last) n++;
    last = p.x;
  }
  return n;
}

/** The uncalibrated forecast of seen points (clean, sorted) at toX; null with fewer than MIN_POINTS. */
export function rawForecast(seen: readonly WeightedPoint[], options: CurveForecastOptions): RawForecast | null {
  if (distinctX(seen) < MIN_POINTS) return null;
  const x0 = options.x0 ?? seen[0]!.x;
  const xs = seen[seen.length - 1]!.x;
  const toX = Math.max(options.toX, xs);
  const scale = scaleOf(seen);
  const bins = binPoints(seen, scale);
  const families: CurveFamily[] = options.turnedUp ? ['rising'] : ['power', 'exponential'];
  let family = families[0]!;
  if (families.length > 1) {
    let best = Infinity;
    for (const f of families) {
      const score = holdoutScore(f, bins);
      if (score < best) ((best = score), (family = f));
    }
  }
  const curve = fitFamily(family, bins);
  if (!curve) return null;
  const logMean = windowLogMean(curve, scale, x0, toX);
  const binWidth = (xs - x0) / Math.max(1, bins.length);
  const window = LEVEL_WINDOW * (toX - x0);
  const noise = curve.residualScale * Math.sqrt(window > 0 ? Math.min(1, binWidth / window) : 1);
  const fromLevel = evaluate(curve, toU(scale, xs));
  const uS = toU(scale, xs);
  const uHalf = toU(scale, xs - 0.5 * (xs - x0));
  const slope = Math.abs(Math.log(fromLevel) - Math.log(evaluate(curve, uHalf))) / Math.log(uS / uHalf);
  const pace = slope * Math.log(toU(scale, toX) / uS);
  const sigma = Math.max(MIN_SIGMA, Math.hypot(noise, pace));
  const points = seen.reduce((a, p) => a + p.n, 0);
  return { family, logMean, sigma, fromX: xs, fromLevel, toX, x0, points, curve, scale };
}

export interface CurveForecast {
  mean: number;
  lo: number;
  hi: number;
  raw: RawForecast;
}

/** The calibrated forecast (central value and 80% interval) of a raw one. */
export function calibrate(raw: RawForecast, calibration: Calibration): CurveForecast {
  const q = (p: number) => Math.exp(raw.logMean + raw.sigma * calibrationQuantile(calibration, p));
  const tail = (1 - INTERVAL_LEVEL) / 2;
  return { mean: q(0.5), lo: q(tail), hi: q(1 - tail), raw };
}

/** P(level at toX < value) (pBeat against an incumbent's level). */
export function probabilityBelow(raw: RawForecast, calibration: Calibration, value: number): number {
  if (!(value > 0)) return 0;
  return zCdf(calibration, (Math.log(value) - raw.logMean) / raw.sigma);
}

/**
 * The cone from the last seen x to toX, `steps` + 1 points [x, central, lo, hi]: the fitted curve with
 * the calibrated shift and interval opening with the horizon (σ·(x − x_s)/(toX − x_s)); the last point
 * is the forecast itself.
 */
export function forecastPath(forecast: CurveForecast, calibration: Calibration, steps = 16): [number, number, number, number][] {
  const { raw } = forecast;
  const tail = (1 - INTERVAL_LEVEL) / 2;
  const zLo = calibrationQuantile(calibration, tail);
  const zMid = calibrationQuantile(calibration, 0.5);
  const zHi = calibrationQuantile(calibration, 1 - tail);
  const out: [number, number, number, number][] = [];
  for (let i = 0; i < steps; i++) {
    const x = raw.fromX + ((raw.toX - raw.fromX) * i) / steps;
    const logY = Math.log(Math.max(evaluate(raw.curve, toU(raw.scale, x)), 1e-300));
    const frac = raw.toX > raw.fromX ? (x - raw.fromX) / (raw.toX - raw.fromX) : 0;
    const sigma = Math.max(MIN_SIGMA, raw.sigma * frac);
    out.push([x, Math.exp(logY + sigma * zMid), Math.exp(logY + sigma * zLo), Math.exp(logY + sigma * zHi)]);
  }
  out.push([raw.toX, forecast.mean, forecast.lo, forecast.hi]);
  return out;
}
