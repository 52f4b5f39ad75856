// Generated logs with repeats for the strategies API and page tests: task 1 has three seeds
// each of "unfreeze 6" and "unfreeze 10" (10 is slower per batch and overfits early, so it is worse AND
// costlier: dominated); task 2 has one run each of "unfreeze 8" and "unfreeze 9" that differ by noise only.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSmolvlaLog, type SmolvlaLogOptions } from '../../testkit/synthetic/smolvla-log';

export const STRATEGY_LOG_RUNS = 8;
export const EPOCHS = 12;
export const STEPS_PER_EPOCH = 20;

const base: SmolvlaLogOptions = {
  epochs: EPOCHS,
  epochsTotal: EPOCHS,
  stepsPerEpoch: STEPS_PER_EPOCH,
  validationEvery: 1,
  saveEvery: 100,
};

export async function writeStrategyLogs(dir: string): Promise<void> {
  const runs: [string, SmolvlaLogOptions][] = [];
  for (const seed of [1, 2, 3]) {
    runs.push([
      `task1/unfreeze6-seed${seed}.log`,
      { ...base, seed, taskId: 1, unfreezeLast: 6, timeScale: 1, epochTimingLine: seed === 2 },
    ]);
    runs.push([
      `task1/unfreeze10-seed${seed}.log`,
      { ...base, seed: 10 + seed, taskId: 1, unfreezeLast: 10, timeScale: 1.5, overfitAfter: 4 },
    ]);
  }
  runs.push(['task2/unfreeze8.log', { ...base, seed: 21, taskId: 2, unfreezeLast: 8, timeScale: 1.2 }]);
  runs.push(['task2/unfreeze9.log', { ...base, seed: 22, taskId: 2, unfreezeLast: 9, timeScale: 1.3, validationShift: -0.003 }]);
  for (const [index, [file, options]] of runs.entries()) {
    const full = path.join(dir, file);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, generateSmolvlaLog({ ...options, timestamp: `20251110_${String(100000 + index * 100)}` }));
  }
}

/**
 * Two task-1 runs still being written (no end), against the finished runs above; `onTrackEpochs`
 * longer logs of the on-track run begin with the shorter ones (a test appends the difference).
 */
export function runningStrategyLogs(onTrackEpochs = 6): { toStop: Uint8Array; onTrack: Uint8Array } {
  const running = { ...base, taskId: 1, outcome: 'running' as const };
  return {
    // Overfits after epoch 4 and is slower per batch, like "unfreeze 10": the run to stop.
    toStop: generateSmolvlaLog({
      ...running,
      seed: 31,
      epochs: 9,
      unfreezeLast: 10,
      timeScale: 1.5,
      overfitAfter: 4,
      timestamp: '20251111_100000',
    }),
    // Like the good strategy's seeds, half way through.
    onTrack: generateSmolvlaLog({
      ...running,
      seed: 4,
      epochs: onTrackEpochs,
      unfreezeLast: 6,
      timeScale: 1,
      timestamp: '20251111_110000',
    }),
  };
}
