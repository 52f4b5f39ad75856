// One tag's points as the scalars API sends them (./scalar-points.ts): all of them as stored, or a
// downsample that keeps first, last, every extreme and a gap; JSON nulls only what JSON cannot hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TagPoints } from '../scalars/chunks';
import { scalarPointsCsv, scalarPointsJson, selectScalarPoints } from './scalar-points';

function tagPoints(values: number[]): TagPoints {
  return {
    length: values.length,
    step: Float64Array.from(values, (_, i) => i * 10),
    wallTime: Float64Array.from(values, (_, i) => 1.7e9 + i),
    value: Float64Array.from(values),
  };
}

describe('selectScalarPoints', () => {
  it('every point, as stored, without a budget or within it', () => {
    const points = tagPoints([Math.fround(0.1), Number.NaN, 2]);
    expect(selectScalarPoints(points)).toEqual([
      [0, Math.fround(0.1), 1.7e9],
      [10, Number.NaN, 1.7e9 + 1],
      [20, 2, 1.7e9 + 2],
    ]);
    expect(selectScalarPoints(points, 3)).toEqual(selectScalarPoints(points));
  });

  it('a downsample keeps first, last, the extremes and a gap, within the budget, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(Number.NaN)), { minLength: 5, maxLength: 400 }),
        fc.integer({ min: 4, max: 50 }),
        (values, budget) => {
          const kept = selectScalarPoints(tagPoints(values), budget);
          expect(kept.length).toBeLessThanOrEqual(Math.max(budget, 0));
          expect(kept[0]![0]).toBe(0);
          expect(kept.at(-1)![0]).toBe((values.length - 1) * 10);
          const steps = kept.map((p) => p[0]);
          expect(steps).toEqual([...steps].sort((a, b) => a - b));
          const finite = values.filter(Number.isFinite);
          if (finite.length > 0) {
            expect(kept.some((p) => p[1] === Math.max(...finite))).toBe(true);
            expect(kept.some((p) => p[1] === Math.min(...finite))).toBe(true);
          }
          for (const [step, value] of kept) expect(Object.is(values[step / 10], value)).toBe(true);
        },
      ),
    );
  });
});

describe('scalarPointsJson / scalarPointsCsv', () => {
  it('JSON nulls NaN and ±Infinity; the CSV names them; finite values are never rounded', () => {
    const stored: [number, number, number][] = [
      [1, Math.fround(0.6658729910850525), 1.5],
      [2, Number.NaN, 2],
      [3, -Infinity, 3],
      [4, 0.1 + 0.2, 4],
    ];
    expect(JSON.parse(JSON.stringify(scalarPointsJson(stored)))).toEqual([
      [1, Math.fround(0.6658729910850525), 1.5],
      [2, null, 2],
      [3, null, 3],
      [4, 0.30000000000000004, 4],
    ]);
    expect(scalarPointsCsv(stored).map((row) => String(row.value))).toEqual([
      '0.6658729910850525',
      'NaN',
      '-Infinity',
      '0.30000000000000004',
    ]);
  });
});
