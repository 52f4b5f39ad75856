import { describe, expect, it } from 'vitest';
import type { CompareResponse } from '../api/schemas/compare';
import {
  CONFIG_DIFF_COLUMNS,
  compareContext,
  configDiffView,
  compareNotes,
  facetAxesLine,
  facetChart,
  type CompareFacet,
  facetPngName,
  facetTitle,
  nText,
  reportFileName,
  reportFilters,
  reportTitle,
  seriesNText,
  scalarChoice,
  scalarChoiceChange,
  yQuantity,
} from './compare-page';
import { UNKNOWN_STRATEGY_COLOR } from './strategy-colors';

type Series = CompareResponse['series'][number];

const query: CompareResponse['query'] = { mode: 'group', x: 'epoch', smooth: 0, log: false, points: 1000, pool: false };
const facet: CompareResponse['facets'][number] = {
  key: 'task1|frames1000',
  label: 'task 1 · pick',
  taskId: 1,
  taskName: 'pick',
  datasetFrames: 1000,
  dataset: null,
  experiment: null,
  runIds: [1, 2],
  x: 'epoch',
  note: null,
};
const base = {
  strategyKey: '12:8-11',
  facet: facet.key,
  groupKey: '12:8-11@task1|frames1000',
  taskId: 1,
  runIds: [1, 2],
  color: '#3366d6',
};
const series: Series[] = [
  {
    ...base,
    id: 'train-12:8-11',
    kind: 'train',
    runId: null,
    label: 'unfreeze 4/12 train (mean, n=2)',
    points: [
      [1, 1],
      [2, 0.5],
    ],
    smoothed: null,
    band: [
      [1, 0.9, 1.1, 2],
      [2, 0.4, 0.6, 1],
    ],
  },
  {
    ...base,
    id: 'val-12:8-11',
    kind: 'val',
    runId: null,
    label: 'unfreeze 4/12 validation (mean, n=2)',
    points: [[2, 0.7]],
    smoothed: null,
    band: [[2, 0.6, 0.8, 2]],
  },
];
const data = {
  query,
  runs: [
    { id: 1, taskId: 1 },
    { id: 2, taskId: 1 },
  ],
  strategies: [{ key: '12:8-11', label: 'unfreeze 4/12', color: '#3366d6', trainableLayers: 4, runIds: [1, 2] }],
  facets: [facet],
  series,
  markers: [
    { kind: 'best', facet: facet.key, strategyKey: '12:8-11', runId: null, epoch: 2, x: 2, y: 0.7, label: 'best' },
    { kind: 'overfit', facet: facet.key, strategyKey: 'gone', runId: null, epoch: 2, x: 2, y: 0.7, label: 'overfit' },
  ],
  notes: ['Pooled: …', 'run 9 not found'],
  poolingNote: 'Pooled: …',
} as unknown as CompareResponse;

describe('the compare page view model', () => {
  it("draws a facet's group as a mean line with its basis, a band, markers and one caption chip", () => {
    const chart = facetChart(data, facet);
    expect(chart.lines.map((l) => [l.id, l.label, l.dashed, l.dots])).toEqual([
      ['train-12:8-11', 'unfreeze 4/12 train', false, false],
      ['val-12:8-11', 'unfreeze 4/12 validation', true, true],
    ]);
    expect(chart.lines[0]!.stats).toEqual([
      [1, 0.9, 1.1, 2, 1],
      [2, 0.4, 0.6, 1, 0.5],
    ]);
    expect(chart.bands.map((b) => b.id)).toEqual(['band-train-12:8-11', 'band-val-12:8-11']);
    expect(chart.groups).toEqual([
      { id: 'val-12:8-11', groupKey: base.groupKey, label: 'unfreeze 4/12', color: '#3366d6', n: 'train n=1–2 · val n=2' },
    ]);
    // A marker of a strategy not in the legend is drawn in the unknown colour.
    expect(chart.markers.map((m) => m.color)).toEqual(['#3366d6', UNKNOWN_STRATEGY_COLOR]);
  });

  it('a smoothed series draws its raw line faint underneath', () => {
    const smoothed = { ...data, series: [{ ...series[0]!, smoothed: [[1, 0.8] as [number, number]] }] };
    expect(facetChart(smoothed, facet).lines.map((l) => [l.id, l.faint ?? false])).toEqual([
      ['train-12:8-11:raw', true],
      ['train-12:8-11', false],
    ]);
  });

  it('says n as one number or a range', () => {
    expect([nText([]), nText([3, 3]), nText([1, 3, 2])]).toEqual(['n=0', 'n=3', 'n=1–3']);
    expect(seriesNText(series[0]!)).toBe('n=1–2');
    expect(seriesNText({ band: null })).toBe('');
  });

  it('shows the pooling note only when pooled, and lists the other notes', () => {
    expect(compareNotes(data)).toEqual({ pooling: null, other: ['run 9 not found'] });
    expect(compareNotes({ ...data, query: { ...query, pool: true } })).toEqual({ pooling: 'Pooled: …', other: ['run 9 not found'] });
  });

  it('names the downloads after the view', () => {
    expect(compareContext(data)).toBe('runs-1-2');
    expect(compareContext({ runs: Array.from({ length: 7 }, (_, i) => ({ id: i + 1 })) } as CompareResponse)).toBe('7-runs');
    expect(facetTitle(data, facet)).toBe('task 1 · pick · 2 runs · loss, mean ± min–max per strategy');
    expect(facetPngName(data, facet)).toBe('thaw-compare-runs-1-2.png');
    expect(reportFileName(data, '2026-12-07')).toBe('thaw-compare-report-runs-1-2-2026-12-07.html');
    expect(reportTitle(data)).toBe('Thaw comparison: unfreeze 4/12 on task 1');
  });

  it('the report header names every filter in the URL, tag and starred included', () => {
    const params = new URLSearchParams('task=1&tag=baseline&starred=1&q=pick');
    expect(reportFilters(data, params, { min: 1, max: 10 })).toEqual([
      { label: 'Runs (matching the filters)', value: '#1, #2' },
      { label: 'Tasks', value: '1' },
      { label: 'Search', value: 'pick' },
      { label: 'Tags', value: 'baseline' },
      { label: 'Starred', value: 'starred only' },
      { label: 'Grouping', value: 'by strategy (mean ± min–max)' },
      { label: 'Charts', value: 'one chart per task (and dataset size)' },
      { label: 'Axes', value: 'x: epoch 1.000–10.00 · y: loss · smoothing 0' },
    ]);
  });
});

describe('the scalar in view', () => {
  it('is chosen as <dir>//<tag> and written as scalar and scalarDir; the losses remove both', () => {
    expect([
      scalarChoice(null),
      scalarChoice({ dir: '', tag: 'train/loss' }),
      scalarChoice({ dir: 'validation', tag: 'epoch_loss' }),
    ]).toEqual(['', '//train/loss', 'validation//epoch_loss']);
    expect(scalarChoiceChange('//train/loss')).toEqual({ scalar: 'train/loss', scalarDir: null });
    expect(scalarChoiceChange('validation//epoch_loss')).toEqual({ scalar: 'epoch_loss', scalarDir: 'validation' });
    expect(scalarChoiceChange('')).toEqual({ scalar: null, scalarDir: null });
    const query = { mode: 'group', x: 'step', smooth: 0, log: false, points: 1000, pool: false } as const;
    expect(yQuantity({ query })).toBe('loss');
    expect(yQuantity({ query: { ...query, scalar: { dir: 'validation', tag: 'epoch_loss' } } })).toBe('validation/epoch_loss');
  });
});

describe('facetAxesLine', () => {
  const f = (x: CompareFacet['x']) => ({ ...facet, x });
  it.each([
    ['every facet on the page axis: nothing to say', [f('epoch'), f('epoch')], null],
    [
      'some by step, some without a chart',
      [f('epoch'), f('step'), f('step'), f(null)],
      '3 charts: 1 by epoch, 2 by step; 1 facet with no loss to chart, listed after the charts. Each chart is on the axis its runs have.',
    ],
    [
      'only facets without a chart',
      [f(null), f(null)],
      'No chart; 2 facets with no loss to chart, listed after the charts. Each chart is on the axis its runs have.',
    ],
  ] as const)('%s', (_name, facets, expected) => {
    expect(facetAxesLine({ query, facets: [...facets] })).toBe(expected);
  });
});

describe('config differences: at most CONFIG_DIFF_COLUMNS runs side by side, keys none of them sets left out', () => {
  const diff = (runIds: number[], rows: [string, (string | null)[]][]) => ({
    runIds,
    rows: rows.map(([key, values]) => ({ key, values, confounder: key === 'batch_size' })),
    confounders: [],
    warning: null,
  });
  const many = Array.from({ length: 62 }, (_, i) => i + 1);
  it.each([
    [
      '62 runs: the first 8, keys only later runs set are left out (they read "–" in every column)',
      diff(many, [
        ['config_ar.n_lags', [...Array<null>(60).fill(null), '3', '4']],
        ['batch_size', ['8', '16', ...Array<string>(60).fill('8')]],
        ['lr', [...Array<string>(8).fill('1e-4'), ...Array<string>(54).fill('3e-4')]],
      ]),
      {
        runIds: many.slice(0, 8),
        keys: ['batch_size'],
        caption: '8 of 62 runs in view: the first 8 in the list of runs above; select runs to compare others.',
      },
    ],
    [
      'every run fits: every differing key set by one of them',
      diff(
        [4, 5, 6],
        [
          ['seed', ['1', '2', '3']],
          ['only_one', [null, 'x', null]],
        ],
      ),
      { runIds: [4, 5, 6], keys: ['seed', 'only_one'], caption: 'All 3 runs in view.' },
    ],
  ] as const)('%s', (_name, input, expected) => {
    const view = configDiffView(input);
    expect(view.runIds).toEqual(expected.runIds);
    expect(view.rows.map((r) => r.key)).toEqual(expected.keys);
    expect(view.rows.every((r) => r.values.length === view.runIds.length)).toBe(true);
    expect(view.caption).toBe(expected.caption);
  });
  it('the cap', () => expect(CONFIG_DIFF_COLUMNS).toBe(8));
});
