/**
 * Backtests: Thaw replays its own finished runs to make its forecast intervals honest.
 *
 * A case (`backtestCases`): a finished run's deciding curve (forecast-run.ts `runCurve`) forecast from
 * the first F ∈ BACKTEST_FRACTIONS (25, 50, 75%) of its x-range to its last x (forecast-run.ts
 * `backtestPoint`), against how it ended (its level, forecast.ts `levelAt`). Each case keeps the raw
 * forecast m̂ (log), the terms of its scale σ, the outcome, the naive forecast ("the level of the last
 * 5% of the points seen") and the correction it gets: 'absolute' cases none; 'peer' cases — one per
 * absolute case whose run has finished peers of its facet and strategy (the latest CORRECTING_PEERS,
 * as forecasts get them) — the peers' median error at the
 * same F and their spread (forecast-run.ts `peerShift`), as a forecast of a running run gets it. A
 * case is judged as its forecast is served: the calibration's kernel-smoothed z, widened by the peers'
 * disagreement (forecast.ts `calibrate`).
 *
 * Calibration (`calibrationFromCases`, one per kind: `calibrationsFromCases`): for each weight pair
 * (ρ, τ) of RHO_GRID × TAU_GRID (forecast.ts σ), the standardized errors z = (log outcome − m̂ − shift)/σ
 * of the cases; their 10th and 90th percentiles make an interval that covers
 * 80% of the backtests by construction, and their median corrects a fit's systematic bias (e.g. the
 * late drop of a decaying learning rate). The weights kept are those with the lowest mean interval score
 * (Gneiting & Raftery 2007: width + (2/α)·miss distance, α = 0.2, in log loss): the sharpest intervals
 * that are still honest. Their z are kept (sorted, compressed to at most MAX_QUANTILES
 * quantiles). Fewer than MIN_CALIBRATION_CASES cases → the built-in calibration
 * (forecast-calibration.ts: the same backtests over the real learning curves Thaw is tested on).
 * The peer calibration is used where a run has peers, the absolute one elsewhere (forecast-answer.ts).
 *
 * Honest scores (`summarizeBacktest`): each case is judged with a calibration that never saw it — the
 * cases of its own run (or of any key `leaveOut` names, e.g. a group of near-identical seeds) are left
 * out. Coverage = share of cases inside their 80% interval; error = median |log outcome − log central|;
 * skill = that error ÷ the naive forecast's (below 1 beats "it stays where it is").
 */
import { BUILT_IN_CALIBRATIONS } from './forecast-calibration';
import { INTERVAL_LEVEL, correctionError, sigmaOf, zQuantile, type Calibration } from './forecast';
import { MIN_CALIBRATION_CASES } from './forecast-limits';
import {
  PEER_GRID,
  latestPeers,
  peerShift,
  type BacktestPoint,
  type FinishedCurve,
  type ForecastAxis,
  type ForecastMetric,
} from './forecast-run';

export const BACKTEST_FRACTIONS = [0.25, 0.5, 0.75] as const;
export { MIN_CALIBRATION_CASES } from './forecast-limits';
export const MAX_QUANTILES = 200;
export const TAU_GRID = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1] as const;
export const RHO_GRID = [0, 0.1, 0.3, 1] as const;

type Weights = Pick<Calibration, 'tau' | 'rho'>;

export type CaseKind = 'absolute' | 'peer';

export interface BacktestCase extends BacktestPoint {
  kind: CaseKind;
  runId: number;
  facet: string;
  metric: ForecastMetric;
  axis: ForecastAxis;
  at: number;
  /** The correction added to the raw forecast (log): 0 for 'absolute', the peers' median error for 'peer'. */
  shift: number;
  /** The peers' spread around it and their number (forecast.ts correctionError); 0 for 'absolute'. */
  spread: number;
  peers: number;
}

/** The calibrations a forecast uses: 'peer' where the run has finished peers, 'absolute' elsewhere. */
export interface ForecastCalibration {
  absolute: Calibration;
  peer: Calibration;
}

/** σ of a case under the weights ρ, τ. */
export function caseSigma(c: BacktestCase, weights: Weights): number {
  return sigmaOf(c, weights);
}

/** The standardized error of a case under the weights ρ, τ. */
export function caseZ(c: BacktestCase, weights: Weights): number {
  return (c.logOutcome - c.logRaw - c.shift) / caseSigma(c, weights);
}

/** The backtest cases of finished runs (module rule), both kinds. */
export function backtestCases(finished: readonly FinishedCurve[]): BacktestCase[] {
  const byFacet = new Map<string, FinishedCurve[]>();
  for (const f of finished) {
    const key = `${f.facet}|${f.metric}|${f.axis}|${f.strategyKey}`;
    byFacet.set(key, [...(byFacet.get(key) ?? []), f]);
  }
  const out: BacktestCase[] = [];
  for (const run of finished) {
    // As a forecast is corrected (forecast-run.ts correctingPeers): the latest peers of its strategy.
    const peers = latestPeers(byFacet.get(`${run.facet}|${run.metric}|${run.axis}|${run.strategyKey}`)!.filter((p) => p.id !== run.id));
    for (const at of BACKTEST_FRACTIONS) {
      const point = run.point(Math.round(at * PEER_GRID));
      if (!point) continue;
      const base = { ...point, runId: run.id, facet: run.facet, metric: run.metric, axis: run.axis, at };
      out.push({ ...base, kind: 'absolute', shift: 0, spread: 0, peers: 0 });
      const correction = peers.length > 0 ? peerShift(peers, at) : null;
      if (correction) out.push({ ...base, kind: 'peer', ...correction });
    }
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

/** The calibration of a set of cases of one kind (module rule); `fallback` below MIN_CALIBRATION_CASES. */
export function calibrationFromCases(cases: readonly BacktestCase[], fallback: Calibration): Calibration {
  const usable = cases.filter((c) => Number.isFinite(c.logOutcome - c.logRaw - c.shift));
  if (usable.length < MIN_CALIBRATION_CASES) return fallback;
  const tail = (1 - INTERVAL_LEVEL) / 2;
  let best: { weights: Weights; score: number; z: number[] } | null = null;
  for (const rho of RHO_GRID)
    for (const tau of TAU_GRID) {
      const weights = { tau, rho };
      const z = usable.map((c) => caseZ(c, weights)).sort((a, b) => a - b);
      const lo = quantile(z, tail);
      const hi = quantile(z, 1 - tail);
      let score = 0;
      for (const c of usable) {
        const sigma = caseSigma(c, weights);
        const r = c.logOutcome - c.logRaw - c.shift;
        score += (hi - lo) * sigma + (Math.max(0, lo * sigma - r) + Math.max(0, r - hi * sigma)) / tail;
      }
      score /= usable.length;
      if (best === null || score < best.score - 1e-12) best = { weights, score, z };
    }
  return {
    source: 'finished_runs',
    runs: new Set(usable.map((c) => c.runId)).size,
    cases: usable.length,
    tau: best!.weights.tau,
    rho: best!.weights.rho,
    z: compress(best!.z),
  };
}

/** Both calibrations of a set of cases (each kind falls back to its built-in one). */
export function calibrationsFromCases(
  cases: readonly BacktestCase[],
  fallback: ForecastCalibration = BUILT_IN_CALIBRATIONS,
): ForecastCalibration {
  return {
    absolute: calibrationFromCases(
      cases.filter((c) => c.kind === 'absolute'),
      fallback.absolute,
    ),
    peer: calibrationFromCases(
      cases.filter((c) => c.kind === 'peer'),
      fallback.peer,
    ),
  };
}

function quantile(sorted: readonly number[], p: number): number {
  const i = p * (sorted.length - 1);
  const lo = Math.floor(i);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (i - lo);
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

/** The cases a user would have been shown: the peer case where there is one, else the absolute one. */
export function servedCases(cases: readonly BacktestCase[]): BacktestCase[] {
  const peered = new Set(cases.filter((c) => c.kind === 'peer').map((c) => `${c.runId}@${c.at}`));
  return cases.filter((c) => c.kind === 'peer' || !peered.has(`${c.runId}@${c.at}`));
}

/**
 * Honest backtest scores (module rule): every case of `judge` (default: the served cases) judged by the
 * calibrations of the cases outside its `leaveOut` key (default: its run), grouped by `groupOf`
 * (default: its facet).
 */
export function summarizeBacktest(
  cases: readonly BacktestCase[],
  options: {
    leaveOut?: (c: BacktestCase) => string;
    groupOf?: (c: BacktestCase) => string;
    judge?: 'served' | CaseKind;
    fallback?: ForecastCalibration;
  } = {},
): BacktestSummary {
  const judge = options.judge ?? 'served';
  const judgedCases = new Set(judge === 'served' ? servedCases(cases) : cases.filter((c) => c.kind === judge));
  const leaveOut = options.leaveOut ?? ((c: BacktestCase) => String(c.runId));
  const groupOf = options.groupOf ?? ((c: BacktestCase) => c.facet);
  const keys = [...new Set(cases.map(leaveOut))];
  const tail = (1 - INTERVAL_LEVEL) / 2;
  const judged: Judged[] = [];
  for (const key of keys) {
    const calibrations = calibrationsFromCases(
      cases.filter((c) => leaveOut(c) !== key),
      options.fallback,
    );
    for (const c of cases) {
      if (leaveOut(c) !== key || !judgedCases.has(c)) continue;
      // The forecast as it is served (forecast.ts calibrate): kernel-smoothed z, with the peers' disagreement.
      const calibration = calibrations[c.kind];
      const sigma = caseSigma(c, calibration);
      const extra = correctionError(c) / sigma;
      const [zLo, zMid, zHi] = [tail, 0.5, 1 - tail].map((p) => zQuantile(calibration, p, extra)) as [number, number, number];
      const z = caseZ(c, calibration);
      judged.push({
        c,
        inside: z >= zLo && z <= zHi,
        error: Math.abs(c.logOutcome - (c.logRaw + c.shift + sigma * zMid)),
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
