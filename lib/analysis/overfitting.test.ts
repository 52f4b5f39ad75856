import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERFITTING_OPTIONS, OPTIMISTIC_VALIDATION_NOTE, overfittingVerdict, relativeChange } from './overfitting';
import { loadSample } from './test-samples';
import type { RunSeries, ValidationPoint } from './types';

/** Epochs 1..n with the given training losses; one own-task (task 1) validation per epoch. */
function series(train: (number | null)[], val: (number | null)[], extra: Partial<RunSeries> = {}): RunSeries {
  return {
    taskId: 1,
    epochs: train.map((trainLoss, i) => ({ epoch: i + 1, trainLoss })),
    validations: val.map((loss, i) => ({ epoch: i + 1, final: false, taskId: 1, loss })),
    ...extra,
  };
}

describe('defaults', () => {
  it('are the documented Keras/Lightning-style values', () => {
    expect(DEFAULT_OVERFITTING_OPTIONS).toEqual({
      patience: 3,
      minDelta: 0.02,
      riseThreshold: 0.05,
      divergenceThreshold: 10,
      checkFinite: true,
      minValidations: 3,
      gapRatioThreshold: 2,
      gapWideningThreshold: 0.1,
    });
  });
  it('relativeChange handles a zero base', () => {
    expect(relativeChange(0.5, 0.7)).toBeCloseTo(0.4, 12);
    expect(relativeChange(0, 0)).toBe(0);
    expect(relativeChange(0, 1)).toBe(Infinity);
    expect(relativeChange(0, -1)).toBe(-Infinity);
  });
});

describe('overfitting', () => {
  // val: 1.0 → 0.8 → 0.5 (best, epoch 3) → 0.55 → 0.6 → 0.7; train keeps falling 0.6 → 0.3.
  const s = series([1.0, 0.8, 0.6, 0.5, 0.4, 0.3], [1.0, 0.8, 0.5, 0.55, 0.6, 0.7]);
  const r = overfittingVerdict(s);

  it('is flagged with every number hand-computed', () => {
    expect(r.verdict).toBe('overfitting');
    expect(r.bestEpoch).toBe(3);
    expect(r.bestValue).toBe(0.5);
    expect(r.latestEpoch).toBe(6);
    expect(r.latestValue).toBe(0.7);
    expect(r.epochsSinceBest).toBe(3);
    expect(r.validationsSinceImprovement).toBe(3);
    expect(r.riseFromBest).toBeCloseTo(0.4, 12); // (0.7 − 0.5) / 0.5
    expect(r.trainAtBest).toBe(0.6);
    expect(r.trainAtEnd).toBe(0.3);
    expect(r.gapAtBest).toBeCloseTo(0.5 / 0.6, 12); // 0.8333
    expect(r.gapAtEnd).toBeCloseTo(0.7 / 0.3, 12); // 2.3333
    expect(r.overfitStartEpoch).toBe(4); // 0.55 > 0.5 · 1.02
    expect(r.validationPoints).toBe(6);
    expect(r.divergence).toBeNull();
    expect(r.reason).toBe(
      'Validation loss on task 1 bottomed at 0.5 at epoch 3 and has risen 40.0% over 3 epochs since, ' +
        'while training loss fell from 0.6 to 0.3: overfitting.',
    );
  });

  it('needs `patience` validations without improvement: 2 after the best is still ok', () => {
    const r2 = overfittingVerdict(series([1.0, 0.8, 0.6, 0.5, 0.4], [1.0, 0.8, 0.5, 0.55, 0.6]));
    expect(r2.verdict).toBe('ok');
    expect(r2.validationsSinceImprovement).toBe(2);
    expect(r2.overfitStartEpoch).toBeNull();
    expect(r2.reason).toBe(
      'Validation loss on task 1 is 0.6 at epoch 5, 1.5x the training loss 0.4, 20.0% above its best 0.5 ' +
        'at epoch 3 and still within patience (2 of 3 validations): ok.',
    );
  });

  it('ignores options passed as undefined', () => {
    expect(overfittingVerdict(s, { patience: undefined }).verdict).toBe('overfitting');
  });

  it('honours a custom patience', () => {
    const r2 = overfittingVerdict(series([1.0, 0.8, 0.6, 0.5, 0.4], [1.0, 0.8, 0.5, 0.55, 0.6]), { patience: 2 });
    expect(r2.verdict).toBe('overfitting');
    expect(r2.reason).toContain('risen 20.0% over 2 epochs since');
  });

  it('needs the latest value ≥ 5% above the best (rise threshold boundary)', () => {
    const train = [2, 1.5, 1, 0.8, 0.6, 0.4];
    expect(overfittingVerdict(series(train, [2, 1.5, 1.0, 1.01, 1.02, 1.05])).verdict).toBe('overfitting');
    expect(overfittingVerdict(series(train, [2, 1.5, 1.0, 1.01, 1.02, 1.04])).verdict).toBe('watch');
    expect(overfittingVerdict(series(train, [2, 1.5, 1.0, 1.01, 1.02, 1.04]), { riseThreshold: 0.03 }).verdict).toBe('overfitting');
  });

  it('marks the rise start at the first point above best·(1+minDelta), not merely above the best', () => {
    // best 1.0 at epoch 3; 1.01 (epoch 4) is within 2%, 1.03 (epoch 5) is where the rise began.
    const r2 = overfittingVerdict(series([2, 1.5, 1, 0.8, 0.6, 0.4], [2, 1.5, 1.0, 1.01, 1.03, 1.2]));
    expect(r2.verdict).toBe('overfitting');
    expect(r2.overfitStartEpoch).toBe(5);
  });

  it('sorts validations by epoch and ignores other tasks', () => {
    const validations: ValidationPoint[] = [...s.validations].reverse().flatMap((v) => [v, { ...v, taskId: 2, loss: 5 - v.epoch * 0.1 }]);
    const r2 = overfittingVerdict({ ...s, taskId: 1, validations });
    expect(r2.verdict).toBe('overfitting');
    expect(r2.bestEpoch).toBe(3);
  });
});

describe('watch', () => {
  it('validation rose but training did not fall over the same window', () => {
    const r = overfittingVerdict(series([1.0, 0.8, 0.6, 0.6, 0.65, 0.7], [1.0, 0.8, 0.5, 0.55, 0.6, 0.7]));
    expect(r.verdict).toBe('watch');
    expect(r.reason).toBe(
      'Validation loss on task 1 bottomed at 0.5 at epoch 3 and has risen 40.0% over 3 epochs since, but ' +
        'training loss did not fall (0.6 to 0.7), so this is not the classic overfit shape: watch.',
    );
    expect(r.overfitStartEpoch).toBeNull();
  });

  it('stalled without a clear rise', () => {
    // best 0.5 at epoch 3, then 0.51, 0.505, 0.52 (+4%, under the 5% rise threshold).
    const r = overfittingVerdict(series([1.0, 0.8, 0.6, 0.5, 0.4, 0.3], [1.0, 0.8, 0.5, 0.51, 0.505, 0.52]));
    expect(r.verdict).toBe('watch');
    expect(r.validationsSinceImprovement).toBe(3);
    expect(r.riseFromBest).toBeCloseTo(0.04, 12);
    expect(r.reason).toBe(
      'Validation loss on task 1 has not improved by more than 2.0% for 3 validations (best 0.5 at epoch 3, ' +
        'latest 0.52 at epoch 6, 4.0% above the best): stalled, watch.',
    );
  });

  it('min_delta is relative: improvements of ≤ 2% do not reset patience', () => {
    // ref 1.0; 0.99, 0.985 and 0.98 are each not below 1.0 − 0.02·1.0 = 0.98.
    const s = series([1, 0.9, 0.8, 0.7], [1.0, 0.99, 0.985, 0.98]);
    const r = overfittingVerdict(s);
    expect(r.verdict).toBe('watch');
    expect(r.validationsSinceImprovement).toBe(3);
    expect(r.bestEpoch).toBe(4); // the true minimum, even though it was not a "significant" improvement
    expect(r.riseFromBest).toBe(0);
    // with min_delta 0 every lower value is an improvement
    const r0 = overfittingVerdict(s, { minDelta: 0 });
    expect(r0.verdict).toBe('ok');
    expect(r0.validationsSinceImprovement).toBe(0);
    expect(r0.reason).toBe('Validation loss on task 1 is at its best, 0.98 at epoch 4, 1.4x the training loss 0.7: ok.');
  });

  it('generalisation gap large (≥ 2x) and widening (> 10% over the last 3 validations)', () => {
    // val improves > 2% each time, train falls much faster: gap 0.9/0.7 = 1.2857 at epoch 2 → 0.6/0.25 = 2.4.
    const r = overfittingVerdict(series([1.0, 0.7, 0.45, 0.3, 0.25], [1.0, 0.9, 0.8, 0.7, 0.6]));
    expect(r.verdict).toBe('watch');
    expect(r.validationsSinceImprovement).toBe(0);
    expect(r.gapAtEnd).toBeCloseTo(2.4, 12);
    expect(r.reason).toBe(
      'Validation loss on task 1 is 2.4x the training loss at epoch 5 (0.6 vs 0.25), up from 1.2857x at ' +
        'epoch 2: the generalisation gap is large and widening, watch.',
    );
  });

  it('a large but steady gap is ok', () => {
    const r = overfittingVerdict(series([0.2, 0.18, 0.16, 0.14, 0.12], [0.5, 0.45, 0.4, 0.35, 0.3]));
    expect(r.gapAtEnd).toBeCloseTo(2.5, 12);
    expect(r.verdict).toBe('ok');
  });

  it('a widening gap below the large threshold is ok', () => {
    const r = overfittingVerdict(series([1.0, 0.7, 0.45, 0.3, 0.25], [1.0, 0.9, 0.8, 0.7, 0.6]), {
      gapRatioThreshold: 3,
    });
    expect(r.verdict).toBe('ok');
  });
});

describe('diverged', () => {
  it('NaN (null) training loss', () => {
    const r = overfittingVerdict(series([1.0, 0.8, null, null], [1.0, 0.8, 0.7, 0.6]));
    expect(r.verdict).toBe('diverged');
    expect(r.divergence).toEqual({ epoch: 3, step: null, source: 'training', value: null });
    expect(r.reason).toBe('Training loss is NaN (not finite) at epoch 3: diverged.');
  });

  it('NaN as a number and infinite validation loss', () => {
    expect(overfittingVerdict(series([1.0, Number.NaN], [1.0, 0.9])).reason).toBe(
      'Training loss is NaN (not finite) at epoch 2: diverged.',
    );
    const r = overfittingVerdict(series([1.0, 0.9, 0.8], [1.0, Infinity, 0.7]));
    expect(r.verdict).toBe('diverged');
    expect(r.reason).toBe('Validation loss on task 1 is inf (not finite) at epoch 2: diverged.');
  });

  it('a loss above the divergence threshold, earliest epoch wins', () => {
    const r = overfittingVerdict(series([1.0, 0.9, 0.8, 0.7, 12], [1.0, 0.9, 10.5, 0.7, 0.6]));
    expect(r.verdict).toBe('diverged');
    expect(r.divergence).toEqual({ epoch: 3, step: null, source: 'validation', value: 10.5 });
    expect(r.reason).toBe('Validation loss on task 1 reached 10.5 at epoch 3, above the divergence threshold 10: diverged.');
    expect(overfittingVerdict(series([1.0, 12], [1.0, 0.9])).reason).toBe(
      'Training loss reached 12 at epoch 2, above the divergence threshold 10: diverged.',
    );
    expect(overfittingVerdict(series([1.0, 12], [1.0, 0.9]), { divergenceThreshold: 20 }).verdict).toBe('insufficient');
  });

  it("a NaN in the final validation of the own task counts; another task's inf does not", () => {
    const base = series([1.0, 0.9, 0.8], [1.0, 0.9, 0.8], { taskId: 2 });
    const own: RunSeries = {
      ...base,
      validations: base.validations.map((v) => ({ ...v, taskId: 2 })).concat([{ epoch: 3, final: true, taskId: 2, loss: null }]),
    };
    expect(overfittingVerdict(own).verdict).toBe('diverged');
    const other: RunSeries = {
      ...own,
      validations: own.validations.slice(0, 3).concat([{ epoch: 3, final: true, taskId: 1, loss: Infinity }]),
    };
    expect(overfittingVerdict(other).verdict).toBe('ok');
  });

  it('checkFinite: false ignores NaN points (they are skipped in the trend)', () => {
    const r = overfittingVerdict(series([1.0, 0.8, null, 0.6], [1.0, 0.8, null, 0.6]), { checkFinite: false });
    expect(r.verdict).toBe('ok');
    expect(r.validationPoints).toBe(3);
  });

  it('takes precedence over insufficient', () => {
    expect(overfittingVerdict(series([1.0, null], [1.0])).verdict).toBe('diverged');
  });
});

describe('diverged by a step loss', () => {
  const nanStep = (step: number, epoch: number | null, loss = Number.NaN): Partial<RunSeries> => ({
    stepLoss: { firstNonFinite: { step, epoch, loss } },
  });

  // One table: what the step point is, what else the run has, and where it diverged.
  const cases: { name: string; run: RunSeries; at: { epoch: number | null; step: number | null }; reason: string }[] = [
    {
      name: 'a step-based run (LeRobot: no epochs, no validation) whose loss turned NaN',
      run: series([], [], nanStep(600, null)),
      at: { epoch: null, step: 600 },
      reason: 'Training loss is NaN (not finite) at step 600: diverged.',
    },
    {
      name: 'an epoch-based run: a progress frame shows it before the epoch average does',
      run: series([1.0, 0.8, 0.6], [1.0, 0.8, 0.6], nanStep(130, 4, Infinity)),
      at: { epoch: 4, step: 130 },
      reason: 'Training loss is inf (not finite) at step 130 (epoch 4): diverged.',
    },
    {
      name: 'a step inside the epoch whose average is NaN too: the step says where',
      run: series([1.0, 0.8, null], [1.0, 0.8, 0.6], nanStep(110, 3)),
      at: { epoch: 3, step: 110 },
      reason: 'Training loss is NaN (not finite) at step 110 (epoch 3): diverged.',
    },
    {
      name: 'an earlier epoch diverged first',
      run: series([1.0, 12, 0.6, 0.5], [1.0, 0.8, 0.6, 0.5], nanStep(130, 4)),
      at: { epoch: 2, step: null },
      reason: 'Training loss reached 12 at epoch 2, above the divergence threshold 10: diverged.',
    },
    {
      name: 'a step without an epoch does not beat an epoch point',
      run: series([1.0, null], [1.0, 0.8], nanStep(5, null)),
      at: { epoch: 2, step: null },
      reason: 'Training loss is NaN (not finite) at epoch 2: diverged.',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = overfittingVerdict(c.run);
      expect(r.verdict).toBe('diverged');
      expect({ epoch: r.divergence?.epoch, step: r.divergence?.step }).toEqual(c.at);
      expect(r.reason).toBe(c.reason);
    });
  }

  it('only when non-finite counts (checkFinite)', () => {
    expect(overfittingVerdict(series([], [], nanStep(600, null)), { checkFinite: false }).verdict).toBe('insufficient');
    expect(overfittingVerdict(series([], [], { stepLoss: { firstNonFinite: null } })).verdict).toBe('insufficient');
  });
});

describe('insufficient', () => {
  it('fewer than 3 points: the final validation gives the end gap, no trend', () => {
    const s: RunSeries = {
      taskId: 1,
      epochs: [
        { epoch: 1, trainLoss: 0.6 },
        { epoch: 2, trainLoss: 0.3 },
      ],
      validations: [
        { epoch: 1, final: false, taskId: 1, loss: 0.5 },
        { epoch: 2, final: false, taskId: 1, loss: 0.4 },
        { epoch: 2, final: true, taskId: 1, loss: 0.45 },
      ],
    };
    const r = overfittingVerdict(s);
    expect(r.verdict).toBe('insufficient');
    expect(r.validationPoints).toBe(2);
    expect(r.bestEpoch).toBeNull();
    expect(r.bestValue).toBeNull();
    expect(r.epochsSinceBest).toBeNull();
    expect(r.gapAtBest).toBeNull();
    expect(r.latestValue).toBe(0.45);
    expect(r.gapAtEnd).toBeCloseTo(1.5, 12);
    expect(r.reason).toBe(
      'Only 2 per-epoch validation points for task 1, fewer than the 3 needed for a trend; the final ' +
        'validation loss is 0.45 at epoch 2, 1.5x the training loss 0.3.',
    );
  });

  it('without a final block the latest per-epoch point gives the end gap', () => {
    const r = overfittingVerdict(series([0.6, 0.4], [0.5, 0.6]));
    expect(r.verdict).toBe('insufficient');
    expect(r.gapAtEnd).toBeCloseTo(1.5, 12);
    expect(r.reason).toContain('the latest validation loss is 0.6 at epoch 2, 1.5x the training loss 0.4.');
  });

  it('no validation at all', () => {
    const r = overfittingVerdict(series([0.6, 0.4], []));
    expect(r.verdict).toBe('insufficient');
    expect(r.gapAtEnd).toBeNull();
    expect(r.reason).toBe('No validation loss was recorded for task 1: there is no trend and no gap to judge.');
  });

  it('a custom minValidations', () => {
    expect(overfittingVerdict(series([1, 0.9, 0.8], [1, 0.9, 0.8]), { minValidations: 4 }).verdict).toBe('insufficient');
  });
});

describe('own task and caveat', () => {
  it('uses the highest validated task when taskId is unknown', () => {
    const s: RunSeries = {
      taskId: null,
      epochs: [1, 2, 3].map((epoch) => ({ epoch, trainLoss: 1 / epoch })),
      validations: [1, 2, 3].flatMap((epoch) => [
        { epoch, final: false, taskId: 1, loss: 0.1 * epoch }, // rising, but not the own task
        { epoch, final: false, taskId: 2, loss: 1 / epoch },
      ]),
    };
    const r = overfittingVerdict(s);
    expect(r.taskId).toBe(2);
    expect(r.verdict).toBe('ok');
    expect(overfittingVerdict(s, { taskId: 1 }).taskId).toBe(1);
  });

  it('notes optimistic validation for the SmolVLA trainer (default) and not for other formats', () => {
    const s = series([1, 0.9, 0.8], [1, 0.9, 0.8]);
    expect(overfittingVerdict(s).caveat).toBe(OPTIMISTIC_VALIDATION_NOTE);
    expect(overfittingVerdict({ ...s, format: 'smolvla_sequential' }).caveat).toBe(OPTIMISTIC_VALIDATION_NOTE);
    expect(overfittingVerdict({ ...s, format: 'lerobot' }).caveat).toBeNull();
    expect(overfittingVerdict(s, { validationOnTrainingEpisodes: false }).caveat).toBeNull();
    expect(overfittingVerdict(s).options.validationOnTrainingEpisodes).toBe(true);
  });
});

describe('samples (tests/fixtures/samples)', () => {
  it('task 1 (unfreeze 8) overfits, best validation at epoch 20', () => {
    const r = overfittingVerdict(loadSample('sample_task1_unfreeze8_overfit'));
    expect(r.verdict).toBe('overfitting');
    expect(r.bestEpoch).toBe(20);
    expect(r.bestValue).toBe(0.1098);
    expect(r.overfitStartEpoch).toBe(21);
    expect(r.latestEpoch).toBe(50);
    expect(r.epochsSinceBest).toBe(30);
    expect(r.validationsSinceImprovement).toBe(30);
    expect(r.gapAtBest).toBeCloseTo(0.1098 / 0.0995, 12);
    expect(r.gapAtEnd).toBeCloseTo(0.6499 / 0.0224, 12);
    expect(r.caveat).toBe(OPTIMISTIC_VALIDATION_NOTE);
    expect(r.reason).toBe(
      'Validation loss on task 1 bottomed at 0.1098 at epoch 20 and has risen 491.9% over 30 epochs since, ' +
        'while training loss fell from 0.0995 to 0.0224: overfitting.',
    );
  });

  it('task 2 (unfreeze 4, validation every 2 epochs) is ok: task 2 is still improving at epoch 30', () => {
    const r = overfittingVerdict(loadSample('sample_task2_unfreeze4_buffered'));
    expect(r.verdict).toBe('ok');
    expect(r.taskId).toBe(2);
    expect(r.validationPoints).toBe(15);
    expect(r.bestEpoch).toBe(30);
    expect(r.bestValue).toBe(0.0348);
    expect(r.gapAtEnd).toBeCloseTo(0.0348 / 0.022, 12);
    expect(r.reason).toBe('Validation loss on task 2 is at its best, 0.0348 at epoch 30, 1.5818x the training loss 0.022: ok.');
  });

  it('task 3 (ratio 0.5, final validation only) is insufficient with the final gap only', () => {
    const r = overfittingVerdict(loadSample('sample_task3_ratio50_final_only'));
    expect(r.verdict).toBe('insufficient');
    expect(r.bestEpoch).toBeNull();
    expect(r.gapAtEnd).toBeCloseTo(0.0357 / 0.0221, 12);
    expect(r.reason).toBe(
      'No per-epoch validation point for task 3 (3 are needed for a trend); the final ' +
        'validation loss is 0.0357 at epoch 16, 1.6154x the training loss 0.0221.',
    );
  });
});

describe('a run without validation records is judged on the validation curve it has, on its axis', () => {
  const at = (xs: number[], ys: number[]) => xs.map((x, i) => ({ x, loss: ys[i]! }));
  const steps = [1000, 2000, 3000, 4000, 5000, 6000];
  const falling = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3];
  const curveRun = (
    axis: 'epoch' | 'step',
    name: string,
    xs: number[],
    val: number[],
    train = falling,
    extra: Partial<RunSeries> = {},
  ) => ({
    epochs: [],
    validations: [],
    taskId: null,
    format: 'lerobot',
    validationCurve: { axis, name, val: at(xs, val), train: at(xs, train.slice(0, xs.length)) },
    ...extra,
  });
  const cases: [string, RunSeries, Partial<ReturnType<typeof overfittingVerdict>>, string][] = [
    [
      'LeRobot eval_loss by step, rising while training falls: overfitting, in steps',
      curveRun('step', 'eval_loss', steps, [1.0, 0.8, 0.5, 0.55, 0.6, 0.7]),
      { verdict: 'overfitting', axis: 'step', bestEpoch: 3000, overfitStartEpoch: 4000, validationPoints: 6, taskId: null },
      "Validation loss on this run's task (eval_loss) bottomed at 0.5 at step 3,000 and has risen 40.0% over 3,000 steps since, " +
        'while training loss fell from 0.6 to 0.3: overfitting.',
    ],
    [
      'Hugging Face eval/loss still falling: ok, in steps',
      curveRun('step', 'eval/loss', steps, [1.0, 0.8, 0.6, 0.5, 0.45, 0.4]),
      { verdict: 'ok', axis: 'step', bestEpoch: 6000 },
      "Validation loss on this run's task (eval/loss) is at its best, 0.4 at step 6,000, 1.3333x the training loss 0.3: ok.",
    ],
    [
      'Keras validation/epoch_loss by epoch',
      curveRun('epoch', 'validation/epoch_loss', [1, 2, 3, 4, 5], [1.0, 0.9, 0.85, 0.8, 0.78]),
      { verdict: 'ok', axis: 'epoch', bestEpoch: 5, latestEpoch: 5 },
      "Validation loss on this run's task (validation/epoch_loss) is at its best, 0.78 at epoch 5, 1.95x the training loss 0.4: ok.",
    ],
    [
      'two points by step: too few for a trend, and never "no validation loss was recorded"',
      curveRun('step', 'eval_loss', [1000, 2000], [0.9, 0.7]),
      { verdict: 'insufficient', axis: 'step', validationPoints: 2, latestEpoch: 2000, gapAtEnd: 0.7 / 0.8 },
      "Only 2 validation points by step for this run's task (eval_loss), fewer than the 3 needed for a trend; " +
        'the latest validation loss is 0.7 at step 2,000, 0.875x the training loss 0.8.',
    ],
    [
      'a loss of another trainer above 10 is its scale, not divergence; NaN is',
      curveRun('step', 'eval/loss', [1000, 2000, 3000, 4000], [40, 30, 25, Number.NaN], [50, 40, 30, 20]),
      { verdict: 'diverged', axis: 'step', divergence: { epoch: null, step: 4000, source: 'validation', value: Number.NaN } },
      "Validation loss on this run's task (eval/loss) is NaN (not finite) at step 4,000: diverged.",
    ],
    [
      'its own validation records win over a curve',
      { ...series([1.0, 0.8, 0.6], [0.9, 0.7, 0.6]), validationCurve: curveRun('step', 'eval_loss', steps, falling).validationCurve },
      { verdict: 'ok', axis: 'epoch', bestEpoch: 3, taskId: 1 },
      'Validation loss on task 1 is at its best, 0.6 at epoch 3, 1x the training loss 0.6: ok.',
    ],
    [
      'no validation at all: says so',
      { epochs: [], validations: [], taskId: null, format: 'tensorboard', validationCurve: null },
      { verdict: 'insufficient', axis: 'epoch', validationPoints: 0 },
      "No validation loss was recorded for this run's task: there is no trend and no gap to judge.",
    ],
  ];
  it.each(cases)('%s', (_name, run, expected, reason) => {
    const r = overfittingVerdict(run);
    expect(r).toMatchObject(expected);
    expect(r.reason).toBe(reason);
  });
});
