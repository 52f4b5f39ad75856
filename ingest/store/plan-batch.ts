// Batch planning: folding a batch's events into one write per row (the order of events decides
// "last wins"). Pure: no database.
import type { ConfigSettings } from '../../lib/analysis/config-check';
import { INT32_MAX, type ParseEvent, type RunInfo, type StrategyInfo, type RunFormat } from '../events';
import { EpochRows, ValidationRows } from '../plan-rows';
import { identityFromOutputDir } from '../rundir/identity';
import { statusAfter } from '../run-status';
import type { SeriesPart } from './scalars';

/** A step event's values, as one StepPoint row. */
export type StepRow = Omit<Extract<ParseEvent, { type: 'step' }>, 'type' | 'runKey' | 'line'>;

export interface EvalRow {
  step: number;
  successRate: number | null;
  reward: number | null;
  evalS: number | null;
  loss: number | null;
}

export interface EventRow {
  kind: string;
  line: number;
  epoch: number | null;
  loss: number | null;
  path: string | null;
  message: string | null;
}

export interface StatusChange {
  status: 'completed' | 'crashed' | 'stopped';
  bestLoss: number | null;
  error: string | null;
}

export interface RunPlan {
  format: RunFormat | null;
  /** The run directory this source's run is (given by a run-directory reader, or the log's Output Directory). */
  identity: string | null;
  info: Partial<RunInfo>;
  /** Fields only filled where nothing else has (config, results JSON). */
  fallbackInfo: Partial<RunInfo>;
  config: {
    tree: Record<string, unknown>;
    overrides: string[];
    strategy: StrategyInfo | null;
    settings: ConfigSettings | null;
    rank: number | null;
    /** Where a run-directory config came from when it is not Hydra's or LeRobot's. */
    source: 'tensorboard_hparams' | 'hparams_yaml' | null;
  } | null;
  strategy: StrategyInfo | null;
  epochs: EpochRows;
  steps: Map<number, StepRow>;
  /** Steps whose rows go before this batch's steps are written (estimated steps a later line corrected). */
  retracted: Set<number>;
  evals: Map<number, EvalRow>;
  validations: ValidationRows;
  /** Every scalar of the batch's event-file reads (`series` events), in file order. */
  series: SeriesPart[];
  events: EventRow[];
  /** Checkpoints by optimiser step (step-based trainers): where, and whether the folder itself was seen. */
  checkpoints: Map<number, { path: string | null; onDisk: boolean }>;
  status: StatusChange | null;
}

export interface BatchPlan {
  runs: Map<number, RunPlan>;
  warnings: { runKey: number | null; line: number; message: string }[];
  hasResumePaths: boolean;
  hasOutputDirs: boolean;
}

/** A step of this batch has a NaN or ±inf loss: the run's verdict can turn `diverged` (lib/analysis/overfitting.ts). */
function hasNonFiniteStep(run: RunPlan): boolean {
  for (const step of run.steps.values()) if (step.loss !== null && !Number.isFinite(step.loss)) return true;
  return false;
}

/**
 * This batch writes something the run's verdict is judged on (lib/analysis/overfitting.ts): epochs,
 * validations, held-out losses by step (LeRobot's eval_loss, the validation curve of a run without
 * validation rows, lib/summaries/validation-curves.ts), event-file scalars (a validation tag, the
 * training loss), or a non-finite step loss. One rule for the summary refresh and the alert judgement.
 */
export function movesVerdict(run: RunPlan): boolean {
  return run.epochs.size > 0 || run.validations.size > 0 || run.evals.size > 0 || run.series.length > 0 || hasNonFiniteStep(run);
}

function emptyRunPlan(): RunPlan {
  return {
    format: null,
    identity: null,
    info: {},
    fallbackInfo: {},
    config: null,
    strategy: null,
    epochs: new EpochRows(),
    steps: new Map(),
    retracted: new Set(),
    evals: new Map(),
    validations: new ValidationRows(),
    series: [],
    events: [],
    checkpoints: new Map(),
    status: null,
  };
}

function definedEntries<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined && value !== null)) as Partial<T>;
}

export function planBatch(events: readonly ParseEvent[]): BatchPlan {
  const plan: BatchPlan = { runs: new Map(), warnings: [], hasResumePaths: false, hasOutputDirs: false };
  const runPlan = (runKey: number) => {
    let run = plan.runs.get(runKey);
    if (!run) plan.runs.set(runKey, (run = emptyRunPlan()));
    return run;
  };
  for (const event of events) {
    const violation = int32Violation(event);
    if (violation) {
      plan.warnings.push({ runKey: event.runKey, line: event.line, message: violation });
      continue;
    }
    if (event.type === 'warning') {
      plan.warnings.push({ runKey: event.runKey, line: event.line, message: event.message });
      continue;
    }
    const run = runPlan(event.runKey);
    switch (event.type) {
      case 'run_started':
        run.format = event.format;
        break;
      case 'run_info':
        if (event.fallback) {
          Object.assign(run.fallbackInfo, definedEntries(withinColumnRanges(event.info)));
        } else {
          Object.assign(run.info, definedEntries(withinColumnRanges(event.info)));
          // A console log joins its run directory through the Output Directory it printed.
          if (event.info.outputDir !== undefined) run.identity ??= identityFromOutputDir(event.info.outputDir);
        }
        plan.hasResumePaths ||= event.info.resumePath !== undefined;
        plan.hasOutputDirs ||= event.info.outputDir !== undefined;
        break;
      case 'identity':
        run.identity = event.identity;
        break;
      case 'config':
        run.config = {
          tree: event.tree,
          overrides: event.overrides,
          strategy: event.strategy,
          settings: event.settings ?? null,
          rank: event.rank ?? null,
          source: event.source ?? null,
        };
        break;
      case 'strategy':
        run.strategy = event.strategy;
        break;
      case 'epoch':
        // Last write wins per metric; absent and null metrics leave what is there.
        run.epochs.merge(event.epoch, event.metrics);
        break;
      case 'scalars':
        foldScalars(run, event, plan.warnings);
        break;
      case 'series':
        run.series.push({ dir: event.dir, firstPoint: event.firstPoint, block: event.block });
        break;
      case 'step':
        run.steps.set(event.step, {
          step: event.step,
          epoch: event.epoch,
          loss: event.loss,
          lr: event.lr,
          procMs: event.procMs,
          elapsedS: event.elapsedS,
          estimated: event.estimated ?? false,
          metrics: event.metrics,
        });
        break;
      case 'step_retract':
        run.steps.delete(event.step);
        run.retracted.add(event.step);
        break;
      case 'eval': {
        const row = run.evals.get(event.step) ?? { step: event.step, successRate: null, reward: null, evalS: null, loss: null };
        if (event.successRate !== null) row.successRate = event.successRate;
        if (event.reward !== null) row.reward = event.reward;
        if (event.evalS !== null) row.evalS = event.evalS;
        if (event.loss !== undefined && event.loss !== null) row.loss = event.loss;
        run.evals.set(event.step, row);
        break;
      }
      case 'validation':
        run.validations.setLoss(event.epoch, event.final, event.taskId, event.loss);
        break;
      case 'retention':
        run.validations.setRetention(event.epoch, event.final, event.taskId, event.retention, event.loss);
        break;
      case 'checkpoint':
        if (event.step !== undefined) {
          const seen = run.checkpoints.get(event.step);
          const onDisk = event.onDisk === true || seen?.onDisk === true;
          // a folder that was found names the checkpoint better than the path a log computed
          run.checkpoints.set(event.step, { path: (event.onDisk ? event.path : seen?.onDisk ? seen.path : event.path) ?? null, onDisk });
        }
        // a folder is not a line of the run's log: only printed checkpoints are events
        if (event.onDisk !== true)
          run.events.push({ kind: event.kind, line: event.line, epoch: event.epoch, loss: event.loss, path: event.path, message: null });
        break;
      case 'status': {
        // The rule of ingest/run-status.ts; a best loss or error stays until another is reported.
        const previous = run.status;
        run.status = {
          status: statusAfter(previous?.status ?? 'running', event.status) as StatusChange['status'],
          bestLoss: event.bestLoss ?? previous?.bestLoss ?? null,
          error: event.error ?? previous?.error ?? null,
        };
        run.events.push({
          kind: event.status,
          line: event.line,
          epoch: null,
          loss: event.bestLoss ?? null,
          path: null,
          message: event.error ?? null,
        });
        break;
      }
    }
  }
  return plan;
}

/**
 * A `scalars` block folded as the epoch and validation events it stands for would be (same tables,
 * same order, same int32 rule), without an object per value.
 */
function foldScalars(run: RunPlan, event: Extract<ParseEvent, { type: 'scalars' }>, warnings: BatchPlan['warnings']): void {
  const warn = (what: string, value: number) => warnings.push({ runKey: event.runKey, line: event.line, message: outOfRange(what, value) });
  const e = event.block.epochs;
  for (let i = 0; i < e.epoch.length; i++) {
    const epoch = e.epoch[i]!;
    if (isInt32(epoch)) run.epochs.set(epoch, e.metric[i]!, e.value[i]!);
    else warn('epoch', epoch);
  }
  const v = event.block.validations;
  for (let i = 0; i < v.epoch.length; i++) {
    const epoch = v.epoch[i]!;
    const taskId = v.taskId[i]!;
    if (!isInt32(epoch)) warn('epoch', epoch);
    else if (!isInt32(taskId)) warn('task id', taskId);
    else run.validations.setLoss(epoch, false, taskId, v.loss[i]!);
  }
}

const isInt32 = (value: number) => Number.isInteger(value) && Math.abs(value) <= INT32_MAX;
const bad = (value: number | null | undefined) => value !== null && value !== undefined && !isInt32(value);

/** Epoch, step and task numbers live in INTEGER columns: a log claiming more is a warning, not a failed batch. */
function int32Violation(event: ParseEvent): string | null {
  // Checked in this order, without building a list per event (this runs once per event of a batch).
  if (bad(event.line)) return outOfRange('line', event.line);
  if ('epoch' in event && bad(event.epoch)) return outOfRange('epoch', event.epoch);
  if ('step' in event && bad(event.step)) return outOfRange('step', event.step);
  if ('taskId' in event && bad(event.taskId)) return outOfRange('task id', event.taskId);
  return null;
}

/** The warning for a number an INTEGER column cannot hold (int32Violation, foldScalars). */
const outOfRange = (what: string, value: number | null | undefined) => `${what} ${value} is out of range; line ignored`;

const INT_INFO_COLUMNS = new Set<keyof RunInfo>([
  'taskId',
  'stage',
  'datasetFrames',
  'datasetFps',
  'epochsTotal',
  'batchSize',
  'stepsPerEpoch',
  'totalSteps',
  'episodes',
  'resumeTaskId',
]);

function withinColumnRanges(info: Partial<RunInfo>): Partial<RunInfo> {
  const kept: Partial<RunInfo> = { ...info };
  for (const column of INT_INFO_COLUMNS) {
    const value = kept[column];
    if (typeof value === 'number' && !isInt32(value)) delete kept[column];
  }
  return kept;
}
