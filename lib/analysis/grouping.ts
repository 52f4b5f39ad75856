/**
 * Grouping runs by strategy and summarising each group.
 *
 * Groups: runs with the same strategy key (strategy.ts — the resolved unfrozen-layer set, so
 * equivalent specs share a group; runs without a banner or with a strategy that was not applied are
 * "default (unknown)"), optionally split per task (`perTask`). Groups are ordered like the strategies
 * (trainable layers ascending, unknown last), then by task id (null last).
 *
 * A group's curves (mean line and min–max band, each run interpolated on one grid first) are drawn by
 * lib/views/aggregate.ts; `aggregate` here is the mean / min / max / count of finite values that every
 * summary uses (non-finite values and missing ones are left out, never counted as zero).
 *
 * Per-group summary:
 * - bestValidation: mean / min / max / count of each run's best validation (validation.ts:
 *   minimum finite own-task validation over per-epoch and final records);
 * - finalGap: mean / count of each run's `gapAtEnd` from overfittingVerdict (val/train at the end);
 * - overfitting share = runs whose verdict is `overfitting` / all runs in the group (0..1), plus
 *   the count of every verdict;
 * - meanForgetting: mean of the runs' finite `forgetting` values (supplied by the caller, e.g. the
 *   chain's `meanForgetting` from forgetting.ts), with its count;
 * - notAppliedRuns: runs whose requested strategy was not applied (all in the default group).
 */
import { overfittingVerdict, type OverfittingOptions, type OverfittingVerdict } from './overfitting';
import { compareStrategies, strategyIdentity, type StrategyIdentity } from './strategy';
import type { AnalysisRun, RunId } from './types';
import { bestValidation, isFiniteLoss, ownTaskId } from './validation';

export interface StatSummary {
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Number of finite values aggregated. */
  count: number;
}

export interface GroupSummary {
  bestValidation: StatSummary;
  finalGap: StatSummary;
  /** Share of the group's runs whose verdict is `overfitting` (0..1). */
  overfittingShare: number;
  verdictCounts: Record<OverfittingVerdict, number>;
  meanForgetting: number | null;
  forgettingCount: number;
}

export interface StrategyGroup {
  /** Strategy key, plus `|task<N>` when grouped per task. */
  groupKey: string;
  strategyKey: string;
  label: string;
  /** The task of the group when `perTask`, else null. */
  taskId: number | null;
  identity: StrategyIdentity;
  runIds: RunId[];
  n: number;
  notAppliedRuns: number;
  summary: GroupSummary;
}

export interface GroupingOptions {
  perTask?: boolean;
  overfitting?: Partial<OverfittingOptions>;
}

/** mean/min/max/count over the finite values. */
export function aggregate(values: Iterable<number | null | undefined>): StatSummary {
  let sum = 0;
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!isFiniteLoss(v)) continue;
    sum += v;
    count += 1;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return count === 0 ? { mean: null, min: null, max: null, count: 0 } : { mean: sum / count, min, max, count };
}

const NO_VERDICTS: Record<OverfittingVerdict, number> = {
  overfitting: 0,
  watch: 0,
  diverged: 0,
  ok: 0,
  insufficient: 0,
};

/** Group runs by strategy (optionally per task) and aggregate them (module rule). */
export function groupRuns(runs: readonly AnalysisRun[], options: GroupingOptions = {}): StrategyGroup[] {
  const buckets = new Map<string, { identity: StrategyIdentity; taskId: number | null; runs: AnalysisRun[] }>();
  for (const run of runs) {
    const own = strategyIdentity(run.strategy);
    // the default group is described neutrally (its members may have requested different things)
    const identity = own.known ? own : strategyIdentity(null);
    const taskId = options.perTask ? ownTaskId(run) : null;
    const groupKey = options.perTask ? `${identity.key}|task${taskId ?? '?'}` : identity.key;
    const bucket = buckets.get(groupKey);
    if (bucket === undefined) buckets.set(groupKey, { identity, taskId, runs: [run] });
    else bucket.runs.push(run);
  }

  const groups: StrategyGroup[] = [];
  for (const [groupKey, { identity, taskId, runs: members }] of buckets) {
    const verdicts = members.map((r) => overfittingVerdict(r, options.overfitting));
    const verdictCounts = { ...NO_VERDICTS };
    for (const v of verdicts) verdictCounts[v.verdict] += 1;
    const forgetting = aggregate(members.map((r) => r.forgetting));
    groups.push({
      groupKey,
      strategyKey: identity.key,
      label: identity.label,
      taskId,
      identity,
      runIds: members.map((r) => r.id),
      n: members.length,
      notAppliedRuns: members.filter((r) => strategyIdentity(r.strategy).notApplied).length,
      summary: {
        bestValidation: aggregate(members.map((r) => bestValidation(r)?.loss)),
        finalGap: aggregate(verdicts.map((v) => v.gapAtEnd)),
        overfittingShare: verdictCounts.overfitting / members.length,
        verdictCounts,
        meanForgetting: forgetting.mean,
        forgettingCount: forgetting.count,
      },
    });
  }
  return groups.sort((a, b) => {
    const c = compareStrategies(a.identity, b.identity);
    if (c !== 0) return c;
    if (a.taskId === b.taskId) return 0;
    if (a.taskId === null) return 1;
    if (b.taskId === null) return -1;
    return a.taskId - b.taskId;
  });
}
