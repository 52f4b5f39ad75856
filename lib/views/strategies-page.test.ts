import { describe, expect, it } from 'vitest';
import type { RecommendationView, StrategiesResponse } from '../api/schemas/strategies';
import {
  axisColumns,
  datasetText,
  fmtMeanCount,
  intervalCell,
  noiseText,
  rankingAxis,
  fmtMin,
  fmtNum,
  inRuleOfThumb,
  nextCell,
  noTradeoffText,
  ruleOfThumbFor,
  strategiesApiLinks,
  tradeoffPngName,
  tradeoffPoints,
  tradeoffTitle,
  type Ranked,
} from './strategies-page';
import { fileName } from './report';

const ranked = (extra: Partial<Ranked>): Ranked =>
  ({
    key: 'k',
    label: 'unfreeze 4/12',
    color: '#3366d6',
    trainableLayers: 4,
    pareto: false,
    trainingMinutes: 30,
    bestValidation: { mean: 0.2, lo: 0.18, hi: 0.22, method: 't', n: 3, spread: 0.01 },
    distinguishableFromNext: null,
    runsToSeparateNext: null,
    ...extra,
  }) as Ranked;

describe('the strategies page view model', () => {
  it('says the data size and where the episode count came from', () => {
    expect(datasetText({ datasetFrames: 12000, episodes: 39.6, episodesSource: 'estimated' })).toBe('12,000 frames · ~40 episodes');
    expect(datasetText({ datasetFrames: null, episodes: 50, episodesSource: 'task' })).toBe(
      'dataset size unknown · 50 episodes (given for the task)',
    );
    expect(datasetText({ datasetFrames: 900, episodes: null, episodesSource: null })).toBe('900 frames');
  });

  it('places a strategy in the rule of thumb', () => {
    const table = [
      { minLayers: 3, maxLayers: 4, episodesText: '< 500 episodes' },
      { minLayers: 8, maxLayers: 9, episodesText: '2000+ episodes' },
    ] as StrategiesResponse['heuristicTable'];
    expect([ruleOfThumbFor(table, 4), ruleOfThumbFor(table, 6), ruleOfThumbFor(table, null)]).toEqual([
      '< 500 episodes',
      'not in the table',
      '–',
    ]);
    const rec = { heuristic: { minLayers: 3, maxLayers: 4 } } as RecommendationView;
    expect([
      inRuleOfThumb(rec, { trainableLayers: 4 }),
      inRuleOfThumb(rec, { trainableLayers: 6 }),
      inRuleOfThumb({ heuristic: null }, { trainableLayers: 4 }),
    ]).toEqual([true, false, false]);
  });

  it('says whether a strategy is separated from the next, and what it would take', () => {
    expect(nextCell(ranked({}), undefined)).toBeNull();
    expect(
      nextCell(
        ranked({ distinguishableFromNext: true }),
        ranked({ bestValidation: { method: 'single_run_noise' } as Ranked['bestValidation'] }),
      ),
    ).toEqual({
      kind: 'separated',
      singleRunNoiseOnly: true,
    });
    expect(
      nextCell(
        ranked({
          distinguishableFromNext: false,
          runsToSeparateNext: { runsEach: 5, spreadSource: 'runs' } as Ranked['runsToSeparateNext'],
        }),
        undefined,
      ),
    ).toEqual({
      kind: 'overlap',
      runsEach: 5,
      title: 'runs each at which the observed difference would clear both 95% intervals, from the run-to-run spread',
    });
  });

  it('charts only strategies with both timing and validation', () => {
    const rec = { ranking: [ranked({ key: 'a', pareto: true }), ranked({ key: 'b', trainingMinutes: null })] } as RecommendationView;
    expect(tradeoffPoints(rec).map((p) => [p.key, p.minutes, p.mean, p.pareto])).toEqual([['a', 30, 0.2, true]]);
    expect(noTradeoffText(rec)).toBe('One strategy is both cheaper and better than the rest (the only point on the front).');
    expect(tradeoffPngName({ taskId: 1, taskName: 'pick', dataset: null, datasetFrames: 900 })).toBe(
      'thaw-strategies-tradeoff-task1-pick-900frames.png',
    );
    expect(tradeoffPngName({ taskId: null, taskName: null, dataset: 'kuavo/pick', datasetFrames: null })).toBe(
      fileName(['thaw-strategies-tradeoff', 'kuavo/pick'], 'png'),
    );
    expect(tradeoffTitle({ label: 'task 1 · pick' })).toBe('task 1 · pick: best validation vs training time per strategy');
  });

  it('formats minutes and epoch means, and links the ranking with the page’s frames per episode', () => {
    expect([fmtMin(null), fmtMin(0.5), fmtMin(12.34), fmtMin(150.4)]).toEqual(['–', '0.50', '12.3', '150']);
    expect([fmtNum(null), fmtNum(7), fmtNum(7.25)]).toEqual(['–', '7', '7.3']);
    expect(strategiesApiLinks(300)).toEqual({ csv: '/api/strategies?format=csv&fpe=300', json: '/api/strategies?fpe=300' });
    expect(strategiesApiLinks(undefined)).toEqual({ csv: '/api/strategies?format=csv', json: '/api/strategies' });
  });

  it('names the axis of a ranking by step (LeRobot eval_loss) or by epoch', () => {
    const rec = (...axes: ('epoch' | 'step')[]) => ({ ranking: axes.map((axis) => ranked({ axis })) });
    expect([rankingAxis(rec('step', 'step')), rankingAxis(rec('epoch')), rankingAxis(rec('step', 'epoch')), rankingAxis(rec())]).toEqual([
      'step',
      'epoch',
      'epoch',
      'epoch',
    ]);
    expect([axisColumns('step').best, axisColumns('step').toConverge, axisColumns('epoch').best, axisColumns('epoch').toConverge]).toEqual([
      'Best step',
      'Steps to 5%',
      'Best epoch',
      'Epochs to 5%',
    ]);
  });

  it.each([
    [
      'an interval over runs',
      { lo: 0.18, hi: 0.22, method: 't', n: 3, reason: null },
      'epoch',
      { kind: 'interval', lo: 0.18, hi: 0.22, title: 't over runs', singleRun: false },
    ],
    [
      'one run, its own noise',
      { lo: 0.03, hi: 0.04, method: 'single_run_noise', n: 1, reason: null },
      'epoch',
      { kind: 'interval', lo: 0.03, hi: 0.04, title: 'one run: its own validation noise', singleRun: true },
    ],
    [
      'one run, too few epochs',
      { lo: null, hi: null, method: 'none', n: 1, reason: 'too_few_points' },
      'epoch',
      { kind: 'none', text: 'one run, too few epochs for an interval' },
    ],
    [
      'one LeRobot run, too few evaluations',
      { lo: null, hi: null, method: 'none', n: 1, reason: 'too_few_points' },
      'step',
      { kind: 'none', text: 'one run, too few evaluations for an interval' },
    ],
    [
      'one run, too noisy',
      { lo: null, hi: null, method: 'none', n: 1, reason: 'too_noisy' },
      'epoch',
      { kind: 'none', text: 'one run, its validation curve is too noisy for an interval' },
    ],
    [
      'two runs that disagree too much (their t-interval read 5.83e-6–917.2310)',
      { lo: null, hi: null, method: 'none', n: 2, reason: 'too_noisy' },
      'epoch',
      { kind: 'none', text: '2 runs disagree too much for an interval' },
    ],
    [
      'runs with a loss of zero',
      { lo: null, hi: null, method: 'none', n: 2, reason: 'non_positive' },
      'epoch',
      { kind: 'none', text: 'no interval (a loss of zero or below)' },
    ],
    ['no run', { lo: null, hi: null, method: 'none', n: 0, reason: 'no_runs' }, 'epoch', { kind: 'none', text: 'no interval' }],
  ] as const)('the interval cell never blank: %s', (_name, interval, axis, expected) => {
    expect(intervalCell(ranked({ axis, bestValidation: { mean: 0.2, spread: null, center: null, logSpread: null, ...interval } }))).toEqual(
      expected,
    );
  });

  it.each([
    [0.05, null, '±5.0%'],
    [0.0123, null, '±1.2%'],
    [0.25, null, '±25%'],
    [null, 'too_few_points', 'too few points'],
    [null, 'too_noisy', 'too noisy'],
    [null, 'non_positive', 'loss ≤ 0'],
    [null, null, '–'],
  ] as const)('a run’s noise %s (%s) reads %s', (validationLogNoise, noiseReason, text) => {
    expect(noiseText({ validationLogNoise, noiseReason })).toBe(text);
  });
});

describe('a mean epoch or step count over runs ("Best epoch" 29.8 read like an epoch some run had)', () => {
  it.each([
    [29.8, { text: '≈30', title: 'mean over runs: 29.8' }],
    [28.6, { text: '≈29', title: 'mean over runs: 28.6' }],
    [20, { text: '20', title: undefined }],
    [12345.5, { text: '≈12,346', title: 'mean over runs: 12345.5' }],
    [20000, { text: '20,000', title: undefined }],
    [null, { text: '–', title: undefined }],
  ] as const)('%s → %o', (value, expected) => {
    expect(fmtMeanCount(value)).toEqual(expected);
  });
});
