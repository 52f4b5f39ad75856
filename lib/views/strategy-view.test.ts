import { describe, expect, it } from 'vitest';
import { lastTrainLossView, nonFiniteKind } from './strategy-view';

describe('non-finite losses in JSON', () => {
  // One table: the number, what JSON carries for it.
  const cases: [number | null | undefined, { lastTrainLoss: number | null; lastTrainLossNonFinite: 'nan' | 'inf' | '-inf' | null }][] = [
    [0.1234, { lastTrainLoss: 0.1234, lastTrainLossNonFinite: null }],
    [0, { lastTrainLoss: 0, lastTrainLossNonFinite: null }],
    [Number.NaN, { lastTrainLoss: null, lastTrainLossNonFinite: 'nan' }],
    [Infinity, { lastTrainLoss: null, lastTrainLossNonFinite: 'inf' }],
    [-Infinity, { lastTrainLoss: null, lastTrainLossNonFinite: '-inf' }],
    [null, { lastTrainLoss: null, lastTrainLossNonFinite: null }],
    [undefined, { lastTrainLoss: null, lastTrainLossNonFinite: null }],
  ];
  it.each(cases)('%s', (loss, expected) => {
    expect(lastTrainLossView(loss)).toEqual(expected);
    expect(nonFiniteKind(loss)).toBe(expected.lastTrainLossNonFinite);
    // What the API sends survives JSON (NaN would become null and say nothing).
    expect(JSON.parse(JSON.stringify(lastTrainLossView(loss)))).toEqual(expected);
  });
});
