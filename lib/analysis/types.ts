/**
 * Input shapes of the analysis layer.
 *
 * These are *structural* types: they match the JSON that `thaw parse <log> --json` prints
 * (tests/fixtures/samples/*.expected.json) and the database rows (lib/db), so either can be passed in
 * without conversion. Everything optional here is optional because one of the two sources lacks it.
 *
 * Loss convention: a loss is `number | null`. `null` (JSON for NaN), `NaN` and `±Infinity` are all
 * "non-finite"; every analysis treats them the same way (see `isFiniteLoss` in validation.ts).
 * In the database a NaN is stored as NaN and NULL means "not known (yet)": an epoch row whose learning
 * rate arrived before its average loss. Such rows are never part of a series handed to these rules
 * (lib/summaries/tables.ts `loadRunSeries` leaves them out), so a null here always means NaN.
 */

/** A run's identity: the database id, or any caller-chosen key for parse output. */
export type RunId = string | number;

/** One `Epoch N Average Loss: x` line (the epoch mean of the per-batch training loss). */
export interface EpochPoint {
  epoch: number;
  trainLoss: number | null;
}

/** One `Task k Validation Loss: x` line; `final` marks the block after "Final Multi-Task Validation". */
export interface ValidationPoint {
  epoch: number;
  final: boolean;
  taskId: number;
  loss: number | null;
}

/** One optimiser step's training loss (a tqdm postfix, a LeRobot `step:N … loss:x` record). */
export interface StepLoss {
  step: number;
  /** The epoch the step belongs to, when the trainer says (tqdm frames); null for step-based trainers. */
  epoch: number | null;
  /** NaN and ±Infinity stay what they are. */
  loss: number;
}

/**
 * What the rules need of a run's per-step losses (a run has up to millions, so the store hands over
 * this fact instead of the series): the first step whose loss is NaN or ±inf.
 */
export interface StepLossFacts {
  firstNonFinite: StepLoss | null;
}

/** The loss series of one run. `taskId` is the task the run trained (its "own" task). */
export interface RunSeries {
  epochs: readonly EpochPoint[];
  validations: readonly ValidationPoint[];
  taskId: number | null;
  /** Parser format, e.g. 'smolvla_sequential'. Absent in parse JSON (which is always that format). */
  format?: string;
  /** Per-step losses, when the caller has them (the database does; parse JSON does not). */
  stepLoss?: StepLossFacts | null;
  /**
   * What the `epoch` of its validations counts: epochs (default), or optimiser steps for a step-based
   * trainer whose held-out loss is logged by step (LeRobot v0.6+ `step N: eval_loss=…`).
   */
  validationAxis?: 'epoch' | 'step';
  /**
   * The held-out loss curve of a run that has no validation records of its own (a LeRobot eval_loss
   * by step, the validation tag lib/analysis/scalar-metrics.ts chooseMetrics names): what the
   * overfitting rule judges then (validation-curve.ts builds it).
   */
  validationCurve?: ValidationCurve | null;
}

/** A point of a validation curve: `x` an epoch (1-based) or an optimiser step; loss null or NaN/±inf non-finite. */
export interface CurvePoint {
  x: number;
  loss: number | null;
}

/** A run's held-out loss on its own axis, with the training loss sampled at each of its points. */
export interface ValidationCurve {
  axis: 'epoch' | 'step';
  /** What it was read from, as the run page names it: `eval_loss`, `validation/epoch_loss`, `eval/loss`. */
  name: string;
  /** x-ascending, one point per x. */
  val: readonly CurvePoint[];
  /** The training loss's last point at or before each validation point (x-ascending; may be sparser). */
  train: readonly CurvePoint[];
}

/**
 * The vision-layer freezing strategy as the parser reports it.
 * `kind` is one of 'unfreeze' | 'freeze' | 'ratio' | 'last_n' | 'none' (a plain string so DB rows fit).
 */
export interface StrategyInput {
  kind: string;
  /** As written in the log: an index list (unfreeze/freeze), a ratio, or N (last_n); null when unknown. */
  spec: readonly number[] | number | null;
  totalLayers: number | null;
  /** Resolved layer indices (may be empty when the log only gave the spec). */
  frozen: readonly number[];
  unfrozen: readonly number[];
  /** False when the trainer printed a failure and fell back to its default behaviour. */
  applied: boolean;
  failureReason?: string | null;
}

export type CheckpointKind = 'best_saved' | 'checkpoint_saved' | 'final_saved';

/** A parsed checkpoint line (`✅ Best model saved`, `✅ Checkpoint saved: epoch N`, final save). */
export interface CheckpointEvent {
  kind: CheckpointKind;
  epoch: number | null;
  loss: number | null;
  path: string | null;
}

/** Where a sequential stage loaded its weights from (run header, log-formats §1.2 #15). */
export type LoadedFrom = 'pretrained' | 'task' | 'scratch';

/** The fields needed to link sequential stages into chains. */
export interface StageRun {
  id: RunId;
  taskId: number | null;
  outputDir: string | null;
  /** A LoadedFrom value, or whatever an unknown trainer version printed. */
  loadedFrom: string | null;
  resumeTaskId: number | null;
  resumePath: string | null;
  /** An explicit link (the database's `parentRunId`); wins over path matching when given. */
  parentRunId?: RunId | null;
}

/** A run with everything the cross-run analyses (grouping, recommendation) look at. */
export interface AnalysisRun extends RunSeries {
  id: RunId;
  strategy?: StrategyInput | null;
  /** `📊 Current Task N Dataset: X frames`. */
  datasetFrames?: number | null;
  /** LeRobot's dataset.repo_id: what a run without a task id trained on. */
  dataset?: string | null;
  /** running | completed | crashed | stopped | stale; 'running' runs are not ranked (recommend.ts). Absent = ranked. */
  status?: string;
  /** The experiment folder (lib/views/facets.ts `experimentFolder`): what stands for a run's task without task id or dataset. */
  experiment?: string | null;
  /** Episodes in the training range, when the caller knows it (the log does not print it). */
  episodes?: number | null;
  /** This run's forgetting (e.g. `meanForgetting` of forgetting.ts for the chain ending at it). */
  forgetting?: number | null;
  /** Training seconds per epoch (cost.ts `epochTrainingSeconds`); absent or empty = no timing printed. */
  epochSeconds?: readonly { epoch: number; seconds: number; source: 'tqdm' | 'printed' | 'ms_per_batch' }[];
  /** `Trainable: N` of the init banner. */
  trainableParams?: number | null;
  /** Epochs the run trained; defaults to the highest epoch of `epochs`. */
  epochsDone?: number | null;
}

/** A chart point; `y` null (or NaN/±Infinity) is a gap. */
export interface Point {
  x: number;
  y: number | null;
}

/** The trainer's own Forgetting Analysis status (loss < 0.7, < 1.0, else). */
export type Retention = 'retained' | 'slight_degradation' | 'significant_forgetting';
