// GET /api/compare — the compare page's data: train (solid) and validation (dashed) curves per
// strategy (mean line + min–max band over repeats) or per run, markers, and the summary table.
// The query is exactly the page's URL, so a shared view and its data are the same thing.
import { z } from 'zod';
import {
  RUN_STATUSES,
  VERDICTS,
  enumList,
  flagParam,
  formatParam,
  idList,
  keyList,
  bandArray,
  pointArray,
  pointsParam,
  smoothParam,
  xParam,
} from './common';

export const COMPARE_MODES = ['group', 'runs'] as const;

export const compareQuery = z.object({
  /** Explicit selection; without it the filters below choose the runs (as on the runs page). */
  runs: idList.optional(),
  task: idList.optional(),
  strategy: keyList.optional(),
  status: enumList(RUN_STATUSES).optional(),
  verdict: enumList(VERDICTS).optional(),
  q: z.string().max(200, 'at most 200 characters').optional(),
  mode: z.enum(COMPARE_MODES, { error: 'group or runs' }).default('group'),
  x: xParam,
  smooth: smoothParam,
  log: flagParam.default(false),
  points: pointsParam,
  format: formatParam,
  /** Which table `format=csv` exports. */
  table: z.enum(['series', 'summary'], { error: 'series or summary' }).default('series'),
});
export type CompareQuery = z.infer<typeof compareQuery>;

export const compareSeriesSchema = z.object({
  id: z.string(),
  kind: z.enum(['train', 'val']),
  strategyKey: z.string(),
  runId: z.number().int().nullable(),
  label: z.string(),
  color: z.string(),
  points: pointArray,
  smoothed: pointArray.nullable(),
  /** [x, min, max] over the group's runs (group mode, 2+ runs). */
  band: bandArray.nullable(),
});
export type CompareSeries = z.infer<typeof compareSeriesSchema>;

const stat = z.object({ mean: z.number().nullable(), min: z.number().nullable(), max: z.number().nullable(), count: z.number().int() });

export const compareSummarySchema = z.object({
  strategyKey: z.string(),
  label: z.string(),
  color: z.string(),
  trainableLayers: z.number().int().nullable(),
  n: z.number().int(),
  notApplied: z.number().int(),
  bestVal: stat,
  /** Epoch at which the mean validation curve is lowest. */
  bestValEpoch: z.number().int().nullable(),
  finalTrain: z.number().nullable(),
  finalVal: z.number().nullable(),
  gap: z.number().nullable(),
  verdicts: z.record(z.enum(VERDICTS), z.number().int()),
  overfittingShare: z.number(),
  forgetting: z.object({ mean: z.number().nullable(), count: z.number().int() }),
});
export type CompareSummary = z.infer<typeof compareSummarySchema>;

export const compareResponse = z.object({
  query: z.object({
    mode: z.enum(COMPARE_MODES),
    x: z.enum(['epoch', 'step', 'time']),
    smooth: z.number(),
    log: z.boolean(),
    points: z.number().int(),
  }),
  runs: z.array(
    z.object({
      id: z.number().int(),
      taskId: z.number().int().nullable(),
      taskName: z.string().nullable(),
      status: z.string(),
      strategyKey: z.string(),
      strategyLabel: z.string(),
      color: z.string(),
      verdict: z.enum(VERDICTS),
    }),
  ),
  strategies: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      color: z.string(),
      trainableLayers: z.number().int().nullable(),
      runIds: z.array(z.number().int()),
    }),
  ),
  series: z.array(compareSeriesSchema),
  markers: z.array(
    z.object({
      kind: z.enum(['best', 'overfit']),
      strategyKey: z.string(),
      runId: z.number().int().nullable(),
      epoch: z.number().int(),
      x: z.number(),
      y: z.number(),
      label: z.string(),
    }),
  ),
  summary: z.array(compareSummarySchema),
  notes: z.array(z.string()),
  /** Config keys whose values differ among the runs in view (config tree keys and `run.*` facts). */
  configDiff: z.object({
    runIds: z.array(z.number().int()),
    rows: z.array(z.object({ key: z.string(), values: z.array(z.string().nullable()), confounder: z.boolean() })),
    confounders: z.array(z.string()),
    /** "these runs differ in more than their freeze strategy: …" when a cross-strategy comparison is confounded. */
    warning: z.string().nullable(),
  }),
});
export type CompareResponse = z.infer<typeof compareResponse>;

export function compareSeriesCsvRecords(series: readonly CompareSeries[]): Record<string, string | number | null>[] {
  const rows: Record<string, string | number | null>[] = [];
  for (const s of series) {
    const base = { series: s.id, kind: s.kind, strategy: s.strategyKey, runId: s.runId };
    for (const [x, y] of s.points) rows.push({ ...base, line: 'raw', x, y, min: null, max: null });
    for (const [x, y] of s.smoothed ?? []) rows.push({ ...base, line: 'smoothed', x, y, min: null, max: null });
    for (const [x, min, max] of s.band ?? []) rows.push({ ...base, line: 'band', x, y: null, min, max });
  }
  return rows;
}

export function compareSummaryCsvRecords(summary: readonly CompareSummary[]): Record<string, string | number | null>[] {
  return summary.map((s) => ({
    strategy: s.strategyKey,
    label: s.label,
    trainableLayers: s.trainableLayers,
    n: s.n,
    bestValMean: s.bestVal.mean,
    bestValMin: s.bestVal.min,
    bestValMax: s.bestVal.max,
    bestValEpoch: s.bestValEpoch,
    finalTrain: s.finalTrain,
    finalVal: s.finalVal,
    gap: s.gap,
    overfitting: s.verdicts.overfitting ?? 0,
    watch: s.verdicts.watch ?? 0,
    diverged: s.verdicts.diverged ?? 0,
    ok: s.verdicts.ok ?? 0,
    insufficient: s.verdicts.insufficient ?? 0,
    forgettingMean: s.forgetting.mean,
    forgettingCount: s.forgetting.count,
  }));
}
