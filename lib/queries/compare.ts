// The compare page: curves per strategy or per run, markers and the per-strategy summary.
//
// What is drawn (TensorBoard/W&B conventions): training loss solid, validation dashed, one colour per
// strategy (views.ts). On the epoch axis the training curve is the trainer's epoch average; on the
// step and wall-time axes it is the per-step tqdm loss (from the step summaries, steps.ts), with
// the raw line faint under the smoothed one. Validation is the run's OWN task, per epoch, at the end
// of its epoch. In group mode a strategy's line is the mean over its runs and the band their min–max
// (per epoch; on step/time axes per x bin, each run first averaged within the bin).
import {
  aggregate,
  finalValidation,
  groupRuns,
  validationTrend,
  type AnalysisRun,
  type EpochAggregate,
  type Point,
  type StrategyGroup,
} from '../analysis';
import type { ChartPoint } from '../api/schemas/common';
import type { CompareQuery, CompareResponse, CompareSeries, CompareSummary } from '../api/schemas/compare';
import type { RunRow } from '../api/schemas/runs';
import { epochEndX, runTiming, type RunTiming, type XAxis } from '../views/axes';
import { byX, chartSeries, compact, stepChartSeries, stepMeanPoints, stepRawPoints } from '../views/chart';
import { loadEpochData, type EpochData } from './epochs';
import { forgettingByRun } from './forgetting';
import { listRunsPage } from './runs';
import { stepSummaries, stepVersions } from './steps';
import type { StepSummary } from '../views/steps';
import { finiteOrNull, strategyInputOf } from '../views/views';

/** Without a selection or filter, the most recently active runs (a chart of 1,000 runs says nothing). */
export const DEFAULT_COMPARE_LIMIT = 60;

interface RunInView {
  row: RunRow;
  data: EpochData;
  summary: StepSummary | undefined;
  timing: RunTiming;
  analysis: AnalysisRun;
}

export type CompareOptions = Omit<CompareQuery, 'format' | 'table'>;

async function selectRuns(options: CompareOptions, notes: string[]): Promise<RunRow[]> {
  const hasFilter = options.runs || options.task || options.strategy || options.status || options.verdict || options.q;
  const { runs: rows, total } = await listRunsPage({
    ids: options.runs,
    task: options.task,
    strategy: options.strategy,
    status: options.status,
    verdict: options.verdict,
    q: options.q,
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
  return rows;
}

async function loadRunsInView(rows: readonly RunRow[], axis: XAxis, forgetting: Map<number, number | null>): Promise<RunInView[]> {
  const ids = rows.map((r) => r.id);
  const needSteps = axis !== 'epoch';
  const [data, summaries] = await Promise.all([
    loadEpochData(ids),
    needSteps ? stepVersions(ids).then(stepSummaries) : Promise.resolve(new Map<number, StepSummary>()),
  ]);
  return rows.map((row) => {
    const runData = data.get(row.id) ?? { epochs: [], validations: [] };
    const summary = summaries.get(row.id);
    return {
      row,
      data: runData,
      summary,
      timing: runTiming(row.stepsPerEpoch, runData.epochs, summary),
      analysis: {
        id: row.id,
        taskId: row.taskId,
        format: row.format,
        strategy: strategyInputOf(row),
        epochs: runData.epochs.map((e) => ({ epoch: e.epoch, trainLoss: e.trainLoss })),
        validations: runData.validations.map((v) => ({ epoch: v.epoch, final: v.final, taskId: v.taskId, loss: v.loss })),
        forgetting: forgetting.get(row.id) ?? null,
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Per-run curves

function trainPoints(run: RunInView, axis: XAxis): { raw: Point[]; smoothSource: Point[] } {
  if (axis !== 'epoch' && run.summary && run.summary.buckets.length > 0) {
    return { raw: stepRawPoints(run.summary, axis, run.timing), smoothSource: stepMeanPoints(run.summary, axis, run.timing) };
  }
  const raw: Point[] = [];
  for (const e of run.data.epochs) {
    if (e.trainLoss === null) continue;
    const x = epochEndX(e.epoch, axis, run.timing);
    if (x !== null) raw.push({ x, y: e.trainLoss });
  }
  return { raw: byX(raw), smoothSource: raw };
}

function trainSeries(run: RunInView, options: CompareOptions): { points: ChartPoint[]; smoothed: ChartPoint[] | null } {
  if (options.x !== 'epoch' && run.summary && run.summary.buckets.length > 0) {
    return stepChartSeries(run.summary, options.x, run.timing, options.points, options.smooth);
  }
  const train = trainPoints(run, options.x);
  return chartSeries(train.raw, options.points, options.smooth, train.smoothSource);
}

/** Own-task per-epoch validations (a final-only run shows its final value). */
function validationPoints(run: RunInView, axis: XAxis): { epoch: number; point: Point }[] {
  let trend = validationTrend(run.analysis);
  if (trend.length === 0) {
    const fin = finalValidation(run.analysis);
    trend = fin === null ? [] : [fin];
  }
  const out: { epoch: number; point: Point }[] = [];
  for (const p of trend) {
    const x = epochEndX(p.epoch, axis, run.timing);
    if (x !== null) out.push({ epoch: p.epoch, point: { x, y: p.loss } });
  }
  return out;
}

function runLabel(row: RunRow): string {
  return `#${row.id} task${row.taskId ?? '?'} · ${row.strategy.label}`;
}

function perRunSeries(runs: readonly RunInView[], options: CompareOptions, markers: CompareResponse['markers']): CompareSeries[] {
  const out: CompareSeries[] = [];
  for (const run of runs) {
    const { row } = run;
    const base = { strategyKey: row.strategy.key, runId: row.id, color: row.strategy.color, band: null };
    const { points, smoothed } = trainSeries(run, options);
    out.push({ id: `train-run${row.id}`, kind: 'train', label: `${runLabel(row)} train`, ...base, points, smoothed });
    const val = validationPoints(run, options.x);
    out.push({
      id: `val-run${row.id}`,
      kind: 'val',
      label: `${runLabel(row)} validation`,
      ...base,
      ...chartSeries(
        val.map((v) => v.point),
        options.points,
        options.smooth,
      ),
    });
    const at = (epoch: number | null) => (epoch === null ? undefined : val.find((v) => v.epoch === epoch));
    const best = row.bestVal
      ? { epoch: row.bestVal.epoch, x: epochEndX(row.bestVal.epoch, options.x, run.timing), y: row.bestVal.loss }
      : null;
    if (best && best.x !== null)
      markers.push({
        kind: 'best',
        strategyKey: row.strategy.key,
        runId: row.id,
        epoch: best.epoch,
        x: best.x,
        y: best.y,
        label: `#${row.id} best validation ${best.y.toFixed(4)} at epoch ${best.epoch}`,
      });
    const start = at(row.verdict.overfitStartEpoch);
    if (start && start.point.y !== null && Number.isFinite(start.point.y)) {
      markers.push({
        kind: 'overfit',
        strategyKey: row.strategy.key,
        runId: row.id,
        epoch: start.epoch,
        x: start.point.x,
        y: start.point.y,
        label: `#${row.id} overfitting began at epoch ${start.epoch}`,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Per-strategy curves (mean line + min–max band)

/** Mean over the group's runs of where an epoch's end sits on the axis. */
function meanEpochX(epoch: number, runs: readonly RunInView[], axis: XAxis): number | null {
  if (axis === 'epoch') return epoch;
  const xs = runs.map((r) => epochEndX(epoch, axis, r.timing)).filter((x): x is number => x !== null);
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function aggregateSeries(
  series: readonly EpochAggregate[],
  pick: 'train' | 'validation',
  runs: readonly RunInView[],
  axis: XAxis,
): { line: Point[]; band: [number, number, number][]; epochs: number[] } {
  const line: Point[] = [];
  const band: [number, number, number][] = [];
  const epochs: number[] = [];
  for (const agg of series) {
    const stat = agg[pick];
    if (stat.count === 0 || stat.mean === null) continue;
    const x = meanEpochX(agg.epoch, runs, axis);
    if (x === null) continue;
    line.push({ x, y: stat.mean });
    band.push([x, stat.min ?? stat.mean, stat.max ?? stat.mean]);
    epochs.push(agg.epoch);
  }
  return { line, band, epochs };
}

/**
 * Runs with only a final validation block (every all-in-one run after 10-28) have no per-epoch
 * curve; show the group's mean final value at its last epoch so the strategy is not missing.
 */
function withFinalOnly(
  val: ReturnType<typeof aggregateSeries>,
  runs: readonly RunInView[],
  axis: XAxis,
): ReturnType<typeof aggregateSeries> {
  if (val.line.length > 0) return val;
  const finals = runs
    .map((r) => ({ run: r, final: finalValidation(r.analysis) }))
    .filter((f) => f.final !== null && f.final.loss !== null && Number.isFinite(f.final.loss));
  if (finals.length === 0) return val;
  const epoch = Math.max(...finals.map((f) => f.final!.epoch));
  const x = meanEpochX(
    epoch,
    finals.map((f) => f.run),
    axis,
  );
  const stat = aggregate(finals.map((f) => f.final!.loss));
  if (x === null || stat.mean === null) return val;
  return { line: [{ x, y: stat.mean }], band: [[x, stat.min!, stat.max!]], epochs: [epoch] };
}

/** Per-step training loss averaged per x bin within each run, then mean/min/max across runs. */
function binnedTrain(runs: readonly RunInView[], axis: XAxis, bins: number): { line: Point[]; band: [number, number, number][] } {
  const perRun = runs.map((run) => trainPoints(run, axis).smoothSource.filter((p) => p.y !== null && Number.isFinite(p.y)));
  const xMax = Math.max(0, ...perRun.flatMap((points) => (points.length > 0 ? [points[points.length - 1]!.x] : [])));
  if (xMax <= 0) return { line: [], band: [] };
  const width = xMax / bins;
  const values: number[][] = Array.from({ length: bins }, () => []);
  for (const points of perRun) {
    const sum = new Float64Array(bins);
    const count = new Uint32Array(bins);
    for (const p of points) {
      const b = Math.min(bins - 1, Math.floor(p.x / width));
      sum[b]! += p.y!;
      count[b]! += 1;
    }
    for (let b = 0; b < bins; b++) if (count[b]! > 0) values[b]!.push(sum[b]! / count[b]!);
  }
  const line: Point[] = [];
  const band: [number, number, number][] = [];
  values.forEach((list, b) => {
    const stat = aggregate(list);
    if (stat.mean === null) return;
    const x = (b + 0.5) * width;
    line.push({ x, y: stat.mean });
    band.push([x, stat.min!, stat.max!]);
  });
  return { line, band };
}

function downsampleBand(band: [number, number, number][], budget: number): [number, number, number][] {
  const step = Math.max(1, band.length / budget);
  const out: [number, number, number][] = [];
  for (let i = 0; i < band.length && out.length < budget; i = Math.floor((out.length + 1) * step)) {
    const [x, min, max] = band[i]!;
    out.push([compact(x), compact(min), compact(max)]);
  }
  return out;
}

function groupSeries(
  group: StrategyGroup,
  runs: readonly RunInView[],
  options: CompareOptions,
  markers: CompareResponse['markers'],
): CompareSeries[] {
  const color = runs[0]?.row.strategy.color ?? '#7a8190';
  const base = { strategyKey: group.strategyKey, runId: null, color };
  const withBand = runs.length > 1;
  const train =
    options.x === 'epoch'
      ? aggregateSeries(group.series, 'train', runs, options.x)
      : binnedTrain(runs, options.x, Math.max(4, Math.min(options.points, 1000)));
  const val = withFinalOnly(aggregateSeries(group.series, 'validation', runs, options.x), runs, options.x);
  const n = `n=${group.n}`;
  const out: CompareSeries[] = [
    {
      id: `train-${group.strategyKey}`,
      kind: 'train',
      label: `${group.label} train (mean, ${n})`,
      ...base,
      ...chartSeries(train.line, options.points, options.smooth),
      band: withBand ? downsampleBand(train.band, options.points) : null,
    },
    {
      id: `val-${group.strategyKey}`,
      kind: 'val',
      label: `${group.label} validation (mean, ${n})`,
      ...base,
      ...chartSeries(val.line, options.points, options.smooth),
      band: withBand ? downsampleBand(val.band, options.points) : null,
    },
  ];
  // Best: the lowest point of the mean validation curve. Overfitting: the median start over the runs.
  let best = -1;
  val.line.forEach((p, i) => {
    if (p.y !== null && Number.isFinite(p.y) && (best < 0 || p.y < val.line[best]!.y!)) best = i;
  });
  if (best >= 0) {
    const p = val.line[best]!;
    markers.push({
      kind: 'best',
      strategyKey: group.strategyKey,
      runId: null,
      epoch: val.epochs[best]!,
      x: p.x,
      y: p.y!,
      label: `${group.label}: mean validation lowest (${p.y!.toFixed(4)}) at epoch ${val.epochs[best]}`,
    });
  }
  const starts = runs
    .map((r) => r.row.verdict.overfitStartEpoch)
    .filter((e): e is number => e !== null)
    .sort((a, b) => a - b);
  if (starts.length > 0) {
    const epoch = starts[Math.floor((starts.length - 1) / 2)]!;
    const i = val.epochs.indexOf(epoch);
    const p = i >= 0 ? val.line[i] : undefined;
    if (p && p.y !== null)
      markers.push({
        kind: 'overfit',
        strategyKey: group.strategyKey,
        runId: null,
        epoch,
        x: p.x,
        y: p.y,
        label: `${group.label}: overfitting began at epoch ${epoch} (median of ${starts.length} run${starts.length > 1 ? 's' : ''})`,
      });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function mean(values: readonly (number | null | undefined)[]): number | null {
  return aggregate(values).mean;
}

function summaryOf(group: StrategyGroup, runs: readonly RunInView[]): CompareSummary {
  const val = aggregateSeries(group.series, 'validation', runs, 'epoch');
  let bestEpoch: number | null = null;
  let bestValue = Infinity;
  val.line.forEach((p, i) => {
    if (p.y !== null && p.y < bestValue) {
      bestValue = p.y;
      bestEpoch = val.epochs[i] ?? null;
    }
  });
  const finalVals = runs.map((r) => {
    const fin = finalValidation(r.analysis);
    if (fin !== null) return fin.loss;
    const trend = validationTrend(r.analysis);
    return trend[trend.length - 1]?.loss ?? null;
  });
  const s = group.summary;
  return {
    strategyKey: group.strategyKey,
    label: group.label,
    color: runs[0]?.row.strategy.color ?? '#7a8190',
    trainableLayers: group.identity.trainableLayers,
    n: group.n,
    notApplied: group.notAppliedRuns,
    bestVal: {
      mean: finiteOrNull(s.bestValidation.mean),
      min: finiteOrNull(s.bestValidation.min),
      max: finiteOrNull(s.bestValidation.max),
      count: s.bestValidation.count,
    },
    bestValEpoch: bestEpoch,
    finalTrain: finiteOrNull(mean(runs.map((r) => r.row.lastTrainLoss))),
    finalVal: finiteOrNull(mean(finalVals)),
    gap: finiteOrNull(s.finalGap.mean),
    verdicts: { ...s.verdictCounts },
    overfittingShare: s.overfittingShare,
    forgetting: { mean: finiteOrNull(s.meanForgetting), count: s.forgettingCount },
  };
}

export async function compareRuns(options: CompareOptions): Promise<CompareResponse> {
  const notes: string[] = [];
  const rows = await selectRuns(options, notes);
  const forgetting = await forgettingByRun(rows.map((r) => r.id));
  const runs = await loadRunsInView(rows, options.x, forgetting);
  const byId = new Map(runs.map((r) => [r.row.id, r]));
  const groups = groupRuns(runs.map((r) => r.analysis));
  const markers: CompareResponse['markers'] = [];
  const series: CompareSeries[] = [];
  const summary: CompareSummary[] = [];
  for (const group of groups) {
    const members = group.runIds.map((id) => byId.get(id as number)).filter((r): r is RunInView => r !== undefined);
    summary.push(summaryOf(group, members));
    if (options.mode === 'group') series.push(...groupSeries(group, members, options, markers));
  }
  if (options.mode === 'runs') {
    // Runs in strategy order, so colours and the legend read from fewer to more trainable layers.
    const ordered = groups.flatMap((g) => g.runIds.map((id) => byId.get(id as number)).filter((r): r is RunInView => r !== undefined));
    series.push(...perRunSeries(ordered, options, markers));
  }
  if (options.x === 'time') {
    const untimed = runs.filter((r) => r.timing.epochEnd.size === 0).map((r) => `#${r.row.id}`);
    if (untimed.length > 0)
      notes.push(`no wall-time axis for ${untimed.join(', ')}: the log has neither tqdm elapsed times nor epoch durations`);
  }
  return {
    query: { mode: options.mode, x: options.x, smooth: options.smooth, log: options.log, points: options.points },
    runs: rows.map((row) => ({
      id: row.id,
      taskId: row.taskId,
      taskName: row.taskName,
      status: row.status,
      strategyKey: row.strategy.key,
      strategyLabel: row.strategy.label,
      color: row.strategy.color,
      verdict: row.verdict.status,
    })),
    strategies: groups.map((g) => ({
      key: g.strategyKey,
      label: g.label,
      color: byId.get(g.runIds[0] as number)?.row.strategy.color ?? '#7a8190',
      trainableLayers: g.identity.trainableLayers,
      runIds: g.runIds as number[],
    })),
    series,
    markers,
    summary,
    notes,
  };
}
