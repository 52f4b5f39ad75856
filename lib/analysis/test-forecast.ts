/** Test-only builders for forecast inputs (not exported from index.ts). */
import type { ForecastRun } from './forecast-run';

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
