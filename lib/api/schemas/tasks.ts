// GET /api/tasks — multi-task validation: per sequential chain, the stage × task loss matrix with
// forgetting per task and BWT, the trainer's own retention status, and zero-shot matrices of
// independent runs.
import { z } from 'zod';
import { formatParam } from './common';

export const tasksQuery = z.object({
  format: formatParam,
});

export const matrixCellSchema = z.object({
  /** Loss; null when missing or not finite (see `nonFinite`). */
  value: z.number().nullable(),
  nonFinite: z.enum(['NaN', 'inf']).nullable(),
  /** Taken from the last per-epoch validation because the stage has no final block. */
  fallback: z.boolean(),
  /** The trainer's own Forgetting Analysis status as it printed it (final block), if any. */
  trainerStatus: z.string().nullable(),
  /** This stage trained this task. */
  trained: z.boolean(),
});
export type MatrixCell = z.infer<typeof matrixCellSchema>;

export const chainSchema = z.object({
  id: z.string(),
  kind: z.enum(['forgetting', 'zero_shot_transfer']),
  strategy: z.object({
    key: z.string(),
    label: z.string(),
    color: z.string(),
    trainableLayers: z.number().int().nullable(),
    mixed: z.boolean(),
  }),
  stages: z.array(
    z.object({
      runId: z.number().int(),
      taskId: z.number().int().nullable(),
      taskName: z.string().nullable(),
      status: z.string(),
      strategyLabel: z.string(),
    }),
  ),
  taskIds: z.array(z.number().int()),
  cells: z.array(z.array(matrixCellSchema)),
  perTask: z.array(
    z.object({
      taskId: z.number().int(),
      trainedAtStage: z.number().int(),
      afterTraining: z.number().nullable(),
      atEnd: z.number().nullable(),
      bestBefore: z.number().nullable(),
      forgetting: z.number().nullable(),
      backwardTransfer: z.number().nullable(),
      /** The trainer's status computed from its thresholds (< 0.7 retained, < 1.0 slight). */
      trainerStatus: z.string().nullable(),
    }),
  ),
  bwt: z.number().nullable(),
  meanForgetting: z.number().nullable(),
  note: z.string(),
});
export type ChainView = z.infer<typeof chainSchema>;

export const tasksResponse = z.object({
  chains: z.array(chainSchema),
  thresholds: z.object({ retained: z.number(), slightDegradation: z.number() }),
});
export type TasksResponse = z.infer<typeof tasksResponse>;

/** One CSV row per matrix cell. */
export function tasksCsvRecords(chains: readonly ChainView[]): Record<string, string | number | boolean | null>[] {
  const rows: Record<string, string | number | boolean | null>[] = [];
  for (const chain of chains) {
    chain.stages.forEach((stage, k) => {
      chain.taskIds.forEach((taskId, c) => {
        const cell = chain.cells[k]?.[c];
        if (!cell) return;
        rows.push({
          chain: chain.id,
          kind: chain.kind,
          strategy: chain.strategy.label,
          stage: k + 1,
          runId: stage.runId,
          stageTask: stage.taskId,
          task: taskId,
          loss: cell.value,
          nonFinite: cell.nonFinite,
          fallback: cell.fallback,
          trainerStatus: cell.trainerStatus,
        });
      });
    });
  }
  return rows;
}
