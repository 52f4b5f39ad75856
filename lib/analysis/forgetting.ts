/**
 * Forgetting across sequential stages (task1 → task2 → task3 → task4).
 *
 * Chains. A run's parent is, in order of preference:
 * 1. its explicit `parentRunId` (the database link), when given;
 * 2. otherwise, only for a run that loaded the previous task's checkpoint (`loadedFrom: 'task'`), the
 *    run whose `resumePath` is `<outputDir>` or one of its checkpoints — the one stage-link rule of
 *    ./stage-link.ts (`/best`, `/final`, `/epochN`; spelling normalised). Among several candidates: the one whose
 *    task is `resumeTaskId`, then the longest outputDir, then the last in input order (pre-30be945
 *    trainers reused one output dir per task, so pass runs oldest first).
 * A chain is a path root → … → leaf through these links (a run with two children yields two chains).
 *
 * Matrix. For the stages k = 0..K of a chain (rows) and tasks j (columns: every task trained or
 * validated, ascending), L[k][j] = stage k's FINAL validation loss on task j (the block after "Final
 * Multi-Task Validation"); if a stage has no final block (it crashed there — e.g. a previous task's
 * data root was missing), its last per-epoch validation of task j is used and the cell is listed in
 * `fallbackCells`. A missing cell is null; a recorded NaN/inf stays NaN/Infinity.
 *
 * Metrics (loss-type, so POSITIVE means worse/forgetting), for every task j trained at a stage before
 * the last (excluding the last stage's own task), with s(j) = the latest stage < K that trained j:
 *   F_j = L[K][j] − min over k < K of L[k][j]           (finite values only)
 *   BWT = mean over those j of (L[K][j] − L[s(j)][j])
 *   meanForgetting = mean of the finite F_j.
 *
 * Independent runs (each stage from the pretrained model, all-in-one since 10-28) get the same matrix
 * and numbers with `kind: 'zero_shot_transfer'`: an off-diagonal cell is how a model that never saw
 * task j does on it — transfer, not forgetting.
 *
 * The trainer's own status (log-formats §1.6, unchanged in all versions) is reported next to the
 * numbers: loss < 0.7 → retained, < 1.0 → slight degradation, else (also NaN/inf, as in Python)
 * significant forgetting.
 */
import type { Retention, RunId, StageRun, ValidationPoint } from './types';
import { isCheckpointOf, runDirLength } from './stage-link';
import { isFiniteLoss } from './validation';

export { isCheckpointOf } from './stage-link';

export const TRAINER_RETENTION_THRESHOLDS = Object.freeze({ retained: 0.7, slightDegradation: 1.0 });

/** The trainer's Forgetting Analysis status for a loss (NaN and inf → significant, like Python). */
export function trainerRetention(loss: number | null): Retention {
  if (loss !== null && loss < TRAINER_RETENTION_THRESHOLDS.retained) return 'retained';
  if (loss !== null && loss < TRAINER_RETENTION_THRESHOLDS.slightDegradation) return 'slight_degradation';
  return 'significant_forgetting';
}

/** The parent of `run` among `runs` (module rule), or null. */
export function findParent(run: StageRun, runs: readonly StageRun[]): RunId | null {
  if (run.parentRunId !== undefined && run.parentRunId !== null) return run.parentRunId;
  if (run.loadedFrom !== 'task' || run.resumePath === null) return null;
  const resumePath = run.resumePath;
  let best: StageRun | null = null;
  let bestScore: [number, number, number] = [-1, -1, -1];
  for (const [index, r] of runs.entries()) {
    if (r.id === run.id || r.outputDir === null || !isCheckpointOf(r.outputDir, resumePath)) continue;
    const score: [number, number, number] = [
      run.resumeTaskId !== null && r.taskId === run.resumeTaskId ? 1 : 0,
      runDirLength(r.outputDir),
      index,
    ];
    const better =
      score[0] !== bestScore[0] ? score[0] > bestScore[0] : score[1] !== bestScore[1] ? score[1] > bestScore[1] : score[2] > bestScore[2];
    if (best === null || better) {
      best = r;
      bestScore = score;
    }
  }
  return best === null ? null : best.id;
}

/** Map run id → parent id (null for roots). */
export function linkStages(runs: readonly StageRun[]): Map<RunId, RunId | null> {
  return new Map(runs.map((r) => [r.id, findParent(r, runs)]));
}

/** Every root → leaf path of the stage links, each as run ids in training order. */
export function buildChains(runs: readonly StageRun[]): RunId[][] {
  const parents = linkStages(runs);
  const ids = new Set(runs.map((r) => r.id));
  const children = new Map<RunId, RunId[]>();
  for (const r of runs) {
    const p = parents.get(r.id) ?? null;
    if (p !== null && ids.has(p) && p !== r.id) {
      const list = children.get(p);
      if (list === undefined) children.set(p, [r.id]);
      else list.push(r.id);
    }
  }
  const roots = runs.filter((r) => {
    const p = parents.get(r.id) ?? null;
    return p === null || !ids.has(p) || p === r.id;
  });
  const chains: RunId[][] = [];
  const walk = (id: RunId, path: RunId[]) => {
    if (path.includes(id)) return; // a cycle in bad data: stop
    const next = [...path, id];
    const kids = children.get(id) ?? [];
    if (kids.length === 0) chains.push(next);
    for (const k of kids) walk(k, next);
  };
  for (const r of roots) walk(r.id, []);
  return chains;
}

export type TransferKind = 'forgetting' | 'zero_shot_transfer';

export interface StageValidations {
  id: RunId;
  taskId: number | null;
  validations: readonly ValidationPoint[];
}

export interface TaskForgetting {
  taskId: number;
  /** Index of the latest stage before the last that trained this task. */
  trainedAtStage: number;
  /** L[s(j)][j]. */
  afterTraining: number | null;
  /** L[K][j]. */
  atEnd: number | null;
  /** min over k < K of L[k][j]. */
  bestBefore: number | null;
  /** F_j = atEnd − bestBefore. */
  forgetting: number | null;
  /** atEnd − afterTraining (this task's BWT term). */
  backwardTransfer: number | null;
  /** The trainer's status for atEnd (null when the cell is missing). */
  trainerStatus: Retention | null;
}

export interface ForgettingResult {
  kind: TransferKind;
  stageRunIds: RunId[];
  stageTaskIds: (number | null)[];
  /** Column task ids, ascending. */
  taskIds: number[];
  /** matrix[k][c] = L[stage k][task taskIds[c]]; null when missing. */
  matrix: (number | null)[][];
  /** Cells taken from per-epoch validation because the stage had no final block. */
  fallbackCells: { stage: number; taskId: number }[];
  perTask: TaskForgetting[];
  bwt: number | null;
  meanForgetting: number | null;
  note: string;
}

function cell(stage: StageValidations, taskId: number): { value: number | null; fallback: boolean } {
  let final: ValidationPoint | null = null;
  let last: ValidationPoint | null = null;
  for (const v of stage.validations) {
    if (v.taskId !== taskId) continue;
    if (v.final) {
      if (final === null || v.epoch >= final.epoch) final = v;
    } else if (last === null || v.epoch >= last.epoch) last = v;
  }
  // a record with loss null is a NaN the parser mapped to JSON null: keep it as NaN
  if (final !== null) return { value: final.loss ?? Number.NaN, fallback: false };
  if (last !== null) return { value: last.loss ?? Number.NaN, fallback: true };
  return { value: null, fallback: false };
}

function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The L[k][j] matrix with F_j and BWT (module rule). Stages in training order. */
export function forgettingMatrix(stages: readonly StageValidations[], kind: TransferKind = 'forgetting'): ForgettingResult {
  const taskSet = new Set<number>();
  for (const s of stages) {
    if (s.taskId !== null) taskSet.add(s.taskId);
    for (const v of s.validations) taskSet.add(v.taskId);
  }
  const taskIds = [...taskSet].sort((a, b) => a - b);
  const fallbackCells: { stage: number; taskId: number }[] = [];
  const matrix = stages.map((s, k) =>
    taskIds.map((j) => {
      const c = cell(s, j);
      if (c.fallback) fallbackCells.push({ stage: k, taskId: j });
      return c.value;
    }),
  );
  const at = (k: number, j: number): number | null => matrix[k]?.[taskIds.indexOf(j)] ?? null;

  const K = stages.length - 1;
  const lastTask = stages[K]?.taskId ?? null;
  const trainedAt = new Map<number, number>();
  for (let k = 0; k < K; k++) {
    const t = stages[k]?.taskId ?? null;
    if (t !== null && t !== lastTask) trainedAt.set(t, k);
  }
  const perTask: TaskForgetting[] = [...trainedAt.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([j, s]) => {
      const atEnd = at(K, j);
      const afterTraining = at(s, j);
      let bestBefore: number | null = null;
      for (let k = 0; k < K; k++) {
        const v = at(k, j);
        if (isFiniteLoss(v) && (bestBefore === null || v < bestBefore)) bestBefore = v;
      }
      return {
        taskId: j,
        trainedAtStage: s,
        afterTraining,
        atEnd,
        bestBefore,
        forgetting: isFiniteLoss(atEnd) && bestBefore !== null ? atEnd - bestBefore : null,
        backwardTransfer: isFiniteLoss(atEnd) && isFiniteLoss(afterTraining) ? atEnd - afterTraining : null,
        trainerStatus: atEnd === null ? null : trainerRetention(atEnd),
      };
    });
  const bwt = mean(perTask.map((t) => t.backwardTransfer).filter(isFiniteLoss));
  const meanForgetting = mean(perTask.map((t) => t.forgetting).filter(isFiniteLoss));
  const note =
    kind === 'forgetting'
      ? 'Sequential stages: each stage loaded the previous one, so a positive F_j or BWT is forgetting (loss went up).'
      : 'Independent runs (each from the pretrained model): off-diagonal cells are zero-shot transfer to tasks the ' +
        'model never trained on, not forgetting; the trainer still prints its Forgetting Analysis for them.';
  return {
    kind,
    stageRunIds: stages.map((s) => s.id),
    stageTaskIds: stages.map((s) => s.taskId),
    taskIds,
    matrix,
    fallbackCells,
    perTask,
    bwt,
    meanForgetting,
    note,
  };
}

/**
 * Forgetting of one chain: `chain` are run ids in training order (from buildChains); the kind is
 * 'forgetting' when every stage after the first is linked to its predecessor, else zero-shot transfer.
 */
export function chainForgetting(chain: readonly RunId[], runs: readonly (StageRun & StageValidations)[]): ForgettingResult {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const stages = chain.map((id) => byId.get(id)).filter((r): r is StageRun & StageValidations => r !== undefined);
  const parents = linkStages(runs);
  const linked = stages.every((s, k) => k === 0 || parents.get(s.id) === stages[k - 1]?.id);
  return forgettingMatrix(stages, linked ? 'forgetting' : 'zero_shot_transfer');
}

/** Independent single-task runs (one per task), ordered by task id: the zero-shot transfer matrix. */
export function independentTransfer(runs: readonly StageValidations[]): ForgettingResult {
  const ordered = [...runs].sort((a, b) => (a.taskId ?? Infinity) - (b.taskId ?? Infinity));
  return forgettingMatrix(ordered, 'zero_shot_transfer');
}
