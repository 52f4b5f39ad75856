// Live updates: ONE PostgreSQL connection per server process LISTENs on the ingest store's change
// channel and fans notifications out to every open /api/live stream. Idle costs nothing: no
// polling, and the connection is closed a while after the last browser tab goes away.
//
// What a notification says is ./changes.ts; a reconnect (notifications may have been missed) becomes
// "everything may have changed".
import pg from 'pg';
import { getEnv } from '../env';
import { logger } from '../log';
import { CHANGE_CHANNEL, parseNotification, type Change } from './changes';

type Listener = (change: Change) => void;

const CLOSE_WHEN_IDLE_MS = 30_000;
const MAX_BACKOFF_MS = 10_000;

export class ChangeHub {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly listeners = new Set<Listener>();
  private idleTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private backoff = 500;
  private everConnected = false;

  constructor(private readonly url: () => string | undefined) {}

  /** Adds a listener; resolves once the channel is being listened to (or rejects if it cannot be). */
  subscribe(listener: Listener): { ready: Promise<void>; unsubscribe: () => void } {
    this.listeners.add(listener);
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    const ready = this.ensureConnected();
    ready.catch(() => {}); // the caller decides whether to wait; failures retry in the background
    return {
      ready,
      unsubscribe: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0 && !this.idleTimer) {
          this.idleTimer = setTimeout(() => void this.disconnect(), CLOSE_WHEN_IDLE_MS);
          this.idleTimer.unref();
        }
      },
    };
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  get connected(): boolean {
    return this.client !== null;
  }

  private emit(change: Change): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        logger().warn({ err: error }, 'live listener failed');
      }
    }
  }

  private ensureConnected(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const url = this.url();
    if (!url) throw new Error('DATABASE_URL is not set');
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL) this.emit(parseNotification(message.payload));
    });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = null;
      logger().warn({ err: error }, 'live updates: database connection lost; reconnecting');
      client.end().catch(() => {});
      this.scheduleRetry();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      client.end().catch(() => {});
      this.scheduleRetry();
      throw error;
    }
    this.client = client;
    this.backoff = 500;
    // Anything may have changed while nobody was listening (after a reconnect): tell everyone.
    if (this.everConnected) this.emit({ kind: 'all', reason: 'reconnected' });
    this.everConnected = true;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.listeners.size === 0) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.listeners.size > 0) this.ensureConnected().catch(() => {});
    }, delay);
    this.retryTimer.unref();
  }

  async disconnect(): Promise<void> {
    this.idleTimer = null;
    if (this.listeners.size > 0) return;
    const client = this.client;
    this.client = null;
    this.everConnected = false;
    await client?.end().catch(() => {});
  }
}

/** The process-wide hub (globalThis: shared by every route bundle of the server). */
export function changeHub(): ChangeHub {
  const holder = globalThis as { thawChangeHub?: ChangeHub };
  holder.thawChangeHub ??= new ChangeHub(() => getEnv().DATABASE_URL);
  return holder.thawChangeHub;
}
