// Events → per-run summaries: the `runs` of `thaw parse --json` (shape fixed by
// tests/fixtures/samples/*.expected.json) and a richer digest for the human-readable output.
// Folding follows the event contract: facts are keyed by content, the last write wins per field.
// JSON has no NaN/Infinity: non-finite losses become null.
import {
  scalarBlockEvents,
  type CheckpointKind,
  type ParseEvent,
  type RunFormat,
  type RunInfo,
  type RunStatus,
  type StrategyInfo,
  type StrategyKind,
} from './events';

export interface EpochSummary {
  epoch: number;
  trainLoss: number | null;
}

export interface ValidationSummary {
  epoch: number;
  final: boolean;
  taskId: number;
  loss: number | null;
}

export interface StrategySummary {
  kind: StrategyKind;
  spec: number[] | number | null;
  totalLayers: number | null;
  frozen: number[];
  unfrozen: number[];
  applied: boolean;
}

/** One run as `thaw parse --json` prints it (key order matters for readers of the JSON). */
export interface RunSummary {
  taskId: number | null;
  taskName: string | null;
  outputDir: string | null;
  timestamp: string | null;
  epochs: EpochSummary[];
  validations: ValidationSummary[];
  status: RunStatus;
  strategy: StrategySummary | null;
  params: { total: number | null; trainable: number | null };
  config: {
    epochs: number | null;
    batchSize: number | null;
    learningRate: number | null;
    stepsPerEpoch: number | null;
    totalSteps: number | null;
  };
  bestLoss: number | null;
  /** Every step point in step order (added for step-based trainers such as LeRobot). */
  steps: StepSummary[];
}

export interface StepSummary {
  step: number;
  loss: number | null;
  /** The log does not pin this step exactly (LeRobot's rounded `step:20K` with nothing else to go by). */
  estimated: boolean;
}

/** Everything known about a run, for the human summary and for callers that want more than the JSON. */
export interface RunDigest {
  runKey: number;
  line: number;
  format: RunFormat;
  info: Partial<RunInfo>;
  epochs: Map<number, { trainLoss?: number; lr?: number; msPerBatch?: number; samplesPerSec?: number; durationMinutes?: number }>;
  validations: Map<string, { epoch: number; final: boolean; taskId: number; loss: number }>;
  strategy: StrategyInfo | null;
  status: RunStatus;
  bestLoss: number | null;
  error: string | null;
  steps: number;
  lastStep: number | null;
  points: Map<number, { loss: number | null; estimated: boolean }>;
  checkpoints: { kind: CheckpointKind; epoch: number | null; path: string | null; line: number }[];
  evals: number;
  warnings: number;
}

function newDigest(runKey: number, line: number, format: RunFormat): RunDigest {
  return {
    runKey,
    line,
    format,
    info: {},
    epochs: new Map(),
    validations: new Map(),
    strategy: null,
    status: 'running',
    bestLoss: null,
    error: null,
    steps: 0,
    lastStep: null,
    points: new Map(),
    checkpoints: [],
    evals: 0,
    warnings: 0,
  };
}

/** Folds events into one digest per run, in file order (runKey ascending). */
export function digestRuns(events: readonly ParseEvent[]): RunDigest[] {
  const runs = new Map<number, RunDigest>();
  const runFor = (runKey: number, line: number): RunDigest => {
    let run = runs.get(runKey);
    if (!run) {
      // A run_started always comes first; this only guards against hand-made event lists.
      run = newDigest(runKey, line, 'smolvla_sequential');
      runs.set(runKey, run);
    }
    return run;
  };
  for (const event of events) {
    if (event.type === 'warning') {
      if (event.runKey !== null) runFor(event.runKey, event.line).warnings += 1;
      continue;
    }
    if (event.type === 'run_started') {
      if (!runs.has(event.runKey)) runs.set(event.runKey, newDigest(event.runKey, event.line, event.format));
      continue;
    }
    if (event.type === 'scalars') {
      const run = runFor(event.runKey, event.line);
      for (const scalar of scalarBlockEvents(event))
        foldEvent(run, scalar as Exclude<ParseEvent, { type: 'warning' | 'run_started' | 'scalars' }>);
      continue;
    }
    foldEvent(runFor(event.runKey, event.line), event);
  }
  return [...runs.values()].sort((a, b) => a.runKey - b.runKey);
}

function foldEvent(run: RunDigest, event: Exclude<ParseEvent, { type: 'warning' | 'run_started' | 'scalars' }>): void {
  switch (event.type) {
    case 'run_info':
      Object.assign(run.info, event.info);
      return;
    case 'strategy':
      run.strategy = event.strategy;
      return;
    case 'epoch': {
      const metrics = run.epochs.get(event.epoch) ?? {};
      Object.assign(metrics, event.metrics);
      run.epochs.set(event.epoch, metrics);
      return;
    }
    case 'step':
      run.steps += 1;
      run.lastStep = Math.max(run.lastStep ?? event.step, event.step);
      run.points.set(event.step, { loss: event.loss, estimated: event.estimated ?? false });
      return;
    case 'step_retract':
      run.steps -= 1;
      run.points.delete(event.step);
      return;
    case 'validation':
      run.validations.set(`${event.epoch}|${event.final}|${event.taskId}`, {
        epoch: event.epoch,
        final: event.final,
        taskId: event.taskId,
        loss: event.loss,
      });
      return;
    case 'retention':
    case 'identity':
    case 'config':
      return;
    case 'checkpoint':
      run.checkpoints.push({ kind: event.kind, epoch: event.epoch, path: event.path, line: event.line });
      return;
    case 'eval':
      run.evals += 1;
      return;
    case 'status':
      // A completion block outranks a traceback (teardown errors after training finished).
      if (event.status === 'completed' || run.status !== 'completed') run.status = event.status;
      if (event.bestLoss !== undefined) run.bestLoss = event.bestLoss;
      if (event.error !== undefined) run.error = event.error;
      return;
  }
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function toRunSummary(run: RunDigest): RunSummary {
  const info = run.info;
  const epochs: EpochSummary[] = [...run.epochs.entries()]
    .filter(([, metrics]) => 'trainLoss' in metrics)
    .map(([epoch, metrics]) => ({ epoch, trainLoss: finite(metrics.trainLoss) }))
    .sort((a, b) => a.epoch - b.epoch);
  const validations: ValidationSummary[] = [...run.validations.values()]
    .map((v) => ({ epoch: v.epoch, final: v.final, taskId: v.taskId, loss: finite(v.loss) }))
    .sort((a, b) => a.epoch - b.epoch || Number(a.final) - Number(b.final) || a.taskId - b.taskId);
  return {
    taskId: info.taskId ?? info.stage ?? null,
    taskName: info.taskName ?? null,
    outputDir: info.outputDir ?? null,
    timestamp: info.timestamp ?? null,
    epochs,
    validations,
    status: run.status,
    strategy: run.strategy === null ? null : toStrategySummary(run.strategy),
    params: { total: info.totalParams ?? null, trainable: info.trainableParams ?? null },
    config: {
      epochs: info.epochsTotal ?? null,
      batchSize: info.batchSize ?? null,
      learningRate: finite(info.learningRate),
      stepsPerEpoch: info.stepsPerEpoch ?? null,
      totalSteps: info.totalSteps ?? null,
    },
    bestLoss: finite(run.bestLoss),
    steps: [...run.points.entries()]
      .sort(([a], [b]) => a - b)
      .map(([step, point]) => ({ step, loss: finite(point.loss), estimated: point.estimated })),
  };
}

function toStrategySummary(strategy: StrategyInfo): StrategySummary {
  return {
    kind: strategy.kind,
    spec: Array.isArray(strategy.spec) ? [...strategy.spec] : finite(strategy.spec),
    totalLayers: strategy.totalLayers,
    frozen: [...strategy.frozen],
    unfrozen: [...strategy.unfrozen],
    applied: strategy.applied,
  };
}

export function summarizeRuns(events: readonly ParseEvent[]): RunSummary[] {
  return digestRuns(events).map(toRunSummary);
}
