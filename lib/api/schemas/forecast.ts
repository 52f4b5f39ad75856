// GET /api/runs/[id]/forecast — where a run will end, against the best finished run of its task;
// GET /api/forecasts?ids=… — the same for many runs (the runs table); GET /api/forecasts/backtest —
// how good the forecasts have been here (the strategies page). Rules: lib/analysis/forecast*.ts.
import { z } from 'zod';
import { idList } from './common';

const AT_MESSAGE = 'a fraction of the run’s x-range, greater than 0 and at most 1 (e.g. 0.5)';

/** `at=F`: answer as if only the points with x ≤ x₀ + F·(x_last − x₀) had been seen. */
export const atParam = z.coerce.number({ error: AT_MESSAGE }).gt(0, AT_MESSAGE).lte(1, AT_MESSAGE).optional();

export const forecastQuery = z.object({ at: atParam });
export type ForecastQuery = z.infer<typeof forecastQuery>;

const finite = z.number().refine(Number.isFinite, 'a finite number');

export const forecastResponse = z.object({
  runId: z.number().int(),
  /** The curve forecast: validation loss where the run validates, else training loss. */
  metric: z.enum(['val', 'train']),
  axis: z.enum(['epoch', 'step']),
  /** Fraction of the curve seen (1 without `at`). */
  at: finite,
  /** Last x seen, and the x the level is forecast at (planned end; with `at` or for a finished run, its last x). */
  fromX: finite.nullable(),
  toX: finite.nullable(),
  /** Central value and 80% interval of the level at toX (the mean of the last 5% of the x-range). */
  mean: finite.nullable(),
  lo: finite.nullable(),
  hi: finite.nullable(),
  level: z.literal(0.8),
  method: z.string(),
  /** Raw losses seen. */
  points: z.number().int().nonnegative(),
  /** The best finished run of the same task and dataset, and its level at its end. */
  incumbent: z.object({ runId: z.number().int(), value: finite }).nullable(),
  /** Probability that the run ends below the incumbent. */
  pBeat: z.number().min(0).max(1).nullable(),
  verdict: z.enum(['on_track', 'unlikely_to_beat', 'insufficient']),
  /** GPU minutes stopping now saves (only with unlikely_to_beat, when the log times the run). */
  minutesSaved: finite.nullable(),
  /** Why the verdict is insufficient. */
  reason: z.string().nullable(),
  /** A validation curve that turned upward: the epoch (and loss) of its minimum. */
  overfitting: z.object({ epoch: finite, value: finite, message: z.string() }).nullable(),
  /** The cone: [x, central, lo, hi] from fromX to toX. */
  path: z.array(z.tuple([finite, finite, finite, finite])),
  sentence: z.string(),
  calibration: z.object({
    kind: z.enum(['absolute', 'peer']),
    source: z.enum(['finished_runs', 'built_in']),
    runs: z.number().int(),
    cases: z.number().int(),
    peers: z.number().int(),
  }),
});
export type ForecastResponse = z.infer<typeof forecastResponse>;

export const forecastsQuery = z.object({
  ids: idList.pipe(z.array(z.number()).min(1, 'at least one run id').max(1000, 'at most 1000 run ids')),
});

export const forecastsResponse = z.object({ forecasts: z.array(forecastResponse) });
export type ForecastsResponse = z.infer<typeof forecastsResponse>;

const score = z.object({
  cases: z.number().int(),
  runs: z.number().int(),
  /** Share of backtests whose outcome fell inside the 80% interval. */
  coverage: finite.nullable(),
  /** Median |log outcome − log forecast|. */
  medianAbsLogError: finite.nullable(),
  naiveMedianAbsLogError: finite.nullable(),
  /** medianAbsLogError ÷ naive (below 1: better than "it stays where it is"). */
  skill: finite.nullable(),
});

const calibrationInfo = z.object({
  source: z.enum(['finished_runs', 'built_in']),
  runs: z.number().int(),
  cases: z.number().int(),
  /** Weights of σ's horizon and pace terms (lib/analysis/forecast.ts). */
  tau: finite,
  rho: finite,
});

export const forecastBacktestResponse = z.object({
  level: z.literal(0.8),
  /** Finished runs replayed (from 25, 50 and 75% of each). */
  finishedRuns: z.number().int(),
  calibration: z.object({ absolute: calibrationInfo, peer: calibrationInfo }),
  overall: score,
  byFraction: z.array(score.extend({ at: finite })),
  tasks: z.array(
    score.extend({
      key: z.string(),
      label: z.string(),
      taskId: z.number().int().nullable(),
      taskName: z.string().nullable(),
      datasetFrames: z.number().int().nullable(),
      /** The dataset (LeRobot's repo_id) that stands for the task of runs without a task id, else null. */
      dataset: z.string().nullable(),
      /** The experiment folder that stands for the task of runs with neither task id nor dataset (lib/views/facets.ts), else null. */
      experiment: z.string().nullable(),
    }),
  ),
  note: z.string(),
});
export type ForecastBacktestResponse = z.infer<typeof forecastBacktestResponse>;
