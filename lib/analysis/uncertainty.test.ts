import { describe, expect, it } from 'vitest';
import {
  commonSpread,
  distinguishable,
  runsToSeparate,
  sampleSd,
  singleRunInterval,
  strategyInterval,
  tInterval,
  tQuantile,
  validationNoise,
  type Interval,
} from './uncertainty';
import type { RunSeries } from './types';

const series = (losses: (number | null)[]): Pick<RunSeries, 'taskId' | 'validations'> => ({
  taskId: 1,
  validations: losses.map((loss, i) => ({ epoch: i + 1, final: false, taskId: 1, loss })),
});

describe('t quantile (jStat)', () => {
  it('matches the printed t table', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706, 3);
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.776, 3);
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.042, 3);
  });
});

describe('tInterval', () => {
  it('1..5: mean 3 ± 2.7764·√2.5/√5 (hand-computed 1.9632)', () => {
    const i = tInterval([1, 2, 3, 4, 5]);
    expect(i.method).toBe('t');
    expect(i.n).toBe(5);
    expect(i.mean).toBe(3);
    expect(i.spread).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(i.lo).toBeCloseTo(1.036757, 5);
    expect(i.hi).toBeCloseTo(4.963243, 5);
  });

  it('two runs 0.10, 0.12: half-width 12.706·0.01414/√2 = 0.12706', () => {
    const i = tInterval([0.1, 0.12]);
    expect(i.mean).toBeCloseTo(0.11, 12);
    expect(i.lo).toBeCloseTo(0.11 - 0.127062, 5);
    expect(i.hi).toBeCloseTo(0.11 + 0.127062, 5);
  });

  it('identical runs give a zero-width interval; < 2 finite values give none', () => {
    expect(tInterval([0.25, 0.25, 0.25])).toMatchObject({ mean: 0.25, lo: 0.25, hi: 0.25, method: 't' });
    expect(tInterval([0.2, Number.NaN])).toMatchObject({ mean: 0.2, lo: null, hi: null, method: 'none', n: 1 });
    expect(sampleSd([0.2])).toBe(0);
  });
});

describe('single-run noise', () => {
  it('σ̂ from second differences: alternating 1,2,1,2,1 → √(12/18)', () => {
    expect(validationNoise(series([1, 2, 1, 2, 1]))).toBeCloseTo(Math.sqrt(12 / 18), 12);
  });

  it('a straight line has no noise; fewer than 3 finite epochs → null', () => {
    expect(validationNoise(series([0.5, 0.4, 0.3, 0.2]))).toBeCloseTo(0, 12);
    expect(validationNoise(series([0.5, null, 0.3]))).toBeNull();
  });

  it('labels the interval single_run_noise: best ± 1.96·σ̂', () => {
    const i = singleRunInterval(0.1, 0.01);
    expect(i.method).toBe('single_run_noise');
    expect(i.n).toBe(1);
    expect(i.lo).toBeCloseTo(0.1 - 0.0196, 4);
    expect(i.hi).toBeCloseTo(0.1 + 0.0196, 4);
    expect(singleRunInterval(0.1, null)).toMatchObject({ mean: 0.1, lo: null, method: 'none' });
  });

  it('strategyInterval: n = 1 → single_run_noise, n ≥ 2 → t, none → none', () => {
    expect(strategyInterval([{ best: 0.1, noise: 0.01 }]).method).toBe('single_run_noise');
    expect(
      strategyInterval([
        { best: 0.1, noise: 0.01 },
        { best: null, noise: null },
      ]).method,
    ).toBe('single_run_noise');
    expect(
      strategyInterval([
        { best: 0.1, noise: 0.01 },
        { best: 0.12, noise: 0.01 },
      ]).method,
    ).toBe('t');
    expect(strategyInterval([])).toMatchObject({ mean: null, method: 'none', n: 0 });
  });
});

const iv = (
  mean: number,
  lo: number | null,
  hi: number | null,
  method: Interval['method'],
  n: number,
  spread: number | null,
): Interval => ({
  mean,
  lo,
  hi,
  method,
  n,
  spread,
});

describe('distinguishable', () => {
  it('only non-overlapping intervals; touching overlaps; missing never', () => {
    expect(distinguishable(iv(0.1, 0.09, 0.11, 't', 3, 0.01), iv(0.2, 0.19, 0.21, 't', 3, 0.01))).toBe(true);
    expect(distinguishable(iv(0.1, 0.09, 0.15, 't', 3, 0.01), iv(0.2, 0.15, 0.21, 't', 3, 0.01))).toBe(false);
    expect(distinguishable(iv(0.1, 0.09, 0.16, 't', 3, 0.01), iv(0.2, 0.15, 0.21, 't', 3, 0.01))).toBe(false);
    expect(distinguishable(iv(0.1, null, null, 'none', 1, null), iv(0.2, 0.19, 0.21, 't', 3, 0.01))).toBe(false);
  });
});

describe('runsToSeparate (2·t(n−1)·s/√n < d)', () => {
  it('d = 0.02, pooled s = 0.01 → 7 runs each (t(6)/√7 = 0.925 < 1; t(5)/√6 = 1.05)', () => {
    const a = tInterval([0.09, 0.11]); // s = 0.01414
    const b = tInterval([0.11, 0.13]);
    const spread = commonSpread(a, b);
    expect(spread?.source).toBe('runs');
    expect(spread?.spread).toBeCloseTo(Math.SQRT2 * 0.01, 12);
    const exact = runsToSeparate(iv(0.1, 0, 0.2, 't', 2, 0.01), iv(0.12, 0, 0.2, 't', 2, 0.01));
    expect(exact).toEqual({ runsEach: 7, more: 5, spreadSource: 'runs' });
  });

  it('single runs use the larger within-run noise and say so', () => {
    const r = runsToSeparate(singleRunInterval(0.1, 0.005), singleRunInterval(0.12, 0.01));
    expect(r?.spreadSource).toBe('single_run_noise');
    // s = 0.01, d = 0.02 → 7, as above; each has 1 run → 6 more
    expect(r).toMatchObject({ runsEach: 7, more: 6 });
  });

  it('ties and unreachable differences give null', () => {
    expect(runsToSeparate(iv(0.1, 0, 0.2, 't', 2, 0.01), iv(0.1, 0, 0.2, 't', 2, 0.01))).toBeNull();
    expect(runsToSeparate(iv(0.1, 0, 0.2, 't', 2, 1), iv(0.1001, 0, 0.2, 't', 2, 1))).toBeNull();
    expect(runsToSeparate(iv(0.1, null, null, 'none', 1, null), iv(0.2, null, null, 'none', 1, null))).toBeNull();
  });
});

describe('single-run noise uses the later half of a long run', () => {
  it('the steep early fall does not count as noise', () => {
    // later half 0.2, 0.21, 0.2 → one second difference 0.02 → √(0.0004/6)
    expect(validationNoise(series([0.9, 0.5, 0.3, 0.2, 0.21, 0.2]))).toBeCloseTo(Math.sqrt(0.0004 / 6), 12);
  });
});
