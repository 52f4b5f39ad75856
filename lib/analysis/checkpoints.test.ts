import { describe, expect, it } from 'vitest';
import { adviseCheckpoint, resolveCheckpointEpochs } from './checkpoints';
import { overfittingVerdict } from './overfitting';
import { loadSample } from './test-samples';
import type { CheckpointEvent, EpochPoint } from './types';
import { validationTrend } from './validation';

const dir = 'outputs/train/task1_moving_grasp/smolvla_sequential/run_20251012_093000';

/** The events the trainer prints for a series of training losses (log-formats §1.7). */
function trainerEvents(epochs: readonly EpochPoint[], saveFreq: number, withEpochs: boolean): CheckpointEvent[] {
  const out: CheckpointEvent[] = [];
  let best = Infinity;
  for (const e of epochs) {
    if (e.trainLoss !== null && e.trainLoss < best) {
      best = e.trainLoss;
      out.push({ kind: 'best_saved', epoch: withEpochs ? e.epoch : null, loss: e.trainLoss, path: null });
    }
    if (e.epoch % saveFreq === 0) {
      out.push({ kind: 'checkpoint_saved', epoch: withEpochs ? e.epoch : null, loss: null, path: `${dir}/epoch${e.epoch}` });
    }
  }
  out.push({ kind: 'final_saved', epoch: null, loss: null, path: null });
  return out;
}

describe('resolveCheckpointEpochs', () => {
  const epochs: EpochPoint[] = [
    { epoch: 1, trainLoss: 0.5 },
    { epoch: 2, trainLoss: 0.40001 },
    { epoch: 3, trainLoss: 0.41 },
    { epoch: 4, trainLoss: 0.3 },
    { epoch: 5, trainLoss: 0.3 },
  ];
  it('infers best_saved from the printed (4-decimal) loss, checkpoint_saved from the path, final from the last epoch', () => {
    const events: CheckpointEvent[] = [
      { kind: 'best_saved', epoch: null, loss: 0.5, path: null },
      { kind: 'best_saved', epoch: null, loss: 0.4, path: null },
      { kind: 'best_saved', epoch: null, loss: 0.3, path: null },
      { kind: 'checkpoint_saved', epoch: null, loss: null, path: 'x/epoch5' },
      { kind: 'checkpoint_saved', epoch: null, loss: null, path: 'x/best' },
      { kind: 'final_saved', epoch: null, loss: null, path: null },
      { kind: 'best_saved', epoch: null, loss: 0.123, path: null },
      { kind: 'best_saved', epoch: null, loss: null, path: null },
    ];
    // 0.3 matches epochs 4 and 5; the first after the previous save (epoch 2) is 4, as the trainer saves on a strict drop.
    expect(resolveCheckpointEpochs(events, epochs)).toEqual([1, 2, 4, 5, null, 5, null, null]);
  });
  it('keeps explicit epochs and searches after them', () => {
    const events: CheckpointEvent[] = [
      { kind: 'best_saved', epoch: 4, loss: 0.3, path: null },
      { kind: 'best_saved', epoch: null, loss: 0.3, path: null },
    ];
    expect(resolveCheckpointEpochs(events, epochs)).toEqual([4, 5]);
    expect(resolveCheckpointEpochs(events)).toEqual([4, null]);
  });
});

describe('adviseCheckpoint', () => {
  it('the issue example: best/ at 48, validation best at 14, nearest epoch15', () => {
    const events: CheckpointEvent[] = [];
    for (let e = 1; e <= 50; e++) {
      if (e <= 48) events.push({ kind: 'best_saved', epoch: e, loss: 1 / e, path: `${dir}/best` });
      if (e % 5 === 0) events.push({ kind: 'checkpoint_saved', epoch: e, loss: null, path: `${dir}/epoch${e}` });
    }
    events.push({ kind: 'final_saved', epoch: 50, loss: null, path: dir });
    const a = adviseCheckpoint({ events, bestValidationEpoch: 14 });
    expect(a.bestDir).toEqual({ kind: 'best', label: 'best/', epoch: 48, path: `${dir}/best`, loss: 1 / 48 });
    expect(a.periodic.map((c) => c.label)).toEqual([
      'epoch5',
      'epoch10',
      'epoch15',
      'epoch20',
      'epoch25',
      'epoch30',
      'epoch35',
      'epoch40',
      'epoch45',
      'epoch50',
    ]);
    expect(a.final?.epoch).toBe(50);
    expect(a.nearest).toMatchObject({ label: 'epoch15', epoch: 15, distance: 1, path: `${dir}/epoch15` });
    expect(a.bestDirOffset).toBe(34);
    expect(a.lossCostOfBestDir).toBeNull(); // no validations given
    expect(a.advice).toBe(
      'best/ is epoch 48 (train-best, training loss 0.0208); validation was best at epoch 14; nearest saved ' +
        'checkpoint: epoch15 (1 epoch later). best/ is 34 epochs later than the validation best.',
    );
  });

  it('sample task 1: best/ = epoch 49 (last best_saved), validation best 20 → epoch20, and what best/ costs', () => {
    const run = loadSample('sample_task1_unfreeze8_overfit');
    const verdict = overfittingVerdict(run);
    const events = trainerEvents(run.epochs, 5, false); // epochs as printed: best_saved lines carry none
    expect(events.filter((e) => e.kind === 'best_saved')).toHaveLength(48); // as in the sample log
    const a = adviseCheckpoint({
      events,
      bestValidationEpoch: verdict.bestEpoch,
      validations: validationTrend(run),
      epochs: run.epochs,
      outputDir: dir,
    });
    expect(a.bestDir).toEqual({ kind: 'best', label: 'best/', epoch: 49, path: `${dir}/best`, loss: 0.0224 });
    expect(a.final).toEqual({ kind: 'final', label: 'final', epoch: 50, path: dir, loss: null });
    expect(a.nearest).toMatchObject({ label: 'epoch20', epoch: 20, distance: 0 });
    expect(a.bestValidationLoss).toBe(0.1098);
    expect(a.valLossAtNearest).toBe(0.1098);
    expect(a.valLossAtBestDir).toBe(0.6355);
    expect(a.lossCostOfBestDir).toBeCloseTo(0.5257, 12);
    expect(a.relativeCostOfBestDir).toBeCloseTo(0.5257 / 0.1098, 12);
    expect(a.advice).toBe(
      'best/ is epoch 49 (train-best, training loss 0.0224); validation was best at epoch 20 (0.1098); nearest ' +
        'saved checkpoint: epoch20 (same epoch). best/ is 29 epochs later than the validation best; its ' +
        'validation loss is 0.6355, 0.5257 (478.8%) above the best.',
    );
  });

  it('ties: the earlier epoch, then epochN/ over best/ over final', () => {
    const events: CheckpointEvent[] = [
      { kind: 'best_saved', epoch: 16, loss: 0.1, path: null },
      { kind: 'checkpoint_saved', epoch: 12, loss: null, path: null },
      { kind: 'checkpoint_saved', epoch: 20, loss: null, path: null },
      { kind: 'final_saved', epoch: 20, loss: null, path: null },
    ];
    expect(adviseCheckpoint({ events, bestValidationEpoch: 14, outputDir: 'r/' }).nearest).toMatchObject({
      label: 'epoch12',
      distance: -2,
      path: 'r/epoch12',
    });
    expect(adviseCheckpoint({ events, bestValidationEpoch: 16 }).nearest).toMatchObject({ label: 'best/', distance: 0 });
    expect(adviseCheckpoint({ events, bestValidationEpoch: 20 }).nearest).toMatchObject({ label: 'epoch20' });
    const withBest20 = [...events, { kind: 'best_saved', epoch: 20, loss: 0.05, path: null } as const];
    const a = adviseCheckpoint({ events: withBest20, bestValidationEpoch: 20 });
    expect(a.nearest?.label).toBe('epoch20');
    expect(a.bestDirOffset).toBe(0);
    expect(a.advice).toContain('best/ matches the validation best.');
    expect(adviseCheckpoint({ events, bestValidationEpoch: 13 }).advice).toContain('epoch12 (1 epoch earlier)');
  });

  it('best/ is the highest best_saved epoch even if events arrive out of order', () => {
    const events: CheckpointEvent[] = [
      { kind: 'best_saved', epoch: 30, loss: 0.2, path: null },
      { kind: 'best_saved', epoch: 12, loss: 0.3, path: null },
    ];
    expect(adviseCheckpoint({ events, bestValidationEpoch: 10 }).bestDir?.epoch).toBe(30);
  });

  it('without a validation best', () => {
    const a = adviseCheckpoint({ events: [{ kind: 'best_saved', epoch: 16, loss: 0.0221, path: null }], bestValidationEpoch: null });
    expect(a.nearest).toBeNull();
    expect(a.bestDirOffset).toBeNull();
    expect(a.advice).toBe(
      'best/ is epoch 16 (train-best, training loss 0.0221); there is no per-epoch validation, so no ' +
        'validation best to compare against.',
    );
  });

  it('without any checkpoint', () => {
    const a = adviseCheckpoint({ events: [], bestValidationEpoch: 14 });
    expect(a.bestDir).toBeNull();
    expect(a.final).toBeNull();
    expect(a.advice).toBe('No best/ checkpoint was saved; validation was best at epoch 14; no saved checkpoint has a known epoch.');
  });

  it('a best/ with unknown epoch', () => {
    const a = adviseCheckpoint({ events: [{ kind: 'best_saved', epoch: null, loss: 0.5, path: null }], bestValidationEpoch: null });
    expect(a.bestDir?.epoch).toBeNull();
    expect(a.advice).toContain('best/ holds the last train-best save (loss 0.5; epoch unknown)');
  });
});
