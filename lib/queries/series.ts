// One run's curves for the run page and GET /api/runs/[id]/series.
import type { Point } from '../analysis';
import { db } from '../db/client';
import { NotFoundError } from '../api/errors';
import type { Metric, Series, SeriesResponse } from '../api/schemas/series';
import { epochEndX, runTiming, type RunTiming, type XAxis } from '../views/axes';
import { byX, chartSeries, stepChartSeries, stepLrPoints } from '../views/chart';
import { loadEpochData, type EpochData } from './epochs';
import { stepSummaries, stepVersions } from './steps';
import type { RunStepBuckets } from '../views/steps';

export interface SeriesOptions {
  metric: Metric;
  points: number;
  smooth: number;
  x: XAxis;
}

interface RunContext {
  id: number;
  taskId: number | null;
  stepsPerEpoch: number | null;
  data: EpochData;
  summary: RunStepBuckets | undefined;
  timing: RunTiming;
}

async function loadContext(runId: number, needSteps: boolean): Promise<RunContext> {
  const run = await db().run.findUnique({ where: { id: runId }, select: { id: true, taskId: true, stepsPerEpoch: true } });
  if (!run) throw new NotFoundError(`run ${runId} does not exist`);
  const [data, summaries] = await Promise.all([
    loadEpochData([runId]),
    needSteps ? stepVersions([runId]).then(stepSummaries) : Promise.resolve(new Map<number, RunStepBuckets>()),
  ]);
  const epochData = data.get(runId) ?? { epochs: [], validations: [] };
  const summary = summaries.get(runId);
  return { ...run, data: epochData, summary, timing: runTiming(run.stepsPerEpoch, epochData.epochs, summary) };
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

export async function getRunSeries(runId: number, options: SeriesOptions): Promise<SeriesResponse> {
  const [result] = await getRunSeriesBundle(runId, [options.metric], options);
  return result!;
}

/** Several metrics of one run from one read of its data (the run page shows all four). */
export async function getRunSeriesBundle(
  runId: number,
  metrics: readonly Metric[],
  options: Omit<SeriesOptions, 'metric'>,
): Promise<SeriesResponse[]> {
  // The step and wall-time axes need the step summary even for epoch-level metrics.
  const needSteps = options.x !== 'epoch' || metrics.includes('step') || metrics.includes('lr');
  const context = await loadContext(runId, needSteps);
  return metrics.map((metric) => {
    const notes: string[] = [];
    const series = buildSeries(context, { ...options, metric }, notes);
    if (options.x === 'time' && context.timing.epochEnd.size === 0)
      notes.push(`run ${runId} has no timing (tqdm elapsed or epoch duration), so it has no wall-time axis`);
    return { runId, metric, x: options.x, series, notes };
  });
}

function buildSeries(context: RunContext, options: SeriesOptions, notes: string[]): Series[] {
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
