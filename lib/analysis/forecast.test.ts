import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INTERVAL_LEVEL,
  MIN_POINTS,
  NO_CORRECTION,
  calibrate,
  cleanPoints,
  correctionError,
  forecastPath,
  levelAt,
  levelNoise,
  mergePoints,
  probabilityBelow,
  rawForecast,
  seenAt,
  zCdf,
  zQuantile,
  type Calibration,
  type WeightedPoint,
} from './forecast';

const p = (x: number, y: number, n = 1): WeightedPoint => ({ x, y, n });
const decay = (n: number, x0 = 1) => Array.from({ length: n }, (_, i) => p(x0 + i, 0.1 + 2 * Math.pow(x0 + i, -0.6)));
/** A calibration whose z are the standard normal's percentiles (an empty sample is the normal itself). */
const normal: Calibration = {
  source: 'finished_runs',
  runs: 10,
  cases: 99,
  tau: 0,
  rho: 1,
  z: Array.from({ length: 99 }, (_, i) => zQuantile({ z: [] }, (i + 1) / 100)),
};

describe('levelAt (the target rule: mean of the raw points in the last 5% of the x-range)', () => {
  it.each([
    ['the points in [x − 5%·(x − x0), x]', [p(0, 9), p(95, 2), p(97, 4), p(100, 6)], 0, 100, 4],
    ['a weighted point counts as n raw losses', [p(0, 9), p(96, 1, 3), p(100, 5, 1)], 0, 100, 2],
    ['at least one point: the last at or before x', [p(0, 9), p(50, 3), p(80, 7)], 0, 100, 7],
    ['points after x are not seen', [p(0, 9), p(50, 3), p(100, 1)], 0, 60, 3],
    ['nothing at or before x', [p(10, 1)], 0, 5, null],
  ])('%s', (_name, points, x0, x, expected) => expect(levelAt(points, x0, x)).toBe(expected));
});

describe('seenAt, cleanPoints, mergePoints', () => {
  it('seenAt keeps the points with x ≤ x0 + F·(x_last − x0)', () => {
    const points = decay(11, 0);
    expect(seenAt(points, 0.5).map((q) => q.x)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seenAt(points, 1)).toHaveLength(11);
  });

  it('cleanPoints keeps finite positive losses, sorted by x', () => {
    expect(cleanPoints([p(3, 1), p(1, Number.NaN), p(2, 0), p(0, -1), p(1, 2), p(4, Infinity)])).toEqual([p(1, 2), p(3, 1)]);
  });

  it('mergePoints keeps every raw loss and the sum of the losses', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 10, noNaN: true }), { minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 1, max: 500 }),
        (ys, max) => {
          const points = ys.map((y, i) => p(i, y, 1 + (i % 3)));
          const merged = mergePoints(points, max);
          expect(merged.length).toBeLessThanOrEqual(Math.max(max, 0));
          const sum = (list: WeightedPoint[]) => list.reduce((a, q) => a + q.y * q.n, 0);
          expect(merged.reduce((a, q) => a + q.n, 0)).toBe(points.reduce((a, q) => a + q.n, 0));
          expect(sum(merged)).toBeCloseTo(sum(points), 6);
          expect(merged[merged.length - 1]!.x).toBe(points[points.length - 1]!.x);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('rawForecast', () => {
  it(`needs ${MIN_POINTS} distinct x`, () => {
    expect(rawForecast(decay(MIN_POINTS - 1), { toX: 20 })).toBeNull();
    expect(rawForecast(decay(MIN_POINTS), { toX: 20 })).not.toBeNull();
  });

  it('forecasts a decaying curve below where it is, and a seen target as its observed level', () => {
    const seen = decay(20);
    const ahead = rawForecast(seen, { toX: 60 })!;
    expect(Math.exp(ahead.logMean)).toBeLessThan(levelAt(seen, 1, 20)!);
    expect(Math.exp(ahead.logMean)).toBeCloseTo(0.1 + 2 * Math.pow(58.5, -0.6), 2);
    expect(ahead.pace).toBeGreaterThan(0);
    const now = rawForecast(seen, { toX: 20 })!;
    expect(Math.exp(now.logMean)).toBeCloseTo(levelAt(seen, 1, 20)!, 12);
    expect(now.logHorizon).toBe(0);
  });
});

describe('calibrate, probabilityBelow, forecastPath', () => {
  const raw = rawForecast(decay(20), { toX: 60 })!;

  it('gives a central value inside its 80% interval, which a correction shifts and its spread widens', () => {
    const plain = calibrate(raw, normal);
    expect(plain.lo).toBeLessThan(plain.mean);
    expect(plain.mean).toBeLessThan(plain.hi);
    const shifted = calibrate(raw, normal, { shift: 0.1, spread: 0, peers: 1 });
    expect(shifted.mean / plain.mean).toBeCloseTo(Math.exp(0.1), 6);
    const wide = calibrate(raw, normal, { shift: 0.1, spread: 0.3, peers: 4 });
    expect(wide.hi / wide.lo).toBeGreaterThan(shifted.hi / shifted.lo);
    expect(INTERVAL_LEVEL).toBe(0.8);
  });

  it('pBeat: a probability, rising with the incumbent level; the interval ends are its 10% and 90% points', () => {
    const forecast = calibrate(raw, normal);
    expect(probabilityBelow(raw, normal, forecast.lo)).toBeCloseTo(0.1, 2);
    expect(probabilityBelow(raw, normal, forecast.hi)).toBeCloseTo(0.9, 2);
    expect(probabilityBelow(raw, normal, 0)).toBe(0);
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 5, noNaN: true }), fc.double({ min: 0.01, max: 5, noNaN: true }), (a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        const pa = probabilityBelow(raw, normal, lo);
        const pb = probabilityBelow(raw, normal, hi);
        expect(pa).toBeGreaterThanOrEqual(0);
        expect(pb).toBeLessThanOrEqual(1);
        expect(pa).toBeLessThanOrEqual(pb + 1e-12);
      }),
    );
  });

  it('zQuantile inverts zCdf, with or without an extra error', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.02, max: 0.98, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }), (q, extra) => {
        expect(zCdf(normal, zQuantile(normal, q, extra), extra)).toBeCloseTo(q, 6);
      }),
      { numRuns: 50 },
    );
  });

  it('a correction from one peer adds no spread; from n peers s·√(1 + 1/n)', () => {
    expect(correctionError(NO_CORRECTION)).toBe(0);
    expect(correctionError({ shift: 0, spread: 0.2, peers: 1 })).toBe(0);
    expect(correctionError({ shift: 0, spread: 0.2, peers: 4 })).toBeCloseTo(0.2 * Math.sqrt(1.25), 12);
  });

  it('the cone starts at the last seen point and ends at the forecast', () => {
    const forecast = calibrate(raw, normal);
    const path = forecastPath(forecast);
    expect(path[0]![0]).toBe(20);
    expect(path[0]![1]).toBeCloseTo(path[0]![2], 12); // no spread yet
    expect(path[path.length - 1]).toEqual([60, forecast.mean, forecast.lo, forecast.hi]);
    for (const [, mid, lo, hi] of path) expect(lo <= mid && mid <= hi).toBe(true);
  });
});

describe('levelNoise', () => {
  it('is the point-to-point noise of the tail, brought to the points of the level window', () => {
    const flat = Array.from({ length: 100 }, (_, i) => p(i, i % 2 ? 1.1 : 1));
    const noise = levelNoise(flat);
    expect(noise).toBeGreaterThan(0);
    expect(noise).toBeLessThan(Math.log(1.1));
    expect(levelNoise([p(0, 1), p(1, 2)])).toBe(0);
  });
});
