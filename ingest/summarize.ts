// Events → per-run summaries: the `runs` of `thaw parse --json` (shape fixed by
// tests/fixtures/samples/*.expected.json) and a richer digest for the human-readable output.
// Folding follows the event contract: facts are keyed by content, the last write wins per field.
// JSON has no NaN/Infinity: non-finite losses become null.
import { planBatch } from './store/plan-batch';
import {
  type CheckpointKind,
  type ParseEvent,
  type RunFormat,
  type RunInfo,
  type RunStatus,
  type StrategyInfo,
  type StrategyKind,
} from './events';

export interface ParsedEpoch {
  epoch: number;
  trainLoss: number | null;
}

export interface ParsedValidation {
  epoch: number;
  final: boolean;
  taskId: number;
  loss: number | null;
}

export interface ParsedStrategy {
  kind: StrategyKind;
  spec: number[] | number | null;
  totalLayers: number | null;
  frozen: number[];
  unfrozen: number[];
  applied: boolean;
}

/** One run as `thaw parse --json` prints it (key order matters for readers of the JSON). */
export interface ParsedRun {
  taskId: number | null;
  taskName: string | null;
  outputDir: string | null;
  timestamp: string | null;
  epochs: ParsedEpoch[];
  validations: ParsedValidation[];
  status: RunStatus;
  strategy: ParsedStrategy | null;
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
  steps: ParsedStep[];
}

export interface ParsedStep {
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

/**
 * Folds events into one digest per run, in file order (runKey ascending). The facts are folded by the
 * store's own planner (planBatch: last write wins per field, the status rule of ./run-status.ts), so
 * `thaw parse` shows what ingest stores; only the counts the human summary prints are counted here.
 */
export function digestRuns(events: readonly ParseEvent[]): RunDigest[] {
  const plan = planBatch(events);
  const counts = new Map<number, { line: number; format: RunFormat | null; steps: number; evals: number; warnings: number }>();
  const countsOf = (runKey: number, line: number) => {
    let c = counts.get(runKey);
    if (!c) counts.set(runKey, (c = { line, format: null, steps: 0, evals: 0, warnings: 0 }));
    return c;
  };
  for (const event of events) {
    if (event.type === 'warning') {
      if (event.runKey !== null) countsOf(event.runKey, event.line).warnings += 1;
      continue;
    }
    const c = countsOf(event.runKey, event.line);
    if (event.type === 'run_started') c.format ??= event.format;
    else if (event.type === 'step') c.steps += 1;
    else if (event.type === 'step_retract') c.steps -= 1;
    else if (event.type === 'eval') c.evals += 1;
  }
  const digests: RunDigest[] = [];
  for (const [runKey, c] of counts) {
    const run = plan.runs.get(runKey);
    const epochs: RunDigest['epochs'] = new Map();
    const validations: RunDigest['validations'] = new Map();
    const points: RunDigest['points'] = new Map();
    if (run) {
      for (let row = 0; row < run.epochs.size; row++) epochs.set(run.epochs.epoch(row), run.epochs.metrics(row));
      for (const v of run.validations.rows())
        if (v.loss !== null)
          validations.set(`${v.epoch}|${v.final}|${v.taskId}`, { epoch: v.epoch, final: v.final, taskId: v.taskId, loss: v.loss });
      for (const [step, row] of run.steps) points.set(step, { loss: row.loss, estimated: row.estimated ?? false });
    }
    const steps = [...points.keys()];
    digests.push({
      runKey,
      line: c.line,
      // A run_started always comes first; the default only guards against hand-made event lists.
      format: c.format ?? 'smolvla_sequential',
      info: { ...run?.fallbackInfo, ...run?.info },
      epochs,
      validations,
      strategy: run?.strategy ?? null,
      status: run?.status?.status ?? 'running',
      bestLoss: run?.status?.bestLoss ?? null,
      error: run?.status?.error ?? null,
      steps: c.steps,
      lastStep: steps.length > 0 ? Math.max(...steps) : null,
      points,
      checkpoints: (run?.events ?? [])
        .filter((e) => !STATUS_KINDS.has(e.kind))
        .map((e) => ({ kind: e.kind as CheckpointKind, epoch: e.epoch, path: e.path, line: e.line })),
      evals: c.evals,
      warnings: c.warnings,
    });
  }
  return digests.sort((a, b) => a.runKey - b.runKey);
}

const STATUS_KINDS = new Set<string>(['completed', 'crashed', 'stopped']);

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function toParsedRun(run: RunDigest): ParsedRun {
  const info = run.info;
  const epochs: ParsedEpoch[] = [...run.epochs.entries()]
    .filter(([, metrics]) => 'trainLoss' in metrics)
    .map(([epoch, metrics]) => ({ epoch, trainLoss: finite(metrics.trainLoss) }))
    .sort((a, b) => a.epoch - b.epoch);
  const validations: ParsedValidation[] = [...run.validations.values()]
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
    strategy: run.strategy === null ? null : toParsedStrategy(run.strategy),
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

function toParsedStrategy(strategy: StrategyInfo): ParsedStrategy {
  return {
    kind: strategy.kind,
    spec: Array.isArray(strategy.spec) ? [...strategy.spec] : finite(strategy.spec),
    totalLayers: strategy.totalLayers,
    frozen: [...strategy.frozen],
    unfrozen: [...strategy.unfrozen],
    applied: strategy.applied,
  };
}

export function summarizeRuns(events: readonly ParseEvent[]): ParsedRun[] {
  return digestRuns(events).map(toParsedRun);
}
