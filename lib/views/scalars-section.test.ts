// The run page's Scalars section (./scalars-section.ts): TensorBoard's grouping and tag filter, Keras'
// folders on one chart, what is not shown, the lines each axis and smoothing give, the URL it keeps.
import { describe, expect, it } from 'vitest';
import type { ScalarTag } from '../api/schemas/scalars';
import {
  chartAxisOf,
  notShownText,
  ownAxisButton,
  scalarChartLines,
  scalarsSection,
  scalarsStateQuery,
  seriesSummaryText,
  tagFilter,
  tagGroup,
  toggledGroup,
  type ScalarsViewState,
} from './scalars-section';

const tag = (name: string, dir = '', over: Partial<ScalarTag> = {}): ScalarTag => ({
  dir,
  tag: name,
  count: 10,
  firstStep: 0,
  lastStep: 9,
  lastValue: 0.5,
  firstWallTime: 1000,
  lastWallTime: 1100,
  minValue: 0.1,
  maxValue: 1,
  axis: 'step',
  ...over,
});
const STATE: ScalarsViewState = { filter: '', closed: [], axis: 'step', smooth: 0.6, log: false };

describe('tagGroup', () => {
  const cases: [string, string][] = [
    ['train/loss', 'train'],
    ['curriculum/gait/loss', 'curriculum'],
    ['epoch_loss', 'epoch_loss'],
    ['/odd', '/odd'],
    ['valid_loss_step/epoch_0', 'valid_loss_step'],
  ];
  for (const [name, group] of cases) it(`${name} → ${group}`, () => expect(tagGroup(name)).toBe(group));
});

describe('tagFilter', () => {
  it('a case-insensitive regular expression; a broken one shows every tag and says why', () => {
    expect(tagFilter('LOSS$').test('train/loss')).toBe(true);
    expect(tagFilter('^eval/').test('train/loss')).toBe(false);
    expect(tagFilter('').test('anything')).toBe(true);
    const broken = tagFilter('train/(loss');
    expect(broken.test('x')).toBe(true);
    expect(broken.error).toMatch(/^not a regular expression .*: showing every tag$/);
  });
});

describe('scalarsSection', () => {
  const TEAM = [
    tag('train/loss', '', { count: 100, firstStep: 10, lastStep: 1000 }),
    tag('train/lr'),
    tag('curriculum/gait/loss'),
    tag('curriculum/safety/loss'),
    tag('hierarchical/safety_loss', '', { firstWallTime: 900 }),
  ];

  it('groups tags by prefix, in order, each chart with its API links', () => {
    const view = scalarsSection(7, { tags: TEAM, others: [] }, STATE);
    expect(view.groups.map((g) => [g.name, g.charts.map((c) => c.tag)])).toEqual([
      ['curriculum', ['curriculum/gait/loss', 'curriculum/safety/loss']],
      ['hierarchical', ['hierarchical/safety_loss']],
      ['train', ['train/loss', 'train/lr']],
    ]);
    const loss = view.groups[2]!.charts[0]!;
    expect(loss.series[0]).toMatchObject({
      dir: '',
      label: 'run',
      pointsUrl: '/api/runs/7/scalars?dir=&tag=train%2Floss&points=1000',
      csvUrl: '/api/runs/7/scalars?dir=&tag=train%2Floss&format=csv',
    });
    expect(loss.pngName).toBe('thaw-run-7-train-loss-step.png');
    expect(view).toMatchObject({ shown: 5, total: 5, filterError: null, notShown: null, startWallTime: 900 });
  });

  it('filters by regular expression and keeps collapsed groups collapsed', () => {
    const view = scalarsSection(7, { tags: TEAM, others: [] }, { ...STATE, filter: 'loss$', closed: ['curriculum'] });
    expect(view.groups.map((g) => [g.name, g.closed, g.charts.length])).toEqual([
      ['curriculum', true, 2],
      ['hierarchical', false, 1],
      ['train', false, 1],
    ]);
    expect(view).toMatchObject({ shown: 4, total: 5 });
  });

  it("draws Keras' train/ and validation/ of one tag on one chart, the run's own folder first", () => {
    const view = scalarsSection(
      3,
      { tags: [tag('epoch_loss', 'validation'), tag('epoch_loss', 'train'), tag('epoch_f1', 'train')], others: [] },
      STATE,
    );
    const loss = view.groups.find((g) => g.name === 'epoch_loss')!.charts[0]!;
    expect(loss.series.map((s) => [s.dir, s.label])).toEqual([
      ['train', 'train'],
      ['validation', 'validation'],
    ]);
    expect(loss.series[0]!.color).not.toBe(loss.series[1]!.color);
    const mixed = scalarsSection(3, { tags: [tag('a', 'eval'), tag('a', '')], others: [] }, STATE).groups[0]!.charts[0]!;
    expect(mixed.series.map((s) => s.label)).toEqual(['run', 'eval']);
  });
});

describe('notShownText', () => {
  it('counts every non-scalar value by plugin and folder', () => {
    expect(notShownText([])).toBeNull();
    expect(
      notShownText([
        { dir: '', plugin: 'text', count: 2 },
        { dir: 'train', plugin: 'graph_keras_model', count: 1 },
        { dir: 'train', plugin: 'graphs', count: 1 },
        { dir: '', plugin: 'custom_thing', count: 3 },
      ]),
    ).toBe('Not shown: 2 text values, 3 custom_thing values; 1 Keras model graph, 1 graph (train/) — only scalars are charted.');
  });
});

describe('scalarChartLines', () => {
  const view = { dir: '', label: 'run', color: '#123456' };
  const points: [number, number | null, number][] = [
    [0, 1, 1010],
    [5, null, 1030],
    [10, 0.5, 1020],
  ];

  it('step axis: raw faint under the smoothed line (TensorBoard EMA, gaps kept)', () => {
    const [raw, smoothed] = scalarChartLines([{ view, points }], { axis: 'step', smooth: 0.5 }, 1000);
    expect(raw).toMatchObject({
      id: 'scalar::raw',
      faint: true,
      points: [
        [0, 1],
        [5, null],
        [10, 0.5],
      ],
    });
    expect(smoothed!.points).toEqual([
      [0, 1],
      [5, null],
      [10, (0.5 * 0.5 * 1 + 0.5 * 0.5) / (1 - 0.25)],
    ]);
  });

  it('relative and wall axes: seconds since the start, or since the epoch, sorted by time', () => {
    const [relative] = scalarChartLines([{ view, points }], { axis: 'relative', smooth: 0 }, 1000);
    expect(relative!.points).toEqual([
      [10, 1],
      [20, 0.5],
      [30, null],
    ]);
    const [wall] = scalarChartLines([{ view, points }], { axis: 'wall', smooth: 0 }, 1000);
    expect(wall!.points.map((p) => p[0])).toEqual([1010, 1020, 1030]);
    expect([chartAxisOf('step'), chartAxisOf('relative'), chartAxisOf('wall')]).toEqual(['step', 'time', 'wall']);
    expect([chartAxisOf('step', 'epoch'), chartAxisOf('relative', 'epoch'), chartAxisOf('wall', 'epoch')]).toEqual([
      'epoch',
      'time',
      'wall',
    ]);
  });

  it("a tag logged per epoch: its own axis numbers the epochs from 1 (Keras' step 0 is epoch 1)", () => {
    const keras: [number, number | null, number][] = [
      [0, 2.9, 1000],
      [4, 2.56, 1040],
    ];
    const [line] = scalarChartLines([{ view, points: keras }], { axis: 'step', smooth: 0 }, 1000, 'epoch');
    expect(line!.points).toEqual([
      [1, 2.9],
      [5, 2.56],
    ]);
    // time axes do not care what the steps count
    const [relative] = scalarChartLines([{ view, points: keras }], { axis: 'relative', smooth: 0 }, 1000, 'epoch');
    expect(relative!.points.map((p) => p[0])).toEqual([0, 40]);
  });

  it('points all at one x are drawn as dots, never a line of no length', () => {
    const once: [number, number | null, number][] = [
      [0, -1, 1000],
      [0, -1, 1001],
    ];
    const lines = scalarChartLines([{ view, points: once }], { axis: 'step', smooth: 0.6 }, 1000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      dots: true,
      points: [
        [0, -1],
        [0, -1],
      ],
    });
  });
});

describe('the own-axis button and chart axes', () => {
  const cases: [string, ('epoch' | 'step')[], string][] = [
    ['Keras: every tag per epoch', ['epoch', 'epoch', 'epoch'], 'Epoch'],
    ['Hugging Face, Lightning, team step trainers', ['step', 'step'], 'Step'],
    ['Keras with per-batch tags too', ['epoch', 'step'], 'Epoch / step'],
    ['no tag', [], 'Step'],
  ];
  for (const [name, axes, label] of cases) it(name, () => expect(ownAxisButton(axes).label).toBe(label));

  it("a chart is on epochs when every folder's tag is; its PNG is named by it", () => {
    const view = scalarsSection(
      7,
      {
        tags: [
          tag('epoch_loss', 'train', { axis: 'epoch' }),
          tag('epoch_loss', 'validation', { axis: 'epoch' }),
          tag('batch_loss', 'train', { axis: 'step' }),
        ],
        others: [],
      },
      STATE,
    );
    const charts = view.groups.flatMap((g) => g.charts);
    expect(charts.map((c) => [c.tag, c.axis])).toEqual([
      ['batch_loss', 'step'],
      ['epoch_loss', 'epoch'],
    ]);
    expect(charts[1]!.pngName).toContain('epoch');
    expect(view.ownAxis.label).toBe('Epoch / step');
  });
});

describe('the URL and texts', () => {
  it('writes only its own keys and drops defaults', () => {
    expect(scalarsStateQuery('x=step&smooth=0.6', { filter: 'loss', closed: ['a', 'b'], axis: 'relative', log: true })).toBe(
      'x=step&smooth=0.6&sfilter=loss&sclosed=a%7Cb&sx=relative&slog=1',
    );
    expect(scalarsStateQuery('sfilter=loss&sx=wall&slog=1', { filter: '', axis: 'step', log: false, closed: [] })).toBe('');
    expect(toggledGroup(['a'], 'b')).toEqual(['a', 'b']);
    expect(toggledGroup(['a', 'b'], 'a')).toEqual(['b']);
  });

  it("a series' summary", () => {
    const fmt = (v: number | null) => (v === null ? '–' : v.toFixed(4));
    expect(
      seriesSummaryText({ label: 'run', summary: tag('t', '', { count: 2100, firstStep: 1, lastStep: 2100, lastValue: 0.66587 }) }, fmt),
    ).toBe('run: 2,100 points · steps 1–2,100 · last 0.6659');
    expect(
      seriesSummaryText(
        { label: 'validation', summary: tag('t', 'validation', { count: 1, firstStep: 4, lastStep: 4, lastValue: null }) },
        fmt,
      ),
    ).toBe('validation: 1 point · step 4 · last –');
    // per epoch: numbered as the chart draws them
    const keras = tag('epoch_loss', 'validation', { count: 5, firstStep: 0, lastStep: 4, lastValue: 2.56224, axis: 'epoch' });
    expect(seriesSummaryText({ label: 'validation', summary: keras }, fmt)).toBe('validation: 5 points · epochs 1–5 · last 2.5622');
    expect(seriesSummaryText({ label: 'validation', summary: keras }, fmt, 'step')).toBe('validation: 5 points · steps 0–4 · last 2.5622');
  });
});
