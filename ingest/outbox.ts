// The alert outbox's write side. Called by the store INSIDE the transaction that commits a
// batch (or marks runs stale), so an alert exists exactly when the data that caused it does: a crash
// before COMMIT loses both, a crash after COMMIT loses neither (the delivery worker sends it later).
//
// Each (run identity, rule) gets one row ever (ON CONFLICT DO NOTHING): a transition fires once.
// Transitions read during a backfill are recorded with live = false — never sent, but they occupy the
// key, so a run that was already overfitting in its history does not "fire" when following resumes.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { alertTransitions, stalledAlert, type AlertTransition } from '../lib/analysis/alerts';
import { runKeySql } from '../lib/db/run-key';
import { loadRunSeries, pgRunner, type StoredRunSeries } from '../lib/summaries/tables';
import type { CheckpointEvent, CheckpointKind } from '../lib/analysis/types';
import { strategyIdentity } from '../lib/analysis/strategy';
import { strategyFromColumns, type StrategyColumns } from '../lib/views/strategy-view';

interface RunRow extends StrategyColumns {
  id: number;
  /** What identifies the run in its own output (lib/db/run-key.ts): the alert's dedupe key. */
  identity: string;
  sourceId: number;
  runKey: string;
  status: string;
  errorMessage: string | null;
  outputDir: string | null;
  timestamp: string | null;
  taskId: number | null;
  taskName: string | null;
  format: string;
}

async function loadRuns(client: pg.PoolClient, runIds: readonly number[]): Promise<RunRow[]> {
  return (
    await client.query<RunRow>(
      `SELECT r.id, ${runKeySql('r', 'src')} AS identity, r."sourceId", r."runKey"::text AS "runKey", r.status, r."errorMessage", r."outputDir", r.timestamp, r."taskId",
              r."taskName", r.format, s.kind, s.spec, s."totalLayers", s."frozenLayers", s."unfrozenLayers", s.applied,
              s."failureReason"
         FROM "Run" r JOIN "LogSource" src ON src.id = r."sourceId" LEFT JOIN "VisionStrategy" s ON s."runId" = r.id
        WHERE r.id = ANY($1::int[])`,
      [runIds],
    )
  ).rows;
}

function strategyLabel(row: RunRow): string | null {
  const strategy = strategyFromColumns(row);
  return strategy === null ? null : strategyIdentity(strategy).label;
}

/** Inserts the transitions not recorded yet for the run's identity; returns how many were new. */
async function insertAlerts(client: pg.PoolClient, row: RunRow, transitions: readonly AlertTransition[], live: boolean): Promise<number> {
  let added = 0;
  for (const t of transitions) {
    const facts = {
      run: { id: row.id, taskId: row.taskId, taskName: row.taskName, strategy: strategyLabel(row), status: row.status },
      details: t.details,
    };
    const inserted = await client.query(
      `INSERT INTO "Alert" (id, "runId", "runIdentity", rule, live, message, facts)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT ("runIdentity", rule) DO NOTHING`,
      [randomUUID(), row.id, row.identity, t.rule, live, t.message.replaceAll('\u0000', '\uFFFD'), JSON.stringify(facts)],
    );
    added += inserted.rowCount ?? 0;
  }
  return added;
}

/**
 * Evaluates overfitting/diverged/crashed/completed for these runs and records new transitions.
 * `loaded`: series already read in this transaction (lib/summaries/tables.ts loadRunSeries), reused.
 */
export async function recordAlertTransitions(
  client: pg.PoolClient,
  runIds: readonly number[],
  live: boolean,
  loaded: readonly StoredRunSeries[] = [],
): Promise<void> {
  if (runIds.length === 0) return;
  const runs = await loadRuns(client, runIds);
  const series = new Map(loaded.map((row) => [row.id, row]));
  const missing = runIds.filter((id) => !series.has(id));
  for (const row of await loadRunSeries(pgRunner(client), missing)) series.set(row.id, row);
  const events = (
    await client.query<{ runId: number; kind: string; epoch: number | null; loss: number | null; path: string | null }>(
      `SELECT "runId", kind, epoch, loss, path FROM "RunEvent"
        WHERE "runId" = ANY($1::int[]) AND kind IN ('best_saved', 'checkpoint_saved', 'final_saved') ORDER BY line, id`,
      [runIds],
    )
  ).rows;
  for (const row of runs) {
    const checkpoints: CheckpointEvent[] = events
      .filter((e) => e.runId === row.id)
      .map((e) => ({ kind: e.kind as CheckpointKind, epoch: e.epoch, loss: e.loss, path: e.path }));
    const own = series.get(row.id);
    const transitions = alertTransitions({
      status: row.status,
      errorMessage: row.errorMessage,
      outputDir: row.outputDir,
      checkpoints,
      // The stored series as a whole (lib/summaries/tables.ts): the rules see exactly what the summary saw.
      series: own ?? { taskId: row.taskId, format: row.format, epochs: [], validations: [] },
    });
    if (transitions.length > 0) await insertAlerts(client, row, transitions, live);
  }
}

/**
 * Records transitions judged outside a batch's transaction (ingest/forecast-alerts.ts), with the same
 * run facts and the same once-per-(run identity, rule) key; returns the ids of the runs given an alert
 * now (a transition already recorded adds nothing).
 */
export async function recordJudgedTransitions(
  client: pg.PoolClient,
  judged: readonly { runId: number; transition: AlertTransition }[],
  live: boolean,
): Promise<number[]> {
  if (judged.length === 0) return [];
  const runs = new Map((await loadRuns(client, [...new Set(judged.map((j) => j.runId))])).map((row) => [row.id, row]));
  const added: number[] = [];
  for (const { runId, transition } of judged) {
    const row = runs.get(runId);
    if (!row) continue;
    if ((await insertAlerts(client, row, [transition], live)) > 0) added.push(runId);
  }
  return added;
}

/** Records `stalled` for runs the stale sweep just moved from running to stale. */
export async function recordStalled(client: pg.PoolClient, runIds: readonly number[], minutes: number, live: boolean): Promise<void> {
  if (runIds.length === 0) return;
  for (const row of await loadRuns(client, runIds)) await insertAlerts(client, row, [stalledAlert(minutes)], live);
}
