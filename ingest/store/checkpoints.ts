// Checkpoints by optimiser step (planned by ./plan-batch.ts) and the status they prove
// (lib/analysis/artefacts.ts `statusFromCheckpoints`), written in the batch's transaction.
import type pg from 'pg';
import { statusFromCheckpoints } from '../../lib/analysis/artefacts';
import type { BatchPlan } from './plan-batch';
import { rowSource } from './bulk-rows';

/** Upserts the batch's checkpoints: a found folder's path and `onDisk` win over a path a log computed. */
export async function writeCheckpoints(client: pg.PoolClient, plan: BatchPlan, runIds: Map<number, number>): Promise<void> {
  const runs: number[] = [];
  const steps: number[] = [];
  const paths: (string | null)[] = [];
  const onDisk: boolean[] = [];
  for (const [runKey, run] of plan.runs) {
    for (const [step, checkpoint] of run.checkpoints) {
      runs.push(runIds.get(runKey)!);
      steps.push(step);
      paths.push(checkpoint.path);
      onDisk.push(checkpoint.onDisk);
    }
  }
  if (runs.length === 0) return;
  const { from, params } = await rowSource(
    client,
    'checkpoints',
    [
      { type: 'int4', values: runs },
      { type: 'int4', values: steps },
      { type: 'text', values: paths },
      { type: 'bool', values: onDisk },
    ],
    runs.length,
  );
  await client.query(
    `INSERT INTO "Checkpoint" ("runId", step, path, "onDisk")
     SELECT * FROM ${from}
     ON CONFLICT ("runId", step) DO UPDATE SET
       path = CASE WHEN EXCLUDED."onDisk" OR NOT "Checkpoint"."onDisk" THEN COALESCE(EXCLUDED.path, "Checkpoint".path) ELSE "Checkpoint".path END,
       "onDisk" = "Checkpoint"."onDisk" OR EXCLUDED."onDisk"`,
    params,
  );
}

/**
 * Runs of this batch whose checkpoints or configured steps may have changed get the status their
 * checkpoints prove. Returns the runs whose status changed (their alert transitions are judged).
 */
export async function settleCheckpointStatuses(client: pg.PoolClient, plan: BatchPlan, runIds: Map<number, number>): Promise<number[]> {
  const touched: number[] = [];
  for (const [runKey, run] of plan.runs) {
    const steps = run.info.totalSteps ?? run.fallbackInfo.totalSteps;
    if (run.checkpoints.size > 0 || steps !== undefined || run.config !== null) touched.push(runIds.get(runKey)!);
  }
  if (touched.length === 0) return [];
  const rows = (
    await client.query<{ id: number; status: string; totalSteps: number | null; newest: number | null }>(
      `SELECT r.id, r.status, r."totalSteps", (SELECT max(c.step) FROM "Checkpoint" c WHERE c."runId" = r.id) AS newest
         FROM "Run" r WHERE r.id = ANY($1::int[])`,
      [touched],
    )
  ).rows;
  const completed = rows.filter((row) => statusFromCheckpoints(row.status, row.newest, row.totalSteps) !== row.status).map((row) => row.id);
  if (completed.length > 0)
    await client.query(`UPDATE "Run" SET status = 'completed' WHERE id = ANY($1::int[])`, [`{${completed.join(',')}}`]);
  return completed;
}
