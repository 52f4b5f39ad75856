import { describe, expect, it } from 'vitest';
import type { RunRow } from './schemas/runs';
import { sortRuns } from './sort-runs';

const row = (id: number, status: string) => ({ id, status }) as RunRow;

describe('sorting by forecast', () => {
  const rows = [row(1, 'completed'), row(2, 'running'), row(3, 'running'), row(4, 'stale'), row(5, 'running'), row(6, 'running')];
  const ids = (sorted: RunRow[]) => sorted.map((r) => r.id);

  it('before any forecast: running runs first, newest first, then the rest newest first (what PostgreSQL gives)', () => {
    expect(ids(sortRuns(rows, 'forecast', 'desc'))).toEqual([6, 5, 3, 2, 4, 1]);
    expect(ids(sortRuns(rows, 'forecast', 'asc'))).toEqual([6, 5, 3, 2, 4, 1]);
  });

  it('with forecasts: running runs by their chance to beat the best finished run, those without one after them', () => {
    const forecasts = new Map([
      [2, { pBeat: 0.6 }],
      [3, { pBeat: 0.02 }],
      [5, { pBeat: null }],
      [6, { pBeat: 0.3 }],
      [1, { pBeat: 0.9 }], // a finished run's forecast never counts
    ]);
    expect(ids(sortRuns(rows, 'forecast', 'desc', forecasts))).toEqual([2, 6, 3, 5, 4, 1]);
    expect(ids(sortRuns(rows, 'forecast', 'asc', forecasts))).toEqual([3, 6, 2, 5, 4, 1]);
  });
});
