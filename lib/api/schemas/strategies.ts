// GET /api/strategies — per task (and dataset size), strategies ranked by validation evidence next to
// the user's rule of thumb (episodes → layers to unfreeze).
import { z } from 'zod';
import { formatParam } from './common';

export const strategiesQuery = z.object({
  /** Frames per episode, to estimate episodes from the logged dataset frames (the log has no episode count). */
  fpe: z.coerce
    .number({ error: 'a positive number of frames per episode' })
    .positive('a positive number of frames per episode')
    .max(1e7, 'a positive number of frames per episode')
    .optional(),
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

export const recommendationSchema = z.object({
  taskId: z.number().int().nullable(),
  taskName: z.string().nullable(),
  datasetFrames: z.number().int().nullable(),
  episodes: z.number().nullable(),
  episodesSource: z.enum(['given', 'estimated']).nullable(),
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
    }),
  ),
  heuristic: heuristicRow.nullable(),
  agreement: z.enum(['agrees', 'more_layers', 'fewer_layers']).nullable(),
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
    })),
  );
}
