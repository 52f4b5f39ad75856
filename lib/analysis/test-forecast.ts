/** Test-only builders for forecast inputs (not exported from index.ts). */
import type { ForecastRun } from './forecast-run';
import type { StrategyInput } from './types';

export function makeRun(partial: Partial<ForecastRun> = {}): ForecastRun {
  return {
    id: 1,
    status: 'running',
    taskId: 1,
    datasetFrames: 1000,
    epochsTotal: null,
    totalSteps: null,
    stepsPerEpoch: null,
    series: { epochs: [], validations: [], taskId: 1 },
    steps: [],
    minutesPerEpoch: null,
    minutesPerStep: null,
    ...partial,
  };
}

export const val = (epoch: number, loss: number | null, taskId = 1, final = false) => ({ epoch, loss, taskId, final });
export const train = (epoch: number, trainLoss: number | null) => ({ epoch, trainLoss });

/** "Unfreeze the last n of 12 vision layers" as the parser reports it. */
export const lastLayers = (n: number): StrategyInput => ({
  kind: 'last_n',
  spec: n,
  totalLayers: 12,
  frozen: [],
  unfrozen: Array.from({ length: n }, (_, i) => 12 - n + i),
  applied: true,
});
