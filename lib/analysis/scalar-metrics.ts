/**
 * Which of a run's scalar tags are its training and validation loss, on which axis, and which tag (if
 * any) is real evidence of epochs done: one rule for every writer (docs/log-formats.md, "Run
 * directories"). The input is what the store keeps per tag (dir, tag, count, first/last step, last
 * value) and the trainer method the run directory's path names (`outputs/train/<task>/<method>/run_<ts>`),
 * so the same call answers while a run is being written and after.
 *
 * Writers recognised, first match wins:
 * 1. Keras `fit` + TensorBoard callback: `epoch_loss` in `train/` and `validation/`; epoch axis (0-based).
 * 2. Stable-Baselines3: `rollout/*`, `time/fps`; `train/loss` at the environment step.
 * 3. Hugging Face `Trainer`: `train/loss` (and `eval/loss`) at the global step, with any of its own
 *    tags (`train/epoch`, `train/learning_rate`, `train/grad_norm`, …); `train/epoch` is epoch progress.
 * 4. PyTorch Lightning: its names `train_loss` / `val_loss` (`valid_`, `validation_`) and their
 *    `_epoch` and `_step` variants, at the global step, or its `hp_metric` placeholder (then the losses
 *    are named only when those names are there); its `epoch` tag is the 0-based epoch index.
 * 5. The team's SmolVLA sequential trainer (log-formats §1.10): the path's method names SmolVLA, or (no
 *    method in the path) its own tags (`validation/task{k}_loss`, `performance/batch_process_time_ms`,
 *    `performance/throughput_samples_per_sec`, `train/epoch_duration_minutes`); `train/loss` and
 *    `validation/task{k}_loss` at the 0-based epoch.
 * 6. The team's step-based trainers (§4: train_policy, train_vla_policy, train_hierarchical_*): the
 *    path names another method, or their tags (`hierarchical/*`, `curriculum/<stage>/*`,
 *    `task_specific/*`, `performance/<layer>/<stat>`), or only `train/loss`/`train/lr` not starting at
 *    step 0; `train/loss` at the global optimizer step, no validation, no epoch in the event file.
 * Otherwise no guess: every tag stays visible, none is called the loss.
 *
 * Pure.
 */

export type ScalarAxis = 'epoch' | 'step';

export type Trainer = 'keras' | 'huggingface' | 'stable_baselines3' | 'lightning' | 'smolvla_sequential' | 'kuavo_step';

/** What the store knows of one scalar tag of a run. */
export interface TagSummary {
  /** The tag's file's folder, relative to the run directory ('' when the file sits in it). */
  dir: string;
  tag: string;
  count: number;
  firstStep: number;
  lastStep: number;
  lastValue?: number | null;
}

export interface MetricRef {
  dir: string;
  tag: string;
  axis: ScalarAxis;
}

/**
 * A tag whose values say how many epochs ran: `step_index` — its steps are 0-based epoch indices
 * (done = last step + 1); `value_index` — its values are the 0-based index of the epoch being run
 * (done = last value + 1); `value_progress` — its values are fractional epochs (done = ⌊last value⌋).
 */
export interface EpochEvidence {
  dir: string;
  tag: string;
  from: 'step_index' | 'value_index' | 'value_progress';
}

export interface MetricsChoice {
  trainer: Trainer | null;
  train: MetricRef | null;
  val: MetricRef | null;
  epochs: EpochEvidence | null;
}

export interface MetricsInput {
  tags: readonly TagSummary[];
  /** The `<method>` of the trainer's `<task>/<method>/run_<ts>` run directory; null when the path has no such layout. */
  method?: string | null;
  /** The run's task: which `validation/task{k}_loss` is its own (default: the highest k). */
  taskId?: number | null;
}

const SMOLVLA_METHOD = /smolvla/i;
const RUN_DIR = /^run_\d{8}_\d{6}$/;

/**
 * The `<method>` a run identity of the trainer's layout names (`<task>/<method>/run_<ts>`, as
 * ingest/rundir/identity.ts makes them), else null (`dir:…`, `out:…`, `hydra:…` identities).
 */
export function methodOfIdentity(identity: string | null | undefined): string | null {
  if (identity === null || identity === undefined || identity.includes(':')) return null;
  const parts = identity.split('/');
  return parts.length === 3 && RUN_DIR.test(parts[2]!) ? parts[1]! : null;
}

/**
 * What the run directory's method alone says: the SmolVLA trainer, one of the team's step-based
 * trainers, or nothing (no method). The readers call this to decide whether an event file's steps
 * are the SmolVLA trainer's epochs.
 */
export function trainerFromMethod(method: string | null | undefined): 'smolvla_sequential' | 'kuavo_step' | null {
  if (method === null || method === undefined || method === '') return null;
  return SMOLVLA_METHOD.test(method) ? 'smolvla_sequential' : 'kuavo_step';
}

/** Honest run format for a run read from run-directory files: the SmolVLA trainer's, or plain TensorBoard. */
export function runFormatFor(trainer: Trainer | null): 'smolvla_sequential' | 'tensorboard' {
  return trainer === 'smolvla_sequential' ? 'smolvla_sequential' : 'tensorboard';
}

const KERAS_DIRS = { train: /(^|\/)train$/, validation: /(^|\/)validation$/ };
const HF_MARKERS = new Set([
  'train/epoch',
  'train/learning_rate',
  'train/grad_norm',
  'train/train_runtime',
  'train/total_flos',
  'eval/runtime',
  'eval/samples_per_second',
  'eval/steps_per_second',
]);
const SB3_MARKER = /^(rollout\/|time\/fps$|time\/total_timesteps$)/;
const LIGHTNING_TRAIN = ['train_loss_epoch', 'train_loss', 'train_loss_step'];
const LIGHTNING_VAL = [
  'val_loss_epoch',
  'val_loss',
  'valid_loss_epoch',
  'valid_loss',
  'validation_loss_epoch',
  'validation_loss',
  'val_loss_step',
  'valid_loss_step',
  'validation_loss_step',
];
const SMOLVLA_VALIDATION = /^validation\/task(\d+)_loss$/;
const SMOLVLA_OWN = new Set([
  'performance/batch_process_time_ms',
  'performance/throughput_samples_per_sec',
  'train/epoch_duration_minutes',
]);
const KUAVO_MARKER = /^(hierarchical\/|curriculum\/[^/]+\/|task_specific\/|performance\/[^/]+\/[^/]+$)/;

export function chooseMetrics(input: MetricsInput): MetricsChoice {
  const root = new Map<string, TagSummary>();
  for (const t of input.tags) if (t.dir === '') root.set(t.tag, t);
  const at = (tag: string): TagSummary | undefined => root.get(tag);
  const ref = (t: TagSummary | undefined, axis: ScalarAxis): MetricRef | null => (t ? { dir: t.dir, tag: t.tag, axis } : null);
  const none: MetricsChoice = { trainer: null, train: null, val: null, epochs: null };

  // 1. Keras: epoch_loss in train/ and validation/ (either may be missing: a fit without validation data,
  //    or a train/ file still being written).
  const kerasTrain = input.tags.find((t) => t.tag === 'epoch_loss' && KERAS_DIRS.train.test(t.dir));
  const kerasVal = input.tags.find((t) => t.tag === 'epoch_loss' && KERAS_DIRS.validation.test(t.dir));
  if (kerasTrain || kerasVal) {
    const evidence = kerasTrain ?? kerasVal!;
    return {
      trainer: 'keras',
      train: ref(kerasTrain, 'epoch'),
      val: ref(kerasVal, 'epoch'),
      epochs: { dir: evidence.dir, tag: 'epoch_loss', from: 'step_index' },
    };
  }

  // 2. Stable-Baselines3 (it also writes train/learning_rate, as the HF Trainer does).
  if ([...root.keys()].some((tag) => SB3_MARKER.test(tag))) {
    return { trainer: 'stable_baselines3', train: ref(at('train/loss'), 'step'), val: null, epochs: null };
  }

  // 3. Hugging Face Trainer.
  if ((at('train/loss') || at('eval/loss')) && [...root.keys()].some((tag) => HF_MARKERS.has(tag))) {
    const epoch = at('train/epoch');
    return {
      trainer: 'huggingface',
      train: ref(at('train/loss'), 'step'),
      val: ref(at('eval/loss'), 'step'),
      epochs: epoch ? { dir: '', tag: 'train/epoch', from: 'value_progress' } : null,
    };
  }

  // 4. Lightning.
  const lightningTrain = LIGHTNING_TRAIN.map(at).find(Boolean);
  const lightningVal = LIGHTNING_VAL.map(at).find(Boolean);
  if (lightningTrain || lightningVal || at('hp_metric')) {
    const epoch = at('epoch');
    return {
      trainer: 'lightning',
      train: ref(lightningTrain, 'step'),
      val: ref(lightningVal, 'step'),
      epochs: epoch ? { dir: '', tag: 'epoch', from: 'value_index' } : null,
    };
  }

  // 5–6. The team's trainers: the path's method decides; without one, their tags.
  const byMethod = trainerFromMethod(input.method);
  const kuavoTags = [...root.keys()].some((tag) => KUAVO_MARKER.test(tag));
  const validations = [...root.values()].filter((t) => SMOLVLA_VALIDATION.test(t.tag));
  // `train/loss` and `train/lr` alone do not say epochs: a loop logging every step from 0 writes the same.
  const smolvlaTags = !kuavoTags && (validations.length > 0 || [...root.keys()].some((tag) => SMOLVLA_OWN.has(tag)));
  if (byMethod === 'smolvla_sequential' || (byMethod === null && smolvlaTags)) {
    const taskOf = (t: TagSummary) => Number(SMOLVLA_VALIDATION.exec(t.tag)![1]);
    const own =
      validations.find((t) => input.taskId !== null && input.taskId !== undefined && taskOf(t) === input.taskId) ??
      validations.reduce<TagSummary | undefined>((best, t) => (best === undefined || taskOf(t) > taskOf(best) ? t : best), undefined);
    const train = at('train/loss');
    const evidence = train ?? own;
    return {
      trainer: 'smolvla_sequential',
      train: ref(train, 'epoch'),
      val: ref(own, 'epoch'),
      epochs: evidence ? { dir: '', tag: evidence.tag, from: 'step_index' } : null,
    };
  }
  if (byMethod === 'kuavo_step' || kuavoTags || onlyStepTrainLoss(root)) {
    return { trainer: 'kuavo_step', train: ref(at('train/loss'), 'step'), val: null, epochs: null };
  }
  return none;
}

/** Only `train/loss` (and `train/lr`), not starting at step 0: the step-based trainers' first log is at step `log_freq`. */
function onlyStepTrainLoss(root: Map<string, TagSummary>): boolean {
  const loss = root.get('train/loss');
  if (!loss || loss.firstStep === 0) return false;
  return [...root.keys()].every((tag) => tag === 'train/loss' || tag === 'train/lr');
}

/** Epochs done by the evidence tag's summary (see EpochEvidence); null without evidence or values. */
export function epochsDone(evidence: EpochEvidence | null, summary: Pick<TagSummary, 'lastStep' | 'lastValue'> | null): number | null {
  if (evidence === null || summary === null) return null;
  if (evidence.from === 'step_index') return Number.isSafeInteger(summary.lastStep) && summary.lastStep >= 0 ? summary.lastStep + 1 : null;
  const value = summary.lastValue;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  return evidence.from === 'value_index' ? Math.floor(value) + 1 : Math.floor(value);
}

/** What a run's scalar tags say of its progress (scalarProgress). */
export interface ScalarProgress {
  choice: MetricsChoice;
  /** The losses' axis; null when the rule names no loss. */
  axis: ScalarAxis | null;
  /** From real epoch evidence only (epochsDone); null without it. */
  epochsDone: number | null;
  /** The training loss tag's last step and value (null: no training loss named; the value as stored, NaN and ±Infinity kept). */
  trainStep: number | null;
  trainValue: number | null;
}

/** chooseMetrics, and what its choice says of progress: epochs done (real evidence only), the training loss's last step and value. */
export function scalarProgress(input: MetricsInput): ScalarProgress {
  const choice = chooseMetrics(input);
  const find = (ref: { dir: string; tag: string } | null) =>
    ref === null ? null : (input.tags.find((t) => t.dir === ref.dir && t.tag === ref.tag) ?? null);
  const train = find(choice.train);
  const value = train?.lastValue;
  return {
    choice,
    axis: choice.train?.axis ?? choice.val?.axis ?? null,
    epochsDone: epochsDone(choice.epochs, find(choice.epochs)),
    trainStep: train?.lastStep ?? null,
    trainValue: typeof value === 'number' ? value : null,
  };
}

/** A run's progress as the runs table and the run page show it (runProgress). */
export interface RunProgress {
  axis: ScalarAxis;
  epochsDone: number;
  /** The last step: the log's (tqdm, LeRobot) else the training loss tag's when it is on the step axis. */
  lastStep: number | null;
}

/**
 * The one rule for what a run's progress says, epochs or steps. A step is never an epoch:
 * - epochs done: the highest epoch of its epoch rows (a log's `Epoch N/M`, the SmolVLA trainer's
 *   event file), else the scalars' epoch evidence (scalarProgress), else 0;
 * - axis: epochs when it has epoch rows; else the axis of the losses its scalars name; else steps
 *   when a log gave steps and no planned epoch count (LeRobot), else epochs.
 */
export function runProgress(input: {
  /** Highest epoch among the run's epoch rows (0: none). */
  epochRows: number;
  epochsTotal: number | null;
  scalars: Pick<ScalarProgress, 'axis' | 'epochsDone' | 'trainStep'> | null;
  /** The last step of the run's log steps (StepPoint), null when none. */
  logStep: number | null;
}): RunProgress {
  const { epochRows, scalars } = input;
  // A loss tag on the epoch axis counts epochs (Keras' epoch index): its last "step" is no step.
  const lastStep = input.logStep ?? (scalars?.axis === 'step' ? scalars.trainStep : null);
  const axis: ScalarAxis =
    epochRows > 0 ? 'epoch' : (scalars?.axis ?? (input.epochsTotal === null && input.logStep !== null ? 'step' : 'epoch'));
  return { axis, epochsDone: epochRows > 0 ? epochRows : (scalars?.epochsDone ?? 0), lastStep };
}

/**
 * What a tag's steps count in a run: epochs for every tag of the SmolVLA trainer's runs (its format)
 * and for Keras' `epoch_*` tags in its `train/` and `validation/` folders (the 0-based epoch, as
 * chooseMetrics reads them); optimizer or environment steps for every other tag. Runs whose tags
 * count different things are never averaged on one axis (lib/views/compare-scalars.ts). With axisX,
 * the one answer to "on which axis, numbered how, does this tag's point sit" for every page: the run
 * page's Scalars section, Compare's scalar view, and the overfitting verdict's curve (validation-curve.ts).
 */
export function tagAxis(run: { format: string }, tag: { dir: string; tag: string }): ScalarAxis {
  if (run.format === 'smolvla_sequential') return 'epoch';
  if (tag.tag.startsWith('epoch_') && (KERAS_DIRS.train.test(tag.dir) || KERAS_DIRS.validation.test(tag.dir))) return 'epoch';
  return 'step';
}

/**
 * Where a stored step sits on its axis, as every page numbers it: on the epoch axis the step is the
 * 0-based epoch index every epoch writer records (Keras, the SmolVLA trainer: chooseMetrics), so the
 * point is epoch step + 1 — the 1-based epoch the logs print, the verdict names and `epochsDone`
 * counts; on the step axis the step itself. Exports (CSV, the API's points) keep the stored step.
 */
export function axisX(axis: ScalarAxis, step: number): number {
  return axis === 'epoch' ? step + 1 : step;
}
