import { describe, expect, it } from 'vitest';
import { ALERT_RULES, DEFAULT_ALERT_RULES, alertTransitions, unlikelyToBeatAlert, type AlertRunState } from './alerts';
import type { RunSeries } from './types';

function series(train: (number | null)[], val: (number | null)[]): RunSeries {
  return {
    taskId: 1,
    epochs: train.map((trainLoss, i) => ({ epoch: i + 1, trainLoss })),
    validations: val.map((loss, i) => ({ epoch: i + 1, final: false, taskId: 1, loss })),
  };
}

const base: AlertRunState = { status: 'running', errorMessage: null, outputDir: '/out/t1', series: series([], []), checkpoints: [] };
const overfit = series([1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2], [1, 0.5, 0.4, 0.45, 0.5, 0.55, 0.6]);

const cases: { name: string; state: AlertRunState; rules: string[] }[] = [
  { name: 'a healthy running run fires nothing', state: { ...base, series: series([1, 0.8, 0.6, 0.5], [1, 0.8, 0.6, 0.5]) }, rules: [] },
  { name: 'overfitting', state: { ...base, series: overfit }, rules: ['overfitting'] },
  { name: 'NaN training loss diverges', state: { ...base, series: series([1, null, 0.5], [1, 0.8, 0.7]) }, rules: ['diverged'] },
  { name: 'crashed', state: { ...base, status: 'crashed', errorMessage: 'CUDA out of memory' }, rules: ['crashed'] },
  { name: 'completed (and overfitting)', state: { ...base, status: 'completed', series: overfit }, rules: ['overfitting', 'completed'] },
  { name: 'stale is decided by the sweep, not here', state: { ...base, status: 'stale' }, rules: [] },
];

describe('alertTransitions', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(alertTransitions(c.state).map((t) => t.rule)).toEqual(c.rules);
    });
  }

  it('overfitting says where it began, the best epoch and the checkpoint to use', () => {
    const [alert] = alertTransitions({
      ...base,
      series: overfit,
      checkpoints: [
        { kind: 'checkpoint_saved', epoch: 3, loss: 0.6, path: '/out/t1/epoch3' },
        { kind: 'checkpoint_saved', epoch: 6, loss: 0.3, path: '/out/t1/epoch6' },
      ],
    });
    expect(alert?.details).toMatchObject({ overfitStartEpoch: 4, bestEpoch: 3, checkpoint: 'epoch3', checkpointPath: '/out/t1/epoch3' });
    expect(alert?.message).toContain('began at epoch 4');
    expect(alert?.message).toContain('epoch3 (/out/t1/epoch3)');
  });

  it('crashed carries the error', () => {
    expect(alertTransitions({ ...base, status: 'crashed', errorMessage: 'CUDA out of memory' })[0]?.message).toContain(
      'CUDA out of memory',
    );
  });

  it.each([
    ['CUDA out of memory', 'The run crashed: CUDA out of memory.'],
    ['GPU 0 has 1.12 GiB free.', 'The run crashed: GPU 0 has 1.12 GiB free.'],
    [null, 'The run crashed: no error message was printed.'],
  ])('crashed message for error %j ends in one full stop', (errorMessage, message) => {
    expect(alertTransitions({ ...base, status: 'crashed', errorMessage })[0]?.message).toBe(message);
  });
});

describe('unlikelyToBeatAlert', () => {
  const forecast = {
    verdict: 'unlikely_to_beat' as const,
    sentence: 'Likely ends at 0.041 (0.036–0.047); the best finished run of task 2 ended at 0.035: 6% chance to beat it.',
    pBeat: 0.06,
    incumbent: { runId: 12, value: 0.035 },
    minutesSaved: 190.4,
    mean: 0.041,
    lo: 0.036,
    hi: 0.047,
    metric: 'val' as const,
    axis: 'epoch' as const,
    fromX: 9,
    toX: 30,
  };

  it('words the forecast: its sentence, the incumbent, and the facts for the payload', () => {
    expect(unlikelyToBeatAlert(forecast)).toEqual({
      rule: 'unlikely_to_beat',
      message: `${forecast.sentence} Best finished run: #12.`,
      details: {
        pBeat: 0.06,
        incumbentRunId: 12,
        incumbentValue: 0.035,
        minutesSaved: 190.4,
        forecast: 0.041,
        forecastLo: 0.036,
        forecastHi: 0.047,
        metric: 'val',
        axis: 'epoch',
        fromX: 9,
        toX: 30,
      },
    });
  });

  it.each(['on_track', 'insufficient'] as const)('%s: no alert', (verdict) => {
    expect(unlikelyToBeatAlert({ ...forecast, verdict })).toBeNull();
  });

  it('is opt-in: a rule, but not a default one', () => {
    expect(ALERT_RULES).toContain('unlikely_to_beat');
    expect(DEFAULT_ALERT_RULES).not.toContain('unlikely_to_beat');
  });
});
