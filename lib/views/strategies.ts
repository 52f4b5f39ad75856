// The strategies page from each run's series, timing and size: lib/analysis `recommend` per facet
// (best validation with its interval, convergence, training cost, the Pareto front) next to the user's
// heuristic table, as the API shows it. Pure; lib/queries/strategies.ts reads the data.
import {
  HEURISTIC_TABLE,
  OPTIMISTIC_VALIDATION_NOTE,
  epochTrainingSeconds,
  recommend,
  type AnalysisRun,
  type HeuristicRow,
  type Interval,
  type RankedRun,
  type RunSeries,
  type StrategyInput,
} from '../analysis';
import type { HeuristicRowView, IntervalView, StrategiesResponse } from '../api/schemas/strategies';
import { facetKey, taskLabel } from './facets';
import { epochSeconds, type RunStepBuckets } from './steps';
import { strategyColor } from './strategy-colors';
import { finiteOrNull } from './strategy-view';

/** A run as the strategies page needs it (lib/queries/run-records.ts RunRecord). */
export interface StrategyRecord extends RunSeries {
  id: number;
  taskName: string | null;
  format: string;
  /** running | completed | …: running runs are listed, not ranked (lib/analysis/recommend.ts `rankedStatus`). */
  status: string;
  strategy: StrategyInput | null;
  datasetFrames: number | null;
  dataset: string | null;
  /** facets.ts `experimentFolder`: the facet of a run with neither task id nor dataset. */
  experiment: string | null;
  episodes: number | null;
  stepsPerEpoch: number | null;
}

/** What else the page reads per run: epoch timing lines, step buckets, trainable parameters, eval losses by step. */
export interface StrategyInputs {
  epochs: ReadonlyMap<number, { epochs: readonly { epoch: number; durationMinutes: number | null; msPerBatch: number | null }[] }>;
  summaries: ReadonlyMap<number, RunStepBuckets>;
  trainableParams: ReadonlyMap<number, number | null>;
  evalLosses: ReadonlyMap<number, readonly { step: number; loss: number }[]>;
}

function heuristicView(row: HeuristicRow): HeuristicRowView {
  return { ...row, spec: [...row.spec], maxEpisodes: Number.isFinite(row.maxEpisodes) ? row.maxEpisodes : null };
}

function intervalView(i: Interval): IntervalView {
  return {
    mean: finiteOrNull(i.mean),
    lo: finiteOrNull(i.lo),
    hi: finiteOrNull(i.hi),
    method: i.method,
    n: i.n,
    spread: finiteOrNull(i.spread),
    center: finiteOrNull(i.center),
    logSpread: finiteOrNull(i.logSpread),
    reason: i.reason,
  };
}

/** A run's own validation: per-epoch records, else its eval_loss by step (the run's own task, id 0). */
function validationOf(
  record: StrategyRecord,
  evals: readonly { step: number; loss: number }[] | undefined,
): Pick<AnalysisRun, 'validations' | 'validationAxis'> {
  if (record.validations.length > 0 || evals === undefined || evals.length === 0)
    // No validation at all: a LeRobot run still counts steps (its ranking row then reads "Best step").
    return {
      validations: record.validations,
      validationAxis: record.validations.length === 0 && record.format === 'lerobot' ? 'step' : 'epoch',
    };
  return { validations: evals.map((e) => ({ epoch: e.step, final: false, taskId: 0, loss: e.loss })), validationAxis: 'step' };
}

/** A run's figures as the ranking and the running runs list them. */
function perRunView(p: RankedRun) {
  return {
    id: p.id as number,
    bestValidation: finiteOrNull(p.bestValidation),
    validationNoise: finiteOrNull(p.validationNoise),
    validationLogNoise: finiteOrNull(p.noise.logSigma),
    noiseReason: p.noise.reason,
    axis: p.axis,
    bestEpoch: p.bestEpoch,
    epochsToConverge: p.epochsToConverge,
    minutesToConverge: finiteOrNull(p.minutesToConverge),
    minutesPerEpoch: finiteOrNull(p.minutesPerEpoch),
    trainingMinutes: finiteOrNull(p.trainingMinutes),
    timingComplete: p.timingComplete,
    timingSource: p.timingSource,
    trainableParams: p.trainableParams,
  };
}

export function strategiesView(
  records: readonly StrategyRecord[],
  inputs: StrategyInputs,
  options: { framesPerEpisode: number | undefined; taskEpisodes: ReadonlyMap<number, number> },
): StrategiesResponse {
  const { framesPerEpisode } = options;
  const runs: AnalysisRun[] = records.map((record) => {
    const summary = inputs.summaries.get(record.id);
    const epochs = inputs.epochs.get(record.id)?.epochs ?? [];
    const seconds = epochTrainingSeconds(epochs, summary ? epochSeconds(summary) : new Map(), record.stepsPerEpoch);
    const epochsDone = Math.max(0, ...epochs.map((e) => e.epoch), ...record.epochs.map((e) => e.epoch));
    return {
      id: record.id,
      taskId: record.taskId,
      format: record.format,
      status: record.status,
      epochs: record.epochs,
      ...validationOf(record, inputs.evalLosses.get(record.id)),
      strategy: record.strategy,
      datasetFrames: record.datasetFrames,
      dataset: record.dataset,
      experiment: record.experiment,
      // LeRobot prints dataset.num_episodes: the rule of thumb then needs no frames-per-episode guess.
      episodes: record.episodes,
      epochSeconds: seconds,
      epochsDone,
      trainableParams: inputs.trainableParams.get(record.id) ?? null,
    };
  });
  const taskNames = new Map(records.map((r) => [r.taskId, r.taskName]));
  // Ranked together: the runs of one facet (one rule with the compare page: a dataset stands for the task of runs without one).
  const facetOf = (run: AnalysisRun) =>
    facetKey({ taskId: run.taskId, datasetFrames: run.datasetFrames ?? null, dataset: run.dataset, experiment: run.experiment }, false);
  const recommendations = recommend(runs, { framesPerEpisode, taskEpisodes: options.taskEpisodes, facetOf }).map((rec) => ({
    taskId: rec.taskId,
    taskName: rec.taskId === null ? null : (taskNames.get(rec.taskId) ?? null),
    dataset: rec.dataset,
    experiment: rec.experiment,
    label: taskLabel(rec.taskId, rec.taskId === null ? null : (taskNames.get(rec.taskId) ?? null), rec.dataset, rec.experiment),
    datasetFrames: rec.datasetFrames,
    episodes: rec.episodes,
    episodesSource: rec.episodesSource,
    running: rec.running as number[],
    runningRuns: rec.runningRuns.map(perRunView),
    ranking: rec.ranking.map((r) => ({
      rank: r.rank,
      key: r.key,
      label: r.label,
      color: strategyColor(r.trainableLayers, r.identity.totalLayers),
      trainableLayers: r.trainableLayers,
      n: r.n,
      runs: r.runs,
      bestValidationMean: finiteOrNull(r.bestValidationMean),
      bestValidationMin: finiteOrNull(r.bestValidationMin),
      bestValidationMax: finiteOrNull(r.bestValidationMax),
      runIds: r.runIds as number[],
      bestValidation: intervalView(r.bestValidation),
      distinguishableFromNext: r.distinguishableFromNext,
      runsToSeparateNext: r.runsToSeparateNext,
      axis: r.axis,
      bestEpoch: finiteOrNull(r.bestEpoch),
      epochsToConverge: finiteOrNull(r.epochsToConverge),
      minutesToConverge: finiteOrNull(r.minutesToConverge),
      minutesPerEpoch: finiteOrNull(r.minutesPerEpoch),
      trainingMinutes: finiteOrNull(r.trainingMinutes),
      trainableParams: finiteOrNull(r.trainableParams),
      pareto: r.pareto,
      perRun: r.perRun.map(perRunView),
    })),
    heuristic: rec.heuristic ? heuristicView(rec.heuristic) : null,
    agreement: rec.agreement,
    verdict: rec.verdict,
    leaders: rec.leaders,
    tradeoffs: rec.tradeoffs,
    summary: rec.summary,
  }));
  return {
    framesPerEpisode: framesPerEpisode ?? null,
    recommendations,
    heuristicTable: HEURISTIC_TABLE.map(heuristicView),
    caveat: OPTIMISTIC_VALIDATION_NOTE,
  };
}
