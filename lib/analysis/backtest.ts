/**
 * Backtests: Thaw replays its own finished runs to make its forecast intervals honest.
 *
 * A case (`backtestRun`): a finished run's deciding curve (forecast-run.ts `runCurve`) forecast from the
 * first F ∈ BACKTEST_FRACTIONS (25, 50, 75%) of its x-range to its last x, against how it ended (its
 * level, forecast.ts `levelAt`). Each case keeps the raw forecast m̂ (log), its scale σ, the outcome and
 * the naive forecast ("the level of the last 5% of the points seen"), and z = (log outcome − m̂)/σ.
 *
 * Calibration (`calibrationFromCases`): the sorted z of all cases (compressed to at most
 * MAX_QUANTILES quantiles). Its 10th and 90th percentiles make an interval that covers 80% of the
 * backtests by construction; its median corrects a fit's systematic bias (e.g. the late drop of a
 * decaying learning rate). Fewer than MIN_CALIBRATION_CASES cases → the built-in calibration
 * (forecast-calibration.ts: the same backtests over the real learning curves Thaw is tested on).
 *
 * Honest scores (`summarizeBacktest`): each case is judged with a calibration that never saw it — the
 * cases of its own run (or of any key `leaveOut` names, e.g. a group of near-identical seeds) are left
 * out. Coverage = share of cases inside their 80% interval; error = median |log outcome − log central|;
 * skill = that error ÷ the naive forecast's (below 1 beats "it stays where it is").
 */
import { BUILT_IN_CALIBRATION } from './forecast-calibration';
import { INTERVAL_LEVEL, levelAt, type Calibration } from './forecast';
import { endLevel, isFinished, runCurve, runRawForecast, type ForecastAxis, type ForecastMetric, type ForecastRun } from './forecast-run';
import { facetKey } from '../views/facets';

export const BACKTEST_FRACTIONS = [0.25, 0.5, 0.75] as const;
export const MIN_CALIBRATION_CASES = 30;
export const MAX_QUANTILES = 200;

export interface BacktestCase {
  runId: number;
  facet: string;
  metric: ForecastMetric;
  axis: ForecastAxis;
  at: number;
  logRaw: number;
  sigma: number;
  logOutcome: number;
  logNaive: number;
  z: number;
}

/** The backtest cases of one run (none unless it is finished and has a curve to forecast). */
export function backtestRun(run: ForecastRun): BacktestCase[] {
  if (!isFinished(run.status)) return [];
  const curve = runCurve(run);
  const outcome = curve ? endLevel(curve) : null;
  if (!curve || outcome === null) return [];
  const facet = facetKey(run, false);
  const x0 = curve.points[0]!.x;
  const out: BacktestCase[] = [];
  for (const at of BACKTEST_FRACTIONS) {
    const { seen, raw } = runRawForecast(run, curve, at);
    if (!raw) continue;
    const naive = levelAt(seen, x0, raw.fromX);
    if (naive === null || raw.toX <= raw.fromX) continue;
    const logOutcome = Math.log(outcome);
    out.push({
      runId: run.id,
      facet,
      metric: curve.metric,
      axis: curve.axis,
      at,
      logRaw: raw.logMean,
      sigma: raw.sigma,
      logOutcome,
      logNaive: Math.log(naive),
      z: (logOutcome - raw.logMean) / raw.sigma,
    });
  }
  return out;
}

function compress(sorted: readonly number[]): number[] {
  if (sorted.length <= MAX_QUANTILES) return [...sorted];
  const out: number[] = [];
  for (let k = 0; k < MAX_QUANTILES; k++) {
    const i = ((k + 0.5) / MAX_QUANTILES) * (sorted.length - 1);
    const lo = Math.floor(i);
    out.push(sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (i - lo));
  }
  return out;
}

/** The calibration of a set of cases (module rule); the built-in one below MIN_CALIBRATION_CASES. */
export function calibrationFromCases(cases: readonly BacktestCase[], fallback: Calibration = BUILT_IN_CALIBRATION): Calibration {
  const z = cases.map((c) => c.z).filter(Number.isFinite);
  if (z.length < MIN_CALIBRATION_CASES) return fallback;
  z.sort((a, b) => a - b);
  return { source: 'finished_runs', runs: new Set(cases.map((c) => c.runId)).size, cases: z.length, z: compress(z) };
}

export interface BacktestScore {
  cases: number;
  runs: number;
  /** Share of cases whose outcome fell inside the 80% interval. */
  coverage: number | null;
  /** Median |log outcome − log central forecast|. */
  medianAbsLogError: number | null;
  /** The same for the naive forecast (the level of the last 5% of the points seen). */
  naiveMedianAbsLogError: number | null;
  /** medianAbsLogError ÷ naiveMedianAbsLogError (below 1: better than naive). */
  skill: number | null;
}

export interface BacktestGroupScore extends BacktestScore {
  key: string;
}

export interface BacktestSummary {
  level: number;
  overall: BacktestScore;
  byFraction: (BacktestScore & { at: number })[];
  groups: BacktestGroupScore[];
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const mid = values.length / 2;
  return values.length % 2 ? values[Math.floor(mid)]! : (values[mid - 1]! + values[mid]!) / 2;
}

interface Judged {
  c: BacktestCase;
  inside: boolean;
  error: number;
  naive: number;
}

function score(judged: readonly Judged[]): BacktestScore {
  const errors = judged.map((j) => j.error);
  const naive = judged.map((j) => j.naive);
  const m = median(errors);
  const n = median(naive);
  return {
    cases: judged.length,
    runs: new Set(judged.map((j) => j.c.runId)).size,
    coverage: judged.length ? judged.filter((j) => j.inside).length / judged.length : null,
    medianAbsLogError: m,
    naiveMedianAbsLogError: n,
    skill: m !== null && n !== null && n > 0 ? m / n : null,
  };
}

/**
 * Honest backtest scores (module rule): every case judged by the calibration of the cases outside its
 * `leaveOut` key (default: its run), grouped by `groupOf` (default: its facet).
 */
export function summarizeBacktest(
  cases: readonly BacktestCase[],
  options: { leaveOut?: (c: BacktestCase) => string; groupOf?: (c: BacktestCase) => string; fallback?: Calibration } = {},
): BacktestSummary {
  const leaveOut = options.leaveOut ?? ((c: BacktestCase) => String(c.runId));
  const groupOf = options.groupOf ?? ((c: BacktestCase) => c.facet);
  const keys = [...new Set(cases.map(leaveOut))];
  const tail = (1 - INTERVAL_LEVEL) / 2;
  const judged: Judged[] = [];
  for (const key of keys) {
    const calibration = calibrationFromCases(
      cases.filter((c) => leaveOut(c) !== key),
      options.fallback,
    );
    const q = (p: number) => {
      const z = calibration.z;
      const i = p * (z.length - 1);
      const lo = Math.floor(i);
      return z[lo]! + (z[Math.min(lo + 1, z.length - 1)]! - z[lo]!) * (i - lo);
    };
    const [zLo, zMid, zHi] = [q(tail), q(0.5), q(1 - tail)];
    for (const c of cases) {
      if (leaveOut(c) !== key) continue;
      judged.push({
        c,
        inside: c.z >= zLo && c.z <= zHi,
        error: Math.abs(c.logOutcome - (c.logRaw + c.sigma * zMid)),
        naive: Math.abs(c.logOutcome - c.logNaive),
      });
    }
  }
  const groups = new Map<string, Judged[]>();
  for (const j of judged) {
    const key = groupOf(j.c);
    groups.set(key, [...(groups.get(key) ?? []), j]);
  }
  return {
    level: INTERVAL_LEVEL,
    overall: score(judged),
    byFraction: BACKTEST_FRACTIONS.map((at) => ({ at, ...score(judged.filter((j) => j.c.at === at)) })),
    groups: [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, list]) => ({ key, ...score(list) })),
  };
}
