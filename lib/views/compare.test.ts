import { describe, expect, it } from 'vitest';
import type { RunRow } from '../api/schemas/runs';
import type { StrategyInput } from '../analysis';
import { runTiming } from './axes';
import { buildCompareView, type CompareRun, type CompareViewOptions } from './compare';
import { strategyView, verdictView } from './strategy-view';

const unfreezeLast = (n: number): StrategyInput => ({
  kind: 'unfreeze',
  spec: null,
  totalLayers: 12,
  frozen: Array.from({ length: 12 - n }, (_, i) => i),
  unfrozen: Array.from({ length: n }, (_, i) => 12 - n + i),
  applied: true,
});

/** A run validating every `every` epochs for `epochs` epochs, losses offset by `offset`. */
function run(id: number, taskId: number, layers: number, epochs: number, every: number, offset: number, datasetFrames = 1000): CompareRun {
  const epochRows = Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, trainLoss: 1 / (i + 1) + offset, durationMinutes: 1 }));
  const validations = epochRows
    .filter((e) => e.epoch % every === 0)
    .map((e) => ({ epoch: e.epoch, final: false, taskId, loss: 2 / e.epoch + offset }));
  const strategy = unfreezeLast(layers);
  const row = {
    id,
    taskId,
    taskName: `task${taskId}`,
    datasetFrames,
    stepsPerEpoch: 10,
    strategy: strategyView(strategy),
    lastTrainLoss: epochRows.at(-1)?.trainLoss ?? null,
    bestVal: null,
    verdict: verdictView({
      verdict: 'ok',
      reason: '',
      bestEpoch: null,
      overfitStartEpoch: null,
      gapAtEnd: null,
      caveat: null,
    } as unknown as Parameters<typeof verdictView>[0]),
  } as unknown as RunRow;
  return {
    row,
    epochs: epochRows,
    summary: undefined,
    timing: runTiming(10, epochRows, undefined),
    analysis: { id, taskId, strategy, epochs: epochRows, validations },
  };
}

const options: CompareViewOptions = { mode: 'group', x: 'epoch', smooth: 0, points: 1000, pool: false };

describe('buildCompareView', () => {
  // Task 1 · unfreeze 4: every epoch × 20, every 2nd epoch × 16, every epoch × 8. Task 2 · unfreeze 4: one run.
  const runs = [run(1, 1, 4, 20, 1, 0), run(2, 1, 4, 16, 2, 0.3), run(3, 1, 4, 8, 1, -0.1), run(4, 2, 4, 10, 1, 0.5)];
  const view = buildCompareView(runs, options);

  it('groups by task × strategy: one mean per task, naming its task and members', () => {
    expect(view.facets.map((f) => f.key)).toEqual(['task1|frames1000', 'task2|frames1000']);
    const val = view.series.filter((s) => s.kind === 'val');
    expect(val.map((s) => [s.id, s.taskId, s.runIds])).toEqual([
      ['val-12:8-11@task1|frames1000', 1, [1, 2, 3]],
      ['val-12:8-11@task2|frames1000', 2, [4]],
    ]);
    expect(view.summary.map((s) => [s.taskId, s.n])).toEqual([
      [1, 3],
      [2, 1],
    ]);
    expect(view.notes).toEqual([]);
  });

  it('validation mean at every epoch = the mean of the members interpolated there; n as covered', () => {
    const val = view.series.find((s) => s.kind === 'val' && s.taskId === 1)!;
    const interpolated = (r: number, e: number): number | null => {
      const every = r === 2 ? 2 : 1;
      const last = r === 1 ? 20 : r === 2 ? 16 : 8;
      const offset = r === 1 ? 0 : r === 2 ? 0.3 : -0.1;
      if (e < every || e > last) return null;
      const lo = Math.floor(e / every) * every;
      const hi = lo === e ? e : lo + every;
      const at = (k: number) => 2 / k + offset;
      return lo === hi ? at(lo) : at(lo) + ((at(hi) - at(lo)) * (e - lo)) / (hi - lo);
    };
    expect(val.points.map(([x]) => x)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    val.points.forEach(([x, mean], i) => {
      const values = [1, 2, 3].map((r) => interpolated(r, x)).filter((v): v is number => v !== null);
      expect(val.band![i]).toEqual([x, expect.any(Number), expect.any(Number), values.length]);
      expect(mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 5);
    });
    expect(val.label).toBe('unfreeze 4/12 · L8–L11 · task 1 · task1 validation (mean, n=1–3)');
  });

  it('pooled on request, and then says so', () => {
    const pooled = buildCompareView(runs, { ...options, pool: true });
    expect(pooled.facets.map((f) => f.key)).toEqual(['all']);
    expect(pooled.series.filter((s) => s.kind === 'val').map((s) => [s.id, s.taskId, s.runIds])).toEqual([
      ['val-12:8-11', null, [1, 2, 3, 4]],
    ]);
    expect(pooled.notes).toEqual([expect.stringMatching(/^Pooled: each strategy's mean mixes tasks 1, 2/)]);
    // The page finds the warning by this field, not by the text's prefix.
    expect(pooled.poolingNote).toBe(pooled.notes[0]);
    expect(buildCompareView(runs, options).poolingNote).toBeNull();
  });
});

describe('buildCompareView: group curves are computed once per exact input', () => {
  // Runs with ids of their own, so no other test's cached groups are reused here.
  const fresh = () => [run(101, 1, 4, 20, 1, 0), run(102, 1, 4, 16, 2, 0.3), run(103, 1, 4, 12, 1, 0.2)];
  const groupVal = (view: ReturnType<typeof buildCompareView>) => view.series.find((s) => s.kind === 'val' && s.runId === null)!;

  it('a repeated request answers what a first computation does', () => {
    const first = buildCompareView(fresh(), options);
    const again = buildCompareView(fresh(), options);
    expect(again.series).toEqual(first.series);
    expect(again.markers).toEqual(first.markers);
  });

  it('a changed validation loss, train loss or option changes the curves (never a stale hit)', () => {
    const before = groupVal(buildCompareView(fresh(), options));
    const changedVal = fresh();
    changedVal[1]!.analysis.validations[0]!.loss! += 1;
    const afterVal = groupVal(buildCompareView(changedVal, options));
    expect(afterVal.points).not.toEqual(before.points);

    const trainOf = (runs: CompareRun[]) => buildCompareView(runs, options).series.find((s) => s.kind === 'train' && s.runId === null)!;
    const changedTrain = fresh();
    (changedTrain[0]!.epochs as { epoch: number; trainLoss: number | null }[])[3]!.trainLoss = 9;
    expect(trainOf(changedTrain).points).not.toEqual(trainOf(fresh()).points);

    const smoothed = groupVal(buildCompareView(fresh(), { ...options, smooth: 0.6 }));
    expect(smoothed.smoothed).not.toBeNull();
    expect(before.smoothed).toBeNull();
    // And back: the first input again gives the first answer.
    expect(groupVal(buildCompareView(fresh(), options)).points).toEqual(before.points);
  });
});

describe('buildCompareView: every facet on an axis its runs have', () => {
  /** A LeRobot-like run: no task, a dataset, steps 100…1,000 and no epochs. */
  function stepRun(id: number, dataset: string, steps: number): CompareRun {
    const base = run(id, 1, 4, 0, 1, 0);
    const buckets = Array.from({ length: steps / 100 }, (_, i) => ({
      epoch: null,
      first: i * 100 + 1,
      last: (i + 1) * 100,
      count: 100,
      sum: 100 / (i + 1),
      min: 0.5 / (i + 1),
      max: 1.5 / (i + 1),
      nonFinite: false,
      lr: null,
      elapsed: null,
    }));
    const summary = { runId: id, width: 100, lastStep: steps, buckets };
    const row = {
      ...base.row,
      taskId: null,
      taskName: null,
      dataset,
      format: 'lerobot',
      lastStep: steps,
      totalSteps: steps,
      stepsPerEpoch: null,
    };
    return { ...base, row: row, summary, timing: runTiming(null, [], summary), analysis: { ...base.analysis, taskId: null } };
  }
  /** A run known only from checkpoint folders: a last step, no point. */
  const checkpointsOnly = (id: number): CompareRun => {
    const base = stepRun(id, 'kuavo/grasp', 100);
    return {
      ...base,
      summary: undefined,
      row: { ...base.row, lastStep: 20000, totalSteps: 20000 },
      timing: runTiming(null, [], undefined),
    };
  };
  const runs = [run(201, 1, 4, 10, 1, 0), stepRun(202, 'lerobot/pusht', 1000), stepRun(203, 'lerobot/pusht', 500), checkpointsOnly(204)];

  it.each(['group', 'runs'] as const)('%s mode: epochs by epoch, step-only runs by step, a run without points says why', (mode) => {
    const view = buildCompareView(runs, { ...options, mode });
    expect(view.facets.map((f) => [f.label, f.x, f.note])).toEqual([
      ['task 1 · task1', 'epoch', null],
      ['kuavo/grasp', null, 'No chart: #204: known only from checkpoint folders (step 20,000 of 20,000), no loss logged.'],
      ['lerobot/pusht', 'step', 'By step (no epochs logged).'],
    ]);
    const pusht = view.facets[2]!.key;
    const train = view.series.filter((s) => s.facet === pusht && s.kind === 'train');
    expect(train.length).toBeGreaterThan(0);
    // on the step axis: the xs are steps
    expect(Math.max(...train.flatMap((s) => s.points.map(([x]) => x)))).toBe(1000);
    expect(view.series.some((s) => s.facet === view.facets[1]!.key)).toBe(false);
    // the summary still has every group, the charted and the uncharted
    expect(view.summary.map((s) => s.runIds)).toEqual(expect.arrayContaining([[201], [204]]));
  });

  it('asked by step, every facet with steps stays on it', () => {
    const view = buildCompareView(runs, { ...options, x: 'step' });
    expect(view.facets.map((f) => f.x)).toEqual(['step', null, 'step']);
    expect(view.facets.map((f) => f.note)).toEqual([null, expect.stringMatching(/^No chart: #204/), null]);
  });
});
