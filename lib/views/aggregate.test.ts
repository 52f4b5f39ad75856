import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Point } from '../analysis';
import { alignAggregate, alignmentGrid, nLabel, segmentsOf, valueAt } from './aggregate';

const curve = (pairs: [number, number | null][]): Point[] => pairs.map(([x, y]) => ({ x, y }));

/** Validation every `every` epochs up to `last`, on a smooth decreasing curve plus an offset. */
function schedule(every: number, last: number, offset: number): Point[] {
  const out: Point[] = [];
  for (let e = every; e <= last; e += every) out.push({ x: e, y: 1 / e + offset });
  return out;
}

/** The reference: the mean of each member's interpolated value at x, over the members covering x. */
function reference(members: Point[][], x: number): { n: number; mean: number; min: number; max: number } | null {
  const values = members.map((m) => valueAt(segmentsOf(m), x)).filter((v): v is number => v !== null);
  if (values.length === 0) return null;
  return {
    n: values.length,
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

describe('valueAt', () => {
  const segs = segmentsOf(
    curve([
      [2, 0.4],
      [4, 0.2],
      [6, 0.3],
    ]),
  );
  it.each([
    [2, 0.4],
    [3, 0.3],
    [4, 0.2],
    [5, 0.25],
    [6, 0.3],
  ])('interpolates between the run’s own points: x=%d → %d', (x, y) => {
    expect(valueAt(segs, x)).toBeCloseTo(y, 12);
  });
  it.each([1, 1.99, 6.01, 40])('never extrapolates before the first or past the last point (x=%d)', (x) => {
    expect(valueAt(segs, x)).toBeNull();
  });
  it('a non-finite value breaks the curve: neither it nor the stretch across it is covered', () => {
    const broken = segmentsOf(
      curve([
        [1, 1],
        [2, 0.8],
        [3, null],
        [4, 0.6],
        [5, 0.5],
      ]),
    );
    expect(broken).toHaveLength(2);
    expect(valueAt(broken, 2)).toBe(0.8);
    expect(valueAt(broken, 2.5)).toBeNull();
    expect(valueAt(broken, 3)).toBeNull();
    expect(valueAt(broken, 4.5)).toBeCloseTo(0.55, 12);
  });
  it('one record per x: the later one wins', () => {
    expect(
      valueAt(
        segmentsOf(
          curve([
            [1, 1],
            [2, 0.5],
            [2, 0.7],
          ]),
        ),
        2,
      ),
    ).toBe(0.7);
  });
});

describe('alignAggregate on mixed schedules and lengths', () => {
  // Validation every epoch for 30 epochs, every second epoch for 24, every epoch for 12 (ended early).
  const members = [schedule(1, 30, 0.1), schedule(2, 24, 0.12), schedule(1, 12, 0.08)];
  const agg = alignAggregate(members);

  it('puts a point at every x where some run measured, and nowhere else', () => {
    expect(agg.map((p) => p.x)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('the mean at every x is the mean of the interpolated member values; min, max and n match', () => {
    for (const p of agg) {
      const ref = reference(members, p.x)!;
      expect(p.n).toBe(ref.n);
      expect(p.mean).toBeCloseTo(ref.mean, 12);
      expect(p.min).toBeCloseTo(ref.min, 12);
      expect(p.max).toBeCloseTo(ref.max, 12);
    }
  });

  it('counts the every-second-epoch run at odd epochs too (no saw-tooth), and only while it covers x', () => {
    const n = (x: number) => agg.find((p) => p.x === x)!.n;
    expect(n(1)).toBe(2); // the sparse run starts at epoch 2: not before its first point
    for (let x = 2; x <= 12; x++) expect(n(x)).toBe(3);
    for (let x = 13; x <= 24; x++) expect(n(x)).toBe(2);
    for (let x = 25; x <= 30; x++) expect(n(x)).toBe(1);
    // between 13 and 24 both remaining runs count at odd and even epochs alike: a smooth mean
    const means = agg.filter((p) => p.x >= 13 && p.x <= 24).map((p) => p.mean);
    for (let i = 1; i < means.length; i++) expect(means[i]!).toBeLessThan(means[i - 1]!);
    expect(nLabel(agg)).toBe('n=1–3');
  });

  it('no band point rests on fewer runs than it says (property)', () => {
    const member = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.constant(null))), {
        minLength: 0,
        maxLength: 25,
      })
      .map((pairs) => curve(pairs));
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 6 }), (group) => {
        for (const p of alignAggregate(group)) {
          const ref = reference(group, p.x);
          expect(ref).not.toBeNull();
          expect(p.n).toBe(ref!.n);
          expect(p.n).toBeGreaterThan(0);
          expect(p.mean).toBeCloseTo(ref!.mean, 9);
          expect(p.min).toBeLessThanOrEqual(p.mean + 1e-12);
          expect(p.max).toBeGreaterThanOrEqual(p.mean - 1e-12);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('alignmentGrid', () => {
  it('caps a large union with an even grid plus every run’s ends', () => {
    const a = segmentsOf(Array.from({ length: 1000 }, (_, i) => ({ x: i + 1, y: 1 })));
    const b = segmentsOf(Array.from({ length: 700 }, (_, i) => ({ x: i * 1.5 + 0.25, y: 2 })));
    const grid = alignmentGrid([a, b], 100);
    expect(grid.length).toBeLessThanOrEqual(104);
    for (const end of [1, 1000, 0.25, 699 * 1.5 + 0.25]) expect(grid).toContain(end);
    expect([...grid].sort((x, y) => x - y)).toEqual(grid);
  });

  it('the capped aggregate still follows the rule at each grid x', () => {
    const members = [
      Array.from({ length: 500 }, (_, i) => ({ x: i * 3, y: Math.sin(i / 10) })),
      Array.from({ length: 400 }, (_, i) => ({ x: i * 2 + 1, y: Math.cos(i / 7) })),
    ];
    const agg = alignAggregate(members, { maxGrid: 200 });
    expect(agg.length).toBeLessThanOrEqual(204);
    for (const p of agg) {
      const ref = reference(members, p.x)!;
      expect(p.n).toBe(ref.n);
      expect(p.mean).toBeCloseTo(ref.mean, 12);
    }
  });
});
