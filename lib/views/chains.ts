// The tasks page's chains from the stage rows and their validation cells: each sequential chain's
// forgetting matrix L[k][j], F_j and BWT (lib/analysis), stages whose predecessor's log is missing,
// and the zero-shot matrices of stand-alone runs; and the mean forgetting of the chain ending at a
// run (the compare page). Pure; lib/queries/forgetting.ts reads the rows.
import {
  TRAINER_RETENTION_THRESHOLDS,
  buildChains,
  chainForgetting,
  forgettingMatrix,
  independentTransfer,
  type ForgettingResult,
  type StageRun,
  type StageValidations,
} from '../analysis';
import type { ChainView, MatrixCell, TasksResponse } from '../api/schemas/tasks';
import { finiteOrNull, strategyFromColumns, strategyView, type StrategyColumns } from './strategy-view';

/** A run as a stage: its task, how it loaded its weights, its strategy columns. */
export interface StageRow extends StrategyColumns {
  id: number;
  taskId: number | null;
  taskName: string | null;
  status: string;
  outputDir: string | null;
  loadedFrom: string | null;
  resumeTaskId: number | null;
  resumePath: string | null;
  parentRunId: number | null;
  startedAt: Date;
}

/** The validation records a matrix cell needs (the final one and the last per-epoch one per task). */
export interface CellRow {
  runId: number;
  epoch: number;
  final: boolean;
  taskId: number;
  loss: number | null;
  retention: string | null;
}

type Stage = StageRun & StageValidations & { row: StageRow; retention: Map<number, string> };

function toStages(rows: readonly StageRow[], cells: readonly CellRow[]): Map<number, Stage> {
  const byRun = new Map<number, CellRow[]>();
  for (const cell of cells) {
    const list = byRun.get(cell.runId);
    if (list) list.push(cell);
    else byRun.set(cell.runId, [cell]);
  }
  return new Map(
    rows.map((row) => {
      const own = byRun.get(row.id) ?? [];
      const retention = new Map<number, string>();
      for (const cell of own) if (cell.final && cell.retention !== null) retention.set(cell.taskId, cell.retention);
      return [
        row.id,
        {
          id: row.id,
          taskId: row.taskId,
          outputDir: row.outputDir,
          loadedFrom: row.loadedFrom,
          resumeTaskId: row.resumeTaskId,
          resumePath: row.resumePath,
          parentRunId: row.parentRunId,
          validations: own.map((c) => ({ epoch: c.epoch, final: c.final, taskId: c.taskId, loss: c.loss })),
          row,
          retention,
        },
      ];
    }),
  );
}

/** Path root → run through the stage links (`parentRunId`). */
function pathTo(id: number, rows: ReadonlyMap<number, StageRow>): number[] {
  const path: number[] = [];
  for (let current: number | null = id; current !== null && !path.includes(current); current = rows.get(current)?.parentRunId ?? null) {
    if (!rows.has(current)) break;
    path.unshift(current);
  }
  return path;
}

/**
 * The stage paths (root → run) of the given runs, and every stage a path of two or more passes through
 * (whose validation cells meanForgettingByRun needs).
 */
export function chainPaths(ids: readonly number[], rows: readonly StageRow[]): { paths: Map<number, number[]>; needed: Set<number> } {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const paths = new Map(ids.map((id) => [id, pathTo(id, byId)]));
  const needed = new Set<number>();
  for (const path of paths.values()) if (path.length > 1) path.forEach((id) => needed.add(id));
  return { paths, needed };
}

/** Mean forgetting of the chain ending at each run (null for a first stage or unlinked run). */
export function meanForgettingByRun(
  paths: ReadonlyMap<number, number[]>,
  rows: readonly StageRow[],
  cells: readonly CellRow[],
): Map<number, number | null> {
  const needed = new Set([...paths.values()].filter((path) => path.length > 1).flat());
  const stages = toStages(
    rows.filter((row) => needed.has(row.id)),
    cells,
  );
  const out = new Map<number, number | null>();
  for (const [id, path] of paths) {
    if (path.length < 2) {
      out.set(id, null);
      continue;
    }
    const members = path.map((p) => stages.get(p)).filter((s): s is Stage => s !== undefined);
    out.set(id, finiteOrNull(chainForgetting(path, members).meanForgetting));
  }
  return out;
}

function nonFiniteOf(value: number | null): 'NaN' | 'inf' | null {
  if (value === null || Number.isFinite(value)) return null;
  return Number.isNaN(value) ? 'NaN' : 'inf';
}

function compareStrategyKeys(a: ChainView, b: ChainView): number {
  const layers = (view: ChainView) => view.strategy.trainableLayers ?? Number.POSITIVE_INFINITY;
  return layers(a) - layers(b) || a.strategy.key.localeCompare(b.strategy.key);
}

function chainView(id: string, result: ForgettingResult, stages: readonly Stage[]): ChainView {
  const views = stages.map((s) => strategyView(strategyFromColumns(s.row)));
  const first = views[0] ?? strategyView(null);
  const fallback = new Set(result.fallbackCells.map((c) => `${c.stage}|${c.taskId}`));
  const cells: MatrixCell[][] = result.matrix.map((row, k) =>
    row.map((value, c) => {
      const taskId = result.taskIds[c]!;
      return {
        value: finiteOrNull(value),
        nonFinite: nonFiniteOf(value),
        fallback: fallback.has(`${k}|${taskId}`),
        trainerStatus: stages[k]?.retention.get(taskId) ?? null,
        trained: stages[k]?.taskId === taskId,
      };
    }),
  );
  return {
    id,
    kind: result.kind,
    strategy: {
      key: first.key,
      label: first.label,
      color: first.color,
      trainableLayers: first.trainableLayers,
      mixed: views.some((v) => v.key !== first.key),
    },
    stages: stages.map((s, k) => ({
      runId: s.id as number,
      taskId: s.taskId,
      taskName: s.row.taskName,
      status: s.row.status,
      strategyLabel: views[k]?.label ?? '',
    })),
    taskIds: result.taskIds,
    cells,
    perTask: result.perTask.map((t) => ({
      taskId: t.taskId,
      trainedAtStage: t.trainedAtStage,
      afterTraining: finiteOrNull(t.afterTraining),
      atEnd: finiteOrNull(t.atEnd),
      bestBefore: finiteOrNull(t.bestBefore),
      forgetting: finiteOrNull(t.forgetting),
      backwardTransfer: finiteOrNull(t.backwardTransfer),
      trainerStatus: t.trainerStatus,
    })),
    bwt: finiteOrNull(result.bwt),
    meanForgetting: finiteOrNull(result.meanForgetting),
    note: result.note,
  };
}

/**
 * Every sequential chain (2+ linked stages), newest first; then stages whose predecessor's log is
 * missing; then one zero-shot matrix per strategy for runs that stand alone (each from the
 * pretrained model): the latest run of each task.
 */
export function tasksView(rows: readonly StageRow[], cells: readonly CellRow[]): TasksResponse {
  const stages = toStages(rows, cells);
  const all = [...stages.values()];
  const chains = buildChains(all);
  const views: ChainView[] = [];
  const linked = chains.filter((chain) => chain.length > 1);
  const inChains = new Set(linked.flat());
  const sequential: ChainView[] = [];
  for (const chain of linked.reverse()) {
    const members = chain.map((id) => stages.get(id as number)).filter((s): s is Stage => s !== undefined);
    sequential.push(chainView(`chain-${chain.join('-')}`, chainForgetting(chain, members), members));
  }
  // Side by side in strategy order (fewer trained layers first), newest first within a strategy.
  views.push(
    ...sequential
      .map((view, index) => ({ view, index }))
      .sort((a, b) => compareStrategyKeys(a.view, b.view) || a.index - b.index)
      .map(({ view }) => view),
  );
  // A stage that loaded an earlier task's checkpoint whose log Thaw has not seen is still a
  // sequential model: its final validation is the last row of a forgetting matrix whose earlier
  // rows are missing. Not zero-shot transfer.
  for (const stage of all) {
    if (inChains.has(stage.id) || stage.row.loadedFrom !== 'task' || stage.validations.length === 0) continue;
    const result = forgettingMatrix([stage], 'forgetting');
    const from = stage.row.resumeTaskId === null ? 'an earlier task' : `task ${stage.row.resumeTaskId}`;
    const note =
      `Loaded ${from}'s checkpoint (${stage.row.resumePath ?? 'path not printed'}), but Thaw has not seen the log of the run that ` +
      'saved it: this row is the model after the sequence, earlier rows are missing, so F and BWT cannot be computed.';
    views.push(chainView(`orphan-${stage.id}`, { ...result, note }, [stage]));
    inChains.add(stage.id);
  }
  // Stand-alone runs, grouped by strategy: zero-shot transfer between tasks.
  const alone = new Map<string, Map<number, Stage>>();
  for (const stage of all) {
    if (inChains.has(stage.id) || stage.taskId === null || stage.validations.length === 0) continue;
    const key = strategyView(strategyFromColumns(stage.row)).key;
    const perTask = alone.get(key) ?? new Map<number, Stage>();
    perTask.set(stage.taskId, stage); // rows are oldest first: the latest run of a task wins
    alone.set(key, perTask);
  }
  for (const [key, perTask] of alone) {
    const members = [...perTask.values()].sort((a, b) => (a.taskId ?? 0) - (b.taskId ?? 0));
    views.push(chainView(`independent-${key}`, independentTransfer(members), members));
  }
  return { chains: views, thresholds: { ...TRAINER_RETENTION_THRESHOLDS } };
}
