import { describe, expect, it } from 'vitest';
import type { ForecastBacktestResponse, ForecastResponse } from '../api/schemas/forecast';
import { BUILT_IN_NOTE, backtestPanel, forecastCell, forecastOverlay, forecastPanel, forecastX } from './forecast';

const forecast = (partial: Partial<ForecastResponse> = {}): ForecastResponse => ({
  runId: 7,
  metric: 'val',
  axis: 'epoch',
  at: 1,
  fromX: 9,
  toX: 12,
  mean: 0.0412,
  lo: 0.0361,
  hi: 0.0474,
  level: 0.8,
  method: 'power law towards a floor, fitted on log validation loss per epoch (9 points)',
  points: 9,
  incumbent: { runId: 3, value: 0.035 },
  pBeat: 0.06,
  verdict: 'unlikely_to_beat',
  minutesSaved: 189.6,
  reason: null,
  overfitting: null,
  path: [
    [9, 0.04, 0.04, 0.04],
    [10.5, 0.0406, 0.038, 0.044],
    [12, 0.0412, 0.0361, 0.0474],
  ],
  sentence:
    'Likely ends at 0.0412 (0.0361–0.0474); the best finished run of task 2 ended at 0.035: 6% chance to beat it — stopping now saves about 190 GPU-minutes.',
  calibration: { kind: 'peer', source: 'finished_runs', runs: 40, cases: 110, peers: 3 },
  ...partial,
});

describe('forecastX: a forecast x on the chart’s axis', () => {
  it.each([
    [5, 'epoch', 'epoch', null, 5],
    [5, 'epoch', 'step', 120, 600],
    [600, 'step', 'epoch', 120, 5],
    [600, 'step', 'step', null, 600],
    [5, 'epoch', 'step', null, null],
    [5, 'epoch', 'time', 120, null],
    [600, 'step', 'time', 120, null],
  ] as const)('%s on %s → %s axis (steps/epoch %s) = %s', (x, axis, chartX, spe, expected) => {
    expect(forecastX(x, axis, chartX, spe)).toBe(expected);
  });
});

describe('forecastOverlay: what the loss chart draws', () => {
  it('the cone from the last point to the planned end, in the run colour, and the incumbent’s level linking to its run', () => {
    const o = forecastOverlay(forecast(), { x: 'epoch', stepsPerEpoch: 20, color: '#2f6fed' });
    expect(o.cone).toEqual({
      id: 'forecast',
      color: '#2f6fed',
      label: 'forecast of the validation loss (80% interval)',
      points: forecast().path,
    });
    expect(o.reference).toMatchObject({ y: 0.035, href: '/runs/3', label: 'best finished run #3: 0.035' });
    expect(o.note).toBeNull();
    // On the step axis the epochs are placed at epoch × steps per epoch.
    expect(forecastOverlay(forecast(), { x: 'step', stepsPerEpoch: 20, color: '#000000' }).cone!.points.map((p) => p[0])).toEqual([
      180, 210, 240,
    ]);
  });

  it('no cone on wall time (said), nor on the other axis without steps per epoch; the incumbent line stays', () => {
    const time = forecastOverlay(forecast(), { x: 'time', stepsPerEpoch: 20, color: '#000000' });
    expect(time.cone).toBeNull();
    expect(time.note).toMatch(/epoch and step axes, not on wall time/);
    expect(time.reference).not.toBeNull();
    const steps = forecastOverlay(forecast(), { x: 'step', stepsPerEpoch: null, color: '#000000' });
    expect(steps.cone).toBeNull();
    expect(steps.note).toMatch(/per epoch and this run's steps per epoch are unknown/);
  });

  it('a one-point path (a finished run) and no incumbent draw nothing', () => {
    const o = forecastOverlay(forecast({ path: [[12, 0.04, 0.04, 0.04]], incumbent: null }), {
      x: 'epoch',
      stepsPerEpoch: 1,
      color: '#000',
    });
    expect(o).toEqual({ cone: null, reference: null, markers: [], note: null });
  });

  it('marks the minimum an overfitting forecast follows the rise from, unless a marker is already there', () => {
    const overfitting = { epoch: 4, value: 0.031, message: 'overfitting: validation loss has risen since its minimum of 0.031 at epoch 4' };
    const f = forecast({ overfitting });
    expect(forecastOverlay(f, { x: 'epoch', stepsPerEpoch: 10, color: '#123456' }).markers).toEqual([
      { id: 'marker-forecast-overfit', kind: 'overfit', x: 4, y: 0.031, label: overfitting.message, color: '#123456' },
    ]);
    expect(forecastOverlay(f, { x: 'epoch', stepsPerEpoch: 10, color: '#123456', markers: [{ x: 4 }] }).markers).toEqual([]);
  });
});

describe('forecastPanel and forecastCell: words, not new numbers', () => {
  it('the panel shows the sentence as the API gave it, the verdict, the incumbent link and the overfitting note', () => {
    const overfitting = { epoch: 4, value: 0.031, message: 'overfitting: validation loss has risen since its minimum of 0.031 at epoch 4' };
    const p = forecastPanel(forecast({ overfitting }));
    expect(p.sentence).toBe(forecast().sentence);
    expect(p.verdict).toEqual({ tone: 'warn', text: 'unlikely to beat', title: '6% chance to beat the best finished run' });
    expect(p.incumbent).toEqual({ href: '/runs/3', text: 'run #3, which ended at 0.035' });
    expect(p.overfitting).toBe('validation bottomed at 0.031 at epoch 4; the forecast follows the rise since');
    expect(p.calibration).toBeNull();
    expect(p.method).toBe(forecast().method);
  });

  it('says when the interval is calibrated on the built-in curves', () => {
    const f = forecast({ calibration: { kind: 'absolute', source: 'built_in', runs: 2, cases: 4, peers: 0 } });
    expect(forecastPanel(f).calibration).toBe(BUILT_IN_NOTE);
    expect(BUILT_IN_NOTE).toMatch(/fewer than 30 backtests/);
    // No interval, nothing calibrated.
    expect(forecastPanel({ ...f, mean: null, lo: null, hi: null }).calibration).toBeNull();
  });

  it.each([
    [forecast(), { tone: 'warn', text: 'stop: saves ~190 min' }],
    [forecast({ minutesSaved: null }), { tone: 'warn', text: 'unlikely · 6%' }],
    [forecast({ verdict: 'on_track', pBeat: 0.38, minutesSaved: null }), { tone: 'ok', text: 'on track · 38%' }],
    [forecast({ verdict: 'on_track', pBeat: 0.999, minutesSaved: null }), { tone: 'ok', text: 'on track · over 99%' }],
  ] as const)('the cell’s badge: %#', (f, badge) => {
    const cell = forecastCell(f);
    expect(cell.badge).toEqual({ ...badge, title: f.sentence });
    expect(cell.value).toBe('0.0412');
    expect(cell.valueTitle).toBe('80% interval 0.0361–0.0474 at epoch 12 (validation loss)');
  });

  it('an insufficient forecast: a muted dash with the reason on hover', () => {
    const reason = '3 of the 5 validation points a forecast needs';
    const cell = forecastCell(
      forecast({ verdict: 'insufficient', mean: null, lo: null, hi: null, pBeat: null, minutesSaved: null, incumbent: null, reason }),
    );
    expect(cell).toEqual({ value: null, valueTitle: null, badge: { tone: 'muted', text: '—', title: reason } });
  });
});

describe('backtestPanel: how good the forecasts have been here', () => {
  const score = (coverage: number | null, skill: number | null, cases = 20, runs = 8) => ({
    cases,
    runs,
    coverage,
    medianAbsLogError: 0.1133,
    naiveMedianAbsLogError: 0.2,
    skill,
  });
  const body = (tasks: ForecastBacktestResponse['tasks']): ForecastBacktestResponse => ({
    level: 0.8,
    finishedRuns: 12,
    calibration: {
      absolute: { source: 'finished_runs', runs: 12, cases: 34, tau: 0.1, rho: 0.3 },
      peer: { source: 'built_in', runs: 0, cases: 0, tau: 0, rho: 0 },
    },
    overall: score(0.8, 0.6, 34, 12),
    byFraction: [
      { ...score(0.7, 0.7, 10, 10), at: 0.25 },
      { ...score(0.8, 0.6, 12, 12), at: 0.5 },
      { ...score(null, null, 0, 0), at: 0.75 },
    ],
    tasks,
    note: 'Each finished run is forecast from the first 25, 50 and 75% …',
  });
  const task = (key: string, label: string, coverage: number | null, skill: number | null) => ({
    ...score(coverage, skill),
    key,
    label,
    taskId: 1,
    taskName: null,
    datasetFrames: null,
    dataset: null,
    experiment: null,
  });

  it('per task: coverage next to the 80% it should be (green 65–95%), errors against "the loss stays put", runs replayed', () => {
    const view = backtestPanel(body([task('task1|frames?', 'task 1', 0.8, 0.62), task('task2|frames?', 'task 2', 0.5, 1.3)]));
    expect(view.rows.map((r) => [r.label, r.runs, r.coverage.text, r.coverage.tone, r.skill.text, r.skill.tone, r.error.text])).toEqual([
      ['task 1', 8, '80%', 'ok', '0.62×', 'ok', '±12%'],
      ['task 2', 8, '50%', 'warn', '1.30×', 'warn', '±12%'],
    ]);
    expect(view.rows[0]!.coverage.title).toBe('the 80% interval held the outcome in 16 of 20 backtests (honest: about 80%)');
    expect(view.overall!.label).toBe('all tasks');
    expect(view.fractions).toBe('From 25% of a run: 70% held (10 backtests) · from 50% of a run: 80% held (12 backtests)');
    expect(view.calibration).toBe('Intervals are calibrated on 34 backtests of 12 finished runs here.');
    expect(view.note).toMatch(/^Each finished run/);
  });

  it('one task needs no overall row; nothing to replay is an empty list', () => {
    expect(backtestPanel(body([task('k', 'task 1', 0.8, 0.6)])).overall).toBeNull();
    const empty = backtestPanel({ ...body([]), byFraction: [] });
    expect(empty.rows).toEqual([]);
    expect(empty.fractions).toBeNull();
  });
});
