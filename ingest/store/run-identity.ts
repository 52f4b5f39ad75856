// Run identity and merging: which Run each run key of a batch writes to, and folding two runs into
// one when a run learns late that it is another's (same run directory).
import type pg from 'pg';
import { lockRuns, pgRunner, refreshRunSummaries, refreshStepBuckets } from '../../lib/summaries/tables';
import { mergedStatusSql } from '../run-status';
import type { SourceKind } from '../rundir/identity';
import type { Batch } from './commit-batch';
import type { BatchPlan } from './plan-batch';
import { mergeRunScalars } from './scalars';
import { agreeingValue } from './sql-literals';
import { RUN_INFO_COLUMNS } from './table-writers';

/**
 * Maps each run key of this batch to its Run, through RunSource. A run with an identity (its run
 * directory) is shared by every source that names it: the identity is locked (advisory lock, sorted
 * order, held to commit) before it is looked up, assigned or merged, so two daemons — or a log and an
 * event file of the same run committed at once — never make two runs of one. A log run that learns its
 * identity after rows were written (the header came in an earlier batch) is merged into the run that
 * already holds it. Null when the batch only joins runs (Batch.joinOnly) and one is not there.
 */
export async function ensureRuns(
  client: pg.PoolClient,
  batch: Batch,
  plan: BatchPlan,
  source: { kind: SourceKind; host: string },
): Promise<Map<number, number> | null> {
  const kind = source.kind;
  // Run directories are per machine: the same relative directory on two hosts is two runs.
  const qualify = (identity: string | null | undefined) => (identity ? `${source.host}:${identity}` : null);
  const keys = new Set<number>(plan.runs.keys());
  for (const warning of plan.warnings) if (warning.runKey !== null) keys.add(warning.runKey);
  const runIds = new Map<number, number>();
  if (keys.size === 0) return runIds;
  const ordered = [...keys];
  const lookup = async () =>
    new Map(
      (
        await client.query<{ runKey: string; runId: number; identity: string | null }>(
          `SELECT rs."runKey", rs."runId", r.identity FROM "RunSource" rs JOIN "Run" r ON r.id = rs."runId"
            WHERE rs."sourceId" = $1 AND rs."runKey" = ANY($2::bigint[])`,
          [batch.sourceId, `{${ordered.join(',')}}`],
        )
      ).rows.map((row) => [Number(row.runKey), row]),
    );
  let mapped = await lookup();
  const identities = new Set<string>();
  for (const key of ordered) {
    const wanted = qualify(plan.runs.get(key)?.identity);
    if (wanted) identities.add(wanted);
    const known = mapped.get(key)?.identity;
    if (known) identities.add(known);
  }
  if (identities.size > 0) {
    for (const identity of [...identities].sort()) {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`thaw-run-identity|${identity}`]);
    }
    // A merge committed while we waited may have moved our keys: read them again under the locks.
    mapped = await lookup();
  }
  for (const key of ordered) {
    const run = plan.runs.get(key);
    const format = run?.format ?? 'unknown';
    const existing = mapped.get(key);
    let wanted = existing?.identity ?? qualify(run?.identity);
    let holder =
      wanted === null ? undefined : (await client.query<{ id: number }>(`SELECT id FROM "Run" WHERE identity = $1`, [wanted])).rows[0];
    // Copies of one console log (copytruncate, a log copied aside) stay the separate runs they always
    // were: a log joins a run directory's run unless another log already did.
    if (holder && kind === 'log' && holder.id !== existing?.runId && (await hasOtherLog(client, holder.id, batch.sourceId, key))) {
      holder = undefined;
      wanted = existing?.identity ?? null;
    }
    let runId: number;
    if (existing) {
      runId = existing.runId;
      if (wanted !== null && existing.identity === null) {
        if (holder && holder.id !== runId) {
          await mergeRuns(client, holder.id, runId);
          runId = holder.id;
        } else {
          await client.query(`UPDATE "Run" SET identity = $2 WHERE id = $1`, [runId, wanted]);
        }
      }
    } else if (holder) {
      runId = holder.id;
      await client.query(`INSERT INTO "RunSource" ("sourceId", "runKey", "runId") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
        batch.sourceId,
        key,
        runId,
      ]);
    } else {
      // A file that makes no run of its own waits for the run it joins (Batch.joinOnly).
      if (batch.joinOnly === true) return null;
      runId = (
        await client.query<{ id: number }>(
          `INSERT INTO "Run" ("sourceId", "runKey", format, identity, "startedAt", "lastSeenAt") VALUES ($1, $2, $3, $4, $5, $5)
           ON CONFLICT ("sourceId", "runKey") DO UPDATE SET format = "Run".format
           RETURNING id`,
          [batch.sourceId, key, format, wanted, batch.seenAt],
        )
      ).rows[0]!.id;
      await client.query(`INSERT INTO "RunSource" ("sourceId", "runKey", "runId") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
        batch.sourceId,
        key,
        runId,
      ]);
    }
    // The first format that says something stays, except that what a log parser recognised (or the
    // SmolVLA trainer's run directory) says more than "read from event files".
    if (format !== 'unknown')
      await client.query(
        `UPDATE "Run" SET format = $2 WHERE id = $1 AND (format = 'unknown' OR (format = 'tensorboard' AND $2 <> 'tensorboard'))`,
        [runId, format],
      );
    // The run's primary source is a console log when it has one (the page's log tail reads it).
    if (kind === 'log') await adoptPrimarySource(client, runId, batch.sourceId, key);
    runIds.set(key, runId);
  }
  return runIds;
}

/** Whether a console log other than this one (source, run key) is already part of the run. */
async function hasOtherLog(client: pg.PoolClient, runId: number, sourceId: number, runKey: number): Promise<boolean> {
  const result = await client.query(
    `SELECT 1 FROM "RunSource" rs JOIN "LogSource" s ON s.id = rs."sourceId"
      WHERE rs."runId" = $1 AND s.kind = 'log' AND NOT (rs."sourceId" = $2 AND rs."runKey" = $3) LIMIT 1`,
    [runId, sourceId, runKey],
  );
  return (result.rowCount ?? 0) > 0;
}

async function adoptPrimarySource(client: pg.PoolClient, runId: number, sourceId: number, runKey: number): Promise<void> {
  await client.query(
    `UPDATE "Run" AS r SET "sourceId" = $2, "runKey" = $3
      FROM "LogSource" AS s WHERE r.id = $1 AND s.id = r."sourceId" AND s.kind <> 'log'
       AND NOT EXISTS (SELECT 1 FROM "Run" WHERE "sourceId" = $2 AND "runKey" = $3)`,
    [runId, sourceId, runKey],
  );
}

/**
 * Run columns a merge fills from the folded run where the kept one has none: every run-info column a
 * batch writes (RUN_INFO_COLUMNS) and those other writers set (errors, the parent run, the best loss,
 * the config's tree and strategy).
 */
const MERGED_COLUMNS: readonly string[] = [...RUN_INFO_COLUMNS, 'errorMessage', 'parentRunId', 'bestLoss', 'configTree', 'configStrategy'];

/**
 * Folds run `gone` into run `keep` (same identity, learnt late): rows move over, where both have a value
 * the kept run's stays (they describe the same epoch of the same run), and `gone` is deleted.
 */
async function mergeRuns(client: pg.PoolClient, keep: number, gone: number): Promise<void> {
  const args = [keep, gone];
  const sql = pgRunner(client);
  // Before any row moves: steps are only written under the run's lock (writeSteps relies on it).
  await lockRuns(sql, [keep]);
  await client.query(
    `INSERT INTO "EpochMetric" ("runId", epoch, "trainLoss", lr, "msPerBatch", "samplesPerSec", "durationMinutes")
     SELECT $1, epoch, "trainLoss", lr, "msPerBatch", "samplesPerSec", "durationMinutes" FROM "EpochMetric" WHERE "runId" = $2
     ON CONFLICT ("runId", epoch) DO UPDATE SET
       "trainLoss" = ${agreeingValue('"EpochMetric"."trainLoss"', 'EXCLUDED."trainLoss"', 'existing')},
       lr = ${agreeingValue('"EpochMetric".lr', 'EXCLUDED.lr', 'existing')},
       "msPerBatch" = COALESCE("EpochMetric"."msPerBatch", EXCLUDED."msPerBatch"),
       "samplesPerSec" = COALESCE("EpochMetric"."samplesPerSec", EXCLUDED."samplesPerSec"),
       "durationMinutes" = COALESCE("EpochMetric"."durationMinutes", EXCLUDED."durationMinutes")`,
    args,
  );
  await client.query(
    `INSERT INTO "StepPoint" ("runId", step, epoch, loss, lr, "procMs", "elapsedS")
     SELECT $1, step, epoch, loss, lr, "procMs", "elapsedS" FROM "StepPoint" WHERE "runId" = $2 ON CONFLICT DO NOTHING`,
    args,
  );
  await client.query(
    `INSERT INTO "Validation" ("runId", epoch, final, "taskId", loss, retention)
     SELECT $1, epoch, final, "taskId", loss, retention FROM "Validation" WHERE "runId" = $2
     ON CONFLICT ("runId", epoch, final, "taskId") DO UPDATE SET
       loss = ${agreeingValue('"Validation".loss', 'EXCLUDED.loss', 'existing')},
       retention = COALESCE("Validation".retention, EXCLUDED.retention)`,
    args,
  );
  await client.query(
    `INSERT INTO "RunEvent" ("runId", kind, line, epoch, loss, path, message)
     SELECT $1, kind, line, epoch, loss, path, message FROM "RunEvent" WHERE "runId" = $2 ON CONFLICT DO NOTHING`,
    args,
  );
  // A banner seen in the log outranks a strategy only asked for by the config.
  await client.query(
    `INSERT INTO "VisionStrategy" ("runId", kind, spec, "totalLayers", "frozenLayers", "unfrozenLayers", applied, "failureReason",
                                   "visionTrainableParams", "visionTotalParams", source)
     SELECT $1, kind, spec, "totalLayers", "frozenLayers", "unfrozenLayers", applied, "failureReason", "visionTrainableParams", "visionTotalParams", source
       FROM "VisionStrategy" WHERE "runId" = $2
     ON CONFLICT ("runId") DO UPDATE SET kind = EXCLUDED.kind, spec = EXCLUDED.spec, "totalLayers" = EXCLUDED."totalLayers",
       "frozenLayers" = EXCLUDED."frozenLayers", "unfrozenLayers" = EXCLUDED."unfrozenLayers", applied = EXCLUDED.applied,
       "failureReason" = EXCLUDED."failureReason", "visionTrainableParams" = EXCLUDED."visionTrainableParams",
       "visionTotalParams" = EXCLUDED."visionTotalParams", source = EXCLUDED.source
     WHERE "VisionStrategy".source = 'config' AND EXCLUDED.source = 'log'`,
    args,
  );
  await mergeRunScalars(client, keep, gone);
  await client.query(`UPDATE "ParseWarning" SET "runId" = $1 WHERE "runId" = $2`, args);
  await client.query(`UPDATE "RunSource" SET "runId" = $1 WHERE "runId" = $2`, args);
  await client.query(`UPDATE "Run" SET "parentRunId" = $1 WHERE "parentRunId" = $2`, args);
  await client.query(
    `UPDATE "Run" AS k SET ${MERGED_COLUMNS.map((column) => `"${column}" = COALESCE(k."${column}", g."${column}")`).join(', ')},
       format = CASE WHEN k.format = 'unknown' OR (k.format = 'tensorboard' AND g.format NOT IN ('unknown', 'tensorboard')) THEN g.format
                     ELSE k.format END,
       status = ${mergedStatusSql('k.status', 'g.status')},
       "startedAt" = LEAST(k."startedAt", g."startedAt"), "lastSeenAt" = GREATEST(k."lastSeenAt", g."lastSeenAt")
      FROM "Run" AS g WHERE k.id = $1 AND g.id = $2`,
    args,
  );
  const goneSource = (
    await client.query<{ sourceId: number; runKey: string; kind: string }>(
      `SELECT r."sourceId", r."runKey", s.kind FROM "Run" r JOIN "LogSource" s ON s.id = r."sourceId" WHERE r.id = $1`,
      [gone],
    )
  ).rows[0];
  await client.query(`DELETE FROM "Run" WHERE id = $1`, [gone]);
  if (goneSource?.kind === 'log') await adoptPrimarySource(client, keep, goneSource.sourceId, Number(goneSource.runKey));
  // The kept run's stored summaries now cover both runs' rows: rebuild them (rare: identity learnt late).
  const span = (
    await client.query<{ lo: number | null; hi: number | null }>(
      `SELECT min(step) AS lo, max(step) AS hi FROM "StepPoint" WHERE "runId" = $1`,
      [keep],
    )
  ).rows[0];
  if (span?.lo != null && span.hi != null) await refreshStepBuckets(sql, [{ runId: keep, from: span.lo, to: span.hi }]);
  await refreshRunSummaries(sql, [keep]);
}
