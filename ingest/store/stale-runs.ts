// The stale sweep: runs that stopped printing while "running".
import type pg from 'pg';
import { inTransaction } from '../../lib/db/transaction';
import { recordStalled } from '../outbox';
import { CHANGE_CHANNEL, STALE_PAYLOAD } from '../../lib/live/changes';

/**
 * Runs still "running" with no line for `minutes` become stale; returns how many changed. With
 * `live` (the daemon's periodic sweep while following), each records a `stalled` alert in the same
 * transaction; the sweep after a backfill records them as not live (never sent).
 */
export async function markStaleRuns(
  pool: pg.Pool,
  minutes: number,
  now: Date = new Date(),
  options: { live?: boolean } = {},
): Promise<number> {
  return inTransaction(pool, async (client) => {
    const result = await client.query<{ id: number }>(
      `UPDATE "Run" SET status = 'stale' WHERE status = 'running' AND "lastSeenAt" < $1::timestamp - make_interval(secs => $2) RETURNING id`,
      [now, minutes * 60],
    );
    await recordStalled(
      client,
      result.rows.map((row) => row.id),
      minutes,
      options.live ?? false,
    );
    if (result.rows.length > 0) await client.query(`SELECT pg_notify($1, $2)`, [CHANGE_CHANNEL, STALE_PAYLOAD]);
    return result.rows.length;
  });
}
