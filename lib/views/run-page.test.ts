import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../api/schemas/run';
import {
  chartTitle,
  checkpointRows,
  configText,
  eventText,
  loadedFrom,
  progressText,
  runHeading,
  runMarkers,
  statusText,
  validationRowClass,
} from './run-page';

type Run = RunDetail['run'];
const config = { epochsTotal: 50, batchSize: 8, learningRate: 0.0001, stepsPerEpoch: 120, totalSteps: 6000 } as Run['config'];

describe('the run page view model', () => {
  it('heads a run by its task, or a LeRobot run by its output directory', () => {
    expect(runHeading({ id: 5, taskId: 1, taskName: 'pick', format: 'smolvla_sequential', outputDir: null })).toBe('#5 · task1 pick');
    expect(runHeading({ id: 7, taskId: null, taskName: null, format: 'lerobot', outputDir: '/out/smolvla_pick/' })).toBe(
      '#7 · LeRobot smolvla_pick',
    );
    expect(runHeading({ id: 8, taskId: null, taskName: null, format: 'generic_tqdm', outputDir: null })).toBe('#8 · task? ');
    expect(chartTitle({ id: 5, taskId: 1, taskName: 'pick' }, 'unfreeze 4/12')).toBe('Run #5 · task 1 pick · unfreeze 4/12');
  });

  it('says the config and progress of epoch-based and step-based runs', () => {
    expect(configText({ config }, false)).toBe('50 epochs · batch 8 · lr 0.0001 · 120 steps/epoch · 6,000 steps');
    expect(configText({ config }, true)).toBe('batch 8 · 6,000 steps · lr 0.0001');
    const progress = { stepBased: false, epochsDone: 3, epochsTotal: 50, lastStep: 360, lastTrainLoss: 0.12345 } as RunDetail['progress'];
    expect(progressText({ progress, run: { config } })).toBe('epoch 3/50 · step 360 · last train 0.1235');
    const steps = {
      stepBased: true,
      lastStep: 2000,
      lastStepLoss: 0.5,
      smoothedStepLoss: 0.55,
      estimatedSteps: 2,
    } as RunDetail['progress'];
    expect(progressText({ progress: steps, run: { config } })).toBe(
      'step 2,000/6,000 · last loss 0.5000 · smoothed 0.5500 · 2 steps estimated',
    );
  });

  it('names where the weights came from, statuses and events', () => {
    const none = { resumeTaskId: null, resumePath: null, pretrainedPath: null };
    expect(loadedFrom({ ...none, loadedFrom: 'task', resumeTaskId: 1, resumePath: 'task1/best' })).toBe('task 1 checkpoint task1/best');
    expect(loadedFrom({ ...none, loadedFrom: 'pretrained', pretrainedPath: 'lerobot/smolvla_base' })).toBe(
      'pretrained lerobot/smolvla_base',
    );
    expect(loadedFrom({ ...none, loadedFrom: 'scratch' })).toBe('from scratch');
    expect(loadedFrom({ ...none, loadedFrom: null })).toBe('–');
    expect([statusText('stopped'), statusText('crashed')]).toEqual(['stopped by the user', 'crashed']);
    expect([eventText('best_saved'), eventText('something_new')]).toEqual(['best/ saved (lowest training loss so far)', 'something_new']);
  });

  it('marks the best validation and where overfitting began', () => {
    const verdict = { bestEpoch: 4, bestValue: 0.25, overfitStartEpoch: 6 } as RunDetail['verdict'];
    expect(runMarkers(verdict)).toEqual([
      { kind: 'best', epoch: 4, label: 'best validation 0.2500 at epoch 4' },
      { kind: 'overfit', epoch: 6, label: 'overfitting began at epoch 6' },
    ]);
    expect(runMarkers({ ...verdict, bestEpoch: null, overfitStartEpoch: null })).toEqual([]);
  });

  it('lists checkpoints periodic first, marks the nearest to the best validation, and says how far each is', () => {
    const cp = (label: string, epoch: number | null) => ({ kind: 'epoch' as const, label, epoch, path: `ckpt/${label}` });
    const advice = {
      periodic: [cp('epoch 5', 5), cp('epoch 10', 10)],
      bestDir: { ...cp('best/', null), kind: 'best' as const },
      final: { ...cp('final', 12), kind: 'final' as const },
      nearest: { ...cp('epoch 5', 5), distance: 1 },
      bestValidationEpoch: 6,
    } as unknown as RunDetail['advice'];
    expect(checkpointRows(advice).map((r) => [r.checkpoint.label, r.nearest, r.fromBest])).toEqual([
      ['epoch 5', true, -1],
      ['epoch 10', false, 4],
      ['best/', false, null],
      ['final', false, 6],
    ]);
    expect([
      validationRowClass({ final: true, epoch: 4 }, 4),
      validationRowClass({ final: false, epoch: 4 }, 4),
      validationRowClass({ final: false, epoch: 3 }, 4),
    ]).toEqual(['final', 'winner', undefined]);
  });
});
