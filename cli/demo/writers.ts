// `thaw demo`: realistic SmolVLA sequential-training logs, in exactly the trainer's formats
// (testkit/synthetic/smolvla-log.ts), so a newcomer sees Thaw at work without a GPU. Finished history
// is written at once; one run keeps training in real time, like `python … 2>&1 | tee train.log`.
import { mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { emitSmolvlaLog, generateSmolvlaLog, type SmolvlaLogOptions } from '../../testkit/synthetic/smolvla-log';

interface DemoRun {
  file: string;
  options: SmolvlaLogOptions;
}

function runDir(taskId: number, timestamp: string): string {
  const names: Record<number, string> = { 1: 'moving_grasp', 2: 'weighing', 3: 'placement', 4: 'sorting' };
  return `outputs/train/task${taskId}_${names[taskId]}/smolvla_sequential/run_${timestamp}`;
}

/**
 * What a strategy costs and gains in the demo: each unfrozen layer makes a batch slower (tqdm, proc_ms,
 * ms/batch) and, up to a point, the validation a little lower. Invented numbers, shaped like the
 * trade-off the user's notes describe; no real measurement.
 */
export function strategyEffect(unfreezeLast: number): { timeScale: number; validationShift: number } {
  return {
    timeScale: Number((0.6 + 0.08 * unfreezeLast).toFixed(2)),
    validationShift: Number((0.012 - 0.0015 * Math.min(unfreezeLast, 9)).toFixed(4)),
  };
}

/** A sequential chain task1 → task(n), each stage loading the previous stage's best/ checkpoint. */
function chain(
  name: string,
  unfreezeLast: number,
  seed: number,
  day: string,
  stages: Partial<SmolvlaLogOptions>[],
  forgetting: number,
): DemoRun[] {
  return stages.map((stage, index) => {
    const taskId = index + 1;
    const timestamp = `${day}_${String(9 + index).padStart(2, '0')}0000`;
    const previous =
      index === 0 ? null : { taskId: index, path: `${runDir(index, `${day}_${String(9 + index - 1).padStart(2, '0')}0000`)}/best` };
    return {
      file: `${name}/task${taskId}.log`,
      options: {
        seed: seed + index,
        taskId,
        unfreezeLast,
        timestamp,
        epochs: 30,
        epochsTotal: 30,
        stepsPerEpoch: 40,
        validationEvery: 2,
        saveEvery: 5,
        resumeFrom: previous,
        forgetting,
        ...strategyEffect(unfreezeLast),
        ...stage,
      },
    };
  });
}

export function demoHistory(): DemoRun[] {
  return [
    // The user's default: unfreeze layers 3–11; forgets earlier tasks noticeably.
    ...chain('unfreeze9', 9, 100, '20251101', [{ overfitAfter: 16 }, {}, {}, {}], 0.16),
    // More conservative: unfreeze 4; forgets less, last stage ran out of GPU memory.
    ...chain('unfreeze4', 4, 200, '20251103', [{}, {}, { outcome: 'crashed', epochs: 12 }], 0.06),
    // Single-task comparisons on task 1, repeated with other seeds (so the page has t-intervals).
    ...repeats('task1-unfreeze10', 10, [300, 310, 320], { overfitAfter: 9 }),
    ...repeats('task1-unfreeze6', 6, [301, 311, 321], { stdoutBuffering: 'line' }),
  ];
}

/** One single-task run per seed, task 1, 40 epochs; the first keeps the historical file name. */
function repeats(name: string, unfreezeLast: number, seeds: number[], extra: Partial<SmolvlaLogOptions>): DemoRun[] {
  return seeds.map((seed, index) => ({
    file: index === 0 ? `${name}.log` : `repeats/${name}-seed${seed}.log`,
    options: {
      seed,
      taskId: 1,
      unfreezeLast,
      timestamp: `2025110${5 + index}_${unfreezeLast === 6 ? '14' : '09'}0000`,
      epochs: 40,
      epochsTotal: 40,
      stepsPerEpoch: 40,
      validationEvery: 1,
      ...strategyEffect(unfreezeLast),
      // the second seed prints the side lineage's per-epoch minutes too
      epochTimingLine: index === 1,
      ...extra,
    },
  }));
}

export interface DemoWriters {
  dir: string;
  stop(): Promise<void>;
}

/** Writes the history, then keeps appending a live task-2 run (about 10 tqdm frames a second × speed). */
export async function startDemoWriters(dir: string, options: { speed?: number } = {}): Promise<DemoWriters> {
  const speed = options.speed ?? 1;
  for (const run of demoHistory()) {
    const file = path.join(dir, run.file);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, generateSmolvlaLog(run.options));
  }
  const liveFile = path.join(dir, 'live', 'task2-unfreeze8.log');
  await mkdir(path.dirname(liveFile), { recursive: true });
  const chunks: Buffer[] = [];
  emitSmolvlaLog(
    {
      seed: 400,
      taskId: 2,
      unfreezeLast: 8,
      timestamp: '20251125_080000',
      epochs: 500,
      epochsTotal: 500,
      stepsPerEpoch: 60,
      validationEvery: 1,
      outcome: 'running',
      stdoutBuffering: 'none',
      forgetting: 0.1,
      resumeFrom: { taskId: 1, path: `${runDir(1, '20251105_140000')}/best` },
      ...strategyEffect(8),
    },
    (bytes) => chunks.push(bytes),
  );
  const handle = await open(liveFile, 'w');
  let stopped = false;
  const loop = (async () => {
    for (const chunk of chunks) {
      if (stopped) break;
      await handle.write(chunk);
      // Prints are cheap; tqdm frames (`\r…`) pace the run like batches do.
      if (chunk[0] === 13) await new Promise((resolve) => setTimeout(resolve, 100 / speed));
    }
  })();
  return {
    dir,
    stop: async () => {
      stopped = true;
      await loop;
      await handle.close();
    },
  };
}
