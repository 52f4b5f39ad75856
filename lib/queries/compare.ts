// The compare page's data: which runs, and their epochs, validations and step summaries (database
// reads only). The curves, groups, facets and summary are shaped by lib/views/compare.ts.
import type { AnalysisRun } from '../analysis';
import type { CompareQuery, CompareResponse } from '../api/schemas/compare';
import type { RunRow } from '../api/schemas/runs';
import { hasRunFilter, pickRunFilters } from '../api/schemas/run-filters';
import { runTiming, type XAxis } from '../views/axes';
import { buildCompareView, type CompareRun } from '../views/compare';
import { scalarCurve, scalarSkipNotes, type ScalarSkip } from '../views/compare-scalars';
import { getScalarCatalog, getScalarPointsOfRuns } from './scalars';
import type { RunStepBuckets } from '../views/steps';
import { strategyInputOf } from '../views/strategy-view';
import { loadEpochData } from './epochs';
import { forgettingByRun } from './forgetting';
import { listRunsPage, runsListingVersion } from './runs';
import { stepSummaries, stepVersions } from './steps';
import { configDiff, flattenConfig, type ConfigRun } from '../analysis/config-diff';
import { db } from '../db/client';

/** Without a selection or filter, the most recently active runs (a chart of 1,000 runs says nothing). */
export const DEFAULT_COMPARE_LIMIT = 60;

export type CompareOptions = Omit<CompareQuery, 'format' | 'table'>;

async function selectRuns(options: CompareOptions, notes: string[]): Promise<{ rows: RunRow[]; hiddenLeftOut: number }> {
  const hasFilter = options.runs !== undefined || hasRunFilter(options);
  // Hidden runs stay out unless asked; an explicit selection of runs asks for them.
  const hidden = options.hidden ?? (options.runs ? 'include' : 'exclude');
  const {
    runs: rows,
    total,
    counts,
  } = await listRunsPage({
    ids: options.runs,
    ...pickRunFilters(options),
    hidden,
    sort: 'lastSeenAt',
    dir: 'desc',
    limit: hasFilter ? undefined : DEFAULT_COMPARE_LIMIT,
  });
  if (options.runs) {
    const found = new Set(rows.map((r) => r.id));
    const missing = options.runs.filter((id) => !found.has(id));
    if (missing.length > 0) notes.push(`run${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found`);
  }
  if (!hasFilter && total > DEFAULT_COMPARE_LIMIT)
    notes.push(`showing the ${DEFAULT_COMPARE_LIMIT} most recently active of ${total} runs; select runs or filter to choose`);
  const hiddenLeftOut = hidden === 'exclude' ? (counts.hidden.find((c) => c.value)?.count ?? 0) : 0;
  return { rows, hiddenLeftOut };
}

async function loadRunsInView(rows: readonly RunRow[], axis: XAxis): Promise<CompareRun[]> {
  const ids = rows.map((r) => r.id);
  // Step losses: every run's off the epoch axis; on it, those of runs without epochs, whose facet may
  // open by step (lib/views/facet-axis.ts).
  const stepIds = axis !== 'epoch' ? ids : rows.filter((r) => r.epochsDone === 0).map((r) => r.id);
  // Independent reads, in parallel (each is one query; the pool has room for them).
  const [data, summaries, forgetting] = await Promise.all([
    loadEpochData(ids),
    stepIds.length > 0 ? stepVersions(stepIds).then(stepSummaries) : Promise.resolve(new Map<number, RunStepBuckets>()),
    forgettingByRun(ids),
  ]);
  return rows.map((row) => {
    const runData = data.get(row.id) ?? { epochs: [], validations: [] };
    const summary = summaries.get(row.id);
    const analysis: AnalysisRun = {
      id: row.id,
      taskId: row.taskId,
      format: row.format,
      strategy: strategyInputOf(row),
      epochs: runData.epochs.map((e) => ({ epoch: e.epoch, trainLoss: e.trainLoss })),
      validations: runData.validations.map((v) => ({ epoch: v.epoch, final: v.final, taskId: v.taskId, loss: v.loss })),
      forgetting: forgetting.get(row.id) ?? null,
    };
    return {
      row,
      epochs: runData.epochs,
      summary,
      timing: runTiming(row.stepsPerEpoch, runData.epochs, summary),
      analysis,
    };
  });
}

/**
 * A digest of the rows a compare view is made of, whatever its query: the runs listing's tables, every
 * run's strategy (chains and forgetting read all runs) and step series. A run's epochs, validations
 * and steps are covered by its "Run" row, which ingest updates in the same transaction as it writes
 * them (the per-run caches of lib/cache.ts rest on the same rule), and ingest's step summaries
 * update the run's "StepSeries" row.
 */
export async function compareVersion(ids?: readonly number[]): Promise<string> {
  return runsListingVersion(ids, [
    ['VisionStrategy', '"runId"'],
    ['StepSeries', '"runId"'],
  ]);
}

/** The axis that has data: steps when every selected run is step-based (LeRobot, the team's step-based trainers). */
export function defaultAxis(rows: readonly Pick<RunRow, 'axis'>[]): CompareOptions['x'] {
  return rows.length > 0 && rows.every((r) => r.axis === 'step') ? 'step' : 'epoch';
}

/** `x` left out: the axis that has data for the selected runs (see defaultAxis). */
export async function compareRuns(requested: Omit<CompareOptions, 'x'> & { x?: CompareOptions['x'] }): Promise<CompareResponse> {
  const notes: string[] = [];
  const { rows, hiddenLeftOut } = await selectRuns({ ...requested, x: requested.x ?? 'epoch' }, notes);
  const options: CompareOptions = { ...requested, x: requested.x ?? defaultAxis(rows) };
  const configDiff = configDiffOf(rows);
  // Settled before anything else can throw, so a failed view never leaves it rejected unobserved.
  configDiff.catch(() => {});
  const scalarTag = options.scalar === undefined ? null : { dir: options.scalarDir, tag: options.scalar };
  const [runs, scalarTags] = await Promise.all([loadRunsInView(rows, options.x), getScalarCatalog(rows.map((row) => row.id))]);
  if (scalarTag !== null) notes.push(...(await withScalarCurves(runs, scalarTag, options)));
  else {
    // Runs known by their TensorBoard scalars alone have no loss pair here: say where their curves are.
    const scalarOnly = runs.filter((r) => r.epochs.length === 0 && !r.summary?.buckets.length && r.analysis.validations.length === 0);
    if (scalarOnly.length > 0 && scalarTags.tags.length > 0)
      notes.push(
        `${scalarOnly.map((r) => `#${r.row.id}`).join(', ')}: no loss from a log or epoch rows; their TensorBoard scalars are drawn by choosing a tag`,
      );
  }
  const view = buildCompareView(runs, { ...options, scalarTag });
  notes.push(...view.notes);
  if (options.x === 'time') {
    const untimed = runs.filter((r) => r.timing.epochEnd.size === 0).map((r) => `#${r.row.id}`);
    if (untimed.length > 0)
      notes.push(`no wall-time axis for ${untimed.join(', ')}: the log has neither tqdm elapsed times nor epoch durations`);
  }
  return {
    query: {
      mode: options.mode,
      x: options.x,
      smooth: options.smooth,
      log: options.log,
      points: options.points,
      pool: options.pool,
      scalar: scalarTag,
    },
    scalarTags: scalarTags.tags.map(({ dir, tag, runs: n }) => ({ dir, tag, runs: n })),
    runs: rows.map((row) => ({
      id: row.id,
      taskId: row.taskId,
      taskName: row.taskName,
      status: row.status,
      strategyKey: row.strategy.key,
      strategyLabel: row.strategy.label,
      color: row.strategy.color,
      verdict: row.verdict.status,
      name: row.name,
      tags: row.tags,
      note: row.note,
      starred: row.starred,
      hidden: row.hidden,
    })),
    hiddenLeftOut,
    strategies: view.strategies,
    facets: view.facets,
    series: view.series,
    markers: view.markers,
    summary: view.summary,
    notes,
    poolingNote: view.poolingNote,
    configDiff: await configDiff,
  };
}

/**
 * Each run's curve of the scalar tag on the view's axis (lib/views/compare-scalars.ts), read from its
 * chunks; returns the notes naming the runs left out (no such tag, or logged on another axis).
 */
async function withScalarCurves(runs: CompareRun[], ref: { dir: string; tag: string }, options: CompareOptions): Promise<string[]> {
  const points = await getScalarPointsOfRuns(
    runs.map((r) => r.row.id),
    ref.dir,
    ref.tag,
  );
  const skipped: { runId: number; skip: ScalarSkip }[] = [];
  for (const run of runs) {
    const curve = scalarCurve(run.row, ref, points.get(run.row.id), options.x, options.points);
    if ('skip' in curve) {
      run.scalar = null;
      skipped.push({ runId: run.row.id, skip: curve.skip });
    } else run.scalar = curve;
  }
  return scalarSkipNotes(ref.dir === '' ? ref.tag : `${ref.dir}/${ref.tag}`, skipped, options.x);
}

/** The settings of the runs in view: the config tree, and what the trainer used (log, else config/results). */
async function configDiffOf(rows: readonly { id: number; strategy: { key: string } }[]): Promise<CompareResponse['configDiff']> {
  const settings = await db().run.findMany({
    where: { id: { in: rows.map((row) => row.id) } },
    select: { id: true, configTree: true, epochsTotal: true, batchSize: true, learningRate: true },
  });
  const byId = new Map(settings.map((s) => [s.id, s]));
  const runs: ConfigRun[] = rows.map((row) => {
    const s = byId.get(row.id);
    const tree = s?.configTree;
    const values = flattenConfig(tree !== null && typeof tree === 'object' && !Array.isArray(tree) ? tree['tree'] : undefined);
    if (s?.epochsTotal != null) values['run.epochsTotal'] = String(s.epochsTotal);
    if (s?.batchSize != null) values['run.batchSize'] = String(s.batchSize);
    if (s?.learningRate != null) values['run.learningRate'] = String(s.learningRate);
    return { runId: row.id, strategyKey: row.strategy.key, values };
  });
  return configDiff(runs);
}
