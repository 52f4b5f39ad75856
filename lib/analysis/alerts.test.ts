import { describe, expect, it } from 'vitest';
import { alertTransitions, type AlertRunState } from './alerts';
import type { RunSeries } from './types';

function series(train: (number | null)[], val: (number | null)[]): RunSeries {
  return {
    taskId: 1,
    epochs: train.map((trainLoss, i) => ({ epoch: i + 1, trainLoss })),
    validations: val.map((loss, i) => ({ epoch: i + 1, final: false, taskId: 1, loss })),
  };
}

const base: AlertRunState = { status: 'running', errorMessage: null, outputDir: '/out/t1', series: series([], []), checkpoints: [] };
const overfit = series([1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2], [1, 0.5, 0.4, 0.45, 0.5, 0.55, 0.6]);

const cases: { name: string; state: AlertRunState; rules: string[] }[] = [
  { name: 'a healthy running run fires nothing', state: { ...base, series: series([1, 0.8, 0.6, 0.5], [1, 0.8, 0.6, 0.5]) }, rules: [] },
  { name: 'overfitting', state: { ...base, series: overfit }, rules: ['overfitting'] },
  { name: 'NaN training loss diverges', state: { ...base, series: series([1, null, 0.5], [1, 0.8, 0.7]) }, rules: ['diverged'] },
  { name: 'crashed', state: { ...base, status: 'crashed', errorMessage: 'CUDA out of memory' }, rules: ['crashed'] },
  { name: 'completed (and overfitting)', state: { ...base, status: 'completed', series: overfit }, rules: ['overfitting', 'completed'] },
  { name: 'stale is decided by the sweep, not here', state: { ...base, status: 'stale' }, rules: [] },
];

describe('alertTransitions', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(alertTransitions(c.state).map((t) => t.rule)).toEqual(c.rules);
    });
  }

  it('overfitting says where it began, the best epoch and the checkpoint to use', () => {
    const [alert] = alertTransitions({
      ...base,
      series: overfit,
      checkpoints: [
        { kind: 'checkpoint_saved', epoch: 3, loss: 0.6, path: '/out/t1/epoch3' },
        { kind: 'checkpoint_saved', epoch: 6, loss: 0.3, path: '/out/t1/epoch6' },
      ],
    });
    expect(alert?.details).toMatchObject({ overfitStartEpoch: 4, bestEpoch: 3, checkpoint: 'epoch3', checkpointPath: '/out/t1/epoch3' });
    expect(alert?.message).toContain('began at epoch 4');
    expect(alert?.message).toContain('epoch3 (/out/t1/epoch3)');
  });

  it('crashed carries the error', () => {
    expect(alertTransitions({ ...base, status: 'crashed', errorMessage: 'CUDA out of memory' })[0]?.message).toContain(
      'CUDA out of memory',
    );
  });
});
