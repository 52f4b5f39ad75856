// The opt-in `unlikely_to_beat` alert rule (lib/analysis/alerts.ts): a running run whose
// forecast says it will not beat the best finished run of its task and dataset. A forecast costs curve
// fits (and the first one after a start the whole calibration, seconds), so the rule is judged here,
// off the ingest path, never inside a batch's transaction:
//
// - Where: in a process whose thaw-alerts.yaml has a channel listing the rule (cli/commands/alerts.ts
//   starts this beside the delivery worker). Of several such processes on one database (a web machine
//   and GPU boxes with the same file), one judges at a time: the holder of a PostgreSQL session
//   advisory lock; the others retry every LOCK_RETRY_MS and take over when its connection goes.
// - When: after batches commit. The holder LISTENs on the store's change channel (lib/live/changes.ts:
//   every committed batch of every daemon on the database NOTIFYs its runs), coalesces the runs
//   named, and at most once per `intervalMs` judges those that are running, still being written (not
//   older than the stale sweep's `staleMinutes`: a backfilled history is never judged) and not alerted
//   yet, and only when their deciding curve grew (more epochs or validations, or for a step-based run
//   a later step) since it last judged them. On taking the lock (a start, a reconnect) it judges every
//   running run once.
// - Once per run: the outbox's (run identity, rule) key (ingest/outbox.ts), as every rule. Alerts
//   recorded here are live (the run is being written now), so the delivery worker sends them.
import pg from 'pg';
import { unlikelyToBeatAlert } from '../lib/analysis/alerts';
import type { RunForecast } from '../lib/analysis/forecast-answer';
import { inTransaction } from '../lib/db/transaction';
import { errorMessage } from '../lib/errors';
import { CHANGE_CHANNEL, changePayload, parseNotification } from '../lib/live/changes';
import type { Logger } from '../lib/log';
import { recordJudgedTransitions } from './outbox';

/** The session advisory lock of the process that judges (hashtext of this text). */
const LOCK_NAME = 'thaw:unlikely_to_beat';
const LOCK_RETRY_MS = 30_000;

export interface ForecastAlertsOptions {
  pool: pg.Pool;
  log: Logger;
  /** Runs with no line for this long are not judged (the stale sweep's THAW_STALE_MINUTES). */
  staleMinutes: number;
  /** At most one judgement pass per this many ms (default 5 s). */
  intervalMs?: number;
  /** How often a process without the lock tries for it (default 30 s). */
  lockRetryMs?: number;
  /** The forecasts of runs (default lib/queries/forecast.ts getRunForecasts, loaded when first needed). */
  forecasts?: (ids: number[]) => Promise<RunForecast[]>;
  /** ms since the epoch (the freshness check); tests may move it. */
  clock?: () => number;
}

interface Candidate {
  id: number;
  curve: string;
}

export class ForecastAlerts {
  private closed = false;
  private client: pg.Client | null = null;
  private pending: Set<number> | 'all' | null = null;
  private wake: () => void = () => {};
  private loop: Promise<void> | undefined;
  /** Each running run's deciding-curve size when it was last judged. */
  private readonly judged = new Map<number, string>();
  private usedQueries = false;
  /** Judgement passes completed (tests wait on it). */
  passes = 0;

  constructor(private readonly options: ForecastAlertsOptions) {}

  /** Whether this process loaded the query layer (its Prisma client is the caller's to disconnect). */
  get loadedQueries(): boolean {
    return this.usedQueries;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
    await this.loop;
  }

  /** Sleeps `ms`, or until woken (a notification, close()); one sleeper at a time (the loop). */
  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = () => {};
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        if (await this.lead()) continue;
      } catch (error) {
        if (this.closed) return;
        this.options.log.warn({ err: errorMessage(error) }, 'unlikely_to_beat alerts: connection lost; retrying');
      }
      const client = this.client;
      this.client = null;
      await client?.end().catch(() => {});
      if (!this.closed) await this.sleep(this.options.lockRetryMs ?? LOCK_RETRY_MS);
    }
  }

  /**
   * Takes the lock and judges until closed or the connection is lost; returns false (retry later)
   * when another process holds the lock.
   */
  private async lead(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.options.pool.options.connectionString });
    this.client = client;
    const connection: { lost: Error | null } = { lost: null };
    client.on('error', (error) => {
      connection.lost = error;
      this.wake();
    });
    client.on('end', () => {
      connection.lost ??= new Error('the connection ended');
      this.wake();
    });
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL) return;
      const change = parseNotification(message.payload);
      if (change.kind === 'all' || this.pending === 'all') this.pending = 'all';
      else {
        this.pending ??= new Set();
        for (const id of change.runIds) this.pending.add(id);
      }
      this.wake();
    });
    await client.connect();
    const locked = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [LOCK_NAME]);
    if (!locked.rows[0]?.locked) return false;
    await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    this.options.log.info('judging the unlikely_to_beat alert rule in this process');
    this.pending = 'all'; // anything may have happened while nobody judged
    const interval = this.options.intervalMs ?? 5_000;
    while (!this.closed && connection.lost === null) {
      if (this.pending === null) {
        await this.sleep(60_000);
        continue;
      }
      const ids = this.pending;
      this.pending = null;
      const started = Date.now();
      try {
        await this.judge(ids);
      } catch (error) {
        if (this.closed) break;
        this.options.log.warn({ err: errorMessage(error) }, 'unlikely_to_beat alerts: a judgement pass failed; will retry');
        this.pending = 'all';
      }
      this.passes++;
      const rest = interval - (Date.now() - started);
      if (!this.closed && rest > 0) await this.sleep(rest);
    }
    if (connection.lost !== null && !this.closed) throw connection.lost;
    return true;
  }

  /** Running, fresh, not yet alerted runs among `ids` whose deciding curve grew since they were last judged. */
  private async candidates(ids: Set<number> | 'all'): Promise<Candidate[]> {
    const now = new Date((this.options.clock ?? Date.now)());
    const rows = (
      await this.options.pool.query<{ id: number; epochs: number; validations: number; lastStep: string | null }>(
        `SELECT r.id,
                (SELECT count(*) FROM "EpochMetric" m WHERE m."runId" = r.id)::int AS epochs,
                (SELECT count(*) FROM "Validation" v WHERE v."runId" = r.id AND NOT v.final)::int AS validations,
                (SELECT max(sp.step) FROM "StepPoint" sp WHERE sp."runId" = r.id)::text AS "lastStep"
           FROM "Run" r
          WHERE r.status = 'running' AND ($1::int[] IS NULL OR r.id = ANY($1::int[]))
            AND r."lastSeenAt" >= $2::timestamp - make_interval(secs => $3)
            AND NOT EXISTS (SELECT 1 FROM "Alert" a WHERE a."runId" = r.id AND a.rule = 'unlikely_to_beat')`,
        [ids === 'all' ? null : [...ids], now, this.options.staleMinutes * 60],
      )
    ).rows;
    if (ids === 'all') for (const id of [...this.judged.keys()]) if (!rows.some((row) => row.id === id)) this.judged.delete(id);
    // Epoch-level curves grow by epochs and validations; a step-based run's by its steps.
    const curve = (row: (typeof rows)[number]) =>
      row.epochs > 0 || row.validations > 0 ? `e${row.epochs}|v${row.validations}` : `s${row.lastStep ?? ''}`;
    return rows.map((row) => ({ id: row.id, curve: curve(row) })).filter((c) => this.judged.get(c.id) !== c.curve);
  }

  private async forecasts(ids: number[]): Promise<RunForecast[]> {
    if (this.options.forecasts) return this.options.forecasts(ids);
    this.usedQueries = true;
    const { getRunForecasts } = await import('../lib/queries/forecast');
    return getRunForecasts(ids);
  }

  /** One judgement pass; returns the runs alerted. */
  async judge(ids: Set<number> | 'all'): Promise<number[]> {
    const candidates = await this.candidates(ids);
    if (candidates.length === 0) return [];
    const forecasts = await this.forecasts(candidates.map((c) => c.id));
    const judged = forecasts.flatMap((f) => {
      const transition = unlikelyToBeatAlert(f);
      return transition ? [{ runId: f.runId, transition }] : [];
    });
    const alerted = await inTransaction(this.options.pool, async (client) => {
      const added = await recordJudgedTransitions(client, judged, true);
      // Open pages (the /alerts table, the bell) refresh.
      if (added.length > 0) await client.query(`SELECT pg_notify($1, $2)`, [CHANGE_CHANNEL, changePayload(added)]);
      return added;
    });
    for (const c of candidates) this.judged.set(c.id, c.curve);
    for (const runId of alerted) {
      const f = forecasts.find((x) => x.runId === runId)!;
      this.options.log.info({ runId, pBeat: f.pBeat, incumbent: f.incumbent?.runId }, 'unlikely_to_beat: alert recorded');
    }
    return alerted;
  }
}
