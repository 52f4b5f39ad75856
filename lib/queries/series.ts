// One run's curves for the run page and GET /api/runs/[id]/series: the reads; the curves are shaped
// by lib/views/run-series.ts.
import { db } from '../db/client';
import { NotFoundError } from '../api/errors';
import type { Metric, SeriesResponse } from '../api/schemas/series';
import { runTiming } from '../views/axes';
import { buildSeries, type RunSeriesContext, type SeriesOptions } from '../views/run-series';
import { loadEpochData } from './epochs';
import { stepSummaries, stepVersions } from './steps';
import type { RunStepBuckets } from '../views/steps';

async function loadContext(runId: number, needSteps: boolean): Promise<RunSeriesContext & { id: number }> {
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
