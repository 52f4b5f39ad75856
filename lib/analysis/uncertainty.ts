/**
 * How sure a strategy's best validation is: a 95% interval, whether two strategies can be told apart,
 * and how many more runs would likely separate them.
 *
 * Interval of a strategy (its runs' best validation losses, one number per run):
 * - n ≥ 2 runs → method 't': mean ± t(0.975, n−1) · s/√n (Student's t over runs; s = sample standard
 *   deviation). This is the run-to-run spread: seeds, data order, everything that changes between repeats.
 * - n = 1 run → method 'single_run_noise': the run's own epoch-to-epoch validation noise around its best,
 *   best ± 1.96 · σ̂, where σ̂ = √(Σ(Δ²v)² / (6·m)) over the m second differences Δ²v of its per-epoch
 *   own-task validation losses — the later half of them when there are ≥ 6, since the early fall is
 *   curvature, not noise (second differences cancel a locally linear trend; for white noise
 *   Var(Δ²v) = 6σ²). It says how much the best could move from noise alone, NOT how a repeat with another
 *   seed would land, so it is labelled and never reads as run-to-run evidence. Needs ≥ 3 finite epochs.
 * - otherwise → method 'none': no interval (lo = hi = null).
 *
 * Distinguishable: two strategies are told apart only when both have intervals and the intervals do not
 * overlap (touching counts as overlapping). No interval → not distinguishable.
 *
 * Runs to separate (a simple power estimate): assume the observed difference d of the means and a common
 * spread s hold. s is the pooled sample standard deviation of the strategies with ≥ 2 runs; when neither
 * has 2 runs, the larger single-run noise σ̂ (then the estimate is optimistic: run-to-run spread is
 * usually larger than within-run noise). With n runs each, the two t-intervals stop overlapping when
 * 2 · t(0.975, n−1) · s/√n < d; the answer is the smallest such n (2 ≤ n ≤ 200) minus the runs each strategy
 * the strategy with fewer runs already has (never negative), or null when d = 0 (a tie: no number of runs separates
 * equal means) or when more than 200 runs each would be needed.
 */
import jstat from 'jstat';
import { isFiniteLoss, validationTrend } from './validation';
import type { RunSeries } from './types';

const { jStat } = jstat;

export type IntervalMethod = 't' | 'single_run_noise' | 'none';

export interface Interval {
  /** Mean best validation (n ≥ 2), the run's best (n = 1), null without any. */
  mean: number | null;
  lo: number | null;
  hi: number | null;
  method: IntervalMethod;
  n: number;
  /** The spread the interval is built from: s over runs ('t') or σ̂ of the one run; null otherwise. */
  spread: number | null;
}

export const CONFIDENCE = 0.95;
const Z_975 = 1.959963984540054;
export const MAX_RUNS_TO_SEPARATE = 200;

/** Student's t quantile (two-sided 95%: p = 0.975). */
export function tQuantile(p: number, dof: number): number {
  return jStat.studentt.inv(p, dof);
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

/** 95% t-interval of the mean of `values` (finite ones; needs ≥ 2). */
export function tInterval(values: readonly number[]): Interval {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length < 2)
    return { mean: xs.length === 1 ? (xs[0] ?? null) : null, lo: null, hi: null, method: 'none', n: xs.length, spread: null };
  const m = mean(xs);
  const s = sampleSd(xs);
  const half = tQuantile(0.975, xs.length - 1) * (s / Math.sqrt(xs.length));
  return { mean: m, lo: m - half, hi: m + half, method: 't', n: xs.length, spread: s };
}

/** σ̂ of a run's per-epoch own-task validation noise (module rule); null with fewer than 3 finite epochs. */
export function validationNoise(series: Pick<RunSeries, 'taskId' | 'validations'>): number | null {
  const v = validationTrend(series)
    .map((p) => p.loss)
    .filter(isFiniteLoss);
  if (v.length < 3) return null;
  // the later half (the early fall is curvature, not noise), when it still has ≥ 3 epochs
  const tail = v.length >= 6 ? v.slice(Math.floor(v.length / 2)) : v;
  let sum = 0;
  let m = 0;
  for (let i = 2; i < tail.length; i++) {
    const d2 = (tail[i] ?? 0) - 2 * (tail[i - 1] ?? 0) + (tail[i - 2] ?? 0);
    sum += d2 * d2;
    m++;
  }
  return Math.sqrt(sum / (6 * m));
}

/** The single-run interval: best ± 1.96·σ̂ ('single_run_noise'), or 'none' without enough epochs. */
export function singleRunInterval(best: number, noise: number | null): Interval {
  if (noise === null || !Number.isFinite(noise)) return { mean: best, lo: null, hi: null, method: 'none', n: 1, spread: null };
  return { mean: best, lo: best - Z_975 * noise, hi: best + Z_975 * noise, method: 'single_run_noise', n: 1, spread: noise };
}

/**
 * A strategy's interval from its runs: each run's best validation and (for the n = 1 case) its noise σ̂.
 */
export function strategyInterval(runs: readonly { best: number | null; noise: number | null }[]): Interval {
  const withBest = runs.filter((r): r is { best: number; noise: number | null } => r.best !== null && Number.isFinite(r.best));
  if (withBest.length === 0) return { mean: null, lo: null, hi: null, method: 'none', n: 0, spread: null };
  if (withBest.length === 1) return singleRunInterval(withBest[0]!.best, withBest[0]!.noise);
  return tInterval(withBest.map((r) => r.best));
}

/** True when both intervals exist and do not overlap (touching overlaps). */
export function distinguishable(a: Interval, b: Interval): boolean {
  if (a.lo === null || a.hi === null || b.lo === null || b.hi === null) return false;
  return a.hi < b.lo || b.hi < a.lo;
}

/** Pooled standard deviation of the strategies with ≥ 2 runs, else the larger single-run noise (module rule). */
export function commonSpread(a: Interval, b: Interval): { spread: number; source: 'runs' | 'single_run_noise' } | null {
  const multi = [a, b].filter((x) => x.method === 't' && x.spread !== null && x.n >= 2);
  if (multi.length > 0) {
    const dof = multi.reduce((acc, x) => acc + (x.n - 1), 0);
    const ss = multi.reduce((acc, x) => acc + (x.n - 1) * (x.spread ?? 0) ** 2, 0);
    return { spread: Math.sqrt(ss / dof), source: 'runs' };
  }
  const noises = [a, b].filter((x) => x.method === 'single_run_noise' && x.spread !== null).map((x) => x.spread ?? 0);
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
  if (a.mean === null || b.mean === null) return null;
  const d = Math.abs(a.mean - b.mean);
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
