// GET /api/runs — the runs table. Query: filters; response: one row per run.
import { z } from 'zod';
import { annotationFields, hiddenParam } from './annotations';
import { formatParam, idList, nonFiniteSchema, strategySchema, verdictSchema } from './common';
import { runFilterFields } from './run-filters';

export const RUN_SORT_KEYS = [
  'id',
  'task',
  'strategy',
  'status',
  'epochs',
  'lastTrainLoss',
  'bestVal',
  'gap',
  'verdict',
  'startedAt',
  'lastSeenAt',
  'source',
  /** Running runs first, by their forecast's chance to beat the best finished run (the table sorts that; lib/api/sort-runs.ts). */
  'forecast',
] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

/**
 * A runs-table column showing a TensorBoard scalar's last value: the tag and its folder, written
 * `<dir>//<tag>` ('' dir: `//<tag>`; a folder never holds `//`, so the first one separates them).
 * Several are `|`-separated (or repeated `col=`): a tag with `|` in its name cannot be a column.
 */
export interface ScalarColumn {
  dir: string;
  tag: string;
}

export function scalarColumnKey(column: ScalarColumn): string {
  return `${column.dir}//${column.tag}`;
}

export function parseScalarColumn(key: string): ScalarColumn | null {
  const at = key.indexOf('//');
  if (at < 0 || key.length === at + 2) return null;
  return { dir: key.slice(0, at), tag: key.slice(at + 2) };
}

/** The `col` parameter: scalar columns to add (at most 20). */
export const scalarColumnsParam = z
  .string()
  .max(20_000, 'at most 20000 characters')
  .transform((value) => value.split('|').filter(Boolean))
  .pipe(
    z
      .array(
        z
          .string()
          .max(1000, 'a <dir>//<tag> column of at most 1000 characters')
          .refine((key) => parseScalarColumn(key) !== null, 'a <dir>//<tag> column, e.g. //train/loss or validation//epoch_loss'),
      )
      .max(20, 'at most 20 columns'),
  );

export const runsQuery = z.object({
  ...runFilterFields,
  ids: idList.optional(),
  /** Hidden runs: left out (exclude, the default), included, or only them. */
  hidden: hiddenParam,
  sort: z.enum(RUN_SORT_KEYS, { error: `one of ${RUN_SORT_KEYS.join(', ')}` }).default('lastSeenAt'),
  dir: z.enum(['asc', 'desc'], { error: 'asc or desc' }).default('desc'),
  /** Rows per page; without it every matching run is returned (as before paging existed). */
  limit: z.coerce
    .number({ error: 'a whole number from 1 to 1000' })
    .int('a whole number from 1 to 1000')
    .min(1, 'a whole number from 1 to 1000')
    .max(1000, 'a whole number from 1 to 1000')
    .optional(),
  /** 1-based page of `limit` rows. */
  page: z.coerce
    .number({ error: 'a whole number from 1' })
    .int('a whole number from 1')
    .min(1, 'a whole number from 1')
    .max(1_000_000, 'at most 1000000')
    .default(1),
  /** Scalar columns: each run's last value of these tags (ScalarColumn). */
  col: scalarColumnsParam.optional(),
  format: formatParam,
});
export type RunsQuery = z.infer<typeof runsQuery>;

export const runRowSchema = z.object({
  id: z.number().int(),
  taskId: z.number().int().nullable(),
  taskName: z.string().nullable(),
  status: z.string(),
  format: z.string(),
  strategy: strategySchema,
  /** Epochs done, from real epoch evidence only (a step is never an epoch); 0 when none. */
  epochsDone: z.number().int(),
  epochsTotal: z.number().int().nullable(),
  /**
   * What the run's progress counts: 'epoch', or 'step' for step-based runs (LeRobot, the team's
   * step-based trainers, Hugging Face): then `lastStep` is the progress (lib/analysis/scalar-metrics.ts runProgress).
   */
  axis: z.enum(['epoch', 'step']),
  /** The latest training loss (epoch average, else the latest step's); null when none, or when it is not finite: */
  lastTrainLoss: z.number().nullable(),
  /** … then what it was ('nan', 'inf', '-inf'); null when lastTrainLoss is a number or there is none. */
  lastTrainLossNonFinite: nonFiniteSchema,
  bestVal: z.object({ loss: z.number(), epoch: z.number().int(), final: z.boolean() }).nullable(),
  finalGap: z.number().nullable(),
  verdict: verdictSchema,
  startedAt: z.string(),
  lastSeenAt: z.string(),
  source: z.object({ id: z.number().int(), path: z.string(), host: z.string() }),
  outputDir: z.string().nullable(),
  parentRunId: z.number().int().nullable(),
  datasetFrames: z.number().int().nullable(),
  stepsPerEpoch: z.number().int().nullable(),
  /** The last step: the log's (LeRobot, tqdm), else the training loss tag's; `lastTrainLoss` is then the last step's loss. */
  lastStep: z.number().int().nullable(),
  totalSteps: z.number().int().nullable(),
  /** LeRobot's dataset.num_episodes. */
  episodes: z.number().int().nullable(),
  /** LeRobot's dataset.repo_id: the run's task when it has no task id (lib/views/facets.ts). */
  dataset: z.string().nullable(),
  /**
   * The run's experiment folder (lib/views/facets.ts `experimentFolder`: the parent of its run directory,
   * else of its output directory, else its log file's folder): its facet when it has neither task nor dataset.
   */
  experiment: z.string().nullable(),
  /** Annotations: display name, tags, note, star, hidden. */
  ...annotationFields,
  /**
   * With `col`: each asked column's last value and its step, by column key (scalarColumnKey); value
   * null when the run has no such tag or its last value is not finite.
   */
  scalars: z.record(z.string(), z.object({ value: z.number().nullable(), step: z.number().nullable() })).optional(),
});
export type RunRow = z.infer<typeof runRowSchema>;

const facetCount = <T extends z.ZodType>(value: T) => z.object({ value, count: z.number().int() });

/**
 * How many runs each filter value would match, given the other filters (so a drop-down can say
 * "task2 (2,500)"); `total` is how many match all of them.
 */
export const runFacetsSchema = z.object({
  task: z.array(facetCount(z.number().int().nullable()).extend({ name: z.string().nullable() })),
  strategy: z.array(facetCount(z.string()).extend({ label: z.string(), trainableLayers: z.number().int().nullable() })),
  status: z.array(facetCount(z.string())),
  verdict: z.array(facetCount(z.string())),
  /** Runs per tag (a run with two tags counts under both). */
  tag: z.array(facetCount(z.string())),
  starred: z.array(facetCount(z.boolean())),
  hidden: z.array(facetCount(z.boolean())),
});
export type RunFacets = z.infer<typeof runFacetsSchema>;

export const runsResponse = z.object({
  runs: z.array(runRowSchema),
  /** Runs matching the filters (all pages). */
  total: z.number().int(),
  page: z.number().int(),
  /** Rows per page, or null when every matching run is returned. */
  limit: z.number().int().nullable(),
  counts: runFacetsSchema,
});
export type RunsResponse = z.infer<typeof runsResponse>;

/** Flat CSV columns of a run row (exported as `?format=csv`). */
export function runCsvRecord(run: RunRow): Record<string, string | number | boolean | null> {
  return {
    id: run.id,
    taskId: run.taskId,
    taskName: run.taskName,
    status: run.status,
    strategyKey: run.strategy.key,
    strategyLabel: run.strategy.label,
    strategyApplied: run.strategy.applied,
    unfrozenLayers: run.strategy.unfrozen.join(' '),
    epochsDone: run.epochsDone,
    epochsTotal: run.epochsTotal,
    axis: run.axis,
    lastStep: run.lastStep,
    lastTrainLoss: run.lastTrainLoss,
    lastTrainLossNonFinite: run.lastTrainLossNonFinite,
    bestValLoss: run.bestVal?.loss ?? null,
    bestValEpoch: run.bestVal?.epoch ?? null,
    finalGap: run.finalGap,
    verdict: run.verdict.status,
    verdictReason: run.verdict.reason,
    startedAt: run.startedAt,
    lastSeenAt: run.lastSeenAt,
    source: run.source.path,
    name: run.name,
    tags: run.tags.join(', '),
    note: run.note,
    starred: run.starred,
    hidden: run.hidden,
    // Scalar columns asked for (`col`), by their key.
    ...Object.fromEntries(Object.entries(run.scalars ?? {}).map(([key, cell]) => [key, cell.value])),
  };
}
