// GET /api/runs/[id] — everything the run page shows except curves (those are /series).
import { z } from 'zod';
import { annotationFields } from './annotations';
import { VERDICTS, nonFiniteSchema, strategySchema } from './common';

export const runIdParam = z.coerce
  .number({ error: 'a run id (a positive whole number)' })
  .int('a run id (a positive whole number)')
  .positive('a run id (a positive whole number)')
  .max(2_147_483_647, 'a run id (a positive whole number)');

const metricRef = z.object({ dir: z.string(), tag: z.string(), axis: z.enum(['epoch', 'step']) });

const checkpoint = z.object({
  kind: z.enum(['best', 'epoch', 'final']),
  label: z.string(),
  epoch: z.number().int().nullable(),
  path: z.string().nullable(),
  loss: z.number().nullable(),
});

export const runDetailSchema = z.object({
  run: z.object({
    id: z.number().int(),
    taskId: z.number().int().nullable(),
    taskName: z.string().nullable(),
    description: z.string().nullable(),
    language: z.string().nullable(),
    status: z.string(),
    format: z.string(),
    stage: z.number().int().nullable(),
    timestamp: z.string().nullable(),
    outputDir: z.string().nullable(),
    loadedFrom: z.string().nullable(),
    pretrainedPath: z.string().nullable(),
    resumeTaskId: z.number().int().nullable(),
    resumePath: z.string().nullable(),
    parentRunId: z.number().int().nullable(),
    childRunIds: z.array(z.number().int()),
    errorMessage: z.string().nullable(),
    /** The model upload failed after training completed (LeRobot Hub push). */
    pushError: z.string().nullable(),
    startedAt: z.string(),
    lastSeenAt: z.string(),
    bestTrainLoss: z.number().nullable(),
    config: z.object({
      epochsTotal: z.number().int().nullable(),
      batchSize: z.number().int().nullable(),
      learningRate: z.number().nullable(),
      stepsPerEpoch: z.number().int().nullable(),
      totalSteps: z.number().int().nullable(),
      datasetFrames: z.number().int().nullable(),
      datasetFps: z.number().int().nullable(),
      /** LeRobot's dataset.num_episodes. */
      episodes: z.number().int().nullable(),
    }),
    /** LeRobot's dataset.repo_id: what the run trained on (its task when it has no task id). */
    dataset: z.string().nullable(),
    /**
     * The run's experiment folder (lib/views/facets.ts `experimentFolder`, as GET /api/runs gives it): what
     * stands for its task when it has neither task id nor dataset.
     */
    experiment: z.string().nullable(),
    params: z.object({
      total: z.number().nullable(),
      trainable: z.number().nullable(),
      frozen: z.number().nullable(),
      visionTrainable: z.number().nullable(),
      visionTotal: z.number().nullable(),
    }),
    source: z.object({ id: z.number().int(), path: z.string(), host: z.string(), state: z.string() }),
    /** Annotations: display name, tags, note, star, hidden. */
    ...annotationFields,
  }),
  strategy: strategySchema,
  /**
   * Which of the run's scalar tags are its training and validation loss, and on which axis (one rule
   * with one table of cases: lib/analysis/scalar-metrics.ts chooseMetrics, docs/log-formats.md §7.3);
   * null where the rule names none. `trainer`: the writer the rule recognised.
   */
  metrics: z.object({
    trainer: z.enum(['keras', 'huggingface', 'stable_baselines3', 'lightning', 'smolvla_sequential', 'kuavo_step']).nullable(),
    train: metricRef.nullable(),
    val: metricRef.nullable(),
  }),
  progress: z.object({
    /** From real epoch evidence only (epoch rows, or the scalars' epoch evidence): a step is never an epoch. */
    epochsDone: z.number().int(),
    epochsTotal: z.number().int().nullable(),
    /** The latest epoch's training loss; null when none or not finite, and then: */
    lastTrainLoss: z.number().nullable(),
    /** what it was ('nan', 'inf', '-inf'), else null. */
    lastTrainLossNonFinite: nonFiniteSchema,
    /**
     * The furthest step the run provably reached: its last logged step or its newest checkpoint
     * (lib/analysis/artefacts.ts), else its training loss tag's last step.
     */
    lastStep: z.number().int().nullable(),
    /** Step-based runs (LeRobot, the team's step-based trainers, Hugging Face): progress is steps, not epochs. */
    stepBased: z.boolean(),
    /** 'step' exactly when stepBased (runProgress). */
    axis: z.enum(['epoch', 'step']),
    /** The latest step's loss; null when none or not finite, and then: */
    lastStepLoss: z.number().nullable(),
    /** what it was ('nan', 'inf', '-inf'), else null. */
    lastStepLossNonFinite: nonFiniteSchema,
    /** EMA (TensorBoard weight 0.6) of the step losses, at the last step. */
    smoothedStepLoss: z.number().nullable(),
    /** Steps whose number the log does not pin exactly (kept in order at an estimate). */
    estimatedSteps: z.number().int(),
  }),
  /**
   * The run's checkpoints by optimiser step, oldest first (LeRobot's checkpoints/<step>/ folders and its
   * log's "Checkpoint policy after step N"): `onDisk` when the folder itself was read, `path` where it is
   * (or where the log says it was saved). The newest one reaching the configured steps made the run completed.
   */
  checkpoints: z.array(z.object({ step: z.number().int(), path: z.string().nullable(), onDisk: z.boolean() })),
  /** Evaluations by step (LeRobot eval lines: success rate, reward; v0.6 eval_loss). */
  evals: z.array(
    z.object({
      step: z.number().int(),
      successRate: z.number().nullable(),
      reward: z.number().nullable(),
      loss: z.number().nullable(),
    }),
  ),
  verdict: z.object({
    status: z.enum(VERDICTS),
    reason: z.string(),
    caveat: z.string().nullable(),
    taskId: z.number().int().nullable(),
    /** What bestEpoch, latestEpoch, epochsSinceBest and overfitStartEpoch count: epochs, or optimiser steps (a validation loss logged by step). */
    axis: z.enum(['epoch', 'step']),
    validationPoints: z.number().int(),
    bestEpoch: z.number().int().nullable(),
    bestValue: z.number().nullable(),
    latestEpoch: z.number().int().nullable(),
    latestValue: z.number().nullable(),
    epochsSinceBest: z.number().int().nullable(),
    riseFromBest: z.number().nullable(),
    gapAtBest: z.number().nullable(),
    gapAtEnd: z.number().nullable(),
    overfitStartEpoch: z.number().int().nullable(),
    thresholds: z.object({ patience: z.number(), minDelta: z.number(), riseThreshold: z.number(), divergenceThreshold: z.number() }),
  }),
  advice: z.object({
    text: z.string(),
    bestDir: checkpoint.nullable(),
    periodic: z.array(checkpoint),
    final: checkpoint.nullable(),
    nearest: checkpoint.extend({ distance: z.number().int() }).nullable(),
    bestValidationEpoch: z.number().int().nullable(),
    bestValidationLoss: z.number().nullable(),
    bestDirOffset: z.number().int().nullable(),
    lossCostOfBestDir: z.number().nullable(),
    relativeCostOfBestDir: z.number().nullable(),
  }),
  validation: z.object({
    taskIds: z.array(z.number().int()),
    rows: z.array(
      z.object({
        epoch: z.number().int(),
        final: z.boolean(),
        losses: z.array(z.number().nullable()),
        /** 'NaN' / 'inf' where the log printed a non-finite loss. */
        nonFinite: z.array(z.enum(['NaN', 'inf']).nullable()),
        retention: z.array(z.string().nullable()),
      }),
    ),
  }),
  events: z.array(
    z.object({
      kind: z.string(),
      line: z.number().int(),
      epoch: z.number().int().nullable(),
      loss: z.number().nullable(),
      path: z.string().nullable(),
      message: z.string().nullable(),
    }),
  ),
  warnings: z.array(z.object({ line: z.number().int(), message: z.string() })),
  /** The run's Hydra config (null when no config.yaml was found for it). */
  config: z
    .object({
      /** config.yaml as parsed (interpolations such as `${now:…}` left as written). */
      tree: z.record(z.string(), z.unknown()),
      overrides: z.array(z.string()),
      /** The strategy the config asks for, resolved against the backbone's layer count. */
      strategy: strategySchema.nullable(),
    })
    .nullable(),
  /**
   * Where the shown strategy comes from: 'log' (a banner was printed), 'config' (only the config asked
   * for it: not confirmed by the log), null when neither said anything.
   */
  strategySource: z.enum(['log', 'config']).nullable(),
  /** The log's banner and the config disagree on the trainable layers (both are shown). */
  strategyConflict: z.boolean(),
  /**
   * Loss-changing settings (batch size, learning rate, epochs, steps, seed, dataset) where the config
   * file says one value and the run's own output another (lib/analysis/config-check.ts).
   */
  configMismatches: z.array(
    z.object({
      setting: z.enum(['batchSize', 'learningRate', 'epochsTotal', 'totalSteps', 'seed', 'dataset']),
      label: z.string(),
      config: z.string(),
      run: z.string(),
    }),
  ),
  /** The files this run was built from. */
  sources: z.array(
    z.object({
      id: z.number().int(),
      path: z.string(),
      host: z.string(),
      kind: z.enum(['log', 'tfevents', 'results_json', 'hydra_config', 'train_config', 'hparams_yaml']),
      state: z.string(),
    }),
  ),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const logQuery = z.object({
  lines: z.coerce
    .number({ error: 'a whole number from 1 to 500' })
    .int('a whole number from 1 to 500')
    .min(1, 'a whole number from 1 to 500')
    .max(500, 'a whole number from 1 to 500')
    .default(40),
});

export const logResponse = z.object({
  runId: z.number().int(),
  path: z.string(),
  /** The last lines of the run's part of the file; a tqdm bar shows its latest frame. */
  lines: z.array(z.string()),
  /** Byte offset of the end of the run's region that was read. */
  endOffset: z.number().int(),
  /**
   * Whether the run was read from a console log. False for a run read from other files (event files,
   * LeRobot checkpoint folders, a results JSON): no lines, `path` its main file, and `note` says what it
   * was read from — a fact, not an error. True: `note`, when set, is a problem with the log file.
   */
  consoleLog: z.boolean(),
  note: z.string().nullable(),
});
export type LogTail = z.infer<typeof logResponse>;

/** Flat CSV of the validation table. */
export function validationCsvRecords(detail: RunDetail): Record<string, string | number | boolean | null>[] {
  const rows: Record<string, string | number | boolean | null>[] = [];
  for (const row of detail.validation.rows) {
    detail.validation.taskIds.forEach((taskId, i) => {
      rows.push({
        runId: detail.run.id,
        epoch: row.epoch,
        final: row.final,
        taskId,
        loss: row.losses[i] ?? null,
        nonFinite: row.nonFinite[i] ?? null,
        retention: row.retention[i] ?? null,
      });
    });
  }
  return rows;
}
