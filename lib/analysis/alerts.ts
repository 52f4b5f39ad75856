/**
 * Alert rules: which transitions a run's current state represents, with the message.
 *
 * Rules (each fires at most once per run, enforced by the outbox's unique key):
 * - `overfitting`: overfittingVerdict says `overfitting`. The message names the epoch the rise began,
 *   the best validation epoch and the saved checkpoint nearest to it (adviseCheckpoint).
 * - `diverged`: overfittingVerdict says `diverged` (NaN/inf or a loss above the divergence threshold;
 *   a NaN/inf step loss too), with the first epoch or step where it happened.
 *
 * The state judged is what the database holds after a committed batch (lib/summaries/tables.ts
 * `loadRunSeries`): only complete records become values (the framers hold a half-written line or
 * record), and an epoch whose average is not known yet is not a NaN.
 * - `crashed`: the run's status is `crashed` (the trainer's error in the message).
 * - `completed`: the run's status is `completed` (best validation and verdict in the message).
 * - `stalled`: a running run went stale — decided by the store's stale sweep, not here; `stalledAlert`
 *   only words it.
 * - `unlikely_to_beat` (opt-in: only channels that list it; not in DEFAULT_ALERT_RULES): a running run's
 *   forecast (forecast-answer.ts) says it will not beat the best finished run of its task and dataset
 *   (pBeat < UNLIKELY_P). Forecasts cost curve fits, so this rule is judged off the ingest path, after
 *   batches commit, by ingest/forecast-alerts.ts (only where a channel wants it); `unlikelyToBeatAlert`
 *   words it, with the forecast's own sentence as the message.
 *
 * Pure: the store (ingest/outbox.ts) loads the state and writes what this returns.
 */
import { adviseCheckpoint } from './checkpoints';
import type { RunForecast } from './forecast-answer';
import { fmt } from './format';
import { overfittingVerdict } from './overfitting';
import type { CheckpointEvent, RunSeries } from './types';
import { validationTrend } from './validation';

export const ALERT_RULES = ['overfitting', 'diverged', 'crashed', 'stalled', 'completed', 'unlikely_to_beat'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];
/** Rules a channel gets when it does not list any. */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = ['overfitting', 'diverged', 'crashed', 'stalled'];

export interface AlertRunState {
  status: string;
  errorMessage: string | null;
  outputDir: string | null;
  series: RunSeries;
  checkpoints: readonly CheckpointEvent[];
}

export interface AlertTransition {
  rule: AlertRule;
  message: string;
  /** Rule-specific facts for the payload (epochs, checkpoint path, verdict). */
  details: Record<string, string | number | null>;
}

/** The transitions the run's current state represents (rule in the module comment). */
export function alertTransitions(state: AlertRunState): AlertTransition[] {
  const out: AlertTransition[] = [];
  const verdict = overfittingVerdict(state.series);
  if (verdict.verdict === 'overfitting') {
    const byEpoch = verdict.axis === 'epoch';
    const advice = adviseCheckpoint({
      events: state.checkpoints,
      // A best validation by step has no epoch checkpoint to match.
      bestValidationEpoch: byEpoch ? verdict.bestEpoch : null,
      validations: validationTrend(state.series),
      epochs: state.series.epochs,
      outputDir: state.outputDir,
    });
    const nearest = advice.nearest;
    const use = nearest
      ? ` Use checkpoint ${nearest.label}${nearest.path ? ` (${nearest.path})` : ''}.`
      : ' No saved checkpoint is known yet.';
    out.push({
      rule: 'overfitting',
      message: `Overfitting began at ${verdict.axis} ${verdict.overfitStartEpoch ?? 'n/a'}; best validation ${fmt(verdict.bestValue)} at ${verdict.axis} ${verdict.bestEpoch}. ${verdict.reason}${use}`,
      details: {
        verdict: verdict.verdict,
        overfitStartEpoch: byEpoch ? verdict.overfitStartEpoch : null,
        bestEpoch: byEpoch ? verdict.bestEpoch : null,
        ...(byEpoch ? {} : { overfitStartStep: verdict.overfitStartEpoch, bestStep: verdict.bestEpoch }),
        bestValidationLoss: verdict.bestValue,
        checkpoint: nearest?.label ?? null,
        checkpointPath: nearest?.path ?? null,
      },
    });
  }
  if (verdict.verdict === 'diverged') {
    out.push({
      rule: 'diverged',
      message: verdict.reason,
      details: {
        verdict: verdict.verdict,
        epoch: verdict.divergence?.epoch ?? null,
        step: verdict.divergence?.step ?? null,
        source: verdict.divergence?.source ?? null,
      },
    });
  }
  if (state.status === 'crashed') {
    out.push({
      rule: 'crashed',
      message: `The run crashed: ${(state.errorMessage ?? 'no error message was printed').replace(/\.+$/, '')}.`,
      details: { error: state.errorMessage },
    });
  }
  if (state.status === 'completed') {
    out.push({
      rule: 'completed',
      message: `The run completed; best validation ${fmt(verdict.bestValue)}${verdict.bestEpoch === null ? '' : ` at epoch ${verdict.bestEpoch}`}; verdict ${verdict.verdict}: ${verdict.reason}`,
      details: { verdict: verdict.verdict, bestEpoch: verdict.bestEpoch, bestValidationLoss: verdict.bestValue },
    });
  }
  return out;
}

export function stalledAlert(minutes: number): AlertTransition {
  return {
    rule: 'stalled',
    message: `The run stopped writing its log: no new line for ${minutes} minutes while it was running.`,
    details: { staleMinutes: minutes },
  };
}

/** The `unlikely_to_beat` transition of a forecast, or null when its verdict is another. */
export function unlikelyToBeatAlert(
  forecast: Pick<
    RunForecast,
    'verdict' | 'sentence' | 'pBeat' | 'incumbent' | 'minutesSaved' | 'mean' | 'lo' | 'hi' | 'metric' | 'axis' | 'fromX' | 'toX'
  >,
): AlertTransition | null {
  if (forecast.verdict !== 'unlikely_to_beat' || forecast.incumbent === null) return null;
  return {
    rule: 'unlikely_to_beat',
    message: `${forecast.sentence} Best finished run: #${forecast.incumbent.runId}.`,
    details: {
      pBeat: forecast.pBeat,
      incumbentRunId: forecast.incumbent.runId,
      incumbentValue: forecast.incumbent.value,
      minutesSaved: forecast.minutesSaved,
      forecast: forecast.mean,
      forecastLo: forecast.lo,
      forecastHi: forecast.hi,
      metric: forecast.metric,
      axis: forecast.axis,
      fromX: forecast.fromX,
      toX: forecast.toX,
    },
  };
}
