import { describe, expect, it } from 'vitest';
import { convergence } from './convergence';
import type { EpochSeconds } from './cost';
import type { ValidationPoint } from './types';

const val = (losses: (number | null)[], extra: ValidationPoint[] = []) => ({
  taskId: 1,
  validations: [...losses.map((loss, i) => ({ epoch: i + 1, final: false, taskId: 1, loss })), ...extra],
});
const minuteEach = (n: number): EpochSeconds[] => Array.from({ length: n }, (_, i) => ({ epoch: i + 1, seconds: 60, source: 'tqdm' }));

describe('convergence (first epoch within 5% of the best)', () => {
  it('best 0.2 at epoch 5; 0.21 at epoch 4 is within 5% → 4 epochs, 4 minutes', () => {
    expect(convergence(val([1, 0.5, 0.3, 0.21, 0.2, 0.25]), minuteEach(6))).toEqual({
      bestEpoch: 5,
      bestLoss: 0.2,
      epochsToConverge: 4,
      minutesToConverge: 4,
    });
  });

  it('0.2101 is just outside 5% of 0.2; untimed epochs give no minutes', () => {
    expect(convergence(val([1, 0.2101, 0.2]), minuteEach(2))).toMatchObject({ epochsToConverge: 3, minutesToConverge: null });
  });

  it('NaN epochs are skipped; a final-only best converges at the final epoch; nothing finite → nulls', () => {
    expect(convergence(val([null, 0.2])).epochsToConverge).toBe(2);
    expect(convergence(val([], [{ epoch: 30, final: true, taskId: 1, loss: 0.1 }]))).toMatchObject({
      bestEpoch: 30,
      epochsToConverge: 30,
    });
    expect(convergence(val([null]))).toEqual({ bestEpoch: null, bestLoss: null, epochsToConverge: null, minutesToConverge: null });
  });
});
