import { describe, expect, it } from 'vitest';
import { aggregate, groupRuns } from './grouping';
import { SAMPLE_NAMES, loadSample } from './test-samples';
import type { AnalysisRun, StrategyInput } from './types';

function strat(kind: string, spec: number[] | number | null, applied = true): StrategyInput {
  return { kind, spec, totalLayers: 12, frozen: [], unfrozen: [], applied };
}

function run(
  id: string,
  taskId: number,
  train: (number | null)[],
  val: (number | null)[],
  strategy: StrategyInput | null,
  forgetting: number | null = null,
): AnalysisRun {
  return {
    id,
    taskId,
    strategy,
    forgetting,
    epochs: train.map((trainLoss, i) => ({ epoch: i + 1, trainLoss })),
    validations: val.map((loss, i) => ({ epoch: i + 1, final: false, taskId, loss })),
  };
}

describe('aggregate', () => {
  it('mean/min/max/count over finite values only', () => {
    const s = aggregate([1, 2, null, Number.NaN, 3, Infinity, undefined]);
    expect(s).toEqual({ mean: 2, min: 1, max: 3, count: 3 });
    expect(aggregate([])).toEqual({ mean: null, min: null, max: null, count: 0 });
  });
});

describe('groupRuns', () => {
  const overfit = [1.0, 0.8, 0.5, 0.55, 0.6, 0.7]; // best 0.5 at epoch 3, then rises
  const falling = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3];
  const improving = [1.1, 0.9, 0.7, 0.6, 0.5, 0.4];
  const runs: AnalysisRun[] = [
    run('a', 1, falling, overfit, strat('unfreeze', [-1, -2, -3, -4, -5, -6, -7, -8, -9]), 0.1),
    run('b', 1, falling, improving, strat('freeze', [0, 1, 2])),
    run('c', 1, falling, improving, strat('last_n', 4), 0.3),
    run('d', 2, falling, improving, null),
    run('e', 2, falling, overfit, strat('last_n', 2, false)),
  ];

  it('groups equivalent strategies, orders by trainable layers, unknown last', () => {
    const groups = groupRuns(runs);
    expect(groups.map((g) => [g.groupKey, g.label, g.runIds])).toEqual([
      ['12:8-11', 'unfreeze 4/12 · L8–L11', ['c']],
      ['12:3-11', 'unfreeze 9/12 · L3–L11', ['a', 'b']],
      ['default', 'default (unknown)', ['d', 'e']],
    ]);
    const nine = groups[1];
    expect(nine?.n).toBe(2);
    expect(nine?.taskId).toBeNull();
    // best validation: a → 0.5, b → 0.4
    expect(nine?.summary.bestValidation.mean).toBeCloseTo(0.45, 12);
    expect(nine?.summary.bestValidation).toMatchObject({ min: 0.4, max: 0.5, count: 2 });
    // final gaps: a → 0.7/0.3, b → 0.4/0.3
    expect(nine?.summary.finalGap.mean).toBeCloseTo((0.7 / 0.3 + 0.4 / 0.3) / 2, 12);
    expect(nine?.summary.overfittingShare).toBe(0.5);
    expect(nine?.summary.verdictCounts).toEqual({ overfitting: 1, watch: 0, diverged: 0, ok: 1, insufficient: 0 });
    expect(nine?.summary.meanForgetting).toBe(0.1);
    expect(nine?.summary.forgettingCount).toBe(1);
    const def = groups[2];
    expect(def?.notAppliedRuns).toBe(1);
    expect(def?.identity.notApplied).toBe(false);
    expect(def?.summary.meanForgetting).toBeNull();
  });

  it('per task', () => {
    const groups = groupRuns([...runs, run('f', 2, falling, improving, strat('ratio', 0.25))], { perTask: true });
    expect(groups.map((g) => g.groupKey)).toEqual(['12:8-11|task1', '12:3-11|task1', '12:3-11|task2', 'default|task2']);
    expect(groups[2]?.taskId).toBe(2);
  });

  it('passes overfitting options through', () => {
    const groups = groupRuns(runs, { overfitting: { patience: 10 } });
    expect(groups[1]?.summary.overfittingShare).toBe(0);
  });

  it('the three samples: one group each, ordered 4 < 6 < 8 trainable layers', () => {
    const sampleRuns: AnalysisRun[] = SAMPLE_NAMES.map((name) => ({ id: name, ...loadSample(name) }));
    const groups = groupRuns(sampleRuns);
    expect(groups.map((g) => g.label)).toEqual(['unfreeze 4/12 · L8–L11', 'unfreeze 6/12 · L6–L11', 'unfreeze 8/12 · L4–L11']);
    const [g4, g6, g8] = groups;
    expect(g4?.summary.bestValidation.mean).toBe(0.0348);
    expect(g4?.summary.overfittingShare).toBe(0);
    expect(g6?.summary.bestValidation.mean).toBe(0.0357); // final-only run: its final validation
    expect(g6?.summary.finalGap.mean).toBeCloseTo(0.0357 / 0.0221, 12);
    expect(g6?.summary.verdictCounts.insufficient).toBe(1);
    expect(g8?.summary.bestValidation.mean).toBe(0.1098);
    expect(g8?.summary.overfittingShare).toBe(1);
  });
});
