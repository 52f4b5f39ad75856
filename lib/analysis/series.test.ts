import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsampleMinMax, smoothEma } from './series';
import type { Point } from './types';

const pts = (ys: (number | null)[]): Point[] => ys.map((y, x) => ({ x, y }));

describe('smoothEma (TensorBoard debiased EMA)', () => {
  it('matches hand-computed values for s = 0.5', () => {
    // n=1: last 0.5, /(1−0.5) = 1;  n=2: last 1.25, /(1−0.25) = 5/3;  n=3: last 2.125, /(1−0.125) = 17/7
    const out = smoothEma(pts([1, 2, 3]), 0.5);
    expect(out.map((p) => p.y)).toEqual([1, 2, 3]); // raw values kept
    expect(out[0]?.smoothed).toBeCloseTo(1, 12);
    expect(out[1]?.smoothed).toBeCloseTo(5 / 3, 12);
    expect(out[2]?.smoothed).toBeCloseTo(17 / 7, 12);
  });

  it('matches hand-computed values for s = 0.6', () => {
    // n=1: last 0.32, /0.4 = 0.8;  n=2: last 0.6·0.32 + 0.4·0.6 = 0.432, /(1−0.36) = 0.675
    const out = smoothEma(pts([0.8, 0.6]), 0.6);
    expect(out[0]?.smoothed).toBeCloseTo(0.8, 12);
    expect(out[1]?.smoothed).toBeCloseTo(0.675, 12);
  });

  it('passes non-finite values through without advancing n', () => {
    const out = smoothEma(pts([1, null, 2, Number.NaN, 3, Infinity]), 0.5);
    expect(out.map((p) => p.x)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out[1]?.smoothed).toBeNull();
    expect(out[2]?.smoothed).toBeCloseTo(5 / 3, 12);
    expect(out[3]?.smoothed).toBeNaN();
    expect(out[4]?.smoothed).toBeCloseTo(17 / 7, 12);
    expect(out[5]?.smoothed).toBe(Infinity);
  });

  it('constant series and s = 0 are unchanged; the input is not mutated', () => {
    expect(smoothEma(pts([2, 2, 2]), 0.9).map((p) => p.smoothed)).toEqual([2, 2, 2]);
    const input = pts([0.3, 0.1, 0.2]);
    const copy = structuredClone(input);
    expect(smoothEma(input, 0).map((p) => p.smoothed)).toEqual([0.3, 0.1, 0.2]);
    expect(input).toEqual(copy);
    expect(smoothEma([], 0.5)).toEqual([]);
  });

  it('rejects weights outside [0, 1)', () => {
    expect(() => smoothEma(pts([1]), 1)).toThrow(RangeError);
    expect(() => smoothEma(pts([1]), -0.1)).toThrow(RangeError);
    expect(() => smoothEma(pts([1]), Number.NaN)).toThrow(RangeError);
  });

  it('property: same length and x, raw y kept, smoothed within the range of the finite values so far', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(null)), { maxLength: 200 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (ys, s) => {
          const out = smoothEma(pts(ys), s);
          expect(out.length).toBe(ys.length);
          let lo = Infinity;
          let hi = -Infinity;
          out.forEach((p, i) => {
            expect(p.x).toBe(i);
            expect(p.y).toBe(ys[i]);
            if (p.y === null) {
              expect(p.smoothed).toBeNull();
              return;
            }
            lo = Math.min(lo, p.y);
            hi = Math.max(hi, p.y);
            const tol = 1e-6 * Math.max(1, Math.abs(lo), Math.abs(hi));
            expect(p.smoothed).toBeGreaterThanOrEqual(lo - tol);
            expect(p.smoothed).toBeLessThanOrEqual(hi + tol);
          });
        },
      ),
    );
  });
});

describe('downsampleMinMax', () => {
  it("keeps each bucket's min and max (hand-worked)", () => {
    // interior = indices 1..8 in 2 buckets: [1,9,3,4] → idx 1 (min), 2 (max); [8,0,7,2] → idx 5 (max), 6 (min)
    const input = pts([5, 1, 9, 3, 4, 8, 0, 7, 2, 6]);
    expect(downsampleMinMax(input, 6).map((p) => p.x)).toEqual([0, 1, 2, 5, 6, 9]);
  });

  it('keeps a gap marker per bucket that has gaps', () => {
    const input = pts([5, 1, null, 3, 4, 8, 0, Number.NaN, 2, 6]);
    const out = downsampleMinMax(input, 8);
    expect(out.map((p) => p.x)).toEqual([0, 1, 2, 4, 5, 6, 7, 9]);
    expect(out[2]?.y).toBeNull();
    expect(out[6]?.y).toBeNaN();
  });

  it('with 4 points and gaps: first, global min, global max, last; with 5 the gap fits again', () => {
    const input = pts([5, 1, null, 3, 9, 8, 0, 7, 2, 6]);
    expect(downsampleMinMax(input, 4).map((p) => p.x)).toEqual([0, 4, 6, 9]);
    expect(downsampleMinMax(input, 5).map((p) => p.x)).toEqual([0, 2, 4, 6, 9]); // one bucket: gap, max, min
  });

  it('a single spike never disappears', () => {
    const input = Array.from({ length: 100_000 }, (_, x) => ({ x, y: 0.5 + 0.01 * Math.sin(x) }));
    input[61_234] = { x: 61_234, y: 42 };
    const out = downsampleMinMax(input, 200);
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out).toContainEqual({ x: 61_234, y: 42 });
  });

  it('returns the input unchanged (a copy) when maxPoints ≥ length; rejects maxPoints < 4 otherwise', () => {
    const input = pts([3, null, 1]);
    const out = downsampleMinMax(input, 3);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(downsampleMinMax([], 0)).toEqual([]);
    expect(() => downsampleMinMax(pts([1, 2, 3, 4, 5]), 3)).toThrow(RangeError);
    expect(() => downsampleMinMax(pts([1, 2, 3, 4, 5]), Number.NaN)).toThrow(RangeError);
  });

  it('keeps extra fields on the points (returns input points as they are)', () => {
    const input = Array.from({ length: 10 }, (_, x) => ({ x, y: x % 3, smoothed: x }));
    expect(downsampleMinMax(input, 4).every((p) => p.smoothed === p.x)).toBe(true);
  });

  const yArb = fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -1e9, max: 1e9, noNaN: true }) },
    { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) }, // ties
    { weight: 1, arbitrary: fc.constantFrom<number | null>(null, Number.NaN, Infinity, -Infinity) },
  );
  const seriesArb = fc.array(yArb, { maxLength: 400 }).map(pts);

  it('property: ≤ N points; keeps first, last, global min and max; a subsequence in order', () => {
    fc.assert(
      fc.property(seriesArb, fc.integer({ min: 4, max: 450 }), (input, n) => {
        const out = downsampleMinMax(input, n);
        expect(out.length).toBeLessThanOrEqual(n);
        if (input.length === 0) {
          expect(out).toEqual([]);
          return;
        }
        expect(out[0]).toBe(input[0]);
        expect(out[out.length - 1]).toBe(input[input.length - 1]);
        const finiteYs = input.map((p) => p.y).filter((y): y is number => y !== null && Number.isFinite(y));
        if (finiteYs.length > 0) {
          const ys = out.map((p) => p.y);
          expect(ys).toContain(Math.min(...finiteYs));
          expect(ys).toContain(Math.max(...finiteYs));
        }
        // output points are input points, strictly increasing in x (input x = index)
        for (let i = 1; i < out.length; i++) expect((out[i]?.x ?? 0) > (out[i - 1]?.x ?? 0)).toBe(true);
        for (const p of out) expect(p).toBe(input[p.x]);
      }),
      { numRuns: 300 },
    );
  });

  it('property: stable (returns the input unchanged) for N ≥ input length', () => {
    fc.assert(
      fc.property(seriesArb, fc.nat({ max: 50 }), (input, extra) => {
        expect(downsampleMinMax(input, input.length + extra)).toEqual(input);
      }),
    );
  });

  it('property: a gap in the input leaves a gap in the output when N ≥ 5', () => {
    fc.assert(
      fc.property(seriesArb, fc.integer({ min: 5, max: 450 }), (input, n) => {
        const interiorGap = input.slice(1, -1).some((p) => p.y === null || !Number.isFinite(p.y));
        const out = downsampleMinMax(input, n);
        if (interiorGap) expect(out.slice(1, -1).some((p) => p.y === null || !Number.isFinite(p.y))).toBe(true);
      }),
    );
  });
});
