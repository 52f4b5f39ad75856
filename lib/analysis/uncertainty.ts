/**
 * How sure a strategy's best validation is: a 95% interval, whether two strategies can be told apart,
 * and how many more runs would likely separate them.
 *
 * Scale. Every interval is built on LOG loss and mapped back (lo = e^(ln centre − h), hi = e^(ln centre + h)).
 * A loss is positive and its noise is roughly proportional to its level (a validation loss of 0.03 does
 * not wobble by ±0.05), so on the log scale the spread is one number for the whole curve, intervals are
 * asymmetric around the value (wider above than below) and never reach zero, let alone below it. A
 * value that is not positive has no logarithm: then there is no interval (reason 'non_positive').
 *
 * Interval of a strategy (its runs' best validation losses, one number per run):
 * - n ≥ 2 runs → method 't': a Student-t interval of the mean LOG best over runs,
 *   exp(m ± t(0.975, n−1) · s/√n) with m, s the mean and sample standard deviation of ln(best). Its centre
 *   e^m is the geometric mean of the bests. This is the run-to-run spread: seeds, data order, everything
 *   that changes between repeats. Runs that disagree so much that the interval would be wild (the width
 *   bound below) give no interval, reason 'too_noisy' (worded "2 runs disagree too much for an interval"),
 *   and keep their centre and log spread for `runsToSeparate`.
 * - n = 1 run → method 'single_run_noise': best · e^(±q·σ̂), the run's own epoch-to-epoch validation noise
 *   around its best (see `estimateValidationNoise`: the trend is taken out first, the scale is robust). It
 *   says how much the best could move from noise alone, NOT how a repeat with another seed would land, so
 *   it is labelled and never reads as run-to-run evidence. q = t(0.975, m) with m the residuals the
 *   estimate rests on (a few residuals estimate σ loosely: the t quantile pays for that).
 * - otherwise → method 'none': no interval (lo = hi = null) and a `reason`: 'no_runs', 'too_few_points'
 *   (the single run has too few per-epoch validations), 'too_noisy' (its curve is mostly noise, or the runs
 *   disagree too much: any interval would be wild), 'non_positive'.
 *
 * Width bound, ONE rule for both methods (`tooWide`): an interval whose log half-width passes ln 2 — it
 * would reach below half or above twice its centre, hi/lo > 4 — is not reported. With two runs the t
 * quantile is 12.7, so two runs must agree within about 11% to get an interval: two disagreeing runs
 * (0.035 and 0.154) read "5.83e-6–917" before this rule.
 *
 * Single-run noise (`estimateLogNoise`), on y = ln(loss) of the run's per-epoch own-task validations:
 * 1. The first quarter of the epochs is left out: the early fall is trend, steeper than a local fit follows.
 * 2. The trend is fitted locally: each residual is the third difference of four consecutive epochs,
 *    r = (y[i] − 3·y[i+1] + 3·y[i+2] − y[i+3]) / √20, what is left of them after the quadratic through
 *    them is taken out (it cancels any locally quadratic trend: a fall that flattens, a turn into
 *    overfitting; for independent noise of standard deviation σ it has standard deviation σ).
 * 3. The scale is robust: σ̂ = median(|r|) / 0.6745 (the median absolute value of a normal sample is
 *    0.6745 σ), so one spike (a bad validation batch, a restart) moves it little, where a root mean square
 *    would follow the spike. Should more than half the residuals be exactly 0 (a plateau printed with few
 *    digits), their root mean square is used instead.
 * 4. Fewer than MIN_NOISE_RESIDUALS residuals (a run of fewer than MIN_NOISE_EPOCHS finite per-epoch
 *    validations) → 'too_few_points'; an interval that would reach past half or twice the best
 *    (t(0.975, m)·σ̂ > ln 2) → 'too_noisy': the curve is mostly noise and its interval would be wild.
 * Held against series with known noise (uncertainty.test.ts): over many seeds and several curve shapes
 * the median σ̂/σ stays within 15% of 1 and the interval of an epoch's value covers its noise-free value
 * 92–98% of the time.
 *
 * Distinguishable: two strategies are told apart only when both have intervals and the intervals do not
 * overlap (touching counts as overlapping). No interval → not distinguishable.
 *
 * Runs to separate (a simple power estimate, on the log scale like the intervals): assume the observed
 * difference d = |ln centre_a − ln centre_b| and a common spread s hold. s is the pooled standard deviation
 * of ln(best) of the strategies with ≥ 2 runs; when neither has 2 runs, the larger single-run log noise σ̂
 * (then the estimate is optimistic: run-to-run spread is usually larger than within-run noise). With n runs
 * each, the two t-intervals stop overlapping when 2 · t(0.975, n−1) · s/√n < d; the answer is the smallest
 * such n (2 ≤ n ≤ 200) and the runs the strategy with fewer runs still needs (never negative), or null when
 * d = 0 (a tie: no number of runs separates equal centres) or when more than 200 runs each would be needed.
 */
import jstat from 'jstat';
import { isFiniteLoss, validationTrend } from './validation';
import type { RunSeries } from './types';

const { jStat } = jstat;

export type IntervalMethod = 't' | 'single_run_noise' | 'none';

/** Why there is no interval (method 'none'); null when there is one. */
export type NoIntervalReason = 'no_runs' | 'too_few_points' | 'too_noisy' | 'non_positive';

export interface Interval {
  /** Mean best validation (n ≥ 2), the run's best (n = 1), null without any. */
  mean: number | null;
  lo: number | null;
  hi: number | null;
  method: IntervalMethod;
  n: number;
  /** The spread in loss units: sample standard deviation of the bests ('t'), σ̂ · best of the one run; null otherwise. */
  spread: number | null;
  /** The interval's centre: the geometric mean of the bests ('t'), the best (n = 1, with or without an interval); else null. */
  center: number | null;
  /** The spread the interval is built from, on the log scale: SD of ln(best) ('t') or the run's log noise σ̂. */
  logSpread: number | null;
  /** Why there is no interval; null when there is one. */
  reason: NoIntervalReason | null;
}

export const CONFIDENCE = 0.95;
export const MAX_RUNS_TO_SEPARATE = 200;
/** Residuals the single-run noise needs. */
export const MIN_NOISE_RESIDUALS = 4;
/** The shortest run with a single-run interval (its later three quarters give MIN_NOISE_RESIDUALS residuals). */
export const MIN_NOISE_EPOCHS = 9;
/** The widest interval on the log scale, either method: centre/2 … 2·centre (wider is 'too_noisy'). */
export const MAX_LOG_HALF_WIDTH = Math.LN2;

/** The width bound of every interval (module rule): true when a log half-width would make it wild. */
export function tooWide(logHalfWidth: number): boolean {
  return !(logHalfWidth <= MAX_LOG_HALF_WIDTH);
}
/** median(|Z|) of a standard normal Z. */
const MEDIAN_ABS_NORMAL = 0.6744897501960817;

const T975 = new Map<number, number>();

/** Student's t quantile (two-sided 95%: p = 0.975); the 0.975 ones are remembered per degree of freedom. */
export function tQuantile(p: number, dof: number): number {
  if (p !== 0.975) return jStat.studentt.inv(p, dof);
  let q = T975.get(dof);
  if (q === undefined) T975.set(dof, (q = jStat.studentt.inv(p, dof)));
  return q;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for one value. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const none = (mean: number | null, n: number, reason: NoIntervalReason): Interval => ({
  mean,
  lo: null,
  hi: null,
  method: 'none',
  n,
  spread: null,
  // One run's best is still where its interval would be centred (runsToSeparate compares centres).
  center: n === 1 && mean !== null && mean > 0 ? mean : null,
  logSpread: null,
  reason,
});

/** 95% t-interval of the mean log of `values` (finite ones; needs ≥ 2, all positive), mapped back. */
export function tInterval(values: readonly number[]): Interval {
  const xs = values.filter((v) => Number.isFinite(v));
  const m = xs.length === 0 ? null : mean(xs);
  if (xs.length === 0) return none(null, 0, 'no_runs');
  if (xs.length === 1) return none(m, 1, 'too_few_points');
  if (xs.some((x) => x <= 0)) return none(m, xs.length, 'non_positive');
  const logs = xs.map(Math.log);
  const centre = mean(logs);
  const s = sampleSd(logs);
  const half = tQuantile(0.975, xs.length - 1) * (s / Math.sqrt(xs.length));
  // Too wide: no interval, but the centre and spread stay (runsToSeparate still estimates from them).
  if (tooWide(half)) return { ...none(m, xs.length, 'too_noisy'), spread: sampleSd(xs), center: Math.exp(centre), logSpread: s };
  return {
    mean: m,
    lo: Math.exp(centre - half),
    hi: Math.exp(centre + half),
    method: 't',
    n: xs.length,
    spread: sampleSd(xs),
    center: Math.exp(centre),
    logSpread: s,
    reason: null,
  };
}

export type NoiseEstimate =
  | {
      /** σ̂ of ln(loss) from epoch to epoch (0.05 ≈ 5% noise). */
      logSigma: number;
      /** Residuals it rests on (the t quantile's degrees of freedom). */
      residuals: number;
      reason: null;
    }
  | { logSigma: null; residuals: number; reason: Exclude<NoIntervalReason, 'no_runs'> };

/** The run's log validation noise from its per-epoch losses in epoch order (module rule). */
export function estimateLogNoise(losses: readonly number[]): NoiseEstimate {
  const finite = losses.filter((v) => Number.isFinite(v));
  if (finite.some((v) => v <= 0)) return { logSigma: null, residuals: 0, reason: 'non_positive' };
  const y = finite.slice(Math.floor(finite.length / 4)).map(Math.log);
  const residuals: number[] = [];
  for (let i = 0; i + 3 < y.length; i++) residuals.push((y[i]! - 3 * y[i + 1]! + 3 * y[i + 2]! - y[i + 3]!) / Math.sqrt(20));
  if (residuals.length < MIN_NOISE_RESIDUALS) return { logSigma: null, residuals: residuals.length, reason: 'too_few_points' };
  let sigma = median(residuals.map(Math.abs)) / MEDIAN_ABS_NORMAL;
  if (sigma === 0) sigma = Math.sqrt(residuals.reduce((a, r) => a + r * r, 0) / residuals.length);
  if (tooWide(tQuantile(0.975, residuals.length) * sigma)) return { logSigma: null, residuals: residuals.length, reason: 'too_noisy' };
  return { logSigma: sigma, residuals: residuals.length, reason: null };
}

/** The single-run noise of a run's own-task per-epoch validations (module rule). */
export function validationNoise(series: Pick<RunSeries, 'taskId' | 'validations'>): NoiseEstimate {
  return estimateLogNoise(
    validationTrend(series)
      .map((p) => p.loss)
      .filter(isFiniteLoss),
  );
}

/** The single-run interval: best · e^(±t(0.975, m)·σ̂) ('single_run_noise'), or 'none' with the reason. */
export function singleRunInterval(best: number, noise: NoiseEstimate): Interval {
  if (!(best > 0)) return none(best, 1, 'non_positive');
  if (noise.logSigma === null) return none(best, 1, noise.reason);
  const half = tQuantile(0.975, noise.residuals) * noise.logSigma;
  return {
    mean: best,
    lo: best * Math.exp(-half),
    hi: best * Math.exp(half),
    method: 'single_run_noise',
    n: 1,
    spread: noise.logSigma * best,
    center: best,
    logSpread: noise.logSigma,
    reason: null,
  };
}

/** A strategy's interval from its runs: each run's best validation and (for the n = 1 case) its noise. */
export function strategyInterval(runs: readonly { best: number | null; noise: NoiseEstimate }[]): Interval {
  const withBest = runs.filter((r): r is { best: number; noise: NoiseEstimate } => r.best !== null && Number.isFinite(r.best));
  if (withBest.length === 0) return none(null, 0, 'no_runs');
  if (withBest.length === 1) return singleRunInterval(withBest[0]!.best, withBest[0]!.noise);
  return tInterval(withBest.map((r) => r.best));
}

/** True when both intervals exist and do not overlap (touching overlaps). */
export function distinguishable(a: Interval, b: Interval): boolean {
  if (a.lo === null || a.hi === null || b.lo === null || b.hi === null) return false;
  return a.hi < b.lo || b.hi < a.lo;
}

/** Pooled log standard deviation of the strategies with ≥ 2 runs, else the larger single-run log noise (module rule). */
export function commonSpread(a: Interval, b: Interval): { spread: number; source: 'runs' | 'single_run_noise' } | null {
  // Runs' spread: a t-interval's, or that of runs too far apart for one (method 'none', n ≥ 2).
  const multi = [a, b].filter((x) => x.n >= 2 && x.logSpread !== null && (x.method === 't' || x.reason === 'too_noisy'));
  if (multi.length > 0) {
    const dof = multi.reduce((acc, x) => acc + (x.n - 1), 0);
    const ss = multi.reduce((acc, x) => acc + (x.n - 1) * (x.logSpread ?? 0) ** 2, 0);
    return { spread: Math.sqrt(ss / dof), source: 'runs' };
  }
  const noises = [a, b].filter((x) => x.method === 'single_run_noise' && x.logSpread !== null).map((x) => x.logSpread ?? 0);
  if (noises.length === 0) return null;
  return { spread: Math.max(...noises), source: 'single_run_noise' };
}

export interface RunsToSeparate {
  /** Runs each strategy would need in total. */
  runsEach: number;
  /** Runs the strategy with FEWER runs still needs to reach `runsEach` (≥ 0). */
  more: number;
  spreadSource: 'runs' | 'single_run_noise';
}

/** How many runs each would likely separate two strategies (module rule), or null (tie, no spread, > 200). */
export function runsToSeparate(a: Interval, b: Interval): RunsToSeparate | null {
  if (a.center === null || b.center === null) return null;
  const d = Math.abs(Math.log(a.center) - Math.log(b.center));
  const common = commonSpread(a, b);
  if (common === null || d === 0) return null;
  if (common.spread === 0) {
    // no spread at all: two runs each already give zero-width intervals
    return { runsEach: 2, more: Math.max(0, 2 - Math.min(a.n, b.n)), spreadSource: common.source };
  }
  for (let n = 2; n <= MAX_RUNS_TO_SEPARATE; n++) {
    if (2 * tQuantile(0.975, n - 1) * (common.spread / Math.sqrt(n)) < d) {
      return { runsEach: n, more: Math.max(0, n - Math.min(a.n, b.n)), spreadSource: common.source };
    }
  }
  return null;
}
