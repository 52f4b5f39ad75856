// The contract between the parsers (lines → events) and the store (events → rows).
//
// Events are facts read off the log, keyed by content (run, epoch, task), never by arrival order:
// stdout is block-buffered and tqdm is not, so the same facts can arrive in any interleaving and must
// land in the same rows. Applying an event twice is a no-op; a later event may refine an earlier fact
// (last write wins per field). Losses keep NaN/±Infinity as numbers; JSON output maps them to null.

import type { ConfigSettings } from '../lib/analysis/config-check';

/**
 * Which parser module recognised a run. `tensorboard`: read from event files whose path and tags are
 * not the SmolVLA trainer's (lib/analysis/scalar-metrics.ts runFormatFor).
 */
export type RunFormat = 'smolvla_sequential' | 'lerobot' | 'generic_tqdm' | 'tensorboard';

/** 'stopped': the user interrupted the trainer (KeyboardInterrupt), distinct from a crash. */
export type RunStatus = 'running' | 'completed' | 'crashed' | 'stopped';

/** Facts about a run that appear once (header, config block, parameter counts, where it loaded from). */
export interface RunInfo {
  taskId: number;
  taskName: string;
  description: string;
  language: string;
  /** "Stage N" of the header (the trainer prints the task id there). */
  stage: number;
  outputDir: string;
  /** cfg.timestamp as printed, e.g. "20251106_144248". */
  timestamp: string;
  datasetFrames: number;
  datasetFps: number;
  epochsTotal: number;
  batchSize: number;
  learningRate: number;
  stepsPerEpoch: number;
  totalSteps: number;
  /** LeRobot's `dataset.num_episodes=N`. */
  episodes: number;
  /** LeRobot's `dataset.repo_id` (printed config or train_config.json): the run's task when it has no task id. */
  dataset: string;
  /** A completed run whose model upload failed afterwards (LeRobot: traceback after `End of training`). */
  pushError: string;
  /** pretrained hub id / path, the previous task's checkpoint, or from scratch. */
  loadedFrom: 'pretrained' | 'task' | 'scratch';
  pretrainedPath: string;
  resumeTaskId: number;
  resumePath: string;
  totalParams: number;
  trainableParams: number;
  frozenParams: number;
}

export type StrategyKind = 'unfreeze' | 'freeze' | 'ratio' | 'last_n' | 'none';

export interface StrategyInfo {
  kind: StrategyKind;
  /** As written in the log: an index list (unfreeze/freeze), a ratio, or N (last_n); null when unknown. */
  spec: number[] | number | null;
  totalLayers: number | null;
  /** Resolved layer indices, ascending, expanded from abbreviated `[a...b]` lists. */
  frozen: number[];
  unfrozen: number[];
  /** False when the trainer printed a failure and fell back to its default behaviour. */
  applied: boolean;
  failureReason: string | null;
  visionTrainableParams: number | null;
  visionTotalParams: number | null;
}

export interface EpochMetrics {
  trainLoss: number;
  lr: number;
  msPerBatch: number;
  samplesPerSec: number;
  durationMinutes: number;
}

/** Epoch, step and task numbers live in PostgreSQL INTEGER columns: this is the largest they hold. */
export const INT32_MAX = 2_147_483_647;

/** Every epoch metric, in a fixed order: a metric's index here is its column in columnar rows (ScalarBlock, EpochRows). */
export const EPOCH_METRICS = [
  'trainLoss',
  'lr',
  'msPerBatch',
  'samplesPerSec',
  'durationMinutes',
] as const satisfies readonly (keyof EpochMetrics)[];

/** A metric's column in EPOCH_METRICS, by name. */
export const EPOCH_METRIC_INDEX: Readonly<Record<string, number>> = Object.fromEntries(EPOCH_METRICS.map((name, i) => [name, i]));

/**
 * Per-epoch scalars in columns, as an event file brings them: a backfill reads millions, so one block per
 * chunk instead of an event (and an object) per value. Folded exactly like the `epoch` and `validation`
 * events it stands for (see scalarBlockEvents): in order, last write wins.
 */
export interface ScalarBlock {
  /** Epoch metric rows: 1-based epoch, index into EPOCH_METRICS, value. */
  epochs: { epoch: number[]; metric: number[]; value: number[] };
  /** Per-epoch (not final) validation rows: 1-based epoch, task id, loss. */
  validations: { epoch: number[]; taskId: number[]; loss: number[] };
}

export function emptyScalarBlock(): ScalarBlock {
  return { epochs: { epoch: [], metric: [], value: [] }, validations: { epoch: [], taskId: [], loss: [] } };
}

/**
 * Every scalar of an event file, as written, in columns (a backfill reads millions; typed arrays go
 * to a binary COPY as they are): point i < length is (tags[tag[i]], step[i], wallTime[i], value[i]),
 * in file order, repeated steps kept; values are the float32 or float64 the file holds. Values of
 * other plugins (histograms, images, text, hparams, graphs…) are counted per plugin, never dropped in
 * silence.
 */
export interface SeriesBlock {
  length: number;
  /** The distinct tags of this block, in the order first seen in it. */
  tags: string[];
  tag: Int32Array;
  step: Float64Array;
  wallTime: Float64Array;
  value: Float64Array;
  /** Non-scalar values of this block by plugin name ('' for values that name no plugin). */
  others: Record<string, number>;
}

export function emptySeriesBlock(capacity = 0): SeriesBlock {
  return {
    length: 0,
    tags: [],
    tag: new Int32Array(capacity),
    step: new Float64Array(capacity),
    wallTime: new Float64Array(capacity),
    value: new Float64Array(capacity),
    others: {},
  };
}

/** The trainer's own Forgetting Analysis verdict (loss < 0.7, < 1.0, else). */
export type Retention = 'retained' | 'slight_degradation' | 'significant_forgetting';

export type CheckpointKind = 'best_saved' | 'checkpoint_saved' | 'final_saved';

interface RunScoped {
  /** Byte offset in the source of the record that started the run: stable under any chunking. */
  runKey: number;
  /** 1-based line number (count of '\n' before the record, plus one). */
  line: number;
}

export type ParseEvent =
  | (RunScoped & { type: 'run_started'; format: RunFormat })
  | (RunScoped & {
      type: 'run_info';
      info: Partial<RunInfo>;
      /** Only fills fields no other source printed (values from a config or the results JSON). */
      fallback?: boolean;
    })
  | (RunScoped & {
      /**
       * Added by the run-directory readers: the run directory this source belongs to (see
       * ingest/rundir/identity.ts). Every source naming the same identity is one run.
       */
      type: 'identity';
      identity: string;
    })
  | (RunScoped & {
      /**
       * Added by the config readers (Hydra's config, LeRobot's train_config.json): the whole config tree,
       * its overrides, the strategy it asks for.
       */
      type: 'config';
      tree: Record<string, unknown>;
      overrides: string[];
      strategy: StrategyInfo | null;
      /** The loss-changing settings the config fixes (checked against what the log printed). */
      settings?: ConfigSettings;
      /** Among several configs of one run, the highest rank wins (LeRobot: the checkpoint's step). */
      rank?: number;
      /**
       * Where a run-directory config came from when it is not Hydra's or LeRobot's: TensorBoard's
       * HParams session start info, or Lightning's hparams.yaml.
       */
      source?: 'tensorboard_hparams' | 'hparams_yaml';
    })
  | (RunScoped & { type: 'strategy'; strategy: StrategyInfo })
  | (RunScoped & { type: 'epoch'; epoch: number; metrics: Partial<EpochMetrics> })
  /** Many epoch and validation values at once (event files); `line` is the first record's. */
  | (RunScoped & { type: 'scalars'; block: ScalarBlock })
  | (RunScoped & {
      /**
       * Added by the event-file reader: every scalar of the file (and its other values, counted),
       * `line` the first record's. `dir`: the file's folder relative to its run directory, by path
       * (ingest/rundir/identity.ts runDirOfFile).
       */
      type: 'series';
      dir: string;
      /** Ordinal of the block's first point among the file's points (0-based): point i is `firstPoint + i`, unique per file. */
      firstPoint: number;
      block: SeriesBlock;
    })
  | (RunScoped & {
      type: 'step';
      /** Global optimiser step, 1-based: (epoch-1)·stepsPerEpoch + n for tqdm frames. */
      step: number;
      epoch: number | null;
      loss: number | null;
      lr: number | null;
      procMs: number | null;
      elapsedS: number | null;
      /** The step is not printed exactly and nothing in the log pins it (LeRobot's rounded `step:20K`). */
      estimated?: boolean;
      /** Further metrics of the record by printed name (LeRobot `grdn`, `data_s`, `smp/s`, `mem_gb`, `l1_loss` …). */
      metrics?: Record<string, number | null>;
    })
  | (RunScoped & {
      /**
       * An earlier step event of this run was emitted at an estimated step that a later line corrected:
       * its row goes; the parser re-emits the record at its new step right after.
       */
      type: 'step_retract';
      step: number;
    })
  | (RunScoped & { type: 'validation'; epoch: number; final: boolean; taskId: number; loss: number })
  | (RunScoped & {
      type: 'retention';
      epoch: number;
      final: boolean;
      taskId: number;
      retention: Retention;
      loss: number;
    })
  | (RunScoped & {
      type: 'checkpoint';
      kind: CheckpointKind;
      epoch: number | null;
      loss: number | null;
      path: string | null;
      /** Added by the parsers: the optimiser step for step-based trainers (LeRobot "Checkpoint policy after step N"). */
      step?: number;
      /** The checkpoint's folder was found (LeRobot's checkpoints/<step>/): not a line of a log. */
      onDisk?: boolean;
    })
  | (RunScoped & {
      type: 'status';
      status: 'completed' | 'crashed' | 'stopped';
      /** "Best Loss" of the completion block. */
      bestLoss?: number;
      /** For crashes: the exception line (e.g. "RuntimeError: CUDA out of memory"). */
      error?: string;
    })
  | (RunScoped & {
      /**
       * Added by the parsers: LeRobot's evaluation line (§5, `∑rwrd:… success:… eval_s:…`). The step is
       * the exact one from the preceding "Eval policy at step N" line when there is one.
       */
      type: 'eval';
      step: number;
      reward: number | null;
      /** Percent, as printed (`success:45.0`). */
      successRate: number | null;
      evalS: number | null;
      /** LeRobot v0.6 inline validation `step N: eval_loss=x`. */
      loss?: number | null;
    })
  | { type: 'warning'; runKey: number | null; line: number; message: string };

/** The `epoch` and `validation` events a `scalars` event stands for, one per value (for consumers that are not hot paths). */
export function scalarBlockEvents(event: Extract<ParseEvent, { type: 'scalars' }>): ParseEvent[] {
  const { runKey, line, block } = event;
  const events: ParseEvent[] = [];
  const e = block.epochs;
  for (let i = 0; i < e.epoch.length; i++)
    events.push({ type: 'epoch', runKey, line, epoch: e.epoch[i]!, metrics: { [EPOCH_METRICS[e.metric[i]!]!]: e.value[i]! } });
  const v = block.validations;
  for (let i = 0; i < v.epoch.length; i++)
    events.push({ type: 'validation', runKey, line, epoch: v.epoch[i]!, final: false, taskId: v.taskId[i]!, loss: v.loss[i]! });
  return events;
}
