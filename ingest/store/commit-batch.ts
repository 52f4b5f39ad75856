// commitBatch, the store's entry point: one batch of events written in one transaction together
// with the source's new committed offset (see ./index.ts for the rules every write follows).
import type pg from 'pg';
import { inTransaction } from '../../lib/db/transaction';
import { lockRuns, pgRunner } from '../../lib/summaries/tables';
import type { ParseEvent } from '../events';
import { recordAlertTransitions } from '../outbox';
import type { SourceKind } from '../rundir/identity';
import { CHANGE_CHANNEL, changePayload } from '../../lib/live/changes';
import { settleCheckpointStatuses, writeCheckpoints } from './checkpoints';
import { movesVerdict, planBatch } from './plan-batch';
import { ensureRuns } from './run-identity';
import { cursorOf, type SourceCursor, type SourceRow } from './sources';
import { pgJson } from './sql-literals';
import { forgetSourceScalars, writeScalars } from './scalars';
import { linkStages } from './stage-links';
import {
  writeConfigs,
  writeEpochs,
  writeEvals,
  writeEvents,
  writeRunInfo,
  writeStatuses,
  writeSteps,
  writeStrategies,
  writeSummaries,
  writeValidations,
  writeWarnings,
} from './table-writers';

export interface Batch {
  sourceId: number;
  /** The offset this batch was parsed from: must still be the committed one (else: conflict). */
  fromOffset: number;
  toOffset: number;
  /** Line number of the next record after toOffset. */
  nextLine: number;
  parserState: unknown;
  size: number;
  /** The file's mtime when read: a line cannot be newer, so runs are "last seen" then. */
  seenAt: Date;
  events: readonly ParseEvent[];
  /**
   * Read while following the file live (the tailer had already reached the file's end once, or the
   * file appeared while following). Alert transitions of a non-live batch (a backfill) are recorded
   * but never sent. Default false.
   */
  live?: boolean;
  /**
   * A batch of a backfill pass that has not reached the file's end yet (never a live one). The
   * run-level derived state that is recomputed from the whole run — its RunSummary row and its alert
   * transitions — is settled by the pass's last batch instead of by each of its batches (one
   * evaluation per pass, not one per batch: a 100 MB event file is dozens of batches of one run).
   * Meanwhile the touched runs' RunSummary rows are dropped in the same transaction (readers
   * recompute a missing summary), and the tailer notes "unsettled" in its durable parser state, so a
   * crash between two batches leaves nothing permanently stale: the next pass's last batch settles.
   */
  interim?: boolean;
  /** Earlier interim batches left this source's runs unsettled: summarise and judge them all now. */
  settleSource?: boolean;
  /**
   * Every run of this batch must be one that exists (found by its run directory): a file that makes
   * no run of its own (Lightning's hparams.yaml, what a scalar-free event file holds) joins one. When
   * a run is not there (yet), nothing is written, the offset stays, and the result is 'deferred'.
   */
  joinOnly?: boolean;
}

export type CommitResult =
  { status: 'committed'; runIds: number[] } | { status: 'conflict'; cursor: SourceCursor } | { status: 'deferred' };

/** A joinOnly batch whose run is not there: the transaction is rolled back (see Batch.joinOnly). */
class Deferred extends Error {}

/**
 * Writes one batch atomically with the source's new offset; 'conflict' if another writer moved it,
 * 'deferred' if it only joins runs and one is not there (Batch.joinOnly).
 */
export async function commitBatch(pool: pg.Pool, batch: Batch): Promise<CommitResult> {
  let result: CommitResult;
  try {
    result = await writeBatch(pool, batch);
  } catch (error) {
    if (error instanceof Deferred) return { status: 'deferred' };
    throw error;
  }
  if (result.status === 'committed') await notifyChanges(pool, result.runIds);
  return result;
}

/**
 * Tells listeners (lib/live/hub.ts, the alert worker) which runs changed, right after the batch's
 * commit, in a transaction of its own that does not wait for its WAL flush. PostgreSQL serialises every
 * committing transaction that NOTIFYs on one global lock, held through the commit's WAL flush: with the
 * NOTIFY inside the batch, ten daemons' commits queued behind each other's fsync (measured by
 * `npm run bench -- lab`: most active backends waited on that lock). A notification lost to a crash
 * between the two only delays a page's refresh until the next batch.
 */
async function notifyChanges(pool: pg.Pool, runIds: readonly number[]): Promise<void> {
  if (runIds.length === 0) return;
  // One statement, so one transaction; set_config(…, true) is SET LOCAL: this commit only.
  await pool
    .query(`SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)`, [CHANGE_CHANNEL, changePayload(runIds)])
    .catch(() => {
      // The batch is committed; the next one notifies again (and a lost database says so there).
    });
}

function writeBatch(pool: pg.Pool, batch: Batch): Promise<CommitResult> {
  return inTransaction(pool, async (client) => {
    // An interim batch of a backfill does not wait for its WAL flush: a crash can lose it (and the ones
    // before it not yet flushed), but never half of one — its rows go back with its offset, and the
    // file, which still holds its bytes, is read again from the offset that survived. The pass's last
    // batch (and every live one) waits, so what a pass settles is durable when the pass ends.
    if (batch.interim === true && batch.live !== true) await client.query(`SELECT set_config('synchronous_commit', 'off', true)`);
    const current = (
      await client.query<SourceRow>(
        `SELECT id, fingerprint, "fingerprintLength", "committedOffset", "linesSeen", "parserState", kind, host, path FROM "LogSource" WHERE id = $1 FOR UPDATE`,
        [batch.sourceId],
      )
    ).rows[0] as (SourceRow & { kind: SourceKind; host: string; path: string }) | undefined;
    if (!current) throw new Error(`log source ${batch.sourceId} no longer exists`);
    if (Number(current.committedOffset) !== batch.fromOffset) return { status: 'conflict', cursor: cursorOf(current) };

    const plan = planBatch(batch.events);
    // An event file read from its start again (rewritten in place): what it stored before goes first.
    if (current.kind === 'tfevents' && batch.fromOffset === 0) await forgetSourceScalars(client, batch.sourceId);
    const runIds = await ensureRuns(client, batch, plan, current);
    // Rolled back: nothing this transaction did so far stays.
    if (runIds === null) throw new Deferred();
    // Every run this batch writes, locked once in id order for the rest of the transaction: its step
    // rows (new ones go in by COPY, see writeSteps) and its summaries have one writer at a time.
    await lockRuns(pgRunner(client), [...runIds.values()]);
    await writeRunInfo(client, plan, runIds);
    await writeConfigs(client, plan, runIds);
    await writeStrategies(client, plan, runIds);
    await writeEpochs(client, plan, runIds);
    await writeSteps(client, plan, runIds);
    await writeEvals(client, plan, runIds);
    await writeValidations(client, plan, runIds);
    await writeScalars(client, plan, runIds, { id: batch.sourceId, path: current.path });
    await writeEvents(client, plan, runIds);
    await writeWarnings(client, batch.sourceId, plan, runIds);
    await writeCheckpoints(client, plan, runIds);
    await writeStatuses(client, plan, runIds, batch.seenAt);
    // After the statuses: the checkpoints prove completion whatever a log said (lib/analysis/artefacts.ts).
    const provenComplete = await settleCheckpointStatuses(client, plan, runIds);
    if (plan.hasResumePaths || plan.hasOutputDirs) await linkStages(client);
    const interim = batch.interim === true && batch.live !== true;
    const settle =
      interim || batch.settleSource !== true
        ? []
        : (
            await client.query<{ runId: number }>(`SELECT DISTINCT "runId" FROM "RunSource" WHERE "sourceId" = $1`, [batch.sourceId])
          ).rows.map((row) => row.runId);
    const series = await writeSummaries(client, plan, runIds, { interim, settle });
    // Alert outbox (ingest/outbox.ts): only runs whose verdict or status this batch can change.
    if (!interim) {
      const judged = [...plan.runs].filter(([, run]) => movesVerdict(run) || run.status !== null);
      await recordAlertTransitions(
        client,
        [...new Set([...judged.map(([runKey]) => runIds.get(runKey)!), ...settle, ...provenComplete])],
        batch.live ?? false,
        series,
      );
    }
    await client.query(
      `UPDATE "LogSource" SET "committedOffset" = $2, "linesSeen" = $3, "parserState" = $4, size = $5, "updatedAt" = now() WHERE id = $1`,
      [batch.sourceId, batch.toOffset, batch.nextLine - 1, pgJson(batch.parserState), Math.max(batch.size, batch.toOffset)],
    );
    return { status: 'committed', runIds: [...runIds.values()] };
  });
}
