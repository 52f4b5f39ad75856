// GET /api/strategies — per task (and dataset size), strategies ranked by validation evidence next to
// the user's rule of thumb (episodes → layers to unfreeze).
import { z } from 'zod';
import { hiddenParam } from './annotations';
import { formatParam } from './common';

export const strategiesQuery = z.object({
  /** Frames per episode, to estimate episodes from the logged dataset frames (the log has no episode count). */
  fpe: z.coerce
    .number({ error: 'a positive number of frames per episode' })
    .positive('a positive number of frames per episode')
    .max(1e7, 'a positive number of frames per episode')
    .optional(),
  /** Hidden runs (annotations): left out unless `include`. */
  hidden: hiddenParam,
  format: formatParam,
});

const heuristicRow = z.object({
  name: z.string(),
  nameZh: z.string(),
  minLayers: z.number().int(),
  maxLayers: z.number().int(),
  spec: z.array(z.number().int()),
  minEpisodes: z.number(),
  /** null for the open-ended last row. */
  maxEpisodes: z.number().nullable(),
  episodesText: z.string(),
  isDefault: z.boolean(),
});
export type HeuristicRowView = z.infer<typeof heuristicRow>;

/**
 * A 95% interval of a strategy's best validation (lib/analysis/uncertainty.ts), built on log loss: it is
 * asymmetric around the value and never reaches zero.
 */
const interval = z.object({
  /** Mean best validation over runs (n ≥ 2), the one run's best (n = 1). */
  mean: z.number().nullable(),
  lo: z.number().nullable(),
  hi: z.number().nullable(),
  /** 't' = t-interval over runs; 'single_run_noise' = one run's own validation noise around its best; 'none'. */
  method: z.enum(['t', 'single_run_noise', 'none']),
  n: z.number().int(),
  /** Standard deviation over runs ('t') or the one run's noise σ̂, in loss units (σ̂ · best for one run). */
  spread: z.number().nullable(),
  /** The interval's centre: the geometric mean of the bests (n ≥ 2), the run's best (n = 1). */
  center: z.number().nullable(),
  /** The spread on the log scale the interval is built from (0.05 ≈ 5%). */
  logSpread: z.number().nullable(),
  /** Why there is no interval (method 'none'); null when there is one. */
  reason: z.enum(['no_runs', 'too_few_points', 'too_noisy', 'non_positive']).nullable(),
});
export type IntervalView = z.infer<typeof interval>;

const timingSource = z.enum(['tqdm', 'printed', 'ms_per_batch']);

const rankedRun = z.object({
  id: z.number().int(),
  bestValidation: z.number().nullable(),
  /** Its own epoch-to-epoch validation noise at its best, in loss units (σ̂ · best). */
  validationNoise: z.number().nullable(),
  /** The same on the log scale (0.05 ≈ 5%); null with the reason in `noiseReason`. */
  validationLogNoise: z.number().nullable(),
  noiseReason: z.enum(['too_few_points', 'too_noisy', 'non_positive']).nullable(),
  /** What bestEpoch and epochsToConverge count: epochs, or optimiser steps (LeRobot's eval_loss by step). */
  axis: z.enum(['epoch', 'step']),
  bestEpoch: z.number().int().nullable(),
  epochsToConverge: z.number().int().nullable(),
  minutesToConverge: z.number().nullable(),
  minutesPerEpoch: z.number().nullable(),
  trainingMinutes: z.number().nullable(),
  /** False when some trained epochs printed no timing (trainingMinutes is then minutesPerEpoch × epochs). */
  timingComplete: z.boolean(),
  timingSource: timingSource.nullable(),
  trainableParams: z.number().nullable(),
});

export const recommendationSchema = z.object({
  taskId: z.number().int().nullable(),
  taskName: z.string().nullable(),
  /** Runs without a task id are ranked per dataset (LeRobot's dataset.repo_id, lib/views/facets.ts); null otherwise. */
  dataset: z.string().nullable(),
  /** Runs with neither task id nor dataset are ranked per experiment folder (lib/views/facets.ts); null otherwise. */
  experiment: z.string().nullable(),
  /** What the bucket's task is called: "task 1 · moving_grasp", the dataset's name, "folder a/b", or "task unknown". */
  label: z.string(),
  datasetFrames: z.number().int().nullable(),
  episodes: z.number().nullable(),
  /** given: the runs' logs; task: the task's annotated episodes (PUT /api/tasks/[id]); estimated: from `fpe`. */
  episodesSource: z.enum(['given', 'task', 'estimated']).nullable(),
  /** The facet's runs still running: not ranked (their best so far is not their best; lib/analysis/recommend.ts). */
  running: z.array(z.number().int()),
  /** Their figures so far (best so far, minutes per epoch…), as `perRun` of a ranking lists them. */
  runningRuns: z.array(rankedRun),
  ranking: z.array(
    z.object({
      rank: z.number().int(),
      key: z.string(),
      label: z.string(),
      color: z.string(),
      trainableLayers: z.number().int().nullable(),
      n: z.number().int(),
      runs: z.number().int(),
      bestValidationMean: z.number().nullable(),
      bestValidationMin: z.number().nullable(),
      bestValidationMax: z.number().nullable(),
      runIds: z.array(z.number().int()),
      bestValidation: interval,
      /** The intervals of this rank and the next do not overlap; null for the last rank. */
      distinguishableFromNext: z.boolean().nullable(),
      /** When not distinguishable from the next: runs each (and more for the one with fewer) that would likely separate them. */
      runsToSeparateNext: z
        .object({ runsEach: z.number().int(), more: z.number().int(), spreadSource: z.enum(['runs', 'single_run_noise']) })
        .nullable(),
      /** What bestEpoch and epochsToConverge count: epochs, or optimiser steps (every run's validation is LeRobot's eval_loss by step). */
      axis: z.enum(['epoch', 'step']),
      /** Means over the strategy's runs. */
      bestEpoch: z.number().nullable(),
      epochsToConverge: z.number().nullable(),
      minutesToConverge: z.number().nullable(),
      minutesPerEpoch: z.number().nullable(),
      trainingMinutes: z.number().nullable(),
      trainableParams: z.number().nullable(),
      /** On the Pareto front of (trainingMinutes, bestValidation.mean). */
      pareto: z.boolean(),
      perRun: z.array(rankedRun),
    }),
  ),
  heuristic: heuristicRow.nullable(),
  agreement: z.enum(['agrees', 'more_layers', 'fewer_layers']).nullable(),
  /** What the evidence supports (lib/analysis/recommend.ts `Verdict`). */
  verdict: z.enum(['supported', 'tentative', 'not_distinguishable', 'single_strategy', 'no_evidence']),
  /** Strategy keys not distinguishable from rank 1 (rank 1 included). */
  leaders: z.array(z.string()),
  /** Trade-off sentences along the Pareto front, cheapest first. */
  tradeoffs: z.array(z.string()),
  summary: z.string(),
});
export type RecommendationView = z.infer<typeof recommendationSchema>;

export const strategiesResponse = z.object({
  framesPerEpisode: z.number().nullable(),
  recommendations: z.array(recommendationSchema),
  heuristicTable: z.array(heuristicRow),
  caveat: z.string(),
});
export type StrategiesResponse = z.infer<typeof strategiesResponse>;

export function strategiesCsvRecords(response: StrategiesResponse): Record<string, string | number | null>[] {
  return response.recommendations.flatMap((rec) =>
    rec.ranking.map((r) => ({
      taskId: rec.taskId,
      dataset: rec.dataset,
      datasetFrames: rec.datasetFrames,
      episodes: rec.episodes,
      rank: r.rank,
      strategy: r.key,
      label: r.label,
      trainableLayers: r.trainableLayers,
      n: r.n,
      runs: r.runs,
      bestValidationMean: r.bestValidationMean,
      bestValidationMin: r.bestValidationMin,
      bestValidationMax: r.bestValidationMax,
      heuristicLayers: rec.heuristic ? `${rec.heuristic.minLayers}-${rec.heuristic.maxLayers}` : null,
      agreement: rec.agreement,
      bestValidationLo: r.bestValidation.lo,
      bestValidationHi: r.bestValidation.hi,
      bestValidationIntervalMethod: r.bestValidation.method,
      bestValidationIntervalReason: r.bestValidation.reason,
      distinguishableFromNext: r.distinguishableFromNext === null ? null : String(r.distinguishableFromNext),
      runsToSeparateNext: r.runsToSeparateNext?.runsEach ?? null,
      bestEpoch: r.bestEpoch,
      epochsToConverge: r.epochsToConverge,
      minutesToConverge: r.minutesToConverge,
      minutesPerEpoch: r.minutesPerEpoch,
      trainingMinutes: r.trainingMinutes,
      trainableParams: r.trainableParams,
      pareto: String(r.pareto),
      verdict: rec.verdict,
    })),
  );
}
