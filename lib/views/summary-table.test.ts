import { describe, expect, it } from 'vitest';
import { overfittingShares } from './summary-table';

type Verdicts = Partial<Record<'overfitting' | 'watch' | 'diverged' | 'ok' | 'insufficient', number>>;
const row = (label: string, facet: string, verdicts: Verdicts) => ({
  label,
  facet,
  verdicts: { overfitting: 0, watch: 0, diverged: 0, ok: 0, insufficient: 0, ...verdicts },
});
const labels = new Map([
  ['t1', 'task 1'],
  ['t2', 'task 2'],
]);

describe('the share of overfitting runs: only strategies with a run that has a verdict (the mix read ~35 buckets, mostly "0.0%")', () => {
  it.each([
    ['one overfitting run of one judged', [row('A', 't1', { overfitting: 1 })], 1, ['A 100.0% (1 of 1)'], 0],
    ['too few points only: left out', [row('A', 't1', { insufficient: 17 })], 1, [], 1],
    [
      'share over the runs with a verdict, facets named when several',
      [row('A', 't1', { overfitting: 1, ok: 3, insufficient: 2 }), row('B', 't2', { insufficient: 1 }), row('C', 't2', { watch: 1 })],
      2,
      ['A (task 1) 25.0% (1 of 4)', 'C (task 2) 0.0% (0 of 1)'],
      1,
    ],
    ['nothing', [], 1, [], 0],
  ] as const)('%s', (_name, rows, facets, parts, leftOut) => {
    expect(overfittingShares(rows, labels, facets)).toEqual({ parts, leftOut });
  });
});
