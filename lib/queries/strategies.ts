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
import { loadRunRecords } from './run-records';
import { stepSummaries, stepVersions } from './steps';
import { epochSeconds } from '../views/steps';
import { strategyColor } from '../views/strategy-colors';
import { finiteOrNull } from '../views/strategy-view';

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
  };
}

async function trainableParams(ids: readonly number[]): Promise<Map<number, number | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db().$queryRaw<{ id: number; trainable: bigint | null }[]>`
    SELECT id, "trainableParams" AS trainable FROM "Run" WHERE id = ANY(${[...ids]}::int[])`;
  return new Map(rows.map((r) => [r.id, r.trainable === null ? null : Number(r.trainable)]));
}

export async function listRecommendations(
  framesPerEpisode: number | undefined,
  hidden: HiddenMode = 'exclude',
): Promise<StrategiesResponse> {
  const [records, episodesByTask] = await Promise.all([loadRunRecords({ hidden }), taskEpisodes()]);
  const ids = records.map((r) => r.id);
  const [epochData, summaries, params] = await Promise.all([
    loadEpochData(ids),
    stepVersions(ids).then((versions) => stepSummaries(versions)),
    trainableParams(ids),
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
      validations: record.validations,
      strategy: record.strategy,
      datasetFrames: record.datasetFrames,
      // LeRobot prints dataset.num_episodes: the rule of thumb then needs no frames-per-episode guess.
      episodes: record.episodes,
      epochSeconds: seconds,
      epochsDone,
      trainableParams: params.get(record.id) ?? null,
    };
  });
  const taskNames = new Map(records.map((r) => [r.taskId, r.taskName]));
  const recommendations = recommend(runs, { framesPerEpisode, taskEpisodes: episodesByTask }).map((rec) => ({
    taskId: rec.taskId,
    taskName: taskNames.get(rec.taskId) ?? null,
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
