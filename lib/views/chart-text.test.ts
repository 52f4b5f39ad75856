import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChartLine } from './chart-lines';
import { chartTable, chartText, fmtX, fmtY, lineFacts, pointsText } from './chart-text';

const line = (id: string, points: [number, number | null][], extra: Partial<ChartLine> = {}): ChartLine => ({
  id,
  label: id,
  color: '#009e73',
  points,
  ...extra,
});

describe("a chart's text alternative", () => {
  it('names the title, the kind of chart, the axes and the number of lines drawn (faint raw lines left out)', () => {
    const text = chartText({
      title: 'run #3 · loss',
      xAxis: 'epoch',
      yLabel: 'loss',
      logY: true,
      lines: [line('train', [[1, 0.5]]), line('train:raw', [[1, 0.6]], { faint: true }), line('val', [[1, 0.7]])],
    });
    expect(text.label).toBe('run #3 · loss: line chart of loss (log scale) against epoch, 2 lines.');
    expect(text.details).toHaveLength(2);
  });

  it('gives each line its latest and lowest value with where they are, skipping gaps and NaN', () => {
    const text = chartText({
      title: 't',
      xAxis: 'epoch',
      yLabel: 'loss',
      lines: [
        line('val', [
          [1, 0.9],
          [2, 0.31234],
          [3, null],
          [4, Number.NaN],
          [5, 0.4],
        ]),
      ],
      markers: [{ label: 'best validation at epoch 2' }],
    });
    expect(text.details).toEqual([
      'val: latest 0.4000 at epoch 5, lowest 0.3123 at epoch 2, 3 points.',
      'Marker: best validation at epoch 2.',
    ]);
  });

  it('says "highest" for a success rate, no best for a learning rate, and the step and time axes in full', () => {
    const success = chartText({
      title: 'eval',
      xAxis: 'step',
      yLabel: 'success %',
      best: 'max',
      lines: [
        line('s', [
          [20_000, 40],
          [30_000, 85.5],
        ]),
      ],
    });
    expect(success.details[0]).toBe('s: latest 85.50 at step 30,000, highest 85.50 at step 30,000, 2 points.');
    const lr = chartText({ title: 'lr', xAxis: 'time', yLabel: 'learning rate', best: null, lines: [line('lr', [[3725, 0.00003]])] });
    expect(lr.details[0]).toBe('lr: latest 3.00e-5 at training time 1:02:05, 1 point.');
  });

  it('says when there is nothing drawn yet', () => {
    expect(chartText({ title: 't', xAxis: 'epoch', yLabel: 'loss', lines: [] }).label).toBe(
      't: line chart of loss against epoch, no data yet.',
    );
    expect(chartText({ title: 't', xAxis: 'epoch', yLabel: 'loss', lines: [line('a', [[1, null]])] }).details).toEqual([
      'a: no values yet.',
    ]);
  });

  it('the latest is the last finite point and the lowest is no larger than any finite point, for any series', () => {
    const point = fc.tuple(fc.integer({ min: 0, max: 500 }), fc.option(fc.double({ min: -10, max: 10, noNaN: true }), { nil: null }));
    fc.assert(
      fc.property(fc.array(point, { maxLength: 40 }), (points) => {
        const facts = lineFacts({ label: 'x', points }, 'min');
        const finite = points.filter((p): p is [number, number] => p[1] !== null);
        expect(facts.points).toBe(finite.length);
        expect(facts.latest).toEqual(finite.length ? { x: finite.at(-1)![0], y: finite.at(-1)![1] } : null);
        for (const [, y] of finite) expect(facts.best!.y).toBeLessThanOrEqual(y);
      }),
    );
  });

  it('a points chart (cost vs quality) lists each point with its note', () => {
    const text = pointsText({
      title: 'task 1',
      xLabel: 'training minutes per run',
      yLabel: 'best validation loss',
      points: [{ label: 'unfreeze 6/12', x: '12.5', y: '0.0410', note: 'on the Pareto front' }],
    });
    expect(text).toEqual({
      label: 'task 1: chart of best validation loss against training minutes per run, 1 point.',
      details: ['unfreeze 6/12: best validation loss 0.0410, training minutes per run 12.5, on the Pareto front.'],
    });
  });
});

describe("a chart's data as a table", () => {
  it('one row per x of any line, one column per drawn line, empty where a line has no point', () => {
    const table = chartTable([
      line('train', [
        [1, 0.5],
        [2, 0.4],
      ]),
      line('train:raw', [[1.5, 9]], { faint: true }),
      line('val', [[2, 0.45]]),
    ]);
    expect(table).toEqual({
      columns: ['train', 'val'],
      rows: [
        { x: 1, values: [0.5, null] },
        { x: 2, values: [0.4, 0.45] },
      ],
      total: 2,
    });
  });

  it('past maxRows keeps an even spread and every line’s first, latest and best x', () => {
    const long = line(
      'a',
      Array.from({ length: 1000 }, (_, i): [number, number] => [i, i === 777 ? -1 : 1]),
    );
    const table = chartTable([long], { maxRows: 50 });
    const xs = table.rows.map((r) => r.x);
    expect(table.total).toBe(1000);
    expect(xs.length).toBeLessThanOrEqual(53);
    expect(xs).toEqual(expect.arrayContaining([0, 777, 999]));
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it('formats x and y as the words do', () => {
    expect([fmtX('epoch', 12), fmtX('step', 12_000), fmtX('time', 61), fmtX('epoch', 2.5)]).toEqual(['12', '12,000', '1:01', '2.50']);
    expect([fmtY(0.0123456), fmtY(85.5), fmtY(0.00002), fmtY(Number.POSITIVE_INFINITY), fmtY(12_345)]).toEqual([
      '0.0123',
      '85.50',
      '2.00e-5',
      'inf',
      '12,345',
    ]);
  });
});
