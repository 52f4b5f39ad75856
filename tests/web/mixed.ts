// A realistic mix for the compare aggregates: four tasks, two strategies each, runs that
// validate every epoch next to runs that validate every second epoch, runs of different lengths (one
// crashed early), and a task-1 run on a larger dataset (another dataset size of the same task).
// Written as real trainer logs (testkit/synthetic/smolvla-log.ts) and ingested by the real daemon.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSmolvlaLog, type SmolvlaLogOptions } from '../../testkit/synthetic/smolvla-log';

export interface MixedLog {
  file: string;
  options: SmolvlaLogOptions;
}

export function mixedLogs(): MixedLog[] {
  const out: MixedLog[] = [];
  let seed = 700;
  for (const taskId of [1, 2, 3, 4]) {
    for (const unfreezeLast of [4, 8]) {
      const base = { taskId, unfreezeLast, stepsPerEpoch: 12, saveEvery: 5, epochsTotal: 30 };
      const day = `202511${String(10 + taskId).padStart(2, '0')}`;
      out.push({
        file: `mixed/task${taskId}-u${unfreezeLast}-every1.log`,
        options: { ...base, seed: seed++, epochs: 30, validationEvery: 1, timestamp: `${day}_0${unfreezeLast}0000` },
      });
      out.push({
        file: `mixed/task${taskId}-u${unfreezeLast}-every2.log`,
        options: { ...base, seed: seed++, epochs: 24, epochsTotal: 24, validationEvery: 2, timestamp: `${day}_1${unfreezeLast}0000` },
      });
    }
  }
  // Task 1, unfreeze 4: a third repeat that crashed after 11 epochs (validation every epoch).
  out.push({
    file: 'mixed/task1-u4-crashed.log',
    options: {
      taskId: 1,
      unfreezeLast: 4,
      stepsPerEpoch: 12,
      epochs: 11,
      epochsTotal: 30,
      validationEvery: 1,
      outcome: 'crashed',
      seed: 798,
      timestamp: '20251111_200000',
    },
  });
  // Task 1 on a larger dataset (more steps per epoch = more frames): a different group.
  out.push({
    file: 'mixed/task1-u4-bigger-dataset.log',
    options: {
      taskId: 1,
      unfreezeLast: 4,
      stepsPerEpoch: 18,
      epochs: 20,
      epochsTotal: 20,
      validationEvery: 2,
      seed: 799,
      timestamp: '20251111_210000',
    },
  });
  return out;
}

/** Writes the mixed logs under `dir`; returns how many runs they hold. */
export async function writeMixedLogs(dir: string): Promise<number> {
  const logs = mixedLogs();
  for (const log of logs) {
    const file = path.join(dir, log.file);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, generateSmolvlaLog(log.options));
  }
  return logs.length;
}

/** Epochs and own-task per-epoch validations the logs record (a crashed run dies during its last epoch). */
export function mixedCounts(): { runs: number; epochs: number; validations: number } {
  let epochs = 0;
  let validations = 0;
  for (const { options } of mixedLogs()) {
    const done = (options.epochs ?? 0) - (options.outcome === 'crashed' ? 1 : 0);
    epochs += done;
    validations += Math.floor(done / (options.validationEvery ?? 1));
  }
  return { runs: mixedLogs().length, epochs, validations };
}
