// One channel's delivery lane: claims what is due on this channel, sends it as one
// message or one digest, and records the answer. Lanes of different channels run independently
// (delivery/alert-worker.ts), so a channel that hangs, fails or is throttled delays no other.
//
// Durability (the outbox stays in PostgreSQL):
// - Claim: a short transaction takes the channel's lease (AlertChannel row, FOR UPDATE), checks
//   its throttle and rate budget, picks the message, stores its key on the deliveries it carries
//   (`batch`) and commits. No connection is held while the request is in flight.
// - Send: outside any transaction. A process killed here leaves the deliveries pending with their
//   key; once the lease runs out (timeout + 5 s) any process sends the same message again, with the
//   same key: at-least-once, and DingTalk's msgUuid / the webhook's alert id let the receiver
//   drop the repeat.
// - Record: one transaction writes the request to AlertSend (the budget's ledger), an AlertAttempt
//   per delivery, the deliveries' new state and the channel's throttle, and releases the lease.
//
// Rate budget: requests sent on the channel in each window (lib/alerts/limits.ts) are counted from
// AlertSend, so every Thaw process on the database shares it and a restart does not reset it. When
// more alerts are due than the budget has room for, they go as one digest message.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Outcome } from '../lib/alerts/answers';
import { buildRequest, sendRequest, type AlertPayload } from '../lib/alerts/channels';
import type { AlertChannel } from '../lib/alerts/config';
import { renderAlert, renderDigest } from '../lib/alerts/format';
import type { RateWindow } from '../lib/alerts/limits';
import { redactThenCut } from '../lib/alerts/redact';
import { inTransaction } from '../lib/db/transaction';
import { CHANGE_CHANNEL } from '../lib/live/changes';
import type { Logger } from '../lib/log';

/** A JavaScript time (ms since the epoch) as a `timestamp(3)` holding UTC, as Prisma stores them. */
export const ts = (param: string) => `(to_timestamp(${param}::float8 / 1000) AT TIME ZONE 'UTC')`;
/** A `timestamp(3)` column holding UTC as ms since the epoch. */
const ms = (column: string) => `(extract(epoch from (${column} AT TIME ZONE 'UTC')) * 1000)::float8`;

export interface LaneOptions {
  pool: pg.Pool;
  channel: AlertChannel;
  log: Logger;
  publicUrl: string | null;
  owner: string;
  clock: () => number;
  budget: readonly RateWindow[];
  maxFailures: number;
  backoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
  giveUpAfterMs: number;
}

/** What a step did: sent or settled something (step again), or nothing is due for `ms` (null: nothing pending). */
export type Step = { kind: 'worked' } | { kind: 'wait'; ms: number | null };

interface DueRow {
  deliveryId: number;
  batch: string | null;
  alertId: string;
  rule: string;
  message: string;
  facts: { run: AlertPayload['run'] };
}

interface Claim {
  key: string;
  deliveryIds: number[];
  runIds: number[];
  body: Record<string, unknown>;
  digest: boolean;
}

function alertPayload(
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

/** Due rows for at most this many alerts are read per claim (a digest holds fewer). */
const CLAIM_ROWS = 200;
/** A lease outlives the request's timeout by this much. */
const LEASE_MARGIN_MS = 5_000;

export class ChannelLane {
  private readonly name: string;

  constructor(private readonly o: LaneOptions) {
    this.name = o.channel.name;
  }

  /**
   * Claims, sends and records one message if one is due; `signal` aborts the request (shutdown).
   * Steps of one lane never overlap in a process (a drain() while start()'s loop runs waits its turn).
   */
  step(signal?: AbortSignal): Promise<Step> {
    const run = this.queue.then(() => this.stepOnce(signal));
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private queue: Promise<void> = Promise.resolve();

  private async stepOnce(signal?: AbortSignal): Promise<Step> {
    const claim = await inTransaction(this.o.pool, (client) => this.claim(client));
    if ('kind' in claim) return claim;
    const nowMs = this.o.clock();
    const request = buildRequest(this.o.channel, claim.body, claim.key, nowMs);
    const result = await sendRequest(this.o.channel, request, { timeoutMs: this.o.timeoutMs, nowMs, signal });
    if (result.aborted) {
      // Stopping: nothing was decided about these deliveries; they stay pending with their key.
      await this.o.pool.query(`UPDATE "AlertChannel" SET "leaseOwner" = NULL, "leaseUntil" = NULL WHERE name = $1 AND "leaseOwner" = $2`, [
        this.name,
        this.o.owner,
      ]);
      return { kind: 'wait', ms: 0 };
    }
    await inTransaction(this.o.pool, (client) => this.record(client, claim, result.outcome, result.httpStatus, result.answer));
    return { kind: 'worked' };
  }

  private async claim(client: pg.PoolClient): Promise<Claim | Step> {
    const now = this.o.clock();
    await client.query(`INSERT INTO "AlertChannel" (name) VALUES ($1) ON CONFLICT DO NOTHING`, [this.name]);
    const state = (
      await client.query<{ owner: string | null; leaseUntil: number | null; pausedUntil: number | null }>(
        `SELECT "leaseOwner" AS owner, ${ms('"leaseUntil"')} AS "leaseUntil", ${ms('"pausedUntil"')} AS "pausedUntil"
           FROM "AlertChannel" WHERE name = $1 FOR UPDATE`,
        [this.name],
      )
    ).rows[0]!;
    // A request is in flight on this channel (from any process): the lease ends once it has timed out.
    if (state.owner !== null && state.leaseUntil !== null && state.leaseUntil > now) return { kind: 'wait', ms: state.leaseUntil - now };
    if (state.pausedUntil !== null && state.pausedUntil > now) return { kind: 'wait', ms: state.pausedUntil - now };

    const expired = await client.query<{ id: number }>(
      `UPDATE "AlertDelivery" d SET status = 'failed', throttled = false, "updatedAt" = ${ts('$3')},
              "lastError" = left('not delivered within ' || $4::text || ' of the alert' || coalesce('; last: ' || d."lastError", ''), 600)
         FROM "Alert" a
        WHERE a.id = d."alertId" AND d.channel = $1 AND d.status = 'pending' AND a."createdAt" < ${ts('$2')}
        RETURNING d.id`,
      [this.name, now - this.o.giveUpAfterMs, now, `${Math.round(this.o.giveUpAfterMs / 3_600_000)} h`],
    );
    if (expired.rowCount) this.o.log.warn({ channel: this.name, deliveries: expired.rowCount }, 'alert deliveries gave up: too old');

    const due = (
      await client.query<DueRow>(
        `SELECT d.id AS "deliveryId", d.batch, a.id AS "alertId", a.rule, a.message, a.facts
           FROM "AlertDelivery" d JOIN "Alert" a ON a.id = d."alertId"
          WHERE d.channel = $1 AND d.status = 'pending' AND d."nextAttemptAt" <= ${ts('$2')}
          ORDER BY d."nextAttemptAt", d.id LIMIT ${CLAIM_ROWS} FOR UPDATE OF d`,
        [this.name, now],
      )
    ).rows;
    if (due.length === 0) {
      const next = (
        await client.query<{ next: number | null }>(
          `SELECT ${ms('min("nextAttemptAt")')} AS next FROM "AlertDelivery" WHERE channel = $1 AND status = 'pending'`,
          [this.name],
        )
      ).rows[0]?.next;
      return { kind: 'wait', ms: next === null || next === undefined ? null : Math.max(0, next - now) };
    }

    // The budget: in each window, how many requests are left, and when the oldest leaves it.
    let left = Number.POSITIVE_INFINITY;
    for (const window of this.o.budget) {
      const used = (
        await client.query<{ used: number; oldest: number | null }>(
          `SELECT count(*)::int AS used, ${ms('min(at)')} AS oldest FROM "AlertSend" WHERE channel = $1 AND at > ${ts('$2')}`,
          [this.name, now - window.windowMs],
        )
      ).rows[0]!;
      if (used.used >= window.requests) return { kind: 'wait', ms: Math.max(1, (used.oldest ?? now) + window.windowMs - now) };
      left = Math.min(left, window.requests - used.used);
    }

    const chosen = this.choose(due, left);
    if ('reason' in chosen) {
      // Even with its message cut out, this alert cannot be sent on this channel: fail it now.
      await client.query(`UPDATE "AlertDelivery" SET status = 'failed', "lastError" = $2, "updatedAt" = ${ts('$3')} WHERE id = $1`, [
        chosen.deliveryId,
        redactThenCut(chosen.reason, this.o.channel),
        now,
      ]);
      await client.query(`SELECT pg_notify($1, $2)`, [CHANGE_CHANNEL, String(chosen.runId)]);
      this.o.log.warn({ channel: this.name, err: chosen.reason }, 'alert delivery failed: cannot be sent');
      return { kind: 'worked' };
    }
    // A message tried before that is not sent again whole (what fits changed): the alerts left out
    // lose its key, so they never go later as a different message under the same key (DingTalk
    // would drop it as a repeat).
    const retried = due.find((row) => row.batch !== null);
    if (retried)
      await client.query(
        `UPDATE "AlertDelivery" SET batch = NULL WHERE channel = $1 AND status = 'pending' AND batch = $2 AND NOT (id = ANY($3::int[]))`,
        [this.name, retried.batch, chosen.deliveryIds],
      );
    await client.query(`UPDATE "AlertDelivery" SET batch = $2 WHERE id = ANY($1::int[])`, [chosen.deliveryIds, chosen.key]);
    await client.query(`UPDATE "AlertChannel" SET "leaseOwner" = $2, "leaseUntil" = ${ts('$3')} WHERE name = $1`, [
      this.name,
      this.o.owner,
      now + this.o.timeoutMs + LEASE_MARGIN_MS,
    ]);
    return chosen;
  }

  /**
   * Which message to send now: a message tried before is sent again as it was (same key, same
   * alerts); more alerts due than the budget has room for go as one digest; otherwise the oldest
   * due alert alone.
   */
  private choose(due: readonly DueRow[], left: number): Claim | { reason: string; deliveryId: number; runId: number } {
    const payload = (row: DueRow) => alertPayload(row, this.o.publicUrl);
    // A message tried before goes first, as it was: its alerts, its key.
    const retried = due.find((row) => row.batch !== null);
    const first = retried ?? due[0]!;
    const again = retried ? due.filter((row) => row.batch === retried.batch) : [];
    const group = again.length > 1 ? again : !retried && due.length > left && due.length > 1 ? due : null;
    if (group) {
      const digest = renderDigest(this.o.channel, group.map(payload));
      if (digest.count >= 2) {
        const members = group.slice(0, digest.count);
        return {
          key: again.length > 1 ? first.batch! : randomUUID(),
          deliveryIds: members.map((row) => row.deliveryId),
          runIds: [...new Set(members.map((row) => row.facts.run.id))],
          body: digest.body,
          digest: true,
        };
      }
    }
    const rendered = renderAlert(this.o.channel, payload(first));
    if (!rendered.ok) return { reason: rendered.reason, deliveryId: first.deliveryId, runId: first.facts.run.id };
    return {
      // A single alert's key is its id (what the webhook payload and header carry).
      key: first.alertId,
      deliveryIds: [first.deliveryId],
      runIds: [first.facts.run.id],
      body: rendered.body,
      digest: false,
    };
  }

  private async record(client: pg.PoolClient, claim: Claim, outcome: Outcome, httpStatus: number | null, answer: string): Promise<void> {
    const at = this.o.clock();
    const ids = claim.deliveryIds;
    await client.query(
      `INSERT INTO "AlertSend" (channel, key, alerts, outcome, "httpStatus", at) VALUES ($1, $2, $3, $4, $5, ${ts('$6')})`,
      [this.name, claim.key, ids.length, outcome.kind, httpStatus, at],
    );
    const ok = outcome.kind === 'delivered';
    let gaveUp = false;
    await client.query(
      `INSERT INTO "AlertAttempt" ("deliveryId", attempt, ok, "httpStatus", error, at)
       SELECT id, attempts + 1, $2, $3, $4, ${ts('$5')} FROM "AlertDelivery" WHERE id = ANY($1::int[]) AND status = 'pending'`,
      [ids, ok, httpStatus, ok ? null : answer, at],
    );
    const common = `attempts = attempts + 1, "updatedAt" = ${ts('$2')}`;
    const pending = `id = ANY($1::int[]) AND status = 'pending'`;
    switch (outcome.kind) {
      case 'delivered':
        await client.query(
          `UPDATE "AlertDelivery" SET ${common}, status = 'delivered', "deliveredAt" = ${ts('$2')}, "lastError" = NULL,
                  throttled = false, digest = $3 WHERE ${pending}`,
          [ids, at, claim.digest ? ids.length : null],
        );
        break;
      case 'throttled':
        // Not a failure: the whole channel waits out the throttle, then sends again.
        await client.query(
          `UPDATE "AlertDelivery" SET ${common}, "lastError" = $3, throttled = true, "nextAttemptAt" = ${ts('$4')} WHERE ${pending}`,
          [ids, at, answer, at + outcome.waitMs],
        );
        await client.query(`UPDATE "AlertChannel" SET "pausedUntil" = ${ts('$2')}, "pauseReason" = $3 WHERE name = $1`, [
          this.name,
          at + outcome.waitMs,
          answer,
        ]);
        break;
      case 'retry': {
        // Backoff doubles per failure (old `failures` = f: base·2^f), capped; failed after the maximum.
        const updated = await client.query<{ status: string }>(
          `UPDATE "AlertDelivery" SET ${common}, failures = failures + 1, "lastError" = $3, throttled = false,
                  status = CASE WHEN failures + 1 >= $4 THEN 'failed' ELSE 'pending' END,
                  "nextAttemptAt" = ${ts('$2')} + make_interval(secs => least($6::float8, $5::float8 * power(2, failures)) / 1000)
            WHERE ${pending} RETURNING status`,
          [ids, at, answer, this.o.maxFailures, this.o.backoffMs, this.o.maxBackoffMs],
        );
        gaveUp = updated.rows.some((row) => row.status === 'failed');
        break;
      }
      case 'permanent':
        await client.query(
          `UPDATE "AlertDelivery" SET ${common}, status = 'failed', "lastError" = $3, throttled = false WHERE ${pending}`,
          [ids, at, answer],
        );
        break;
    }
    await client.query(`UPDATE "AlertChannel" SET "leaseOwner" = NULL, "leaseUntil" = NULL WHERE name = $1 AND "leaseOwner" = $2`, [
      this.name,
      this.o.owner,
    ]);
    // Open pages (the /alerts table, the bell) refresh the delivery status on commit.
    for (const runId of claim.runIds) await client.query(`SELECT pg_notify($1, $2)`, [CHANGE_CHANNEL, String(runId)]);
    const fields = { channel: this.name, alerts: ids.length, key: claim.key, httpStatus, digest: claim.digest };
    if (ok) this.o.log.info(fields, claim.digest ? 'alert digest delivered' : 'alert delivered');
    else if (outcome.kind === 'throttled') this.o.log.warn({ ...fields, err: answer }, 'alert channel rate limited; waiting');
    else if (outcome.kind === 'permanent') this.o.log.warn({ ...fields, err: answer }, 'alert delivery failed: will not succeed');
    else this.o.log.warn({ ...fields, err: answer }, gaveUp ? 'alert delivery gave up' : 'alert delivery failed; will retry');
  }
}
