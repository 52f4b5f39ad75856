// The strategies page: lib/analysis `recommend` over every run, next to the user's heuristic table.
import { HEURISTIC_TABLE, OPTIMISTIC_VALIDATION_NOTE, recommend, type AnalysisRun, type HeuristicRow } from '../analysis';
import type { HeuristicRowView, StrategiesResponse } from '../api/schemas/strategies';
import { runRows } from './runs';
import { finiteOrNull, strategyColor, strategyInputOf } from '../views/views';

function heuristicView(row: HeuristicRow): HeuristicRowView {
  return { ...row, spec: [...row.spec], maxEpisodes: Number.isFinite(row.maxEpisodes) ? row.maxEpisodes : null };
}

export async function listRecommendations(framesPerEpisode: number | undefined): Promise<StrategiesResponse> {
  const entries = await runRows({});
  // Ranking looks only at each run's best validation (validation.ts): the cached row carries exactly
  // that record, so it stands in for the run's full validation series.
  const runs: AnalysisRun[] = entries.map(({ row }) => ({
    id: row.id,
    taskId: row.taskId,
    format: row.format,
    epochs: [],
    validations:
      row.bestVal && row.taskId !== null
        ? [{ epoch: row.bestVal.epoch, final: row.bestVal.final, taskId: row.taskId, loss: row.bestVal.loss }]
        : [],
    strategy: strategyInputOf(row),
    datasetFrames: row.datasetFrames,
    // LeRobot prints dataset.num_episodes: the rule of thumb then needs no frames-per-episode guess.
    episodes: row.episodes,
  }));
  const taskNames = new Map(entries.map(({ row }) => [row.taskId, row.taskName]));
  const recommendations = recommend(runs, { framesPerEpisode }).map((rec) => ({
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
    })),
    heuristic: rec.heuristic ? heuristicView(rec.heuristic) : null,
    agreement: rec.agreement,
    summary: rec.summary,
  }));
  return {
    framesPerEpisode: framesPerEpisode ?? null,
    recommendations,
    heuristicTable: HEURISTIC_TABLE.map(heuristicView),
    caveat: OPTIMISTIC_VALIDATION_NOTE,
  };
}
