import { describe, expect, it } from 'vitest';
import { fmt, pct, plural } from './format';
import type { RunSeries } from './types';
import {
  bestValidation,
  finalValidation,
  isFiniteLoss,
  lastTrainLoss,
  latestTrainLoss,
  ownTaskId,
  trainLossAt,
  validationTrend,
} from './validation';

const series: RunSeries = {
  taskId: 2,
  epochs: [
    { epoch: 1, trainLoss: 0.5 },
    { epoch: 2, trainLoss: null },
    { epoch: 4, trainLoss: 0.3 },
    { epoch: 5, trainLoss: Number.NaN },
  ],
  validations: [
    { epoch: 4, final: false, taskId: 2, loss: 0.41 },
    { epoch: 2, final: false, taskId: 2, loss: 0.45 },
    { epoch: 2, final: false, taskId: 1, loss: 0.2 },
    { epoch: 4, final: false, taskId: 2, loss: 0.4 }, // later record for epoch 4 wins
    { epoch: 5, final: true, taskId: 2, loss: 0.4 },
    { epoch: 5, final: true, taskId: 1, loss: 0.1 },
  ],
};

describe('selection rules', () => {
  it('isFiniteLoss', () => {
    expect([0.1, 0, null, undefined, Number.NaN, Infinity, -Infinity].map(isFiniteLoss)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('own task: taskId, else the highest validated task', () => {
    expect(ownTaskId(series)).toBe(2);
    expect(ownTaskId({ ...series, taskId: null })).toBe(2);
    expect(ownTaskId({ taskId: null, validations: [] })).toBeNull();
  });

  it('trend: own task, per-epoch only, sorted, later record wins', () => {
    expect(validationTrend(series)).toEqual([
      { epoch: 2, loss: 0.45 },
      { epoch: 4, loss: 0.4 },
    ]);
    expect(validationTrend(series, 1)).toEqual([{ epoch: 2, loss: 0.2 }]);
    expect(validationTrend({ taskId: null, validations: [] })).toEqual([]);
  });

  // The in-order fast path and the general rule must agree on every ordering.
  const v = (epoch: number, loss: number | null, taskId = 2, final = false) => ({ epoch, final, taskId, loss });
  it.each([
    {
      name: 'ascending',
      rows: [v(1, 0.5), v(2, 0.4), v(3, 0.3)],
      trend: [
        [1, 0.5],
        [2, 0.4],
        [3, 0.3],
      ],
    },
    {
      name: 'an epoch twice: the later record wins',
      rows: [v(1, 0.5), v(2, 0.4), v(2, 0.35), v(3, 0.3)],
      trend: [
        [1, 0.5],
        [2, 0.35],
        [3, 0.3],
      ],
    },
    {
      name: 'out of order',
      rows: [v(3, 0.3), v(1, 0.5), v(2, 0.4)],
      trend: [
        [1, 0.5],
        [2, 0.4],
        [3, 0.3],
      ],
    },
    {
      name: 'out of order late',
      rows: [v(1, 0.5), v(3, 0.3), v(2, 0.4)],
      trend: [
        [1, 0.5],
        [2, 0.4],
        [3, 0.3],
      ],
    },
    {
      name: 'other tasks and finals interleaved',
      rows: [v(1, 0.9, 1), v(1, 0.5), v(1, 0.2, 2, true), v(2, 0.8, 1), v(2, null)],
      trend: [
        [1, 0.5],
        [2, null],
      ],
    },
    {
      name: 'a final out of order does not count',
      rows: [v(5, 0.1, 2, true), v(1, 0.5), v(2, 0.4)],
      trend: [
        [1, 0.5],
        [2, 0.4],
      ],
    },
    {
      name: 'NaN losses keep their place',
      rows: [v(1, Number.NaN), v(2, 0.4)],
      trend: [
        [1, Number.NaN],
        [2, 0.4],
      ],
    },
  ])('trend ordering: $name', ({ rows, trend }) => {
    expect(validationTrend({ taskId: 2, validations: rows })).toEqual(trend.map(([epoch, loss]) => ({ epoch, loss })));
  });

  it('final validation', () => {
    expect(finalValidation(series)).toEqual({ epoch: 5, loss: 0.4 });
    expect(finalValidation(series, 3)).toBeNull();
  });

  it('training loss at an epoch: exact, else the latest finite one before, never after', () => {
    expect(trainLossAt(series.epochs, 1)).toBe(0.5);
    expect(trainLossAt(series.epochs, 2)).toBe(0.5);
    expect(trainLossAt(series.epochs, 3)).toBe(0.5);
    expect(trainLossAt(series.epochs, 5)).toBe(0.3);
    expect(trainLossAt(series.epochs, 0)).toBeNull();
    expect(lastTrainLoss(series.epochs)).toEqual({ epoch: 4, loss: 0.3 });
    expect(lastTrainLoss([])).toBeNull();
  });

  it('the latest training loss is the highest epoch as it is: NaN, inf and null (NaN in JSON) stay', () => {
    expect(latestTrainLoss(series.epochs)).toEqual({ epoch: 5, loss: Number.NaN });
    expect(
      latestTrainLoss([
        { epoch: 2, trainLoss: -Infinity },
        { epoch: 1, trainLoss: 0.5 },
      ]),
    ).toEqual({ epoch: 2, loss: -Infinity });
    expect(latestTrainLoss([{ epoch: 3, trainLoss: null }])).toEqual({ epoch: 3, loss: Number.NaN });
    expect(latestTrainLoss([{ epoch: 3, trainLoss: 0.25 }])).toEqual({ epoch: 3, loss: 0.25 });
    expect(latestTrainLoss([])).toBeNull();
  });

  it('best validation: min over per-epoch and final, earliest and per-epoch first on ties', () => {
    expect(bestValidation(series)).toEqual({ epoch: 4, loss: 0.4, final: false });
    expect(bestValidation(series, 1)).toEqual({ epoch: 5, loss: 0.1, final: true });
    expect(
      bestValidation({
        taskId: 1,
        validations: [
          { epoch: 3, final: true, taskId: 1, loss: 0.2 },
          { epoch: 3, final: false, taskId: 1, loss: 0.2 },
        ],
      }),
    ).toEqual({ epoch: 3, loss: 0.2, final: false });
    expect(bestValidation({ taskId: 1, validations: [{ epoch: 3, final: true, taskId: 1, loss: null }] })).toBeNull();
  });
});

describe('format', () => {
  it('4 decimals, trailing zeros dropped; percentages with one decimal', () => {
    expect(fmt(0.30121)).toBe('0.3012');
    expect(fmt(0.1)).toBe('0.1');
    expect(fmt(0.00001)).toBe('0');
    expect(fmt(-0.00001)).toBe('0');
    expect(fmt(12)).toBe('12');
    expect(fmt(null)).toBe('n/a');
    expect(fmt(Number.NaN)).toBe('NaN');
    expect(fmt(Infinity)).toBe('inf');
    expect(fmt(-Infinity)).toBe('-inf');
    expect(pct(0.182)).toBe('18.2%');
    expect(pct(-0.0001)).toBe('0.0%');
    expect(pct(Infinity)).toBe('inf%');
    expect(plural(1, 'epoch')).toBe('1 epoch');
    expect(plural(0, 'epoch')).toBe('0 epochs');
  });
});
