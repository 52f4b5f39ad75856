import { describe, expect, it } from 'vitest';
import { validationCurve, type RawSeries } from './validation-curve';

const raw = (pairs: [number, number][]): RawSeries => ({ x: pairs.map((p) => p[0]), loss: pairs.map((p) => p[1]) });

describe('validationCurve', () => {
  const cases: [string, Parameters<typeof validationCurve>[0], ReturnType<typeof validationCurve>][] = [
    [
      'by step: the last training point at or before each validation, none before the first',
      {
        axis: 'step',
        name: 'eval/loss',
        val: raw([
          [500, 0.9],
          [1000, 0.8],
          [1500, 0.7],
        ]),
        train: raw([
          [600, 2],
          [900, 1.5],
          [1000, 1.2],
          [1100, 1.1],
        ]),
      },
      {
        axis: 'step',
        name: 'eval/loss',
        val: [
          { x: 500, loss: 0.9 },
          { x: 1000, loss: 0.8 },
          { x: 1500, loss: 0.7 },
        ],
        train: [
          { x: 1000, loss: 1.2 },
          { x: 1100, loss: 1.1 },
        ],
      },
    ],
    [
      'by epoch: the 0-based epoch index is epoch index + 1; a repeated step keeps the later value; out of order is sorted',
      {
        axis: 'epoch',
        name: 'validation/epoch_loss',
        val: raw([
          [1, 0.6],
          [0, 0.9],
          [1, 0.5],
        ]),
        train: raw([
          [0, 1],
          [1, Number.NaN],
        ]),
      },
      {
        axis: 'epoch',
        name: 'validation/epoch_loss',
        val: [
          { x: 1, loss: 0.9 },
          { x: 2, loss: 0.5 },
        ],
        train: [
          { x: 1, loss: 1 },
          { x: 2, loss: Number.NaN },
        ],
      },
    ],
    ['no validation point: no curve', { axis: 'step', name: 'eval_loss', val: raw([]), train: raw([[1, 1]]) }, null],
    [
      'no training loss',
      { axis: 'step', name: 'eval_loss', val: raw([[10, 0.5]]), train: null },
      { axis: 'step', name: 'eval_loss', val: [{ x: 10, loss: 0.5 }], train: [] },
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => expect(validationCurve(input)).toEqual(expected));
});
