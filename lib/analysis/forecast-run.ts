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
 * Incumbent (`incumbentOf`): among FINISHED runs (completed, stopped, crashed) of the same facet —
 * facets.ts `facetKey` (task × dataset size), the rule of Compare and Strategies — other than the run
 * itself and with a curve of the same metric and axis, the one whose level at its end (forecast.ts
 * `levelAt`) is lowest.
 *
 * Overfitting (validation only): the seen part of the run goes through overfitting.ts; a verdict of
 * 'overfitting' means the curve has turned upward: the forecast follows the rise since the minimum and
 * names the epoch of that minimum (overfitting.ts `bestEpoch`). A minimum that is still ahead is not
 * forecast: before the turn, a decaying curve carries no honest sign of where it will turn.
 *
 * Verdict: 'insufficient' when there is no forecast (fewer than forecast.ts MIN_POINTS points) or no
 * incumbent; else 'unlikely_to_beat' when pBeat < UNLIKELY_P (0.1), 'on_track' otherwise.
 * minutesSaved (only with 'unlikely_to_beat'): (toX − last seen x) × the run's own minutes per epoch
 * (cost.ts `runCost`) or per step (cost.ts `minutesPerStep`, else minutes per epoch ÷ steps per epoch).
 */
import { facetKey } from '../views/facets';
import { isFiniteLoss, validationTrend } from './validation';
import { overfittingVerdict } from './overfitting';
import {
  INTERVAL_LEVEL,
  MIN_POINTS,
  calibrate,
  cleanPoints,
  forecastPath,
  levelAt,
  probabilityBelow,
  rawForecast,
  seenAt,
  type Calibration,
  type RawForecast,
  type WeightedPoint,
} from './forecast';
import type { RunSeries } from './types';

export type ForecastMetric = 'val' | 'train';
export type ForecastAxis = 'epoch' | 'step';
export type ForecastVerdict = 'on_track' | 'unlikely_to_beat' | 'insufficient';

export const UNLIKELY_P = 0.1;
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
  epochsTotal: number | null;
  totalSteps: number | null;
  stepsPerEpoch: number | null;
  /** Epoch-average training losses and (at least own-task) validations. */
  series: RunSeries;
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

/** A finished run's end level on one metric and axis (precomputed once per run for many forecasts). */
export interface FinishedLevel {
  runId: number;
  facet: string;
  metric: ForecastMetric;
  axis: ForecastAxis;
  value: number;
}

export function finishedLevel(run: ForecastRun): FinishedLevel | null {
  if (!isFinished(run.status)) return null;
  const curve = runCurve(run);
  const value = curve ? endLevel(curve) : null;
  if (!curve || value === null) return null;
  return { runId: run.id, facet: facetKey(run, false), metric: curve.metric, axis: curve.axis, value };
}

/** The best finished run of the run's facet on the same metric and axis, other than itself. */
export function incumbentOf(
  run: Pick<ForecastRun, 'id' | 'taskId' | 'datasetFrames'>,
  curve: Pick<RunCurve, 'metric' | 'axis'>,
  finished: readonly FinishedLevel[],
): Incumbent | null {
  const facet = facetKey(run, false);
  let best: Incumbent | null = null;
  for (const f of finished) {
    if (f.runId === run.id || f.facet !== facet || f.metric !== curve.metric || f.axis !== curve.axis) continue;
    if (best === null || f.value < best.value || (f.value === best.value && f.runId < best.runId)) best = { runId: f.runId, value: f.value };
  }
  return best;
}

export interface OverfittingForecast {
  /** The epoch of the validation minimum the curve turned upward from. */
  epoch: number;
  /** The validation loss there. */
  value: number;
  message: string;
}

export interface RunForecast {
  runId: number;
  metric: ForecastMetric;
  axis: ForecastAxis;
  /** The fraction of the curve seen (1: all of it). */
  at: number;
  fromX: number | null;
  toX: number | null;
  mean: number | null;
  lo: number | null;
  hi: number | null;
  level: number;
  method: string;
  /** Raw losses seen. */
  points: number;
  incumbent: Incumbent | null;
  pBeat: number | null;
  verdict: ForecastVerdict;
  minutesSaved: number | null;
  /** Why the verdict is 'insufficient' (null otherwise). */
  reason: string | null;
  overfitting: OverfittingForecast | null;
  /** The cone: [x, central, lo, hi] from the last seen point to toX. */
  path: [number, number, number, number][];
  /** The forecast in one sentence (the run page shows it). */
  sentence: string;
  calibration: { source: Calibration['source']; runs: number; cases: number };
}

/** The run's series restricted to epochs ≤ x (what overfitting.ts would have said then). */
function seriesUpTo(series: RunSeries, x: number): RunSeries {
  return {
    ...series,
    epochs: series.epochs.filter((e) => e.epoch <= x),
    validations: series.validations.filter((v) => !v.final && v.epoch <= x),
  };
}

/** Seen points, target and overfitting state of a run at fraction `at` (shared by the forecast and the backtest). */
export function runRawForecast(
  run: ForecastRun,
  curve: RunCurve,
  at: number | undefined,
): { seen: WeightedPoint[]; toX: number; raw: RawForecast | null; best: { epoch: number; value: number } | null; turnedUp: boolean } {
  const seen = at === undefined ? curve.points : seenAt(curve.points, at);
  const last = curve.points[curve.points.length - 1]!.x;
  const toX =
    at !== undefined || isFinished(run.status) || curve.plannedEnd === null ? last : Math.max(curve.plannedEnd, seen[seen.length - 1]?.x ?? last);
  let turnedUp = false;
  let best: { epoch: number; value: number } | null = null;
  if (curve.metric === 'val' && seen.length > 0) {
    const verdict = overfittingVerdict(seriesUpTo(run.series, seen[seen.length - 1]!.x));
    turnedUp = verdict.verdict === 'overfitting';
    if (verdict.bestEpoch !== null && verdict.bestValue !== null) best = { epoch: verdict.bestEpoch, value: verdict.bestValue };
  }
  const raw = rawForecast(seen, { toX, x0: curve.points[0]!.x, turnedUp });
  return { seen, toX, raw, best, turnedUp };
}

/** A loss for a sentence: 3 significant digits ("0.0412", "1.23"). */
export function lossText(v: number): string {
  return String(Number(v.toPrecision(3)));
}

function pctText(p: number): string {
  if (p < 0.01) return 'under 1%';
  if (p > 0.99) return 'over 99%';
  return `${Math.round(p * 100)}%`;
}

const FAMILY_TEXT: Record<RawForecast['family'], string> = {
  power: 'power law towards a floor',
  exponential: 'exponential decay towards a floor',
  rising: 'the rise since the validation minimum',
};

function taskText(run: Pick<ForecastRun, 'taskId'>): string {
  return run.taskId === null ? 'this task' : `task ${run.taskId}`;
}

export interface ForecastRunOptions {
  /** Answer as if only this fraction of the x-range had been seen (0 < at ≤ 1). */
  at?: number;
  calibration: Calibration;
  /** End levels of finished runs (any facet; the incumbent is picked from the run's own). */
  finished: readonly FinishedLevel[];
}

/** The forecast of one run (module rule). */
export function forecastRun(run: ForecastRun, options: ForecastRunOptions): RunForecast {
  const { calibration } = options;
  const at = options.at ?? 1;
  const calibrationInfo = { source: calibration.source, runs: calibration.runs, cases: calibration.cases };
  const curve = runCurve(run);
  const base = {
    runId: run.id,
    at,
    level: INTERVAL_LEVEL,
    calibration: calibrationInfo,
    overfitting: null,
    path: [],
    minutesSaved: null,
    pBeat: null,
  };
  if (!curve) {
    return {
      ...base,
      metric: 'train',
      axis: 'epoch',
      fromX: null,
      toX: null,
      mean: null,
      lo: null,
      hi: null,
      method: 'none',
      points: 0,
      incumbent: null,
      verdict: 'insufficient',
      reason: 'the run has no positive loss yet',
      sentence: 'No forecast: the run has logged no positive loss yet.',
    };
  }
  const incumbent = incumbentOf(run, curve, options.finished);
  const { seen, toX, raw, best, turnedUp } = runRawForecast(run, curve, options.at);
  const unit = curve.axis;
  const what = curve.metric === 'val' ? 'validation' : 'training';
  if (!raw) {
    const reason = `${seen.length} of the ${MIN_POINTS} ${what} points a forecast needs`;
    return {
      ...base,
      metric: curve.metric,
      axis: curve.axis,
      fromX: seen[seen.length - 1]?.x ?? null,
      toX,
      mean: null,
      lo: null,
      hi: null,
      method: 'none',
      points: seen.reduce((a, p) => a + p.n, 0),
      incumbent,
      verdict: 'insufficient',
      reason,
      sentence: `Not enough to forecast yet: ${reason}.`,
    };
  }
  const forecast = calibrate(raw, calibration);
  const pBeat = incumbent ? probabilityBelow(raw, calibration, incumbent.value) : null;
  const verdict: ForecastVerdict = pBeat === null ? 'insufficient' : pBeat < UNLIKELY_P ? 'unlikely_to_beat' : 'on_track';
  const perUnit = unit === 'epoch' ? run.minutesPerEpoch : (run.minutesPerStep ?? (run.minutesPerEpoch !== null && run.stepsPerEpoch ? run.minutesPerEpoch / run.stepsPerEpoch : null));
  const minutesSaved = verdict === 'unlikely_to_beat' && perUnit !== null ? Math.max(0, toX - raw.fromX) * perUnit : null;
  const overfitting: OverfittingForecast | null =
    turnedUp && best !== null
      ? {
          epoch: best.epoch,
          value: best.value,
          message: `overfitting: validation loss has risen since its minimum of ${lossText(best.value)} at epoch ${best.epoch}, and the forecast follows the rise`,
        }
      : null;
  const range = `${lossText(forecast.mean)} (${lossText(forecast.lo)}–${lossText(forecast.hi)})`;
  const where = toX > raw.fromX ? `likely ends at ${range}` : `ended at ${range}`;
  let sentence: string;
  if (incumbent && pBeat !== null) {
    sentence = `${where}; the best finished run of ${taskText(run)} ended at ${lossText(incumbent.value)}: ${pctText(pBeat)} chance to beat it`;
    if (minutesSaved !== null) sentence += ` — stopping now saves about ${Math.round(minutesSaved)} GPU-minutes`;
  } else sentence = `${where}; no finished run of ${taskText(run)} on this dataset to compare with yet`;
  if (overfitting) sentence += ` (${overfitting.message})`;
  sentence = `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`;
  const seenCount = raw.points;
  const calibrationText =
    calibration.source === 'finished_runs'
      ? `80% interval calibrated on ${calibration.cases} backtests of ${calibration.runs} finished runs`
      : `80% interval calibrated on Thaw's built-in real-curve backtests (${calibration.cases}; too few finished runs here yet)`;
  return {
    ...base,
    metric: curve.metric,
    axis: curve.axis,
    fromX: raw.fromX,
    toX,
    mean: forecast.mean,
    lo: forecast.lo,
    hi: forecast.hi,
    method: `${FAMILY_TEXT[raw.family]}, fitted on log ${what} loss per ${unit} (${seenCount} points); ${calibrationText}`,
    points: seenCount,
    incumbent,
    pBeat,
    verdict,
    minutesSaved,
    reason: incumbent ? null : `no finished run of ${taskText(run)} on this dataset with a ${what} curve per ${unit}`,
    overfitting,
    path: forecastPath(forecast, calibration),
    sentence,
  };
}
