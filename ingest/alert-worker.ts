// The alert outbox's delivery side (issue 12). Run by the ingest daemon's process (`thaw ingest`
// without --once, `thaw start`; cli/ wires it).
//
// 1. Fan-out: live alerts not yet fanned out get one AlertDelivery row per configured channel that
//    wants them (rule and task filters). Claimed FOR UPDATE SKIP LOCKED, idempotent (unique key).
// 2. Delivery: one pending delivery at a time is claimed with SELECT … FOR UPDATE SKIP LOCKED and the
//    row stays locked (its transaction open) while the HTTP request is in flight, so a second worker
//    skips it and can never send it concurrently. The attempt, its status and error are recorded and
//    committed with the new state. A kill -9 mid-request rolls the claim back: the row is pending
//    again and is sent again (at-least-once; the payload's `id` is the alert's, so receivers dedupe).
// 3. Failures retry with exponential backoff (1 s, 2 s, 4 s … capped at 5 min) up to `maxAttempts`,
//    then the delivery is `failed` with its last error. Errors are redacted (no URL, no secret).
import type pg from 'pg';
import { inTransaction } from '../lib/db/transaction';
import { channelWants, type AlertChannel } from '../lib/alerts/config';
import { sendAlert, type AlertPayload } from '../lib/alerts/channels';
import { errorMessage } from '../lib/errors';
import { CHANGE_CHANNEL } from '../lib/live/hub';
import type { Logger } from '../lib/log';

export interface AlertWorkerOptions {
  pool: pg.Pool;
  channels: readonly AlertChannel[];
  log: Logger;
  /** Links in messages: `${publicUrl}/runs/<id>`; null: no link. */
  publicUrl: string | null;
  pollMs?: number;
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Live alerts older than this when first fanned out are not sent (a config added much later). */
  maxAgeMs?: number;
  timeoutMs?: number;
}

interface ClaimedRow {
  deliveryId: number;
  channel: string;
  attempts: number;
  alertId: string;
  rule: string;
  message: string;
  facts: { run: AlertPayload['run'] };
}

/** Backoff before attempt n+1 after n failed attempts. */
export function backoffDelay(failedAttempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failedAttempts - 1));
}

export function alertPayload(
  row: { alertId: string; rule: string; message: string; facts: { run: AlertPayload['run'] } },
  publicUrl: string | null,
): AlertPayload {
  const base = publicUrl?.replace(/\/+$/, '') ?? null;
  return {
    id: row.alertId,
    rule: row.rule,
    run: row.facts.run,
    message: row.message,
    url: base ? `${base}/runs/${row.facts.run.id}` : null,
  };
}

export class AlertWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly byName: Map<string, AlertChannel>;

  constructor(private readonly options: AlertWorkerOptions) {
    this.byName = new Map(options.channels.map((c) => [c.name, c]));
  }

  start(): void {
    const tick = () => {
      if (this.closed) return;
      this.running = this.drain()
        .catch((error: unknown) => this.options.log.warn({ err: errorMessage(error) }, 'alert delivery pass failed; will retry'))
        .finally(() => {
          this.running = undefined;
          if (!this.closed) this.timer = setTimeout(tick, this.options.pollMs ?? 1000);
        });
    };
    tick();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Fans out and delivers everything due now; returns when nothing is due. */
  async drain(): Promise<void> {
    while (!this.closed && (await this.fanOut()) > 0);
    while (!this.closed && (await this.deliverOne()));
  }

  private transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.options.pool, work);
  }

  /** Returns how many alerts it fanned out. */
  async fanOut(): Promise<number> {
    return this.transaction(async (client) => {
      const alerts = (
        await client.query<{ id: string; rule: string; live: boolean; taskId: number | null; fresh: boolean }>(
          `SELECT id, rule, live, (facts->'run'->>'taskId')::int AS "taskId", "createdAt" > now() - make_interval(secs => $1) AS fresh
             FROM "Alert" WHERE "fannedOutAt" IS NULL ORDER BY "createdAt" LIMIT 100 FOR UPDATE SKIP LOCKED`,
          [(this.options.maxAgeMs ?? 24 * 3600_000) / 1000],
        )
      ).rows;
      for (const alert of alerts) {
        if (!alert.live || !alert.fresh) continue;
        for (const channel of this.options.channels) {
          if (!channelWants(channel, alert.rule, alert.taskId)) continue;
          await client.query(`INSERT INTO "AlertDelivery" ("alertId", channel) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
            alert.id,
            channel.name,
          ]);
        }
      }
      if (alerts.length > 0)
        await client.query(`UPDATE "Alert" SET "fannedOutAt" = now() WHERE id = ANY($1::text[])`, [alerts.map((a) => a.id)]);
      return alerts.length;
    });
  }

  /** Claims and sends one due delivery; false when none is due. */
  async deliverOne(): Promise<boolean> {
    return this.transaction(async (client) => {
      const row = (
        await client.query<ClaimedRow>(
          `SELECT d.id AS "deliveryId", d.channel, d.attempts, a.id AS "alertId", a.rule, a.message, a.facts
             FROM "AlertDelivery" d JOIN "Alert" a ON a.id = d."alertId"
            WHERE d.status = 'pending' AND d."nextAttemptAt" <= now()
            ORDER BY d."nextAttemptAt", d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED`,
        )
      ).rows[0];
      if (!row) return false;
      const attempt = row.attempts + 1;
      const channel = this.byName.get(row.channel);
      const result = channel
        ? await sendAlert(channel, alertPayload(row, this.options.publicUrl), this.options.timeoutMs)
        : { ok: false, httpStatus: null, answer: 'channel is no longer configured' };
      await client.query(`INSERT INTO "AlertAttempt" ("deliveryId", attempt, ok, "httpStatus", error) VALUES ($1, $2, $3, $4, $5)`, [
        row.deliveryId,
        attempt,
        result.ok,
        result.httpStatus,
        result.ok ? null : result.answer,
      ]);
      const maxAttempts = this.options.maxAttempts ?? 8;
      const status = result.ok ? 'delivered' : !channel || attempt >= maxAttempts ? 'failed' : 'pending';
      const delay = backoffDelay(attempt, this.options.backoffMs ?? 1000, this.options.maxBackoffMs ?? 300_000);
      await client.query(
        `UPDATE "AlertDelivery" SET status = $2, attempts = $3, "lastError" = $4, "updatedAt" = now(),
                "deliveredAt" = CASE WHEN $2 = 'delivered' THEN now() ELSE NULL END,
                "nextAttemptAt" = now() + make_interval(secs => $5)
          WHERE id = $1`,
        [row.deliveryId, status, attempt, result.ok ? null : result.answer, delay / 1000],
      );
      // Open pages (the /alerts table, the bell) refresh the delivery status on commit, like any change to the run.
      await client.query(`SELECT pg_notify($1, $2)`, [CHANGE_CHANNEL, String(row.facts.run.id)]);
      const fields = { alert: row.alertId, rule: row.rule, channel: row.channel, attempt, httpStatus: result.httpStatus };
      if (result.ok) this.options.log.info(fields, 'alert delivered');
      else
        this.options.log.warn(
          { ...fields, err: result.answer },
          status === 'failed' ? 'alert delivery gave up' : 'alert delivery failed; will retry',
        );
      return true;
    });
  }
}
