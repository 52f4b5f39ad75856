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
 * 4. Scale σ = √(s_w² + (ρ·P)² + (τ·H)² + s_c²), at least MIN_SIGMA:
 *    - s_w, noise: the fit's robust residual scale brought to the target window's width;
 *    - P, pace: the fitted curve's log-log slope over the last half of the seen range times the
 *      log-horizon H = log(u(toX)/u(x_s)) — how far the curve would still move at its recent pace;
 *    - τ·H: what no fit sees coming (a learning rate decaying to zero, a plateau), growing with the
 *      horizon;
 *    - s_c: the spread of a correction learned from other runs (forecast-run.ts `peerShift`), if any;
 *    the weights ρ and τ are learned by the calibration (backtest.ts): a forecast corrected by its
 *    peers has little of the fit's pace error left.
 * 5. Calibration (backtest.ts): z = (log outcome − m̂)/σ over backtests of finished runs; the central
 *    value is exp(m̂ + σ·median z), the 80% interval exp(m̂ + σ·q10(z)) … exp(m̂ + σ·q90(z)).
 *
 * pBeat (`probabilityBelow`): P(level at toX < value) = P(z < (log value − m̂)/σ) under the calibration's
 * z sample, smoothed with a Gaussian kernel (Silverman's bandwidth) so it is continuous and never
 * exactly 0 or 1 from a finite sample.
 */
import {
  binPoints,
  evaluate,
  fitFamily,
  madScale,
  scaleOf,
  toU,
  type Bin,
  type CurveFamily,
  type FittedCurve,
  type Scale,
  type WeightedPoint,
} from './curve-fit';

export type { WeightedPoint } from './curve-fit';

export const LEVEL_WINDOW = 0.05;
export const MIN_POINTS = 5;
export const MIN_SIGMA = 0.005;
export const INTERVAL_LEVEL = 0.8 as const;
const HOLDOUT = 0.7;
const WINDOW_SAMPLES = 5;

/** Points with finite y > 0, sorted by x (stable), n ≥ 1. */
export function cleanPoints(points: readonly WeightedPoint[]): WeightedPoint[] {
  const out: WeightedPoint[] = [];
  let sorted = true;
  for (const p of points) {
    if (!(p.y > 0 && p.y < Infinity && p.n > 0 && Number.isFinite(p.x))) continue;
    if (out.length > 0 && p.x < out[out.length - 1]!.x) sorted = false;
    out.push(p);
  }
  return sorted ? out : out.sort((a, b) => a.x - b.x);
}

/**
 * At most `max` points: runs of consecutive points merged into one (x of the last, the mean y weighted
 * by n, n summed), so sums and counts — and so every level — are kept. Step summaries of very long runs
 * go through this before a forecast.
 */
export function mergePoints(points: readonly WeightedPoint[], max: number): WeightedPoint[] {
  if (points.length <= max) return [...points];
  const out: WeightedPoint[] = [];
  const per = points.length / max;
  for (let k = 0; k < max; k++) {
    const from = Math.floor(k * per);
    const to = Math.floor((k + 1) * per);
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      sum += points[i]!.y * points[i]!.n;
      n += points[i]!.n;
    }
    if (n > 0) out.push({ x: points[to - 1]!.x, y: sum / n, n });
  }
  return out;
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
  /** τ, the weight of the horizon term of σ (see the module rule). */
  tau: number;
  /** ρ, the weight of the pace term of σ (see the module rule). */
  rho: number;
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

const SQRT2 = Math.SQRT2;
/** Φ, the standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = Math.abs(x) / SQRT2;
  const k = 1 / (1 + 0.3275911 * t);
  const erf = 1 - ((((1.061405429 * k - 1.453152027) * k + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.exp(-t * t);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

const bandwidths = new WeakMap<readonly number[], number>();

/** Silverman's bandwidth of a z sample (0.9 · min(sd, IQR/1.349) · n^(−1/5)). */
function kernelBandwidth(z: readonly number[]): number {
  let h = bandwidths.get(z);
  if (h === undefined) {
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, z.length - 1));
    const iqr = (quantileSorted(z, 0.75) - quantileSorted(z, 0.25)) / 1.349;
    const spread = Math.min(sd, iqr > 0 ? iqr : sd) || 1;
    h = 0.9 * spread * Math.pow(z.length, -0.2);
    bandwidths.set(z, h);
  }
  return h;
}

/**
 * P(Z + E < t): Z the calibration's z sample, Gaussian-kernel smoothed (Silverman's bandwidth), E an
 * independent N(0, extra²) error in z units (the peers' disagreement, the noise of a value compared with).
 */
export function zCdf(calibration: Pick<Calibration, 'z'>, t: number, extra = 0): number {
  const z = calibration.z;
  if (z.length === 0) return normalCdf(t / Math.hypot(1, extra));
  const bandwidth = Math.hypot(kernelBandwidth(z), extra);
  let sum = 0;
  for (const v of z) sum += normalCdf((t - v) / bandwidth);
  return sum / z.length;
}

/** The p-quantile of Z + E (see zCdf), by bisection. */
export function zQuantile(calibration: Pick<Calibration, 'z'>, p: number, extra = 0): number {
  const z = calibration.z;
  const reach = 10 * Math.hypot(z.length > 0 ? kernelBandwidth(z) : 1, extra, 1);
  let lo = (z[0] ?? 0) - reach;
  let hi = (z[z.length - 1] ?? 0) + reach;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (zCdf(calibration, mid, extra) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
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
  /** The terms of σ: s_w, P and H (see the module rule). */
  noise: number;
  pace: number;
  logHorizon: number;
  /** log(level seen) − the fit's log level over the same window (added to the forecast). */
  anchor: number;
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
      if (score < best) {
        best = score;
        family = f;
      }
    }
  }
  const curve = fitFamily(family, bins);
  if (!curve) return null;
  // Anchored on the level just seen (the last 5% of [x0, x_s]): the fit's error there carries over.
  const seenLevel = levelAt(seen, x0, xs)!;
  const anchor = Math.log(seenLevel) - windowLogMean(curve, scale, x0, xs);
  const logMean = toX <= xs ? Math.log(seenLevel) : windowLogMean(curve, scale, x0, toX) + anchor;
  const binWidth = (xs - x0) / Math.max(1, bins.length);
  const window = LEVEL_WINDOW * (toX - x0);
  const noise = curve.residualScale * Math.sqrt(window > 0 ? Math.min(1, binWidth / window) : 1);
  const fromLevel = evaluate(curve, toU(scale, xs));
  const uS = toU(scale, xs);
  const uHalf = toU(scale, xs - 0.5 * (xs - x0));
  const slope = Math.abs(Math.log(fromLevel) - Math.log(evaluate(curve, uHalf))) / Math.log(uS / uHalf);
  const logHorizon = Math.log(toU(scale, toX) / uS);
  const pace = slope * logHorizon;
  const points = seen.reduce((a, p) => a + p.n, 0);
  return { family, logMean, noise, pace, logHorizon, anchor, fromX: xs, fromLevel, toX, x0, points, curve, scale };
}

/**
 * A correction learned from other runs (forecast-run.ts `peerShift`): `shift` is added to the raw log
 * forecast; `spread` (log), how much those runs disagreed, widens the predictive distribution
 * (`correctionError`).
 */
export interface Correction {
  shift: number;
  spread: number;
  /** Runs it was learned from. */
  peers: number;
}

export const NO_CORRECTION: Correction = Object.freeze({ shift: 0, spread: 0, peers: 0 });

/** σ of a forecast (or a backtest case) for a calibration's weights. */
export function sigmaOf(terms: Pick<RawForecast, 'noise' | 'pace' | 'logHorizon'>, weights: Pick<Calibration, 'tau' | 'rho'>): number {
  return Math.max(MIN_SIGMA, Math.hypot(terms.noise, weights.rho * terms.pace, weights.tau * terms.logHorizon));
}

/**
 * The peers' disagreement as a predictive error (log): a new run's error around the median of n
 * peers' errors with spread s is about s·√(1 + 1/n) (the prediction interval of one more draw).
 */
export function correctionError(correction: Correction): number {
  return correction.peers > 1 ? correction.spread * Math.sqrt(1 + 1 / correction.peers) : 0;
}

/** Nothing left to forecast: the target window is already seen (a finished run without `at`). */
function done(raw: RawForecast): boolean {
  return raw.toX <= raw.fromX;
}

export interface CurveForecast {
  mean: number;
  lo: number;
  hi: number;
  raw: RawForecast;
}

/**
 * The calibrated forecast (central value and 80% interval) of a raw one, with a correction learned from
 * other runs. A target already seen is its observed level (lo = mean = hi).
 */
export function calibrate(raw: RawForecast, calibration: Calibration, correction: Correction = NO_CORRECTION): CurveForecast {
  if (done(raw)) {
    const level = Math.exp(raw.logMean);
    return { mean: level, lo: level, hi: level, raw };
  }
  const sigma = sigmaOf(raw, calibration);
  const extra = correctionError(correction) / sigma;
  const q = (p: number) => Math.exp(raw.logMean + correction.shift + sigma * zQuantile(calibration, p, extra));
  const tail = (1 - INTERVAL_LEVEL) / 2;
  return { mean: q(0.5), lo: q(tail), hi: q(1 - tail), raw };
}

/**
 * P(level at toX < value) (pBeat against an incumbent's level), with the forecast's correction and the
 * value's own noise (`valueNoise`, log: the incumbent's level is a mean of noisy points too). A target
 * already seen is compared as it is, with both levels' noise.
 */
export function probabilityBelow(
  raw: RawForecast,
  calibration: Calibration,
  value: number,
  correction: Correction = NO_CORRECTION,
  valueNoise = 0,
): number {
  if (!(value > 0)) return 0;
  if (done(raw)) return normalCdf((Math.log(value) - raw.logMean) / Math.max(MIN_SIGMA, Math.hypot(raw.noise, valueNoise)));
  const sigma = sigmaOf(raw, calibration);
  return zCdf(
    calibration,
    (Math.log(value) - raw.logMean - correction.shift) / sigma,
    Math.hypot(correctionError(correction), valueNoise) / sigma,
  );
}

/**
 * The noise of a curve's level at its end (log): the robust scale of its point-to-point log changes
 * over the last 20% of its x-range (÷ √2: a difference holds two points' noise), brought to the raw
 * losses the level averages. 0 with fewer than 3 points there.
 */
export function levelNoise(points: readonly WeightedPoint[]): number {
  if (points.length < 3) return 0;
  const x0 = points[0]!.x;
  const xEnd = points[points.length - 1]!.x;
  const from = xEnd - 0.2 * (xEnd - x0);
  const tail = points.filter((p) => p.x >= from);
  if (tail.length < 3) return 0;
  const diffs: number[] = [];
  for (let i = 1; i < tail.length; i++) diffs.push(Math.log(tail[i]!.y) - Math.log(tail[i - 1]!.y));
  const perPoint = madScale(diffs) / Math.SQRT2;
  const meanN = tail.reduce((a, p) => a + p.n, 0) / tail.length;
  const windowFrom = xEnd - LEVEL_WINDOW * (xEnd - x0);
  const inWindow = points.filter((p) => p.x >= windowFrom).reduce((a, p) => a + p.n, 0) || 1;
  return perPoint * Math.sqrt(meanN / inWindow);
}

/**
 * The cone from the last seen x to toX, `steps` + 1 points [x, central, lo, hi]: the anchored fitted
 * curve, moved towards the forecast's central value and interval in proportion to the way gone
 * ((x − x_s)/(toX − x_s)); the last point is the forecast itself.
 */
export function forecastPath(forecast: CurveForecast, steps = 16): [number, number, number, number][] {
  const { raw } = forecast;
  if (done(raw)) return [[raw.toX, forecast.mean, forecast.lo, forecast.hi]];
  const fitted = (x: number) => Math.log(Math.max(evaluate(raw.curve, toU(raw.scale, x)), 1e-300)) + raw.anchor;
  const end = fitted(raw.toX);
  const [dMid, dLo, dHi] = [forecast.mean, forecast.lo, forecast.hi].map((v) => Math.log(v) - end) as [number, number, number];
  const out: [number, number, number, number][] = [];
  for (let i = 0; i < steps; i++) {
    const x = raw.fromX + ((raw.toX - raw.fromX) * i) / steps;
    const frac = i / steps;
    const y = fitted(x);
    out.push([x, Math.exp(y + frac * dMid), Math.exp(y + frac * dLo), Math.exp(y + frac * dHi)]);
  }
  out.push([raw.toX, forecast.mean, forecast.lo, forecast.hi]);
  return out;
}
