/**
 * What a run cost: training time per epoch and in total, from the timing the log prints.
 *
 * Training seconds of an epoch, first source that has it:
 * 1. 'tqdm': the tqdm `elapsed` of the epoch's last training step (the bar covers the training loop only);
 * 2. 'printed': the trainer's `⏱️ Epoch N 训练完成，用时: X 分钟` (side lineage; training loop only);
 * 3. 'ms_per_batch': `📊 性能统计` ms/batch × steps per epoch (compute only: it excludes data loading, so
 *    it UNDER-estimates; used only when neither of the others is printed).
 * Validation and checkpoint saving are never included (none of the three covers them).
 *
 * A run's cost: `timedEpochs` = epochs with a duration; `minutesPerEpoch` = their mean;
 * `trainingMinutes` = their sum when every epoch the run trained (1..epochsDone) is timed, else
 * minutesPerEpoch × epochsDone (an estimate; `complete` = false). The run's `source` is the source of
 * most of its epochs (ties: tqdm, printed, ms_per_batch). Nothing timed → all null.
 */
export type TimingSource = 'tqdm' | 'printed' | 'ms_per_batch';

export interface EpochTimingInput {
  epoch: number;
  /** `⏱️ … 用时` minutes. */
  durationMinutes?: number | null;
  /** `平均batch处理时间` ms/batch. */
  msPerBatch?: number | null;
}

export interface EpochSeconds {
  epoch: number;
  seconds: number;
  source: TimingSource;
}

const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

/** Training seconds per epoch (module rule), epoch-ascending. */
export function epochTrainingSeconds(
  epochs: readonly EpochTimingInput[],
  tqdmSeconds: ReadonlyMap<number, number>,
  stepsPerEpoch: number | null,
): EpochSeconds[] {
  const out = new Map<number, EpochSeconds>();
  for (const e of epochs) {
    if (finite(e.durationMinutes)) out.set(e.epoch, { epoch: e.epoch, seconds: e.durationMinutes * 60, source: 'printed' });
    else if (finite(e.msPerBatch) && stepsPerEpoch !== null && stepsPerEpoch > 0)
      out.set(e.epoch, { epoch: e.epoch, seconds: (e.msPerBatch * stepsPerEpoch) / 1000, source: 'ms_per_batch' });
  }
  for (const [epoch, seconds] of tqdmSeconds) if (finite(seconds)) out.set(epoch, { epoch, seconds, source: 'tqdm' });
  return [...out.values()].sort((a, b) => a.epoch - b.epoch);
}

export interface RunCost {
  minutesPerEpoch: number | null;
  trainingMinutes: number | null;
  timedEpochs: number;
  /** Every trained epoch had a duration. */
  complete: boolean;
  source: TimingSource | null;
}

/** A run's cost from its per-epoch training seconds and the epochs it trained (module rule). */
export function runCost(seconds: readonly EpochSeconds[], epochsDone: number): RunCost {
  if (seconds.length === 0) return { minutesPerEpoch: null, trainingMinutes: null, timedEpochs: 0, complete: false, source: null };
  const total = seconds.reduce((a, s) => a + s.seconds, 0) / 60;
  const perEpoch = total / seconds.length;
  const timed = new Set(seconds.map((s) => s.epoch));
  let complete = epochsDone > 0;
  for (let e = 1; e <= epochsDone; e++) if (!timed.has(e)) complete = false;
  const counts: Record<TimingSource, number> = { tqdm: 0, printed: 0, ms_per_batch: 0 };
  for (const s of seconds) counts[s.source]++;
  const order: TimingSource[] = ['tqdm', 'printed', 'ms_per_batch'];
  const source = order.reduce((best, s) => (counts[s] > counts[best] ? s : best), 'tqdm' as TimingSource);
  const trained = Math.max(epochsDone, seconds.length);
  return {
    minutesPerEpoch: perEpoch,
    trainingMinutes: complete ? total : perEpoch * trained,
    timedEpochs: seconds.length,
    complete,
    source,
  };
}

/** One step-timing record: LeRobot's `updt_s` (stored as procMs) and `data_s`, each a mean over its log interval. */
export interface StepTiming {
  procMs: number | null;
  dataS: number | null;
}

/**
 * Minutes per optimiser step from step timing records (module rule for step-logged runs, which print
 * no epoch timing): a record's step takes updt_s + data_s seconds (update and data loading; a missing
 * data_s counts as 0, so the estimate can only be low); the mean over the records with updt_s.
 * Null without any.
 */
export function minutesPerStep(records: readonly StepTiming[]): number | null {
  let sum = 0;
  let n = 0;
  for (const r of records) {
    if (!finite(r.procMs)) continue;
    sum += r.procMs / 1000 + (finite(r.dataS) ? r.dataS : 0);
    n++;
  }
  return n === 0 ? null : sum / n / 60;
}
