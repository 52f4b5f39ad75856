// The strategies page: lib/analysis `recommend` over every run (best validation with its interval,
// convergence, training cost, the Pareto front), next to the user's heuristic table.
//
// Reads: each run's training-loss and own-task validation series (run-records.ts `loadRunRecords`), its
// per-epoch timing lines and tqdm elapsed per epoch (epochs.ts, steps.ts: both cached per run version),
// and its trainable parameter count. Timing → training seconds per epoch is lib/analysis/cost.ts.
import {
  HEURISTIC_TABLE,
  OPTIMISTIC_VALIDATION_NOTE,
  epochTrainingSeconds,
  recommend,
  type AnalysisRun,
  type HeuristicRow,
  type Interval,
} from '../analysis';
import { db } from '../db/client';
import type { HeuristicRowView, IntervalView, StrategiesResponse } from '../api/schemas/strategies';
import type { HiddenMode } from '../api/schemas/annotations';
import { taskEpisodes } from './annotations';
import { loadEpochData } from './epochs';
import { loadRunRecords, type RunRecord } from './run-records';
import { stepSummaries, stepVersions } from './steps';
import { epochSeconds } from '../views/steps';
import { finiteOrNull, strategyColor } from '../views/views';
import { facetKey, taskLabel } from '../views/facets';

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

async function trainableParams(ids: readonly number[]): Promise<Map<number, number | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db().$queryRaw<{ id: number; trainable: bigint | null }[]>`
    SELECT id, "trainableParams" AS trainable FROM "Run" WHERE id = ANY(${[...ids]}::int[])`;
  return new Map(rows.map((r) => [r.id, r.trainable === null ? null : Number(r.trainable)]));
}

/**
 * Held-out losses logged by step (LeRobot v0.6+ `step N: eval_loss=…`, stored as EvalPoint.loss), per run:
 * the validation of a run that has no per-epoch validation.
 */
async function evalLosses(ids: readonly number[]): Promise<Map<number, { step: number; loss: number }[]>> {
  const out = new Map<number, { step: number; loss: number }[]>();
  if (ids.length === 0) return out;
  const rows = await db().$queryRaw<{ runId: number; step: number; loss: number }[]>`
    SELECT "runId", step, loss FROM "EvalPoint" WHERE "runId" = ANY(${[...ids]}::int[]) AND loss IS NOT NULL ORDER BY "runId", step`;
  for (const row of rows) {
    const list = out.get(row.runId);
    if (list) list.push({ step: row.step, loss: row.loss });
    else out.set(row.runId, [{ step: row.step, loss: row.loss }]);
  }
  return out;
}

/** A run's own validation: per-epoch records, else its eval_loss by step (the run's own task, id 0). */
function validationOf(
  record: RunRecord,
  evals: readonly { step: number; loss: number }[] | undefined,
): Pick<AnalysisRun, 'validations' | 'validationAxis'> {
  if (record.validations.length > 0 || evals === undefined || evals.length === 0)
    return { validations: record.validations, validationAxis: 'epoch' };
  return { validations: evals.map((e) => ({ epoch: e.step, final: false, taskId: 0, loss: e.loss })), validationAxis: 'step' };
}

export async function listRecommendations(
  framesPerEpisode: number | undefined,
  hidden: HiddenMode = 'exclude',
): Promise<StrategiesResponse> {
  const [records, episodesByTask] = await Promise.all([loadRunRecords({ hidden }), taskEpisodes()]);
  const ids = records.map((r) => r.id);
  const [epochData, summaries, params, evals] = await Promise.all([
    loadEpochData(ids),
    stepVersions(ids).then((versions) => stepSummaries(versions)),
    trainableParams(ids),
    evalLosses(records.filter((r) => r.validations.length === 0).map((r) => r.id)),
  ]);
  const runs: AnalysisRun[] = records.map((record) => {
    const summary = summaries.get(record.id);
    const epochs = epochData.get(record.id)?.epochs ?? [];
    const seconds = epochTrainingSeconds(epochs, summary ? epochSeconds(summary) : new Map(), record.stepsPerEpoch);
    const epochsDone = Math.max(0, ...epochs.map((e) => e.epoch), ...record.epochs.map((e) => e.epoch));
    return {
      id: record.id,
      taskId: record.taskId,
      format: record.format,
      epochs: record.epochs,
      ...validationOf(record, evals.get(record.id)),
      strategy: record.strategy,
      datasetFrames: record.datasetFrames,
      dataset: record.dataset,
      // LeRobot prints dataset.num_episodes: the rule of thumb then needs no frames-per-episode guess.
      episodes: record.episodes,
      epochSeconds: seconds,
      epochsDone,
      trainableParams: params.get(record.id) ?? null,
    };
  });
  const taskNames = new Map(records.map((r) => [r.taskId, r.taskName]));
  // Ranked together: the runs of one facet (one rule with the compare page: a dataset stands for the task of runs without one).
  const facetOf = (run: AnalysisRun) =>
    facetKey({ taskId: run.taskId, datasetFrames: run.datasetFrames ?? null, dataset: run.dataset }, false);
  const recommendations = recommend(runs, { framesPerEpisode, taskEpisodes: episodesByTask, facetOf }).map((rec) => ({
    taskId: rec.taskId,
    taskName: rec.taskId === null ? null : (taskNames.get(rec.taskId) ?? null),
    dataset: rec.dataset,
    label: taskLabel(rec.taskId, rec.taskId === null ? null : (taskNames.get(rec.taskId) ?? null), rec.dataset),
    datasetFrames: rec.datasetFrames,
    episodes: rec.episodes,
    episodesSource: rec.episodesSource,
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
      perRun: r.perRun.map((p) => ({
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
      })),
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
