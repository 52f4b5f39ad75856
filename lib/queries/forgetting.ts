// Sequential stages and forgetting: the reads. The ingest store links a stage to the run it loaded
// (`parentRunId`); lib/views/chains.ts shapes the chains (lib/analysis computes L[k][j], F_j and BWT).
// Only two validation records per run and task are needed for a matrix cell (the final one and the
// last per-epoch one), so that is all this reads.
import { db } from '../db/client';
import type { TasksResponse } from '../api/schemas/tasks';
import { chainPaths, meanForgettingByRun, tasksView, type CellRow, type StageRow } from '../views/chains';

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

/** Mean forgetting of the chain ending at each run (null for a first stage or unlinked run). */
export async function forgettingByRun(ids: readonly number[]): Promise<Map<number, number | null>> {
  const rows = await loadStages();
  const { paths, needed } = chainPaths(ids, rows);
  return meanForgettingByRun(paths, rows, await loadCells([...needed]));
}

/** Every chain of the tasks page (lib/views/chains.ts tasksView). */
export async function listChains(): Promise<TasksResponse> {
  const rows = await loadStages();
  return tasksView(rows, await loadCells(rows.map((r) => r.id)));
}
