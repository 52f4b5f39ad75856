import { describe, expect, it } from 'vitest';
import {
  MAX_LOG_HALF_WIDTH,
  MIN_NOISE_EPOCHS,
  commonSpread,
  distinguishable,
  estimateLogNoise,
  runsToSeparate,
  sampleSd,
  singleRunInterval,
  strategyInterval,
  tInterval,
  tQuantile,
  validationNoise,
  type Interval,
  type NoiseEstimate,
} from './uncertainty';
import type { RunSeries } from './types';
import { mulberry32 } from '../../testkit/random';

const series = (losses: (number | null)[]): Pick<RunSeries, 'taskId' | 'validations'> => ({
  taskId: 1,
  validations: losses.map((loss, i) => ({ epoch: i + 1, final: false, taskId: 1, loss })),
});

const noise = (logSigma: number, residuals = 10): NoiseEstimate => ({ logSigma, residuals, reason: null });
const geometricMean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

describe('t quantile (jStat)', () => {
  it('matches the printed t table', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706, 3);
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.776, 3);
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.042, 3);
  });
});

describe('tInterval (log scale)', () => {
  it('1.0..1.4: exp(mean ln ± 2.7764·sd ln/√5), centred on the geometric mean, arithmetic mean kept', () => {
    const i = tInterval([1, 1.1, 1.2, 1.3, 1.4]);
    const logs = [1, 1.1, 1.2, 1.3, 1.4].map(Math.log);
    const half = tQuantile(0.975, 4) * (sampleSd(logs) / Math.sqrt(5));
    expect(i).toMatchObject({ method: 't', n: 5, mean: 1.2, reason: null });
    expect(i.center).toBeCloseTo(geometricMean([1, 1.1, 1.2, 1.3, 1.4]), 12);
    expect(i.lo).toBeCloseTo(Math.exp(Math.log(i.center!) - half), 12);
    expect(i.hi).toBeCloseTo(Math.exp(Math.log(i.center!) + half), 12);
    expect(i.spread).toBeCloseTo(Math.sqrt(0.025), 12);
    expect(i.logSpread).toBeCloseTo(sampleSd(logs), 12);
  });

  it('two runs 0.100, 0.105: the log interval stays positive, asymmetric, and within the width bound', () => {
    const i = tInterval([0.1, 0.105]);
    // ln 0.100 = −2.302585, ln 0.105 = −2.253795: sd 0.034499, half-width 12.706·0.034499/√2 = 0.309957
    const centre = (Math.log(0.1) + Math.log(0.105)) / 2;
    expect(i).toMatchObject({ method: 't', n: 2, reason: null });
    expect(i.lo).toBeCloseTo(Math.exp(centre - 0.309957), 5);
    expect(i.hi).toBeCloseTo(Math.exp(centre + 0.309957), 5);
    expect(i.lo!).toBeGreaterThan(0);
  });

  it('identical runs give a zero-width interval; < 2 finite values or a non-positive loss give none, with the reason', () => {
    expect(tInterval([0.25, 0.25, 0.25])).toMatchObject({ mean: 0.25, method: 't' });
    expect(tInterval([0.25, 0.25, 0.25]).lo).toBeCloseTo(0.25, 12);
    expect(tInterval([0.25, 0.25, 0.25]).hi).toBeCloseTo(0.25, 12);
    expect(tInterval([0.2, Number.NaN])).toMatchObject({ mean: 0.2, lo: null, hi: null, method: 'none', n: 1, reason: 'too_few_points' });
    expect(tInterval([0.2, 0, 0.3])).toMatchObject({ lo: null, method: 'none', reason: 'non_positive' });
    expect(tInterval([])).toMatchObject({ mean: null, method: 'none', n: 0, reason: 'no_runs' });
    expect(sampleSd([0.2])).toBe(0);
  });

  it('never reaches zero or below, and never wider than centre/2 … 2·centre, whatever the spread (property over many draws)', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    let withInterval = 0;
    for (let k = 0; k < 500; k++) {
      const values = Array.from({ length: 2 + (k % 5) }, () => 1e-4 + random() * (k % 2 === 0 ? 0.05 : 5));
      const i = tInterval(values);
      if (i.lo === null || i.hi === null) {
        expect(i).toMatchObject({ method: 'none', reason: 'too_noisy' });
        expect(i.center!).toBeGreaterThan(0);
        continue;
      }
      withInterval++;
      expect(i.lo).toBeGreaterThan(0);
      expect(i.lo).toBeGreaterThanOrEqual(i.center! / 2 - 1e-12);
      expect(i.hi).toBeLessThanOrEqual(i.center! * 2 + 1e-12);
    }
    expect(withInterval).toBeGreaterThan(0);
  });
});

describe('the width bound: one rule for the between-runs and the single-run interval (no interval past centre/2 … 2·centre)', () => {
  // The /strategies case: task 2, unfreeze 4/12, two runs whose t-interval read "5.83e-6–917.2310".
  const wildPair = [0.0349, 0.1541];
  const steadyCurve = [0.5, 0.4, 0.3, 0.25, 0.22, 0.2, 0.19, 0.185, 0.18, 0.178, 0.176, 0.175];
  const noisyCurve = [0.3, 0.09, 0.4, 0.05, 0.35, 0.08, 0.5, 0.06, 0.3, 0.07, 0.45, 0.05];
  const cases: { name: string; interval: () => Interval; expected: 'interval' | 'too_noisy' }[] = [
    { name: 't, 2 runs 0.0349 and 0.1541 (the 5.83e-6–917 case)', interval: () => tInterval(wildPair), expected: 'too_noisy' },
    { name: 't, 2 runs 0.10 and 0.12 (hi/lo would be 10)', interval: () => tInterval([0.1, 0.12]), expected: 'too_noisy' },
    { name: 't, 2 runs 0.100 and 0.105', interval: () => tInterval([0.1, 0.105]), expected: 'interval' },
    { name: 't, 5 runs 0.11–0.23', interval: () => tInterval([0.11, 0.15, 0.16, 0.18, 0.23]), expected: 'interval' },
    { name: 't, 3 runs a decade apart', interval: () => tInterval([0.01, 0.1, 1]), expected: 'too_noisy' },
    {
      name: 'single run, steady curve',
      interval: () => singleRunInterval(0.175, estimateLogNoise(steadyCurve)),
      expected: 'interval',
    },
    {
      name: 'single run, curve mostly noise',
      interval: () => singleRunInterval(0.05, estimateLogNoise(noisyCurve)),
      expected: 'too_noisy',
    },
    { name: 'single run, σ̂ = 0.3 on 10 residuals', interval: () => singleRunInterval(0.1, noise(0.3, 10)), expected: 'interval' },
  ];
  it.each(cases)('$name → $expected', ({ interval, expected }) => {
    const i = interval();
    if (expected === 'too_noisy') {
      expect(i).toMatchObject({ lo: null, hi: null, method: 'none', reason: 'too_noisy' });
      return;
    }
    expect(i.reason).toBeNull();
    expect(i.hi! / i.lo!).toBeLessThanOrEqual(4 + 1e-9);
    expect(Math.log(i.hi! / i.center!)).toBeLessThanOrEqual(MAX_LOG_HALF_WIDTH + 1e-12);
  });

  it('two runs too far apart keep their centre and log spread: runs to separate is still estimated from them', () => {
    const a = tInterval(wildPair);
    expect(a.center).toBeCloseTo(Math.sqrt(0.0349 * 0.1541), 12);
    expect(a.logSpread).toBeCloseTo(Math.abs(Math.log(0.1541 / 0.0349)) / Math.SQRT2, 12);
    expect(commonSpread(a, singleRunInterval(0.01, noise(0.05)))).toMatchObject({ source: 'runs' });
  });
});

describe('single-run noise: trend first, robust scale, log loss', () => {
  it('a trend that is quadratic in log loss (a fall that flattens, a turn) has no noise', () => {
    const geometric = Array.from({ length: 10 }, (_, i) => 0.8 * 0.7 ** i);
    expect(estimateLogNoise(geometric)).toMatchObject({ reason: null, residuals: 5 });
    expect(estimateLogNoise(geometric).logSigma).toBeCloseTo(0, 12);
    const turning = Array.from({ length: 12 }, (_, i) => Math.exp(-2 - 0.3 * i + 0.02 * i * i));
    expect(estimateLogNoise(turning).logSigma).toBeCloseTo(0, 12);
  });

  it('alternating ±δ around a flat curve: |residual| = 8δ/√20 each, so σ̂ = 8δ/(√20·0.6745)', () => {
    const delta = 0.02;
    const losses = Array.from({ length: 12 }, (_, i) => 0.05 * Math.exp(i % 2 === 0 ? delta : -delta));
    expect(estimateLogNoise(losses).logSigma).toBeCloseTo((8 * delta) / Math.sqrt(20) / 0.6744897501960817, 12);
  });

  it(`fewer than ${MIN_NOISE_EPOCHS} finite epochs: no interval (too_few_points), never a guess`, () => {
    expect(estimateLogNoise([0.5, 0.4, 0.3, 0.25, 0.22, 0.2, 0.19, 0.185])).toMatchObject({ logSigma: null, reason: 'too_few_points' });
    expect(estimateLogNoise([0.5, 0.4, 0.3, 0.25, 0.22, 0.2, 0.19, 0.185, 0.18]).reason).toBeNull();
    expect(validationNoise(series([0.5, null, 0.3, 0.25, 0.22, 0.2, 0.19, 0.185, 0.18])).reason).toBe('too_few_points');
  });

  it(`a curve that is mostly noise (its interval would pass half or twice the best, t·σ̂ > ln 2 = ${MAX_LOG_HALF_WIDTH.toFixed(3)}): no interval (too_noisy)`, () => {
    const wild = [0.3, 0.09, 0.4, 0.05, 0.35, 0.08, 0.5, 0.06, 0.3, 0.07, 0.45, 0.05];
    expect(estimateLogNoise(wild)).toMatchObject({ logSigma: null, reason: 'too_noisy' });
    expect(singleRunInterval(0.05, estimateLogNoise(wild))).toMatchObject({ lo: null, hi: null, method: 'none', reason: 'too_noisy' });
  });

  it('a loss of zero or below has no logarithm: no interval (non_positive)', () => {
    expect(estimateLogNoise([0.5, 0.4, 0.3, 0.2, 0, 0.1, 0.1, 0.1, 0.1]).reason).toBe('non_positive');
    expect(singleRunInterval(0, noise(0.05)).reason).toBe('non_positive');
  });

  it('labels the interval single_run_noise: best · e^(±t(0.975, m)·σ̂), asymmetric, positive', () => {
    const i = singleRunInterval(0.1, noise(0.05, 6));
    const half = tQuantile(0.975, 6) * 0.05;
    expect(i).toMatchObject({ method: 'single_run_noise', n: 1, mean: 0.1, center: 0.1, logSpread: 0.05, reason: null });
    expect(i.lo).toBeCloseTo(0.1 * Math.exp(-half), 12);
    expect(i.hi).toBeCloseTo(0.1 * Math.exp(half), 12);
    expect(i.spread).toBeCloseTo(0.005, 12);
    expect(0.1 - i.lo!).toBeLessThan(i.hi! - 0.1);
    expect(singleRunInterval(0.1, { logSigma: null, residuals: 2, reason: 'too_few_points' })).toMatchObject({
      mean: 0.1,
      lo: null,
      method: 'none',
      reason: 'too_few_points',
    });
  });

  it('strategyInterval: n = 1 → single_run_noise, n ≥ 2 → t, none → none', () => {
    const unknown: NoiseEstimate = { logSigma: null, residuals: 0, reason: 'too_few_points' };
    expect(strategyInterval([{ best: 0.1, noise: noise(0.05) }]).method).toBe('single_run_noise');
    expect(
      strategyInterval([
        { best: 0.1, noise: noise(0.05) },
        { best: null, noise: unknown },
      ]).method,
    ).toBe('single_run_noise');
    expect(
      strategyInterval([
        { best: 0.1, noise: noise(0.05) },
        { best: 0.105, noise: noise(0.05) },
      ]).method,
    ).toBe('t');
    expect(strategyInterval([])).toMatchObject({ mean: null, method: 'none', n: 0, reason: 'no_runs' });
  });
});

describe('the /strategies example: best validation 0.0353 read "-0.0349–0.1055"', () => {
  // A 16-epoch run falling to a plateau near 0.036, with one bad validation at epoch 13 (0.1238: a
  // validation batch that hit a broken episode, a restart). The old estimator — later half of the
  // epochs, root mean square of the second differences of the LOSS, best ± 1.96·σ̂ — read it as noise
  // as large as the value itself.
  const run = [0.612, 0.298, 0.171, 0.109, 0.0772, 0.0581, 0.0479, 0.0431, 0.0397, 0.0372, 0.0358, 0.0353, 0.1238, 0.0369, 0.0364, 0.0376];
  const oldSigma = (v: number[]) => {
    const tail = v.length >= 6 ? v.slice(Math.floor(v.length / 2)) : v;
    let sum = 0;
    for (let i = 2; i < tail.length; i++) sum += (tail[i]! - 2 * tail[i - 1]! + tail[i - 2]!) ** 2;
    return Math.sqrt(sum / (6 * (tail.length - 2)));
  };

  it('the old rule reproduces the wild interval', () => {
    const best = Math.min(...run);
    expect(best).toBe(0.0353);
    const sigma = oldSigma(run);
    expect((best - 1.959963984540054 * sigma).toFixed(4)).toBe('-0.0349');
    expect((best + 1.959963984540054 * sigma).toFixed(4)).toBe('0.1055');
  });

  it('the new one: the spike stays a spike, the interval is 0.0336–0.0370 (about ±5%, positive)', () => {
    const estimate = validationNoise(series(run));
    expect(estimate).toMatchObject({ reason: null, residuals: 9 });
    expect(estimate.logSigma!).toBeGreaterThan(0.015);
    expect(estimate.logSigma!).toBeLessThan(0.03);
    const i = singleRunInterval(0.0353, estimate);
    expect(i.method).toBe('single_run_noise');
    expect(i.lo!.toFixed(4)).toBe('0.0336');
    expect(i.hi!.toFixed(4)).toBe('0.0370');
  });

  it('the same run cut to its first 5 epochs (steep fall only) gets no interval instead of a wild one', () => {
    const short = [0.352, 0.121, 0.06, 0.045, 0.0353];
    expect(0.0353 - 1.959963984540054 * oldSigma(short)).toBeLessThan(0); // the old rule: all 5, below zero
    expect(singleRunInterval(0.0353, validationNoise(series(short)))).toMatchObject({ lo: null, hi: null, reason: 'too_few_points' });
  });
});

// Series with known noise: log loss = ln(trend) + σ·Z, Z standard normal, many seeds and curve shapes.
describe('the single-run noise estimate against series with known noise', () => {
  const normal = (random: () => number) => {
    let u = 0;
    while (u === 0) u = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const shapes: Record<string, (epoch: number, epochs: number) => number> = {
    'falls like 1/√epoch (the synthetic trainer)': (t) => 0.8 / Math.sqrt(t) + 0.01,
    'steep exponential fall to a floor': (t) => 0.03 + 0.8 * Math.exp(-t / 1.2),
    'slow exponential fall': (t, n) => 0.03 + 0.8 * Math.exp(-t / (n / 4)),
    'overfits after the first third': (t, n) => {
      const turn = Math.round(n / 3);
      return t <= turn ? 0.8 / Math.sqrt(t) : (0.8 / Math.sqrt(turn)) * (1 + 0.06 * (t - turn));
    },
  };
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 === 1 ? s[s.length >> 1]! : (s[(s.length >> 1) - 1]! + s[s.length >> 1]!) / 2;
  };
  const SEEDS = 2000;

  for (const epochs of [9, 12, 20, 40]) {
    for (const sigma of [0.02, 0.06]) {
      it(`${epochs} epochs, σ = ${sigma}: median σ̂/σ within 15% of 1, 95% intervals cover 92–98%, across shapes`, () => {
        for (const [shape, trend] of Object.entries(shapes)) {
          const ratios: number[] = [];
          let covered = 0;
          let refused = 0;
          for (let seed = 1; seed <= SEEDS; seed++) {
            const random = mulberry32(seed * 7919 + epochs * 31 + Math.round(sigma * 1000));
            const truth = Array.from({ length: epochs }, (_, i) => trend(i + 1, epochs));
            const observed = truth.map((v) => v * Math.exp(sigma * normal(random)));
            const estimate = estimateLogNoise(observed);
            if (estimate.logSigma === null) {
              expect(estimate.reason, shape).toBe('too_noisy');
              refused += 1;
              continue;
            }
            ratios.push(estimate.logSigma / sigma);
            // the interval an observation gets (singleRunInterval) at an epoch of the fitted part
            const k = Math.floor(epochs / 4) + Math.floor(random() * (epochs - Math.floor(epochs / 4)));
            const i = singleRunInterval(observed[k]!, estimate);
            if (i.lo! <= truth[k]! && truth[k]! <= i.hi!) covered += 1;
          }
          // A few per mille of the shortest runs with 6% noise draw a sample that looks like 25% noise.
          expect(refused / SEEDS, `${shape}: refused as too noisy`).toBeLessThanOrEqual(0.01);
          expect(median(ratios), `${shape}: median σ̂/σ`).toBeGreaterThan(0.85);
          expect(median(ratios), `${shape}: median σ̂/σ`).toBeLessThan(1.15);
          expect(covered / ratios.length, `${shape}: coverage`).toBeGreaterThanOrEqual(0.92);
          expect(covered / ratios.length, `${shape}: coverage`).toBeLessThanOrEqual(0.98);
        }
      });
    }
  }

  it('one spike of +100% in 20 epochs: the robust scale moves by about half, a root mean square would be 4× the noise', () => {
    const robust: number[] = [];
    const rootMeanSquare: number[] = [];
    const rms = (losses: number[]) => {
      const y = losses.slice(5).map(Math.log);
      const r = y.slice(3).map((_, i) => (y[i]! - 3 * y[i + 1]! + 3 * y[i + 2]! - y[i + 3]!) / Math.sqrt(20));
      return Math.sqrt(r.reduce((a, x) => a + x * x, 0) / r.length);
    };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const random = mulberry32(seed);
      const observed = Array.from({ length: 20 }, (_, i) => (0.8 / Math.sqrt(i + 1)) * Math.exp(0.03 * normal(random)));
      observed[14] = observed[14]! * 2;
      robust.push(estimateLogNoise(observed).logSigma! / 0.03);
      rootMeanSquare.push(rms(observed) / 0.03);
    }
    expect(median(robust)).toBeLessThan(1.7);
    expect(median(rootMeanSquare)).toBeGreaterThan(4);
  });
});

const iv = (
  center: number,
  lo: number | null,
  hi: number | null,
  method: Interval['method'],
  n: number,
  logSpread: number | null,
): Interval => ({
  mean: center,
  lo,
  hi,
  method,
  n,
  spread: logSpread === null ? null : logSpread * center,
  center,
  logSpread,
  reason: lo === null ? 'too_few_points' : null,
});

describe('distinguishable', () => {
  it('only non-overlapping intervals; touching overlaps; missing never', () => {
    expect(distinguishable(iv(0.1, 0.09, 0.11, 't', 3, 0.1), iv(0.2, 0.19, 0.21, 't', 3, 0.1))).toBe(true);
    expect(distinguishable(iv(0.1, 0.09, 0.15, 't', 3, 0.1), iv(0.2, 0.15, 0.21, 't', 3, 0.1))).toBe(false);
    expect(distinguishable(iv(0.1, 0.09, 0.16, 't', 3, 0.1), iv(0.2, 0.15, 0.21, 't', 3, 0.1))).toBe(false);
    expect(distinguishable(iv(0.1, null, null, 'none', 1, null), iv(0.2, 0.19, 0.21, 't', 3, 0.1))).toBe(false);
  });
});

describe('runsToSeparate (log scale: 2·t(n−1)·s/√n < |ln a − ln b|)', () => {
  it('d = ln 1.2 = 0.1823, pooled log sd 0.1 → 6 runs each (t(5)/√6 = 1.050 → 0.2099 > d; t(6)/√7 = 0.925 → 0.1850 > d; t(7)/√8 → 0.1672 < d: 8)', () => {
    const a = tInterval([0.09, 0.11]);
    const b = tInterval([0.11, 0.13]);
    const spread = commonSpread(a, b);
    expect(spread?.source).toBe('runs');
    expect(spread?.spread).toBeCloseTo(Math.sqrt((a.logSpread! ** 2 + b.logSpread! ** 2) / 2), 12);
    const exact = runsToSeparate(iv(0.1, 0.05, 0.2, 't', 2, 0.1), iv(0.12, 0.05, 0.2, 't', 2, 0.1));
    expect(exact).toEqual({ runsEach: 8, more: 6, spreadSource: 'runs' });
  });

  it('single runs use the larger within-run log noise and say so', () => {
    const r = runsToSeparate(singleRunInterval(0.1, noise(0.05)), singleRunInterval(0.12, noise(0.1)));
    expect(r?.spreadSource).toBe('single_run_noise');
    // s = 0.1, d = ln 1.2 → 8, as above; each has 1 run → 7 more
    expect(r).toMatchObject({ runsEach: 8, more: 7 });
  });

  it('ties and unreachable differences give null', () => {
    expect(runsToSeparate(iv(0.1, 0.05, 0.2, 't', 2, 0.1), iv(0.1, 0.05, 0.2, 't', 2, 0.1))).toBeNull();
    expect(runsToSeparate(iv(0.1, 0.05, 0.2, 't', 2, 10), iv(0.1001, 0.05, 0.2, 't', 2, 10))).toBeNull();
    expect(runsToSeparate(iv(0.1, null, null, 'none', 1, null), iv(0.2, null, null, 'none', 1, null))).toBeNull();
  });
});
