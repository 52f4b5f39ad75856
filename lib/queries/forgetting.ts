// Sequential stages and forgetting. The ingest store links a stage to the run it loaded
// (`parentRunId`); lib/analysis turns chains into the L[k][j] matrix, F_j and BWT. Only two
// validation records per run and task are needed for a matrix cell (the final one and the last
// per-epoch one), so that is all this reads.
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
import { db } from '../db/client';
import type { ChainView, MatrixCell, TasksResponse } from '../api/schemas/tasks';
import { finiteOrNull, strategyFromColumns, strategyView, type StrategyColumns } from '../views/strategy-view';

interface StageRow extends StrategyColumns {
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

interface CellRow {
  runId: number;
  epoch: number;
  final: boolean;
  taskId: number;
  loss: number | null;
  retention: string | null;
}

type Stage = StageRun & StageValidations & { row: StageRow; retention: Map<number, string> };

async function loadStages(): Promise<StageRow[]> {
  return db().$queryRaw<StageRow[]>`
    SELECT r.id, r."taskId", r."taskName", r.status, r."outputDir", r."loadedFrom", r."resumeTaskId", r."resumePath",
           r."parentRunId", r."startedAt", s.kind, s.spec, s."totalLayers", s."frozenLayers", s."unfrozenLayers", s.applied, s."failureReason"
      FROM "Run" r LEFT JOIN "VisionStrategy" s ON s."runId" = r.id
     ORDER BY r."startedAt", r.id`;
}

async function loadCells(ids: readonly number[]): Promise<CellRow[]> {
  if (ids.length === 0) return [];
  return db().$queryRaw<CellRow[]>`
    SELECT DISTINCT ON ("runId", "taskId", final) "runId", epoch, final, "taskId", loss, retention
      FROM "Validation" WHERE "runId" = ANY(${[...ids]}::int[])
     ORDER BY "runId", "taskId", final, epoch DESC`;
}

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

/** Mean forgetting of the chain ending at each run (null for a first stage or unlinked run). */
export async function forgettingByRun(ids: readonly number[]): Promise<Map<number, number | null>> {
  const rows = await loadStages();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const paths = new Map(ids.map((id) => [id, pathTo(id, byId)]));
  const needed = new Set<number>();
  for (const path of paths.values()) if (path.length > 1) path.forEach((id) => needed.add(id));
  const stages = toStages(
    rows.filter((row) => needed.has(row.id)),
    await loadCells([...needed]),
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
export async function listChains(): Promise<TasksResponse> {
  const rows = await loadStages();
  const stages = toStages(rows, await loadCells(rows.map((r) => r.id)));
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
