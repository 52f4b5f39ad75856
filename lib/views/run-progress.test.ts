import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../api/schemas/run';
import { runProgressView } from './run-progress';

type Input = Parameters<typeof runProgressView>[0];

const detail = (overrides: {
  status?: string;
  totalSteps?: number | null;
  epochsTotal?: number | null;
  epochsDone?: number;
  lastStep?: number | null;
  stepBased?: boolean;
  checkpoints?: RunDetail['checkpoints'];
}): Input =>
  ({
    run: {
      status: overrides.status ?? 'running',
      config: { totalSteps: overrides.totalSteps ?? null, epochsTotal: overrides.epochsTotal ?? null },
    },
    progress: {
      epochsDone: overrides.epochsDone ?? 0,
      epochsTotal: overrides.epochsTotal ?? null,
      lastStep: overrides.lastStep ?? null,
      stepBased: overrides.stepBased ?? false,
    },
    checkpoints: overrides.checkpoints ?? [],
  }) as unknown as Input;

describe('runProgressView', () => {
  it('a LeRobot run known from its checkpoint folders: step progress, its checkpoints, and why it is completed', () => {
    const view = runProgressView(
      detail({
        status: 'completed',
        totalSteps: 20000,
        lastStep: 20000,
        stepBased: true,
        checkpoints: [
          { step: 20000, path: '/data/outputs/train/pick/checkpoints/020000', onDisk: true },
          { step: 10000, path: '/data/outputs/train/pick/checkpoints/010000', onDisk: true },
        ],
      }),
    );
    expect(view).toMatchObject({ axis: 'step', done: 20000, total: 20000, fraction: 1, text: 'step 20,000 / 20,000', epochCharts: false });
    expect(view.checkpoints.map((c) => [c.label, c.newest, c.final, c.onDisk])).toEqual([
      ['step 10,000', false, false, true],
      ['step 20,000', true, true, true],
    ]);
    expect(view.statusNote).toBe('completed: its newest checkpoint (step 20,000) reached the configured 20,000 steps');
  });

  it('checkpoints short of the configured steps prove nothing about the end', () => {
    const view = runProgressView(
      detail({
        status: 'stale',
        totalSteps: 30000,
        lastStep: 20000,
        stepBased: true,
        checkpoints: [{ step: 20000, path: null, onDisk: true }],
      }),
    );
    expect(view).toMatchObject({ text: 'step 20,000 / 30,000', statusNote: null });
    expect(view.fraction).toBeCloseTo(2 / 3, 12);
    expect(view.checkpoints[0]).toMatchObject({ newest: true, final: false });
  });

  it('an epoch-based run keeps its epoch charts; unknown totals read "?"', () => {
    expect(runProgressView(detail({ epochsDone: 3, epochsTotal: 10 }))).toMatchObject({
      axis: 'epoch',
      text: 'epoch 3 / 10',
      fraction: 0.3,
      epochCharts: true,
      checkpoints: [],
    });
    expect(runProgressView(detail({ epochsDone: 3 }))).toMatchObject({ text: 'epoch 3 / ?', fraction: null });
    expect(runProgressView(detail({ stepBased: true, lastStep: 12400 }))).toMatchObject({ text: 'step 12,400 / ?', epochCharts: false });
  });
});
