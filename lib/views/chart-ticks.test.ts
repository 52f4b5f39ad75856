import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChartXAxis } from './chart-text';
import { xTickLabels, yTickLabels } from './chart-ticks';

const range = (from: number, step: number, count: number) => Array.from({ length: count }, (_, i) => from + i * step);

// [what, axis ('y', 'log-y' or an x axis), the ticks chart.js hands over, the labels]
const CASES: [string, ChartXAxis | 'y' | 'log-y', number[], string[]][] = [
  // the Compare x axis that read "20k 20k 20k 21k …"
  [
    'steps past 10,000 in k, with the decimal the spacing needs',
    'step',
    range(20_000, 200, 5),
    ['20.0k', '20.2k', '20.4k', '20.6k', '20.8k'],
  ],
  ['steps past 10,000 a whole k apart', 'step', [10_000, 20_000, 30_000], ['10k', '20k', '30k']],
  ['steps from 0 in k: 0 stays "0"', 'step', [0, 5_000, 10_000, 30_000], ['0', '5k', '10k', '30k']],
  ['steps 250 apart', 'step', [20_000, 20_250, 20_500], ['20.00k', '20.25k', '20.50k']],
  ['steps too close for k: in full, thousands separated', 'step', [20_001, 20_002, 20_003], ['20,001', '20,002', '20,003']],
  ['steps under 10,000', 'step', [0, 200, 400, 1200], ['0', '200', '400', '1,200']],
  ['millions of steps', 'step', [1_000_000, 1_500_000, 2_000_000], ['1.0M', '1.5M', '2.0M']],
  ['a zoomed axis: its odd first tick rounded, still distinct', 'step', [20_123.456, 20_200, 20_400], ['20.12k', '20.20k', '20.40k']],
  ['whole epochs', 'epoch', [1, 2, 3, 12], ['1', '2', '3', '12']],
  ['half epochs', 'epoch', [0.5, 1, 1.5, 2], ['0.5', '1.0', '1.5', '2.0']],
  ['quarter epochs (no "0.3 0.5 0.8")', 'epoch', [0.25, 0.5, 0.75], ['0.25', '0.50', '0.75']],
  ['training time', 'time', [0, 600, 1200, 3600], ['0:00', '10:00', '20:00', '1:00:00']],
  ['training time zoomed under a second', 'time', [10, 10.5, 11], ['0:10.0', '0:10.5', '0:11.0']],
  ['wall time a minute or more apart', 'wall', [1_700_000_000, 1_700_003_600], ['11-14 22:13', '11-14 23:13']],
  [
    'wall time seconds apart',
    'wall',
    [1_700_000_000, 1_700_000_010, 1_700_000_020],
    ['11-14 22:13:20', '11-14 22:13:30', '11-14 22:13:40'],
  ],
  // the Hugging Face eval/loss and eval/accuracy y axes that repeated "1.3915" and "0.2409"
  ['a loss moving in the fifth decimal', 'y', range(1.3913, 0.00005, 5), ['1.39130', '1.39135', '1.39140', '1.39145', '1.39150']],
  [
    'an accuracy moving in the fifth decimal',
    'y',
    [0.2408, 0.24085, 0.2409, 0.24095, 0.241],
    ['0.24080', '0.24085', '0.24090', '0.24095', '0.24100'],
  ],
  ['losses a tenth apart (0 with no "-0", no float noise)', 'y', [1e-17, 0.1, 0.2, 0.30000000000000004], ['0.0', '0.1', '0.2', '0.3']],
  ['large values thousands separated', 'y', [10_000, 10_500, 11_000], ['10,000', '10,500', '11,000']],
  ['a learning rate in exponent form', 'y', [0, 1e-6, 2e-6, 3e-6], ['0', '1e-6', '2e-6', '3e-6']],
  ['a learning rate needing a mantissa decimal', 'y', [1e-5, 1.5e-5, 2e-5], ['1.0e-5', '1.5e-5', '2.0e-5']],
  ['FLOPs in exponent form', 'y', [3.1e17, 3.2e17, 3.3e17], ['3.1e+17', '3.2e+17', '3.3e+17']],
  ['a log axis: each tick its own digits', 'log-y', [0.02, 0.05, 0.1, 0.2, 1], ['0.02', '0.05', '0.1', '0.2', '1']],
  ['a log axis with a bound close to a tick', 'log-y', [0.2131, 0.3, 0.30001], ['0.2131', '0.3', '0.30001']],
  ['a log axis of learning rates', 'log-y', [1e-6, 1e-5, 1e-4], ['1e-6', '1e-5', '1e-4']],
];

const labelsOf = (axis: ChartXAxis | 'y' | 'log-y', values: number[]) =>
  axis === 'y' ? yTickLabels(values) : axis === 'log-y' ? yTickLabels(values, { log: true }) : xTickLabels(axis, values);

describe('axis tick labels', () => {
  it.each(CASES)('%s', (_what, axis, values, labels) => {
    expect(labelsOf(axis, values)).toEqual(labels);
  });

  it('are distinct wherever the ticks are, on any evenly spaced axis', () => {
    const axes = ['y', 'step', 'epoch', 'time'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...axes),
        fc.double({ min: -1e7, max: 1e7, noNaN: true }),
        fc.constantFrom(1, 2, 2.5, 5),
        fc.integer({ min: -8, max: 4 }),
        fc.integer({ min: 2, max: 12 }),
        (axis, start, mantissa, exponent, count) => {
          const step = mantissa * 10 ** exponent;
          // chart.js's nice ticks: multiples of the step (with its float noise)
          const first = Math.ceil(start / step) * step;
          fc.pre(Math.abs(first) / step < 1e9); // beyond that not even chart.js makes distinct ticks
          const values = range(first, step, count);
          if (axis !== 'y' && values.some((v) => v < 0)) return;
          const labels = labelsOf(axis, values);
          expect(new Set(labels).size).toBe(values.length);
        },
      ),
    );
  });
});
