// GET /api/runs/[id]/scalars — every scalar tag of a run (TensorBoard's scalars, docs/log-formats.md §7),
// and ?dir=&tag= one tag's points.
import { z } from 'zod';
import { checkOnce } from '../payload';
import { flagParam, formatParam, idList, smoothParam } from './common';

const text = (what: string) => z.string().max(1000, `${what} of at most 1000 characters`);

export const scalarsQuery = z.object({
  /** The tag's folder relative to the run directory ('' — the default — when its file sits in it; Keras: train, validation). */
  dir: text('a folder').default(''),
  /** Without it: the run's tag list. */
  tag: text('a tag').optional(),
  /** Spike-keeping downsample to at most this many points (first, last and each bucket's extremes kept); every point without it. */
  points: z.coerce
    .number({ error: 'a whole number from 4 to 1000000' })
    .int('a whole number from 4 to 1000000')
    .min(4, 'a whole number from 4 to 1000000')
    .max(1_000_000, 'a whole number from 4 to 1000000')
    .optional(),
  format: formatParam,
});
export type ScalarsQuery = z.infer<typeof scalarsQuery>;

/** A number or null (NaN and ±Infinity: JSON has no such numbers). */
const value = z.number().nullable();

export const scalarTagSchema = z.object({
  /** The event file's folder relative to the run directory ('' when it sits in it). */
  dir: z.string(),
  tag: z.string(),
  /** Points stored, repeated steps included. */
  count: z.number().int(),
  firstStep: z.number(),
  lastStep: z.number(),
  /** The value of the last point (greatest step; then the later file, then the later write). */
  lastValue: value,
  /** Wall times (seconds since the epoch) of the earliest point and of the last one. */
  firstWallTime: z.number(),
  lastWallTime: z.number(),
  /** Finite extremes (null when no value is finite). */
  minValue: value,
  maxValue: value,
  /**
   * What the tag's steps count (lib/analysis/scalar-metrics.ts tagAxis): `epoch` — each step is the
   * 0-based epoch index (Keras' `epoch_*`, the SmolVLA trainer's tags), drawn at epoch step + 1;
   * `step` — optimizer or environment steps. Steps here and in the points stay as stored.
   */
  axis: z.enum(['epoch', 'step']),
});
export type ScalarTag = z.infer<typeof scalarTagSchema>;

export const scalarTagsResponse = z.object({
  runId: z.number().int(),
  /** Sorted by tag, then dir (code-point order). */
  tags: z.array(scalarTagSchema),
  /** Values of other plugins (images, histograms, graphs, text, hparams…) the event files hold: counted, not shown. */
  others: z.array(z.object({ dir: z.string(), plugin: z.string(), count: z.number().int() })),
});
export type ScalarTagsResponse = z.infer<typeof scalarTagsResponse>;

type ScalarPointTuple = [number, number | null, number];

function isScalarPointArray(points: unknown): points is ScalarPointTuple[] {
  if (!Array.isArray(points)) return false;
  for (const item of points) {
    if (!Array.isArray(item) || item.length !== 3) return false;
    const [step, y, wall] = item as unknown[];
    if (typeof step !== 'number' || !Number.isFinite(step) || typeof wall !== 'number' || !Number.isFinite(wall)) return false;
    if (y !== null && (typeof y !== 'number' || !Number.isFinite(y))) return false;
  }
  return true;
}

/** [step, value, wallTime] points, checked by one loop (a tag has up to millions). */
export const scalarPointArray = z.custom<ScalarPointTuple[]>((points) => checkOnce(points, isScalarPointArray), {
  error: 'an array of [step, value, wallTime] with finite step and wall time and finite-or-null value',
});

export const scalarPointsResponse = z.object({
  runId: z.number().int(),
  dir: z.string(),
  tag: z.string(),
  /** Points stored; `points` holds them all unless a downsample was asked for. */
  count: z.number().int(),
  /** [step, value, wallTime] in step order (equal steps: by file, then as written). */
  points: scalarPointArray,
});
export type ScalarPointsResponse = z.infer<typeof scalarPointsResponse>;

/** CSV of the tag list. */
export function scalarTagsCsvRecords(response: ScalarTagsResponse): Record<string, string | number | null>[] {
  return response.tags.map((t) => ({
    dir: t.dir,
    tag: t.tag,
    count: t.count,
    firstStep: t.firstStep,
    lastStep: t.lastStep,
    lastValue: t.lastValue,
    axis: t.axis,
  }));
}

/** The run page's Scalars section, in the page's URL (lib/views/scalars-section.ts). */
export const scalarsViewQuery = z.object({
  /** A regular expression the tags shown must match. */
  sfilter: z.string().max(500, 'at most 500 characters').default(''),
  /** Collapsed groups, '|'-separated (or repeated). */
  sclosed: z
    .string()
    .max(10_000, 'at most 10000 characters')
    .optional()
    .transform((value) => (value ? value.split('|').filter(Boolean) : [])),
  sx: z.enum(['step', 'relative', 'wall'], { error: 'one of step, relative, wall' }).default('step'),
  ssmooth: smoothParam,
  slog: flagParam.default(false),
});

/** GET /api/runs/scalar-tags: every (dir, tag) the runs (all, or `ids`) have, for choosing columns and tags to compare. */
export const scalarCatalogQuery = z.object({ ids: idList.optional() });

export const scalarCatalogResponse = z.object({
  /** Most common first, then by tag and dir (at most 5,000). */
  tags: z.array(
    z.object({
      dir: z.string(),
      tag: z.string(),
      /** The runs-table column key (`<dir>//<tag>`, lib/api/schemas/runs.ts scalarColumnKey). */
      key: z.string(),
      /** How many of the runs have it. */
      runs: z.number().int(),
    }),
  ),
});
export type ScalarCatalog = z.infer<typeof scalarCatalogResponse>;
