// One run's curves (the run page, GET /api/runs/[id]/series) from its epoch data and step buckets:
// per-epoch training loss, per-task validation (per epoch and final), per-step loss and learning
// rate, on the epoch, step or wall-time axis. Pure; lib/queries/series.ts reads the data.
import type { Point } from '../analysis';
import type { Metric, Series } from '../api/schemas/series';
import { epochEndX, type RunTiming, type XAxis } from './axes';
import { byX, chartSeries, stepChartSeries, stepLrPoints } from './chart';
import type { RunStepBuckets } from './steps';

export interface SeriesOptions {
  metric: Metric;
  points: number;
  smooth: number;
  x: XAxis;
}

/** What one run's curves are made of. */
export interface RunSeriesContext {
  data: {
    epochs: readonly { epoch: number; trainLoss: number | null; lr: number | null }[];
    validations: readonly { epoch: number; final: boolean; taskId: number; loss: number | null }[];
  };
  summary: RunStepBuckets | undefined;
  timing: RunTiming;
}

type EpochPointX = Point & { epoch: number };

function epochPoints(rows: readonly { epoch: number; value: number | null }[], axis: XAxis, timing: RunTiming): EpochPointX[] {
  const out: EpochPointX[] = [];
  for (const row of rows) {
    const x = epochEndX(row.epoch, axis, timing);
    if (x !== null) out.push({ x, y: row.value, epoch: row.epoch });
  }
  return byX(out);
}

/** An epoch-level series: points, smoothing, and the epoch of each point kept. */
function epochSeries(key: string, label: string, taskId: number | null, raw: EpochPointX[], budget: number, smooth: number): Series {
  const { points, smoothed, kept } = chartSeries(raw, budget, smooth);
  return { key, label, taskId, points, smoothed, epochs: kept.map((p) => p.epoch) };
}

/** The run's series of one metric; what is missing is said in `notes`. */
export function buildSeries(context: RunSeriesContext, options: SeriesOptions, notes: string[]): Series[] {
  const { data, timing } = context;
  const { points: budget, smooth, x } = options;
  switch (options.metric) {
    case 'train': {
      const raw = epochPoints(
        data.epochs.map((e) => ({ epoch: e.epoch, value: e.trainLoss })),
        x,
        timing,
      );
      return [epochSeries('train', 'train loss (epoch average)', null, raw, budget, smooth)];
    }
    case 'val': {
      const tasks = [...new Set(data.validations.map((v) => v.taskId))].sort((a, b) => a - b);
      const out: Series[] = [];
      for (const taskId of tasks) {
        const perEpoch = data.validations.filter((v) => v.taskId === taskId && !v.final);
        const final = data.validations.filter((v) => v.taskId === taskId && v.final);
        if (perEpoch.length > 0) {
          const raw = epochPoints(
            perEpoch.map((v) => ({ epoch: v.epoch, value: v.loss })),
            x,
            timing,
          );
          out.push(epochSeries(`val-task${taskId}`, `validation task ${taskId}`, taskId, raw, budget, smooth));
        }
        if (final.length > 0) {
          const raw = epochPoints(
            final.map((v) => ({ epoch: v.epoch, value: v.loss })),
            x,
            timing,
          );
          out.push(epochSeries(`final-task${taskId}`, `final validation task ${taskId}`, taskId, raw, budget, 0));
        }
      }
      return out;
    }
    case 'step': {
      if (!context.summary || context.summary.buckets.length === 0) {
        notes.push('this run has no per-step losses in its log');
        return [];
      }
      const { points, smoothed } = stepChartSeries(context.summary, x, timing, budget, smooth);
      return [{ key: 'step', label: 'train loss per step', taskId: null, points, smoothed, epochs: null }];
    }
    case 'lr': {
      const fromEpochs = data.epochs.filter((e) => e.lr !== null);
      if (fromEpochs.length > 0) {
        const raw = epochPoints(
          fromEpochs.map((e) => ({ epoch: e.epoch, value: e.lr })),
          x,
          timing,
        );
        return [epochSeries('lr', 'learning rate (end of epoch)', null, raw, budget, 0)];
      }
      if (context.summary && context.summary.buckets.length > 0) {
        const raw = stepLrPoints(context.summary, x, timing);
        return [
          {
            key: 'lr',
            label: 'learning rate (per step, tqdm)',
            taskId: null,
            points: chartSeries(raw, budget, 0).points,
            smoothed: null,
            epochs: null,
          },
        ];
      }
      notes.push('this run logged no learning rate');
      return [];
    }
  }
}
