// GET /api/runs/[id]/series — one metric of one run as chart series, downsampled and smoothed.
import { z } from 'zod';
import { formatParam, pointArray, pointsParam, smoothParam, xParam } from './common';

export const METRICS = ['train', 'val', 'step', 'lr'] as const;
export type Metric = (typeof METRICS)[number];

export const seriesQuery = z.object({
  metric: z.enum(METRICS, { error: 'one of train, val, step, lr' }).default('train'),
  points: pointsParam,
  smooth: smoothParam,
  x: xParam,
  format: formatParam,
});
export type SeriesQuery = z.infer<typeof seriesQuery>;

export const seriesSchema = z.object({
  key: z.string(),
  label: z.string(),
  /** The validated task for `val` series. */
  taskId: z.number().int().nullable(),
  points: pointArray,
  smoothed: pointArray.nullable(),
  /** For epoch-level series: the epoch of each point. */
  epochs: z.array(z.number().int()).nullable(),
});
export type Series = z.infer<typeof seriesSchema>;

export const seriesResponse = z.object({
  runId: z.number().int(),
  metric: z.enum(METRICS),
  x: z.enum(['epoch', 'step', 'time']),
  series: z.array(seriesSchema),
  notes: z.array(z.string()),
});
export type SeriesResponse = z.infer<typeof seriesResponse>;

/** Long CSV: one row per point, raw and smoothed. */
export function seriesCsvRecords(series: readonly Series[]): Record<string, string | number | null>[] {
  const rows: Record<string, string | number | null>[] = [];
  for (const s of series) {
    for (const [x, y] of s.points) rows.push({ series: s.key, kind: 'raw', x, y });
    for (const [x, y] of s.smoothed ?? []) rows.push({ series: s.key, kind: 'smoothed', x, y });
  }
  return rows;
}
