import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BINS, binPoints, evaluate, fitFamily, madScale, scaleOf, toU, type WeightedPoint } from './curve-fit';

const curve = (n: number, f: (x: number) => number, x0 = 1): WeightedPoint[] =>
  Array.from({ length: n }, (_, i) => ({ x: x0 + i, y: f(x0 + i), n: 1 }));

describe('scaleOf / toU', () => {
  it('maps the seen range to (0, 1], one logging interval before the first point', () => {
    const points = curve(50, () => 1, 0).map((p) => ({ ...p, x: p.x * 200 }));
    const scale = scaleOf(points);
    expect(scale.h).toBe(200);
    expect(toU(scale, 0)).toBeCloseTo(200 / (49 * 200 + 200), 12);
    expect(toU(scale, 49 * 200)).toBeCloseTo(1, 12);
  });
});

describe('binPoints', () => {
  it('keeps short curves point by point', () => {
    const points = curve(10, (x) => 1 / x);
    expect(binPoints(points, scaleOf(points))).toHaveLength(10);
  });

  it('reduces long curves to at most MAX_BINS bins and keeps every raw loss', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_BINS + 1, max: 5000 }), fc.integer({ min: 1, max: 9 }), (n, weight) => {
        const points = curve(n, (x) => 2 / Math.sqrt(x)).map((p) => ({ ...p, n: weight }));
        const bins = binPoints(points, scaleOf(points));
        expect(bins.length).toBeLessThanOrEqual(MAX_BINS);
        expect(bins.reduce((a, b) => a + b.n, 0)).toBe(n * weight);
        for (let i = 1; i < bins.length; i++) expect(bins[i]!.u).toBeGreaterThan(bins[i - 1]!.u);
      }),
      { numRuns: 30 },
    );
  });
});

describe('fitFamily', () => {
  it.each([
    ['power', (x: number) => 0.05 + 2 * Math.pow(x, -0.7)],
    ['exponential', (x: number) => 0.1 + 1.5 * Math.exp(-x / 8)],
  ] as const)('recovers a noise-free %s curve and extrapolates it', (family, f) => {
    const points = curve(40, f);
    const scale = scaleOf(points);
    const fit = fitFamily(family, binPoints(points, scale))!;
    expect(fit.family).toBe(family);
    for (const x of [1, 20, 40]) expect(evaluate(fit, toU(scale, x)) / f(x)).toBeCloseTo(1, 2);
    // Twice the seen range ahead: within 5%.
    expect(evaluate(fit, toU(scale, 80)) / f(80)).toBeCloseTo(1, 1);
  });

  it('is robust: one glued value ten times too high barely moves the fit', () => {
    const f = (x: number) => 0.05 + 2 * Math.pow(x, -0.7);
    const clean = curve(40, f);
    const spiked = clean.map((p) => (p.x === 30 ? { ...p, y: p.y * 10 } : p));
    const scale = scaleOf(clean);
    const a = fitFamily('power', binPoints(clean, scale))!;
    const b = fitFamily('power', binPoints(spiked, scale))!;
    expect(evaluate(b, toU(scale, 60)) / evaluate(a, toU(scale, 60))).toBeCloseTo(1, 1);
  });

  it('fits the rise of a turned-up curve from its lowest point on', () => {
    const f = (x: number) => (x <= 20 ? 0.1 + 1 / x : 0.15 + 0.01 * (x - 20));
    const points = curve(30, f);
    const scale = scaleOf(points);
    const fit = fitFamily('rising', binPoints(points, scale))!;
    expect(fit.family).toBe('rising');
    expect(evaluate(fit, toU(scale, 30))).toBeCloseTo(f(30), 2);
    expect(evaluate(fit, toU(scale, 50))).toBeCloseTo(0.15 + 0.01 * 30, 1);
  });

  it('needs more bins than parameters', () => {
    const points = curve(3, (x) => 1 / x);
    expect(fitFamily('power', binPoints(points, scaleOf(points)))).toBeNull();
  });
});

describe('madScale', () => {
  it.each([
    ['fewer than two values', [1], 0],
    ['normal scale of spread values', [1, 2, 3, 4, 5], 1.4826],
    ['over half equal: falls back to the mean absolute deviation', [0, 0, 0, 0, 1], (1.2533 * 0.2) / 1],
  ])('%s', (_name, values, expected) => expect(madScale(values)).toBeCloseTo(expected, 4));
});
