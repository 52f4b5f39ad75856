// The compare page's curves, markers and summary from the runs' data (pure; lib/queries/compare.ts
// reads the data).
//
// What is drawn (TensorBoard/W&B conventions): training loss solid, validation dashed, one colour per
// strategy (strategy-colors.ts), one small multiple per task × dataset size (facets.ts). On the epoch axis the
// training curve is the trainer's epoch average; on the step and wall-time axes it is the per-step tqdm
// loss (from the step summaries, steps.ts), with the raw line faint under the smoothed one. Validation
// is the run's OWN task, per epoch, at the end of its epoch. In group mode a strategy's line is the
// mean over the runs covering each x, each run first interpolated between its own points, and the
// band their min–max with n (aggregate.ts).
import {
  aggregate,
  compareStrategies,
  finalValidation,
  groupRuns,
  validationTrend,
  type AnalysisRun,
  type Point,
  type StrategyGroup,
} from '../analysis';
import { freezePayload } from '../api/payload';
import type { ChartPoint } from '../api/schemas/common';
import type { CompareQuery, CompareResponse, CompareSeries, CompareSummary } from '../api/schemas/compare';
import type { RunRow } from '../api/schemas/runs';
import { aggregateChart, alignAggregate, nLabel, type AlignedPoint } from './aggregate';
import { scalarGroupSeries, scalarRunSeries, type ScalarCurve } from './compare-scalars';
import { epochEndX, type RunTiming, type XAxis } from './axes';
import { byX, chartSeries, stepChartSeries, stepMeanPoints, stepRawPoints, timingKey } from './chart';
import { sharedCache } from '../cache';
import { facetAxis, noLossReason, scalarFacetAxis, type RunAxes } from './facet-axis';
import { facetKey, facetRuns, poolingNote, type Facet } from './facets';
import type { RunStepBuckets } from './steps';
import { UNKNOWN_STRATEGY_COLOR } from './strategy-colors';
import { finiteOrNull } from './strategy-view';

export interface CompareRun {
  row: RunRow;
  epochs: readonly { epoch: number; trainLoss: number | null }[];
  summary: RunStepBuckets | undefined;
  timing: RunTiming;
  analysis: AnalysisRun;
  /** With a scalar tag in view: the run's curve of it on the view's axis (null: none there). */
  scalar?: ScalarCurve | null;
}

export type CompareViewOptions = Pick<CompareQuery, 'mode' | 'x' | 'smooth' | 'points' | 'pool'> & {
  /** A TensorBoard scalar tag drawn instead of the losses (./compare-scalars.ts). */
  scalarTag?: { dir: string; tag: string } | null;
};

type Markers = CompareResponse['markers'];

// ---------------------------------------------------------------------------------------------
// One run's curves

function trainPoints(run: CompareRun, axis: XAxis): { raw: Point[]; smoothSource: Point[] } {
  if (axis !== 'epoch' && run.summary && run.summary.buckets.length > 0) {
    return { raw: stepRawPoints(run.summary, axis, run.timing), smoothSource: stepMeanPoints(run.summary, axis, run.timing) };
  }
  const raw: Point[] = [];
  for (const e of run.epochs) {
    if (e.trainLoss === null) continue;
    const x = epochEndX(e.epoch, axis, run.timing);
    if (x !== null) raw.push({ x, y: e.trainLoss });
  }
  return { raw: byX(raw), smoothSource: raw };
}

function trainSeries(run: CompareRun, options: CompareViewOptions): { points: ChartPoint[]; smoothed: ChartPoint[] | null } {
  if (options.x !== 'epoch' && run.summary && run.summary.buckets.length > 0) {
    return stepChartSeries(run.summary, options.x, run.timing, options.points, options.smooth);
  }
  const train = trainPoints(run, options.x);
  return chartSeries(train.raw, options.points, options.smooth, train.smoothSource);
}

/** Own-task per-epoch validations (a run with only a final validation shows its final value). */
function validationPoints(run: CompareRun, axis: XAxis): { epoch: number; point: Point }[] {
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

function perRunSeries(
  runs: readonly CompareRun[],
  viewOptions: CompareViewOptions,
  axisOf: (facet: string) => XAxis | null,
  markers: Markers,
): CompareSeries[] {
  const out: CompareSeries[] = [];
  for (const run of runs) {
    const { row } = run;
    const facet = facetKey(row, viewOptions.pool);
    const x = axisOf(facet);
    if (x === null) continue; // nothing to draw on any axis: the facet says why
    const options = { ...viewOptions, x };
    const base = {
      strategyKey: row.strategy.key,
      runId: row.id,
      facet,
      groupKey: null,
      taskId: row.taskId,
      runIds: [row.id],
      color: row.strategy.color,
      band: null,
    };
    const { points, smoothed } = trainSeries(run, options);
    out.push({ id: `train-run${row.id}`, kind: 'train', label: `${runLabel(row)} train`, ...base, points, smoothed });
    const val = validationPoints(run, options.x);
    const valSeries = chartSeries(
      val.map((v) => v.point),
      options.points,
      options.smooth,
    );
    out.push({
      id: `val-run${row.id}`,
      kind: 'val',
      label: `${runLabel(row)} validation`,
      ...base,
      points: valSeries.points,
      smoothed: valSeries.smoothed,
    });
    const at = (epoch: number | null) => (epoch === null ? undefined : val.find((v) => v.epoch === epoch));
    const best = row.bestVal
      ? { epoch: row.bestVal.epoch, x: epochEndX(row.bestVal.epoch, options.x, run.timing), y: row.bestVal.loss }
      : null;
    if (best && best.x !== null)
      markers.push({
        kind: 'best',
        facet,
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
        facet,
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
// A group's curves: aligned mean line + min–max band with n (aggregate.ts)

/** A member's validation curve: its per-epoch trend, or its final value alone when it has no trend. */
function memberValidation(run: CompareRun, axis: XAxis): { loss: Point[]; epoch: Point[] } {
  const val = validationPoints(run, axis);
  return { loss: val.map((v) => v.point), epoch: val.map((v) => ({ x: v.point.x, y: v.epoch })) };
}

/** A member's training curve on the axis (epoch averages, or per-step bucket means on step/time). */
function memberTrain(run: CompareRun, axis: XAxis): Point[] {
  return trainPoints(run, axis).smoothSource;
}

export interface GroupCurves {
  train: AlignedPoint[];
  val: AlignedPoint[];
  /** Mean epoch behind each validation point (for markers on the step and time axes). */
  valEpoch: AlignedPoint[];
}

/** The aligned curves of a group on the axis; `maxGrid` bounds the grid of per-step curves. */
export function groupCurves(members: readonly CompareRun[], axis: XAxis, maxGrid: number): GroupCurves {
  const val = members.map((run) => memberValidation(run, axis));
  const valAgg = alignAggregate(val.map((v) => v.loss));
  return {
    train: alignAggregate(
      members.map((run) => memberTrain(run, axis)),
      { maxGrid },
    ),
    val: valAgg,
    valEpoch: alignAggregate(
      val.map((v) => v.epoch),
      { grid: valAgg.map((p) => p.x) },
    ),
  };
}

interface GroupCharts {
  curves: GroupCurves;
  train: Pick<CompareSeries, 'points' | 'smoothed' | 'band'>;
  val: Pick<CompareSeries, 'points' | 'smoothed' | 'band'>;
}

/**
 * A group's aligned curves and chart payloads, computed once per distinct input: the cache key is the
 * exact input (groupInputsKey below), so a hit returns what computing would. Exploring a compare view asks
 * for the same groups again and again (toggling facets, live refreshes of unchanged runs), and
 * aligning 50 runs × 2,000 bucket means is most of a request's time. Bounded by points held.
 */
const groupChartCache = sharedCache<GroupCharts>('compare-group-charts', 400_000);

function groupCharts(members: readonly CompareRun[], options: CompareViewOptions): GroupCharts {
  const key = groupInputsKey(members, options);
  const id = hashString(key);
  const cached = groupChartCache.get(id, key);
  if (cached) return cached;
  const curves = groupCurves(members, options.x, 2 * options.points);
  const value: GroupCharts = {
    curves,
    train: frozenChart(aggregateChart(curves.train, options.points, options.smooth)),
    val: frozenChart(aggregateChart(curves.val, options.points, options.smooth)),
  };
  groupChartCache.set(id, key, value, curves.train.length + curves.val.length + curves.valEpoch.length + 1);
  return value;
}

/** A cached chart payload, frozen: every response that carries it shares its schema check and JSON. */
function frozenChart(chart: Pick<CompareSeries, 'points' | 'smoothed' | 'band'>): Pick<CompareSeries, 'points' | 'smoothed' | 'band'> {
  return { points: freezePayload(chart.points), smoothed: freezePayload(chart.smoothed), band: freezePayload(chart.band) };
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

/** A process-unique number for an object (for keys over immutable, memoised objects). */
function objectId(owner: object): number {
  let id = objectIds.get(owner);
  if (id === undefined) objectIds.set(owner, (id = nextObjectId++));
  return id;
}

/** Every x,y of a curve, exactly (String of a double round-trips). */
function pointsKey(points: readonly Point[]): string {
  let out = '';
  for (const p of points) out += `${p.x},${p.y};`;
  return out;
}

/**
 * Everything groupCurves and aggregateChart read, as a string: the options, and per member its
 * validation points and epoch numbers (small: one per epoch) and its training curve — by content on
 * the epoch axis, and on the step and time axes by the identity of its step summary plus what the
 * axis mapping used (trainPoints reads only those: the memoised bucket means of that summary).
 */
function groupInputsKey(members: readonly CompareRun[], options: CompareViewOptions): string {
  let key = `${options.x}|${options.points}|${options.smooth}`;
  for (const run of members) {
    const val = memberValidation(run, options.x);
    key += `|#${run.row.id}v${pointsKey(val.loss)}e${pointsKey(val.epoch)}t`;
    const summary = run.summary;
    key +=
      options.x !== 'epoch' && summary && summary.buckets.length > 0
        ? `s${objectId(summary)}:${timingKey(run.timing)}`
        : pointsKey(memberTrain(run, options.x));
  }
  return key;
}

/**
 * The cache slot of a key: FNV-1a (32 bits) over its length and its first and last 512 characters.
 * Only the slot depends on this; a hit still compares the whole key, so two keys sharing a slot only
 * evict each other.
 */
function hashString(text: string): number {
  let hash = Math.imul(0x811c9dc5 ^ text.length, 0x01000193);
  const head = Math.min(text.length, 512);
  for (let i = 0; i < head; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  for (let i = Math.max(head, text.length - 512); i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function lowestMean(agg: readonly AlignedPoint[]): number {
  let best = -1;
  agg.forEach((p, i) => {
    if (best < 0 || p.mean < agg[best]!.mean) best = i;
  });
  return best;
}

function groupSeries(
  group: StrategyGroup,
  facet: Facet,
  members: readonly CompareRun[],
  id: string,
  options: CompareViewOptions,
  markers: Markers,
): CompareSeries[] {
  const color = members[0]?.row.strategy.color ?? UNKNOWN_STRATEGY_COLOR;
  const runIds = group.runIds as number[];
  const base = {
    strategyKey: group.strategyKey,
    runId: null,
    facet: facet.key,
    groupKey: `${group.strategyKey}@${facet.key}`,
    taskId: facet.taskId,
    runIds,
    color,
  };
  const { curves, train, val } = groupCharts(members, options);
  const where = options.pool ? '' : ` · ${facet.label}`;
  const out: CompareSeries[] = [
    { id: `train-${id}`, kind: 'train', label: `${group.label}${where} train (mean, ${nLabel(curves.train)})`, ...base, ...train },
    { id: `val-${id}`, kind: 'val', label: `${group.label}${where} validation (mean, ${nLabel(curves.val)})`, ...base, ...val },
  ];
  // Best: the lowest point of the mean validation curve. Overfitting: the median start over the runs.
  const epochAt = (i: number) => (options.x === 'epoch' ? curves.val[i]!.x : Math.round(curves.valEpoch[i]?.mean ?? NaN));
  const best = lowestMean(curves.val);
  if (best >= 0 && Number.isFinite(epochAt(best))) {
    const p = curves.val[best]!;
    markers.push({
      kind: 'best',
      facet: facet.key,
      strategyKey: group.strategyKey,
      runId: null,
      epoch: epochAt(best),
      x: p.x,
      y: p.mean,
      label: `${group.label}${where}: mean validation lowest (${p.mean.toFixed(4)}, n=${p.n}) at epoch ${epochAt(best)}`,
    });
  }
  const starts = members
    .map((r) => r.row.verdict.overfitStartEpoch)
    .filter((e): e is number => e !== null)
    .sort((a, b) => a - b);
  if (starts.length > 0) {
    const epoch = starts[Math.floor((starts.length - 1) / 2)]!;
    const i =
      options.x === 'epoch' ? curves.val.findIndex((p) => p.x === epoch) : curves.valEpoch.findIndex((p) => Math.round(p.mean) >= epoch);
    const p = i >= 0 ? curves.val[i] : undefined;
    if (p)
      markers.push({
        kind: 'overfit',
        facet: facet.key,
        strategyKey: group.strategyKey,
        runId: null,
        epoch,
        x: p.x,
        y: p.mean,
        label: `${group.label}${where}: overfitting began at epoch ${epoch} (median of ${starts.length} run${starts.length > 1 ? 's' : ''})`,
      });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function summaryOf(group: StrategyGroup, facet: Facet, members: readonly CompareRun[]): CompareSummary {
  // The best epoch of the mean curve on the epoch axis (aligned as on the chart).
  const val = alignAggregate(members.map((r) => memberValidation(r, 'epoch').loss));
  const best = lowestMean(val);
  const finalVals = members.map((r) => {
    const fin = finalValidation(r.analysis);
    if (fin !== null) return fin.loss;
    const trend = validationTrend(r.analysis);
    return trend[trend.length - 1]?.loss ?? null;
  });
  const s = group.summary;
  return {
    groupKey: `${group.strategyKey}@${facet.key}`,
    facet: facet.key,
    taskId: facet.taskId,
    taskName: facet.taskName,
    datasetFrames: facet.datasetFrames,
    dataset: facet.dataset,
    runIds: group.runIds as number[],
    strategyKey: group.strategyKey,
    label: group.label,
    color: members[0]?.row.strategy.color ?? UNKNOWN_STRATEGY_COLOR,
    trainableLayers: group.identity.trainableLayers,
    n: group.n,
    notApplied: group.notAppliedRuns,
    bestVal: {
      mean: finiteOrNull(s.bestValidation.mean),
      min: finiteOrNull(s.bestValidation.min),
      max: finiteOrNull(s.bestValidation.max),
      count: s.bestValidation.count,
    },
    bestValEpoch: best >= 0 ? val[best]!.x : null,
    finalTrain: finiteOrNull(aggregate(members.map((r) => r.row.lastTrainLoss)).mean),
    finalVal: finiteOrNull(aggregate(finalVals).mean),
    gap: finiteOrNull(s.finalGap.mean),
    verdicts: { ...s.verdictCounts },
    overfittingShare: s.overfittingShare,
    forgetting: { mean: finiteOrNull(s.meanForgetting), count: s.forgettingCount },
  };
}

export type CompareView = Pick<CompareResponse, 'strategies' | 'facets' | 'series' | 'markers' | 'summary' | 'poolingNote'> & {
  notes: string[];
};

/**
 * What a run can be drawn on (facet-axis.ts): whether it has a training or validation point on each
 * axis, worked out only for the axes its facet asks about.
 */
function runAxes(run: CompareRun): RunAxes {
  const known = new Map<XAxis, boolean>();
  const has = (axis: XAxis) => {
    let value = known.get(axis);
    if (value === undefined) known.set(axis, (value = trainPoints(run, axis).raw.length > 0 || validationPoints(run, axis).length > 0));
    return value;
  };
  return {
    id: run.row.id,
    get epoch() {
      return has('epoch');
    },
    get step() {
      return has('step');
    },
    get time() {
      return has('time');
    },
    noLoss: noLossReason(run.row),
  };
}

/** Curves, markers, summary rows and facets of the runs in view (the module's rules). */
export function buildCompareView(runs: readonly CompareRun[], options: CompareViewOptions): CompareView {
  const notes: string[] = [];
  const rows = runs.map((r) => r.row);
  const byId = new Map(runs.map((r) => [r.row.id, r]));
  // Each facet on the axis its runs have (the asked one when any has it), with its one line.
  // With a scalar tag in view, every chart is on the page's axis (the tag's curves were read on it, and
  // the runs without it there are named in the page's notes); a facet where no run has it says so.
  const scalar = options.scalarTag ?? null;
  const facets = facetRuns(rows, options.pool).map((facet) => ({
    ...facet,
    ...(scalar !== null
      ? scalarFacetAxis(
          options.x,
          scalar,
          facet.runIds.some((id) => byId.get(id)?.scalar),
        )
      : facetAxis(
          options.x,
          facet.runIds.flatMap((id) => {
            const run = byId.get(id);
            return run ? [runAxes(run)] : [];
          }),
        )),
  }));
  const axisOf = new Map(facets.map((f) => [f.key, f.x]));
  // Groups: strategy within facet, ordered strategy-major (legend order), then by facet.
  const grouped: { group: StrategyGroup; facet: Facet; facetIndex: number; members: CompareRun[] }[] = [];
  facets.forEach((facet, facetIndex) => {
    const members = facet.runIds.map((id) => byId.get(id)).filter((r): r is CompareRun => r !== undefined);
    for (const group of groupRuns(members.map((r) => r.analysis))) {
      const groupMembers = group.runIds.map((id) => byId.get(id as number)).filter((r): r is CompareRun => r !== undefined);
      grouped.push({ group, facet, facetIndex, members: groupMembers });
    }
  });
  grouped.sort((a, b) => compareStrategies(a.group.identity, b.group.identity) || a.facetIndex - b.facetIndex);

  // Series ids stay `train-<strategy>` while a strategy has one group; `…@<facet>` when it has several.
  const perStrategy = new Map<string, number>();
  for (const g of grouped) perStrategy.set(g.group.strategyKey, (perStrategy.get(g.group.strategyKey) ?? 0) + 1);

  const markers: Markers = [];
  const series: CompareSeries[] = [];
  const summary: CompareSummary[] = [];
  for (const { group, facet, members } of grouped) {
    summary.push(summaryOf(group, facet, members));
    const x = axisOf.get(facet.key) ?? null;
    if (options.mode === 'group' && x !== null) {
      const id = (perStrategy.get(group.strategyKey) ?? 0) > 1 ? `${group.strategyKey}@${facet.key}` : group.strategyKey;
      if (scalar === null) series.push(...groupSeries(group, facet, members, id, { ...options, x }, markers));
      else {
        // Only the members that have the tag on this axis make the mean (and its n).
        const having = members.filter((r) => r.scalar);
        const where = options.pool ? '' : ` · ${facet.label}`;
        const s = scalarGroupSeries(
          {
            strategyKey: group.strategyKey,
            runId: null,
            facet: facet.key,
            groupKey: `${group.strategyKey}@${facet.key}`,
            taskId: facet.taskId,
            runIds: having.map((r) => r.row.id),
            color: members[0]?.row.strategy.color ?? UNKNOWN_STRATEGY_COLOR,
          },
          `scalar-${id}`,
          `${group.label}${where} ${scalar.tag}`,
          having.map((r) => r.scalar!),
          options,
        );
        if (s) series.push(s);
      }
    }
  }
  if (options.mode === 'runs' && scalar !== null) {
    for (const run of grouped.flatMap((g) => g.members)) {
      if (!run.scalar) continue;
      const { row } = run;
      series.push(
        scalarRunSeries(
          {
            strategyKey: row.strategy.key,
            runId: row.id,
            facet: facetKey(row, options.pool),
            groupKey: null,
            taskId: row.taskId,
            runIds: [row.id],
            color: row.strategy.color,
          },
          `scalar-run${row.id}`,
          `${runLabel(row)} ${scalar.tag}`,
          run.scalar,
          options,
        ),
      );
    }
  } else if (options.mode === 'runs') {
    // Runs in strategy order, so the legend reads from fewer to more trainable layers.
    series.push(
      ...perRunSeries(
        grouped.flatMap((g) => g.members),
        options,
        (facet) => axisOf.get(facet) ?? null,
        markers,
      ),
    );
  }
  const pooling = options.pool ? poolingNote(rows) : null;
  if (pooling) notes.push(pooling);

  // The legend: one colour per strategy over all facets.
  const strategies = new Map<string, CompareResponse['strategies'][number]>();
  for (const { group, members } of grouped) {
    const known = strategies.get(group.strategyKey);
    if (known) known.runIds.push(...(group.runIds as number[]));
    else
      strategies.set(group.strategyKey, {
        key: group.strategyKey,
        label: group.label,
        color: members[0]?.row.strategy.color ?? UNKNOWN_STRATEGY_COLOR,
        trainableLayers: group.identity.trainableLayers,
        runIds: [...(group.runIds as number[])],
      });
  }
  return { strategies: [...strategies.values()], facets, series, markers, summary, notes, poolingNote: pooling };
}
