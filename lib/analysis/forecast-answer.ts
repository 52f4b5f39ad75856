/**
 * The answer for one run: where it will end, the chance it beats the best finished run of its task and
 * dataset, what stopping it now saves, in numbers and in one sentence.
 *
 * 1. The deciding curve and what was seen (forecast-run.ts `runCurve`, `runRawForecast`).
 * 2. Peers and incumbent (forecast-run.ts `facetPeers`, `incumbentOf`).
 * 3. With peers of its strategy (`correctingPeers`) that have backtest points at the run's fraction f = (x_s − x0)/(toX − x0), the raw
 *    forecast gets their correction (`peerShift`: median error, spread) and the 'peer' calibration;
 *    otherwise none and the 'absolute' calibration (backtest.ts). Central value and 80% interval:
 *    forecast.ts `calibrate` (a finished run without `at`: its observed level).
 * 4. pBeat = P(level at toX < the incumbent's level) (forecast.ts `probabilityBelow`, with the
 *    incumbent level's own noise, forecast.ts `levelNoise`).
 * 5. Verdict: 'insufficient' when there is no forecast (fewer than forecast.ts MIN_POINTS points) or no
 *    incumbent; else 'unlikely_to_beat' when pBeat < UNLIKELY_P (0.1), 'on_track' otherwise.
 * 6. minutesSaved (only with 'unlikely_to_beat'): (toX − last seen x) × the run's own minutes per epoch
 *    (cost.ts `runCost`, as Strategies computes it) or per step (minutes per epoch ÷ steps per epoch,
 *    else cost.ts `minutesPerStep` from LeRobot's updt_s + data_s); null when the log times neither.
 */
import type { ForecastCalibration } from './backtest';
import { chanceText, lossText } from './format';
import {
  INTERVAL_LEVEL,
  MIN_POINTS,
  NO_CORRECTION,
  calibrate,
  forecastPath,
  probabilityBelow,
  type Calibration,
  type RawForecast,
} from './forecast';
import {
  correctingPeers,
  facetPeers,
  incumbentOf,
  peerShift,
  runCurve,
  runRawForecast,
  type FinishedCurve,
  type ForecastAxis,
  type ForecastMetric,
  type ForecastRun,
  type Incumbent,
} from './forecast-run';

export { lossText } from './format';

export type ForecastVerdict = 'on_track' | 'unlikely_to_beat' | 'insufficient';
export const UNLIKELY_P = 0.1;

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
  level: typeof INTERVAL_LEVEL;
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
  /** Which calibration made the interval, and how many finished runs corrected it. */
  calibration: { kind: 'absolute' | 'peer'; source: Calibration['source']; runs: number; cases: number; peers: number };
}

export interface ForecastRunOptions {
  /** Answer as if only this fraction of the x-range had been seen (0 < at ≤ 1). */
  at?: number;
  calibration: ForecastCalibration;
  /** Finished runs (any facet: the run's peers are picked from them; forecast-run.ts finishedCurve). */
  finished: readonly FinishedCurve[];
}

const FAMILY_TEXT: Record<RawForecast['family'], string> = {
  power: 'power law towards a floor',
  exponential: 'exponential decay towards a floor',
  rising: 'the rise since the validation minimum',
};

/** "of task 2", "on lerobot/pusht" (a run without a task id: its dataset is its task), else "of this task". */
function taskText(run: Pick<ForecastRun, 'taskId' | 'dataset'>): string {
  if (run.taskId !== null) return `of task ${run.taskId}`;
  return run.dataset ? `on ${run.dataset}` : 'of this task';
}

/** Where no incumbent was found: "of task 2 on this dataset", "on lerobot/pusht". */
function facetText(run: Pick<ForecastRun, 'taskId' | 'dataset'>): string {
  return run.taskId === null && run.dataset ? taskText(run) : `${taskText(run)} on this dataset`;
}

function minutesPer(run: ForecastRun, axis: ForecastAxis): number | null {
  if (axis === 'epoch') return run.minutesPerEpoch;
  if (run.minutesPerEpoch !== null && run.stepsPerEpoch) return run.minutesPerEpoch / run.stepsPerEpoch;
  return run.minutesPerStep;
}

/** The forecast of one run (module rule). */
export function forecastRun(run: ForecastRun, options: ForecastRunOptions): RunForecast {
  const at = options.at ?? 1;
  const curve = runCurve(run);
  const absolute = options.calibration.absolute;
  const noForecast = {
    runId: run.id,
    at,
    level: INTERVAL_LEVEL,
    mean: null,
    lo: null,
    hi: null,
    method: 'none',
    overfitting: null,
    path: [],
    minutesSaved: null,
    pBeat: null,
    verdict: 'insufficient' as const,
    calibration: { kind: 'absolute' as const, source: absolute.source, runs: absolute.runs, cases: absolute.cases, peers: 0 },
  };
  if (!curve) {
    return {
      ...noForecast,
      metric: 'train',
      axis: 'epoch',
      fromX: null,
      toX: null,
      points: 0,
      incumbent: null,
      reason: 'the run has logged no positive loss yet',
      sentence: 'No forecast: the run has logged no positive loss yet.',
    };
  }
  const peers = facetPeers(run, curve, options.finished);
  const incumbent = incumbentOf(peers);
  const { seen, toX, raw, turnedUpFrom } = runRawForecast(run, curve, options.at);
  const what = curve.metric === 'val' ? 'validation' : 'training';
  if (!raw) {
    const reason = `${seen.length} of the ${MIN_POINTS} ${what} points a forecast needs`;
    return {
      ...noForecast,
      metric: curve.metric,
      axis: curve.axis,
      fromX: seen[seen.length - 1]?.x ?? null,
      toX,
      points: seen.reduce((a, p) => a + p.n, 0),
      incumbent,
      reason,
      sentence: `Not enough to forecast yet: ${reason}.`,
    };
  }
  const fraction = toX > raw.x0 ? (raw.fromX - raw.x0) / (toX - raw.x0) : 1;
  const correcting = correctingPeers(run, peers);
  const correction = correcting.length > 0 && toX > raw.fromX ? peerShift(correcting, fraction) : null;
  const kind = correction ? 'peer' : 'absolute';
  const calibration = options.calibration[kind];
  const applied = correction ?? NO_CORRECTION;
  const forecast = calibrate(raw, calibration, applied);
  const incumbentPeer = incumbent ? peers.find((p) => p.id === incumbent.runId)! : null;
  const pBeat = incumbent && incumbentPeer ? probabilityBelow(raw, calibration, incumbent.value, applied, incumbentPeer.levelNoise) : null;
  const verdict: ForecastVerdict = pBeat === null ? 'insufficient' : pBeat < UNLIKELY_P ? 'unlikely_to_beat' : 'on_track';
  const perUnit = minutesPer(run, curve.axis);
  const minutesSaved = verdict === 'unlikely_to_beat' && perUnit !== null ? Math.max(0, toX - raw.fromX) * perUnit : null;
  const overfitting: OverfittingForecast | null = turnedUpFrom
    ? {
        ...turnedUpFrom,
        message: `overfitting: validation loss has risen since its minimum of ${lossText(turnedUpFrom.value)} at epoch ${turnedUpFrom.epoch}, and the forecast follows the rise`,
      }
    : null;
  const range = `${lossText(forecast.mean)} (${lossText(forecast.lo)}–${lossText(forecast.hi)})`;
  let sentence = toX > raw.fromX ? `likely ends at ${range}` : `ended at ${range}`;
  if (incumbent && pBeat !== null) {
    sentence += `; the best finished run ${taskText(run)} ended at ${lossText(incumbent.value)}: ${chanceText(pBeat)} chance to beat it`;
    if (minutesSaved !== null) sentence += ` — stopping now saves about ${Math.round(minutesSaved)} GPU-minutes`;
  } else sentence += `; no finished run ${facetText(run)} to compare with yet`;
  if (overfitting) sentence += ` (${overfitting.message})`;
  sentence = `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`;
  const corrected = correction
    ? `, corrected by ${correction.peers} finished run${correction.peers === 1 ? '' : 's'} of the same task and strategy at the same point`
    : '';
  const calibrated =
    calibration.source === 'finished_runs'
      ? `80% interval calibrated on ${calibration.cases} backtests of ${calibration.runs} finished runs`
      : `80% interval calibrated on Thaw's built-in backtests of real learning curves (too few finished runs here yet)`;
  return {
    runId: run.id,
    metric: curve.metric,
    axis: curve.axis,
    at,
    fromX: raw.fromX,
    toX,
    mean: forecast.mean,
    lo: forecast.lo,
    hi: forecast.hi,
    level: INTERVAL_LEVEL,
    method: `${FAMILY_TEXT[raw.family]}, fitted on log ${what} loss per ${curve.axis} (${raw.points} points)${corrected}; ${calibrated}`,
    points: raw.points,
    incumbent,
    pBeat,
    verdict,
    minutesSaved,
    reason: incumbent ? null : `no finished run ${facetText(run)} with a ${what} curve per ${curve.axis}`,
    overfitting,
    path: forecastPath(forecast),
    sentence,
    calibration: { kind, source: calibration.source, runs: calibration.runs, cases: calibration.cases, peers: correction?.peers ?? 0 },
  };
}
