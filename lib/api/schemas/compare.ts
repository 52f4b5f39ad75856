// GET /api/compare — the compare page's data: train (solid) and validation (dashed) curves per
// task × strategy group (mean line + min–max band over repeats, aligned: lib/views/aggregate.ts) or
// per run, markers, and the summary table. Tasks (and dataset sizes of one task) are separate facets
// unless `pool=1` pools them, which the response then says in `poolingNote` (and in `notes`).
// The query is exactly the page's URL, so a shared view and its data are the same thing.
import { z } from 'zod';
import { annotationFields, hiddenParam } from './annotations';
import { runFilterFields } from './run-filters';
import { VERDICTS, X_AXES, flagParam, formatParam, idList, bandArray, pointArray, pointsParam, smoothParam, xParam } from './common';

export const COMPARE_MODES = ['group', 'runs'] as const;

export const compareQuery = z.object({
  /** Explicit selection; without it the filters below choose the runs (as on the runs page). */
  runs: idList.optional(),
  ...runFilterFields,
  /** Hidden runs: left out unless `include` (or `only`); an explicit `runs` selection includes them. */
  hidden: hiddenParam.unwrap().optional(),
  mode: z.enum(COMPARE_MODES, { error: 'group or runs' }).default('group'),
  x: xParam,
  smooth: smoothParam,
  log: flagParam.default(false),
  points: pointsParam,
  /** Pool tasks (and dataset sizes) into one group per strategy; by default each is its own facet. */
  pool: flagParam.default(false),
  format: formatParam,
  /** Which table `format=csv` exports. */
  table: z.enum(['series', 'summary'], { error: 'series or summary' }).default('series'),
  /** A TensorBoard scalar tag of the runs to draw instead of the losses (any tag; `scalarDir`: its folder). */
  scalar: z.string().max(1000, 'a tag of at most 1000 characters').optional(),
  scalarDir: z.string().max(1000, 'a folder of at most 1000 characters').default(''),
});
export type CompareQuery = z.infer<typeof compareQuery>;

export const compareSeriesSchema = z.object({
  id: z.string(),
  /** Training loss, validation loss, or the scalar tag asked for (`scalar`). */
  kind: z.enum(['train', 'val', 'scalar']),
  strategyKey: z.string(),
  runId: z.number().int().nullable(),
  /** The facet (task × dataset size, or 'all' when pooled) the series is drawn in. */
  facet: z.string(),
  /** The group (strategy within the facet) of a mean series; null for a single run's series. */
  groupKey: z.string().nullable(),
  /** The task of the series' runs; null when pooled over tasks (or unknown). */
  taskId: z.number().int().nullable(),
  /** The runs the series rests on (its members; a single run's series: that run). */
  runIds: z.array(z.number().int()),
  label: z.string(),
  color: z.string(),
  /** Group mode: the mean over the runs covering each x. */
  points: pointArray,
  smoothed: pointArray.nullable(),
  /** Group mode: [x, min, max, n] over the n runs covering x, at the same xs as `points`; null per run. */
  band: bandArray.nullable(),
});
export type CompareSeries = z.infer<typeof compareSeriesSchema>;

const stat = z.object({ mean: z.number().nullable(), min: z.number().nullable(), max: z.number().nullable(), count: z.number().int() });

export const compareSummarySchema = z.object({
  /** Strategy within facet (unique per row). */
  groupKey: z.string(),
  facet: z.string(),
  taskId: z.number().int().nullable(),
  taskName: z.string().nullable(),
  /** The dataset size of the facet's runs (null when unknown or pooled). */
  datasetFrames: z.number().int().nullable(),
  /** The dataset that stands for the task of runs without a task id (LeRobot's dataset.repo_id), else null. */
  dataset: z.string().nullable(),
  runIds: z.array(z.number().int()),
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
    pool: z.boolean(),
    /** The scalar tag drawn instead of the losses; null (or absent): the losses. */
    scalar: z.object({ dir: z.string(), tag: z.string() }).nullish(),
  }),
  /** The TensorBoard scalar tags of the runs in view (dir, tag, how many runs have it), most common first. */
  scalarTags: z.array(z.object({ dir: z.string(), tag: z.string(), runs: z.number().int() })).optional(),
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
      ...annotationFields,
    }),
  ),
  /** Runs the filters match that were left out because they are hidden (0 when hidden runs are included). */
  hiddenLeftOut: z.number().int(),
  strategies: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      color: z.string(),
      trainableLayers: z.number().int().nullable(),
      runIds: z.array(z.number().int()),
    }),
  ),
  /** Small multiples: one per task × dataset size (one 'all' facet when pooled), in task order. */
  facets: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      taskId: z.number().int().nullable(),
      taskName: z.string().nullable(),
      datasetFrames: z.number().int().nullable(),
      /** Runs without a task id are faceted by their dataset (lib/views/facets.ts); null otherwise. */
      dataset: z.string().nullable(),
      /** Runs with neither a task id nor a dataset are faceted by their experiment folder (lib/views/facets.ts); null otherwise. */
      experiment: z.string().nullable(),
      runIds: z.array(z.number().int()),
      /**
       * The axis this facet's series are on: `query.x` when any of its runs has a point on it, else the
       * axis they have (steps for step-only runs); null when none has a loss point on any axis (no
       * chart). lib/views/facet-axis.ts.
       */
      x: z.enum(X_AXES).nullable(),
      /** One line: why there is no chart, why it is on another axis, or which runs it leaves out; null otherwise. */
      note: z.string().nullable(),
    }),
  ),
  series: z.array(compareSeriesSchema),
  markers: z.array(
    z.object({
      kind: z.enum(['best', 'overfit']),
      facet: z.string(),
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
  /** What a pooled view mixes (also one of `notes`); null when the view is split by task or mixes nothing. */
  poolingNote: z.string().nullable(),
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
    const base = {
      series: s.id,
      kind: s.kind,
      strategy: s.strategyKey,
      task: s.taskId,
      facet: s.facet,
      runId: s.runId,
      runs: s.runIds.join(' '),
    };
    // A mean point carries its basis: n, min and max of the runs covering its x.
    const basis = new Map((s.band ?? []).map(([x, min, max, n]) => [x, { min, max, n: n ?? null }]));
    for (const [x, y] of s.points) {
      const b = basis.get(x);
      rows.push({ ...base, line: 'raw', x, y, min: b?.min ?? null, max: b?.max ?? null, n: b?.n ?? (s.runId === null ? null : 1) });
    }
    for (const [x, y] of s.smoothed ?? []) rows.push({ ...base, line: 'smoothed', x, y, min: null, max: null, n: basis.get(x)?.n ?? null });
    for (const [x, min, max, n] of s.band ?? []) rows.push({ ...base, line: 'band', x, y: null, min, max, n: n ?? null });
  }
  return rows;
}

export function compareSummaryCsvRecords(summary: readonly CompareSummary[]): Record<string, string | number | null>[] {
  return summary.map((s) => ({
    task: s.taskId,
    taskName: s.taskName,
    datasetFrames: s.datasetFrames,
    strategy: s.strategyKey,
    label: s.label,
    trainableLayers: s.trainableLayers,
    n: s.n,
    runs: s.runIds.join(' '),
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
