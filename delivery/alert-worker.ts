// The alert outbox's delivery side. Run by the ingest daemon's process (`thaw ingest` without
// --once, `thaw start`; cli/ wires it). The outbox is filled by ingest/ (ingest/outbox.ts); this
// side only reads and updates its delivery tables, so delivery/ never imports ingest/.
//
// 1. Fan-out: live alerts not yet fanned out get one AlertDelivery row per configured channel that
//    wants them (rule and task filters). Claimed FOR UPDATE SKIP LOCKED, idempotent (unique key).
// 2. Delivery: one lane per channel (delivery/alert-lane.ts), each running on its own: a channel
//    that hangs until its timeout, keeps failing or is throttled for ten minutes delays no other
//    channel. Within a lane, messages go one at a time, within the channel's rate budget; a burst
//    larger than the budget goes as one digest.
// 3. Failures: a throttle (HTTP 429 + Retry-After, DingTalk 410100, WeCom 45009, Feishu 11232)
//    pauses the channel past the window and is not a failure; an answer that can never succeed
//    (bad signature, revoked token, refused content, a message that cannot fit) fails at once with
//    its reason; anything else retries with exponential backoff (2 s, 4 s … capped at 5 min) up to
//    `maxFailures`, then the delivery is `failed` with its last error. A delivery still pending a
//    day after its alert gives up. Errors are redacted before they are cut, stored or logged.
//
// Time: every timestamp the worker writes or compares comes from `clock` (default Date.now), so
// tests move time (a 600 s Retry-After, a ten-minute throttle) without waiting. Processes sharing
// one database should have synchronised clocks (NTP): leases and windows tolerate seconds of skew.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { channelWants, type AlertChannel, type ChannelType } from '../lib/alerts/config';
import { CHANNEL_LIMITS, type RateWindow } from '../lib/alerts/limits';
import { credentialsOf, redactCredentials } from '../lib/alerts/redact';
import { inTransaction } from '../lib/db/transaction';
import { errorMessage } from '../lib/errors';
import type { Logger } from '../lib/log';
import { ChannelLane, ts } from './alert-lane';

export interface AlertWorkerOptions {
  pool: pg.Pool;
  channels: readonly AlertChannel[];
  log: Logger;
  /** Links in messages: `${publicUrl}/runs/<id>`; null: no link. */
  publicUrl: string | null;
  /** How often an idle lane looks for work other processes created (ms). */
  pollMs?: number;
  /** Retryable failures before a delivery is `failed` (a throttle is not a failure). */
  maxFailures?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Live alerts older than this when first fanned out are not sent (a config added much later). */
  maxAgeMs?: number;
  /** A delivery still pending this long after its alert is `failed`. */
  giveUpAfterMs?: number;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /** ms since the epoch; tests pass a clock they move. */
  clock?: () => number;
  /** Replaces a channel type's rate budget (lib/alerts/limits.ts); tests use small windows. */
  budgets?: Partial<Record<ChannelType, readonly RateWindow[]>>;
}

/** A pending delivery to a channel no process has is failed once it is this overdue. */
const ORPHAN_AFTER_MS = 3_600_000;

interface RunningLane {
  lane: ChannelLane;
  wake: () => void;
  done: Promise<void>;
}

export class AlertWorker {
  private closed = false;
  private readonly stop = new AbortController();
  private readonly lanes: Map<string, ChannelLane>;
  private readonly running: RunningLane[] = [];
  private fanOutLoop: Promise<void> | undefined;
  private wakeFanOut: () => void = () => {};
  private readonly clock: () => number;
  private prunedAt = 0;
  private scrubbing: Promise<void> | undefined;

  constructor(private readonly options: AlertWorkerOptions) {
    this.clock = options.clock ?? Date.now;
    const owner = randomUUID();
    this.lanes = new Map(
      options.channels.map((channel) => [
        channel.name,
        new ChannelLane({
          pool: options.pool,
          channel,
          log: options.log,
          publicUrl: options.publicUrl,
          owner,
          clock: this.clock,
          budget: options.budgets?.[channel.type] ?? CHANNEL_LIMITS[channel.type].budget,
          maxFailures: options.maxFailures ?? 20,
          backoffMs: options.backoffMs ?? 2_000,
          maxBackoffMs: options.maxBackoffMs ?? 300_000,
          timeoutMs: options.timeoutMs ?? 10_000,
          giveUpAfterMs: options.giveUpAfterMs ?? 24 * 3_600_000,
        }),
      ]),
    );
  }

  /**
   * Redacts, with today's rules, the errors stored for the configured channels: earlier versions of Thaw
   * cut an answer to 300 characters before redacting it, which could leave the start of a token.
   */
  async scrubStoredErrors(): Promise<number> {
    let changed = 0;
    for (const channel of this.options.channels) {
      const credentials = credentialsOf(channel);
      for (const [table, column, where] of [
        ['AlertDelivery', 'lastError', 'channel = $1'],
        ['AlertAttempt', 'error', `"deliveryId" IN (SELECT id FROM "AlertDelivery" WHERE channel = $1)`],
      ] as const) {
        const rows = (
          await this.options.pool.query<{ id: number; text: string }>(
            `SELECT id, "${column}" AS text FROM "${table}" WHERE ${where} AND "${column}" IS NOT NULL`,
            [channel.name],
          )
        ).rows;
        for (const row of rows) {
          const clean = redactCredentials(row.text, credentials);
          if (clean === row.text) continue;
          await this.options.pool.query(`UPDATE "${table}" SET "${column}" = $2 WHERE id = $1`, [row.id, clean]);
          changed++;
        }
      }
    }
    return changed;
  }

  /** Starts the fan-out loop and one loop per channel (after scrubbing stored errors). */
  start(): void {
    const pollMs = this.options.pollMs ?? 1_000;
    this.scrubbing = this.scrubStoredErrors()
      .then((changed) => {
        if (changed > 0) this.options.log.info({ rows: changed }, 'redacted stored alert errors that held part of a channel token');
      })
      .catch((error: unknown) => this.options.log.warn({ err: errorMessage(error) }, 'could not scrub stored alert errors'));
    this.fanOutLoop = this.loop(
      async () => {
        const fanned = await this.fanOut();
        if (fanned > 0) for (const lane of this.running) lane.wake();
        return fanned > 0 ? 0 : pollMs;
      },
      (wake) => (this.wakeFanOut = wake),
    );
    for (const lane of this.lanes.values()) {
      let wake: () => void = () => {};
      const done = this.loop(
        async () => {
          const step = await lane.step(this.stop.signal);
          return step.kind === 'worked' ? 0 : Math.min(step.ms ?? pollMs, pollMs);
        },
        (w) => (wake = w),
      );
      this.running.push({ lane, wake: () => wake(), done });
    }
  }

  /** Runs `pass` until closed, sleeping what it returns (ms); `wake` cuts a sleep short. */
  private async loop(pass: () => Promise<number>, setWake: (wake: () => void) => void): Promise<void> {
    while (!this.closed) {
      let delay: number;
      try {
        delay = await pass();
      } catch (error) {
        if (this.closed) return;
        this.options.log.warn({ err: errorMessage(error) }, 'alert delivery pass failed; will retry');
        delay = this.options.pollMs ?? 1_000;
      }
      if (this.closed || delay <= 0) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.stop.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, delay);
        setWake(done);
        this.stop.signal.addEventListener('abort', done);
      });
    }
  }

  /** Stops every loop; a request in flight is abandoned (its deliveries stay pending and are sent again later). */
  async close(): Promise<void> {
    this.closed = true;
    this.stop.abort();
    this.wakeFanOut();
    await Promise.all([this.fanOutLoop, this.scrubbing, ...this.running.map((lane) => lane.done)]);
  }

  /**
   * Fans out, then sends on every channel (in parallel) until nothing more is due now: what is
   * throttled, over budget or backing off waits. For tests and one-shot use (not with start()).
   */
  async drain(): Promise<void> {
    while (!this.closed && (await this.fanOut()) > 0);
    await Promise.all(
      [...this.lanes.values()].map(async (lane) => {
        while (!this.closed && (await lane.step(this.stop.signal)).kind === 'worked');
      }),
    );
  }

  /** Returns how many alerts it fanned out. */
  async fanOut(): Promise<number> {
    const now = this.clock();
    return inTransaction(this.options.pool, async (client) => {
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
          await client.query(
            `INSERT INTO "AlertDelivery" ("alertId", channel, "nextAttemptAt", "updatedAt")
             VALUES ($1, $2, ${ts('$3')}, ${ts('$3')})
             ON CONFLICT DO NOTHING`,
            [alert.id, channel.name, now],
          );
        }
      }
      if (alerts.length > 0)
        await client.query(`UPDATE "Alert" SET "fannedOutAt" = now() WHERE id = ANY($1::text[])`, [alerts.map((a) => a.id)]);
      // The rate ledger only needs its last minute; a day is kept for looking back.
      if (now - this.prunedAt > 60_000) {
        this.prunedAt = now;
        await client.query(`DELETE FROM "AlertSend" WHERE at < ${ts('$1')}`, [now - 24 * 3_600_000]);
      }
      // Deliveries to a channel this process does not have, overdue by an hour: no Thaw process on
      // the database sends on that channel any more (another machine with it in its
      // thaw-alerts.yaml would have sent them; a throttled one is not overdue).
      await client.query(
        `UPDATE "AlertDelivery" SET status = 'failed', throttled = false,
                "lastError" = 'channel is no longer configured (no Thaw process sent on it for an hour)'
          WHERE status = 'pending' AND NOT (channel = ANY($1::text[]))
            AND "nextAttemptAt" < ${ts('$2')}`,
        [[...this.lanes.keys()], now - ORPHAN_AFTER_MS],
      );
      return alerts.length;
    });
  }
}
