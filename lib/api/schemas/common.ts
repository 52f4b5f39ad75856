// Building blocks shared by the per-resource schemas: query-parameter parsers (strings in, typed
// values out, with messages that read "<param>: expected …") and response pieces.
import { z } from 'zod';
import { checkOnce } from '../payload';

export const VERDICTS = ['overfitting', 'watch', 'diverged', 'ok', 'insufficient'] as const;
export const RUN_STATUSES = ['running', 'completed', 'crashed', 'stopped', 'stale'] as const;

/** What a loss was when JSON shows it as `null` because it is not a finite number. */
export const NON_FINITE_KINDS = ['nan', 'inf', '-inf'] as const;
export type NonFiniteKind = (typeof NON_FINITE_KINDS)[number];
export const nonFiniteSchema = z.enum(NON_FINITE_KINDS).nullable();

/** "1,2,3" → [1, 2, 3] (positive whole numbers). */
export const idList = z
  .string()
  .transform((value) =>
    value
      .split(/[,|]/)
      .map((item) => item.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .regex(/^\d{1,9}$/, 'a comma-separated list of positive whole numbers')
        .transform(Number),
    ),
  );

/** "a,b" → ['a', 'b'], each one of `values`. */
export function enumList<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .transform((value) =>
      value
        .split(/[,|]/)
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values, { error: `a comma-separated list of ${values.join(', ')}` })));
}

/** Strategy keys, separated by '|' (keys such as "12:0,2,5-11" contain commas). */
export const keyList = z
  .string()
  .max(2000, 'at most 2000 characters')
  .transform((value) =>
    value
      .split('|')
      .map((item) => item.trim())
      .filter(Boolean),
  );

export const pointsParam = z.coerce
  .number({ error: 'a whole number from 4 to 10000' })
  .int('a whole number from 4 to 10000')
  .min(4, 'a whole number from 4 to 10000')
  .max(10_000, 'a whole number from 4 to 10000')
  .default(1000);

/** TensorBoard's smoothing weight: 0 (none) up to 0.999; its default is 0.6. */
export const smoothParam = z.coerce
  .number({ error: 'a smoothing weight from 0 to 0.999' })
  .min(0, 'a smoothing weight from 0 to 0.999')
  .max(0.999, 'a smoothing weight from 0 to 0.999')
  .default(0.6);

export const formatParam = z.enum(['json', 'csv'], { error: 'json or csv' }).default('json');

export const flagParam = z.enum(['0', '1', 'true', 'false'], { error: '0 or 1' }).transform((value) => value === '1' || value === 'true');

export const X_AXES = ['epoch', 'step', 'time'] as const;
export const xParam = z.enum(X_AXES, { error: 'one of epoch, step, time' }).default('epoch');

/** A chart point: [x, y]; y null is a gap (missing, NaN or infinite in the log). */
export const point = z.tuple([z.number(), z.number().nullable()]);
export type ChartPoint = z.infer<typeof point>;

function isPointArray(value: unknown): value is ChartPoint[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) {
    if (!Array.isArray(item) || item.length !== 2) return false;
    const [x, y] = item as unknown[];
    if (typeof x !== 'number' || !Number.isFinite(x)) return false;
    if (y !== null && (typeof y !== 'number' || !Number.isFinite(y))) return false;
  }
  return true;
}

/**
 * A series' points. Checked by one tight loop instead of a tuple schema per point: a compare
 * response holds ~10^5 points, and per-point schema objects cost more than the query itself. A frozen
 * payload (lib/api/payload.ts: cached curves shared by many responses) is checked once.
 */
export const pointArray = z.custom<ChartPoint[]>((value) => checkOnce(value, isPointArray), {
  error: 'an array of [x, y] points with finite x and finite-or-null y',
});

function isBandArray(value: unknown): value is BandPoint[] {
  return (
    Array.isArray(value) &&
    value.every(
      (item) =>
        Array.isArray(item) && (item.length === 3 || item.length === 4) && item.every((v) => typeof v === 'number' && Number.isFinite(v)),
    )
  );
}

/**
 * A band point: [x, min, max, n] — the range over the n runs behind an aggregate at x (n is the 4th
 * element so clients that read [x, min, max] keep working; older payloads may omit it).
 */
export type BandPoint = [number, number, number] | [number, number, number, number];

/** [x, min, max, n] points of a min–max band. */
export const bandArray = z.custom<BandPoint[]>((value) => checkOnce(value, isBandArray), {
  error: 'an array of [x, min, max, n] points of finite numbers',
});

export const strategySchema = z.object({
  kind: z.string(),
  key: z.string(),
  label: z.string(),
  totalLayers: z.number().int(),
  frozen: z.array(z.number().int()),
  unfrozen: z.array(z.number().int()),
  applied: z.boolean(),
  /** False for "default (unknown)": the log does not say which layers trained. */
  known: z.boolean(),
  /**
   * Whether the run's log (a banner, a failure) or config recorded any vision-freeze strategy; false when
   * nothing did (then `key` is "default"). How pages word that: lib/views/strategy-view.ts strategyShown.
   */
  recorded: z.boolean(),
  trainableLayers: z.number().int().nullable(),
  /** What the run asked for when the trainer did not apply it. */
  requestedLabel: z.string().nullable(),
  failureReason: z.string().nullable(),
  color: z.string(),
});
export type StrategyView = z.infer<typeof strategySchema>;

export const verdictSchema = z.object({
  status: z.enum(VERDICTS),
  reason: z.string(),
  bestEpoch: z.number().int().nullable(),
  overfitStartEpoch: z.number().int().nullable(),
  gapAtEnd: z.number().nullable(),
  caveat: z.string().nullable(),
});
export type VerdictView = z.infer<typeof verdictSchema>;
