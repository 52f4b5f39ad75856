/**
 * A run's forecast against the incumbent: which curve decides, where it will end, the chance it beats
 * the best finished run of its task and dataset, and what stopping it now saves.
 *
 * The deciding curve (`runCurve`), first that exists:
 * 1. 'val' on epochs: the run's own-task per-epoch validation trend (validation.ts), when it validates;
 * 2. 'train' on epochs: its epoch-average training loss;
 * 3. 'train' on steps: its per-step training loss (raw steps or step-summary buckets: weighted points).
 * Only finite, positive losses count (the forecast works on log loss). The planned end is `epochsTotal`
 * (epochs) or `totalSteps`, else epochsTotal × stepsPerEpoch (steps); null when the log names none.
 *
 * Target x (`toX`): with `at` (0 < F ≤ 1) the last x of the curve (the backtest hook: "what would Thaw
 * have said at F"); otherwise the planned end for a running run, the last x for any other (a finished
 * run's forecast is its own end). A running run without a planned end is forecast at its last point.
 *
 * A finished run (completed, stopped, crashed) is summarised once as a FinishedCurve (`finishedCurve`):
 * its facet, metric and axis, its end level (forecast.ts `levelAt`) and that level's noise, and its
 * backtest points (`backtestPoint`): the run forecast from fraction k/PEER_GRID of its x-range to its
 * end (k = 1 … PEER_GRID − 1) — raw forecast, outcome and naive forecast.
 *
 * Peers (`facetPeers`): the finished runs of the run's facet — facets.ts `facetKey` (task × dataset
 * size; a run without a task id, such as LeRobot's, has its dataset `repo_id` as its task), the rule of
 * Compare and Strategies — other than the run itself, whose deciding curve has the
 * same metric and axis. The incumbent (`incumbentOf`) is the peer with the lowest end level.
 * Runs of one task and one strategy (strategy.ts identity: seeds, repeats) share what no fit sees — the
 * learning-rate schedule, the data, whether the strategy overfits later — so their forecast errors at
 * the same point of training agree; runs of other strategies do not (one overfits after the point, the
 * other does not) and never correct a forecast (`correctingPeers`: the latest CORRECTING_PEERS of its
 * strategy, by id — the team's current practice, at a bounded cost). `peerShift` is the correcting
 * peers' median error at the run's own fraction (`forecastFraction`; linear between the grid points around it, `gridAround`),
 * which the forecast adds, and their spread around it (√(Σ(e − median)²/(n − 1)); 0 for one peer):
 * peers that disagree widen the predictive distribution (forecast.ts `correctionError`).
 *
 * Overfitting (validation only): the seen part of the run goes through overfitting.ts; a verdict of
 * 'overfitting' means the curve has turned upward: the forecast follows the rise since the minimum and
 * names the epoch of that minimum (overfitting.ts `bestEpoch`). A minimum that is still ahead is not
 * forecast: before the turn, a decaying curve carries no honest sign of where it will turn.
 */
import { facetKey } from '../views/facets';
import { isFiniteLoss, validationTrend } from './validation';
import { overfittingVerdict } from './overfitting';
import { cleanPoints, levelAt, levelNoise, rawForecast, seenAt, type Correction, type RawForecast, type WeightedPoint } from './forecast';
import { strategyIdentity } from './strategy';
import type { RunSeries, StrategyInput } from './types';

export type ForecastMetric = 'val' | 'train';
export type ForecastAxis = 'epoch' | 'step';
export const FINISHED_STATUSES: readonly string[] = ['completed', 'stopped', 'crashed'];

export function isFinished(status: string): boolean {
  return FINISHED_STATUSES.includes(status);
}

/** A run as the forecast sees it (database rows or parse output; pure data). */
export interface ForecastRun {
  id: number;
  status: string;
  taskId: number | null;
  taskName?: string | null;
  datasetFrames: number | null;
  /** LeRobot's dataset.repo_id: the run's task when it has no task id (lib/views/facets.ts). */
  dataset?: string | null;
  /** The experiment folder: the facet of a run with neither task id nor dataset (lib/views/facets.ts). */
  experiment?: string | null;
  epochsTotal: number | null;
  totalSteps: number | null;
  stepsPerEpoch: number | null;
  /** Epoch-average training losses and (at least own-task) validations. */
  series: RunSeries;
  /** The freezing strategy (strategy.ts identity: runs of one strategy correct each other's forecasts). */
  strategy?: StrategyInput | null;
  /** Per-step training losses; may be empty. */
  steps: readonly WeightedPoint[];
  minutesPerEpoch: number | null;
  minutesPerStep: number | null;
}

export interface RunCurve {
  metric: ForecastMetric;
  axis: ForecastAxis;
  points: WeightedPoint[];
  plannedEnd: number | null;
}

/** The deciding curve of a run (see the module rule), or null when it has no positive loss at all. */
export function runCurve(run: ForecastRun): RunCurve | null {
  const val = validationTrend(run.series)
    .filter((p) => isFiniteLoss(p.loss))
    .map((p) => ({ x: p.epoch, y: p.loss as number, n: 1 }));
  const valPoints = cleanPoints(val);
  if (valPoints.length > 0) return { metric: 'val', axis: 'epoch', points: valPoints, plannedEnd: run.epochsTotal };
  const train = cleanPoints(run.series.epochs.map((e) => ({ x: e.epoch, y: e.trainLoss ?? NaN, n: 1 })));
  if (train.length > 0) return { metric: 'train', axis: 'epoch', points: train, plannedEnd: run.epochsTotal };
  const steps = cleanPoints(run.steps);
  if (steps.length > 0) {
    const planned = run.totalSteps ?? (run.epochsTotal !== null && run.stepsPerEpoch !== null ? run.epochsTotal * run.stepsPerEpoch : null);
    return { metric: 'train', axis: 'step', points: steps, plannedEnd: planned };
  }
  return null;
}

/** The level a curve ended at (forecast.ts levelAt over its whole x-range). */
export function endLevel(curve: RunCurve): number | null {
  const { points } = curve;
  if (points.length === 0) return null;
  return levelAt(points, points[0]!.x, points[points.length - 1]!.x);
}

export interface Incumbent {
  runId: number;
  value: number;
}

/** Grid of the backtest points: fractions k/PEER_GRID. */
export const PEER_GRID = 20;

/** A finished run forecast from fraction k/PEER_GRID of its x-range to its end (logs of losses). */
export interface BacktestPoint {
  logRaw: number;
  noise: number;
  pace: number;
  logHorizon: number;
  logOutcome: number;
  logNaive: number;
}

/** What the forecast of other runs needs of a finished run. */
export interface FinishedCurve {
  id: number;
  facet: string;
  /** strategy.ts identity key of its strategy. */
  strategyKey: string;
  metric: ForecastMetric;
  axis: ForecastAxis;
  /** End level (forecast.ts levelAt over the whole curve). */
  level: number;
  /** Noise of that level (forecast.ts levelNoise), log. */
  levelNoise: number;
  /** The backtest point at k/PEER_GRID (null: nothing to forecast from there, or not computed). */
  point: (k: number) => BacktestPoint | null;
}

/** The run's series restricted to epochs ≤ x (what overfitting.ts would have said then). */
function seriesUpTo(series: RunSeries, x: number): RunSeries {
  return {
    ...series,
    epochs: series.epochs.filter((e) => e.epoch <= x),
    validations: series.validations.filter((v) => !v.final && v.epoch <= x),
  };
}

export interface RawRunForecast {
  seen: WeightedPoint[];
  toX: number;
  raw: RawForecast | null;
  /** The validation minimum (overfitting.ts) when the curve has turned upward. */
  turnedUpFrom: { epoch: number; value: number } | null;
}

function targetOf(run: ForecastRun, curve: RunCurve, seen: readonly WeightedPoint[], at: number | undefined): number {
  const last = curve.points[curve.points.length - 1]!.x;
  if (at !== undefined || isFinished(run.status) || curve.plannedEnd === null) return last;
  return Math.max(curve.plannedEnd, seen[seen.length - 1]?.x ?? last);
}

/** Seen points, target and overfitting state of a run at fraction `at` (shared by the forecast and the backtest). */
export function runRawForecast(run: ForecastRun, curve: RunCurve, at: number | undefined): RawRunForecast {
  const seen = at === undefined ? curve.points : seenAt(curve.points, at);
  const toX = targetOf(run, curve, seen, at);
  let turnedUpFrom: { epoch: number; value: number } | null = null;
  if (curve.metric === 'val' && seen.length > 0) {
    const verdict = overfittingVerdict(seriesUpTo(run.series, seen[seen.length - 1]!.x));
    if (verdict.verdict === 'overfitting' && verdict.bestEpoch !== null && verdict.bestValue !== null)
      turnedUpFrom = { epoch: verdict.bestEpoch, value: verdict.bestValue };
  }
  const raw = rawForecast(seen, { toX, x0: curve.points[0]!.x, turnedUp: turnedUpFrom !== null });
  return { seen, toX, raw, turnedUpFrom };
}

/**
 * How far along its target the run's forecast stands: (x_s − x0)/(toX − x0) of what is seen at `at`;
 * null without a curve or when nothing is left to forecast.
 */
export function forecastFraction(run: ForecastRun, at?: number): number | null {
  const curve = runCurve(run);
  if (!curve) return null;
  const seen = at === undefined ? curve.points : seenAt(curve.points, at);
  if (seen.length === 0) return null;
  const x0 = curve.points[0]!.x;
  const xs = seen[seen.length - 1]!.x;
  const toX = targetOf(run, curve, seen, at);
  return toX > xs && toX > x0 ? (xs - x0) / (toX - x0) : null;
}

/** The grid points k0 ≤ k1 around fraction f (equal when f is on the grid), and the weight of k1. */
export function gridAround(f: number): { k0: number; k1: number; w: number } {
  const pos = Math.min(PEER_GRID - 1, Math.max(1, f * PEER_GRID));
  const k0 = Math.floor(pos + 1e-9);
  const w = pos - k0;
  return w > 1e-9 && k0 < PEER_GRID - 1 ? { k0, k1: k0 + 1, w } : { k0, k1: k0, w: 0 };
}

/** The backtest point of a finished run at k/PEER_GRID (null: nothing to forecast from there). */
export function backtestPoint(run: ForecastRun, k: number): BacktestPoint | null {
  if (!isFinished(run.status)) return null;
  const curve = runCurve(run);
  const outcome = curve ? endLevel(curve) : null;
  if (!curve || outcome === null) return null;
  const { seen, raw } = runRawForecast(run, curve, k / PEER_GRID);
  if (!raw || raw.toX <= raw.fromX) return null;
  const naive = levelAt(seen, curve.points[0]!.x, raw.fromX);
  if (naive === null) return null;
  return {
    logRaw: raw.logMean,
    noise: raw.noise,
    pace: raw.pace,
    logHorizon: raw.logHorizon,
    logOutcome: Math.log(outcome),
    logNaive: Math.log(naive),
  };
}

/** A finished run as a FinishedCurve, its backtest points computed when first asked (null: not finished, no curve). */
export function finishedCurve(run: ForecastRun): FinishedCurve | null {
  if (!isFinished(run.status)) return null;
  const curve = runCurve(run);
  const level = curve ? endLevel(curve) : null;
  if (!curve || level === null) return null;
  const memo = new Map<number, BacktestPoint | null>();
  return {
    id: run.id,
    facet: facetKey(run, false),
    strategyKey: strategyKeyOf(run),
    metric: curve.metric,
    axis: curve.axis,
    level,
    levelNoise: levelNoise(curve.points),
    point: (k) => {
      if (!memo.has(k)) memo.set(k, backtestPoint(run, k));
      return memo.get(k)!;
    },
  };
}

/** The strategy identity key of a run (strategy.ts). */
export function strategyKeyOf(run: Pick<ForecastRun, 'strategy'>): string {
  return strategyIdentity(run.strategy).key;
}

/**
 * At most this many finished runs correct a forecast: the latest (by id) of its strategy. Their median
 * error and spread are settled long before (a strategy's seeds agree), and each costs two curve fits
 * per fraction, so a lab with thousands of finished runs pays for 30, not for all of them.
 */
export const CORRECTING_PEERS = 30;

/** The latest CORRECTING_PEERS of the peers (by id, newest first). */
export function latestPeers(peers: readonly FinishedCurve[]): FinishedCurve[] {
  return [...peers].sort((a, b) => b.id - a.id).slice(0, CORRECTING_PEERS);
}

/** The peers that correct a forecast: the latest CORRECTING_PEERS of the same strategy (see the module rule). */
export function correctingPeers(run: Pick<ForecastRun, 'strategy'>, peers: readonly FinishedCurve[]): FinishedCurve[] {
  const key = strategyKeyOf(run);
  return latestPeers(peers.filter((p) => p.strategyKey === key));
}

/** The finished runs of the run's facet with a curve of the same metric and axis, other than itself. */
export function facetPeers(
  run: Pick<ForecastRun, 'id' | 'taskId' | 'datasetFrames' | 'dataset'>,
  curve: Pick<RunCurve, 'metric' | 'axis'>,
  finished: readonly FinishedCurve[],
): FinishedCurve[] {
  const facet = facetKey(run, false);
  return finished.filter((f) => f.id !== run.id && f.facet === facet && f.metric === curve.metric && f.axis === curve.axis);
}

/** The peer with the lowest end level (ties: the lower id). */
export function incumbentOf(peers: readonly FinishedCurve[]): Incumbent | null {
  let best: Incumbent | null = null;
  for (const p of peers)
    if (best === null || p.level < best.value || (p.level === best.value && p.id < best.runId)) best = { runId: p.id, value: p.level };
  return best;
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length / 2;
  return values.length % 2 ? values[Math.floor(mid)]! : (values[mid - 1]! + values[mid]!) / 2;
}

/** The peers' median log error at fraction f and their spread (see the module rule); null when no peer has a point there. */
export function peerShift(peers: readonly FinishedCurve[], f: number): Correction | null {
  const { k0, k1, w } = gridAround(f);
  const errors: number[] = [];
  for (const peer of peers) {
    const a = peer.point(k0);
    const b = k1 === k0 ? a : peer.point(k1);
    const ea = a ? a.logOutcome - a.logRaw : null;
    const eb = b ? b.logOutcome - b.logRaw : null;
    if (ea !== null && eb !== null) errors.push(ea + (eb - ea) * w);
    else if (ea !== null || eb !== null) errors.push((ea ?? eb)!);
  }
  if (errors.length === 0) return null;
  const shift = median(errors);
  const spread = errors.length > 1 ? Math.sqrt(errors.reduce((a, e) => a + (e - shift) ** 2, 0) / (errors.length - 1)) : 0;
  return { shift, spread, peers: errors.length };
}
