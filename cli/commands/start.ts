import type { Command } from 'commander';
import { z } from 'zod';
import { getEnv, setEnvOverrides } from '../../lib/env';
import { ConfigError } from '../../lib/errors';
import { createLogger, setLogger, type Logger } from '../../lib/log';
import { openDatabase, type OpenDatabase } from '../../lib/db/database';
import { createPool } from '../../lib/db/pool';
import { IngestDaemon } from '../../ingest/daemon';
import { startAlertsFromConfig, type RunningAlerts } from './alerts';
import { ensureWebBuild, startWebServer, type WebServer } from '../web';
import { isLoopback, parseOptions } from '../options';

const SHUTDOWN_DEADLINE_MS = 5_000;

export const startOptions = z.object({
  logs: z.array(z.string().min(1, 'a directory or glob')).min(1, 'at least one directory or glob'),
  port: z.coerce
    .number({ error: 'a port number' })
    .int('a whole port number')
    .min(1, 'a port from 1 to 65535')
    .max(65535, 'a port from 1 to 65535'),
  host: z.string().min(1, 'a host name or IP address'),
  build: z.boolean(),
});

export function registerStartCommand(program: Command): void {
  const env = () => getEnv();
  program
    .command('start')
    .description(
      'Start Thaw: the database (embedded unless DATABASE_URL is set), migrations, the ingest daemon and the web UI.\n' +
        'Ctrl-C stops everything cleanly.',
    )
    .option('--logs <dirOrGlob...>', 'log directories or globs to watch (env THAW_LOGS, comma-separated)')
    .option('--port <port>', 'web UI port (env THAW_PORT)')
    .option('--host <host>', 'web UI bind address; anything but loopback requires THAW_TOKEN (env THAW_HOST)')
    .option('--no-build', 'do not (re)build the web UI, serve the existing .next build')
    .action(async (raw: { logs?: string[]; port?: string; host?: string; build: boolean }) => {
      const settings = env();
      const options = parseOptions(startOptions, {
        logs:
          raw.logs ??
          settings.THAW_LOGS.split(',')
            .map((entry) => entry.trim())
            .filter(Boolean),
        port: raw.port ?? settings.THAW_PORT,
        host: raw.host ?? settings.THAW_HOST,
        build: raw.build,
      });
      if (!isLoopback(options.host) && !settings.THAW_TOKEN) {
        throw new ConfigError(
          `--host ${options.host} exposes Thaw beyond this machine: set THAW_TOKEN (16+ characters) to require it on every request`,
        );
      }
      const log = createLogger(settings.THAW_LOG_LEVEL);
      setLogger(log);
      await runThaw(options, log);
    });
}

export type StartOptions = z.infer<typeof startOptions>;

/** Database, migrations, ingest daemon and web UI until Ctrl-C (`thaw start`, `thaw demo`). */
export async function runThaw(options: StartOptions, log: Logger, onStop?: () => Promise<void>): Promise<void> {
  const database = await openDatabase(getEnv(), log);
  // Everything below (web routes, ingest) reads the database through DATABASE_URL.
  setEnvOverrides({ DATABASE_URL: database.url, THAW_LOGS: options.logs.join(',') });

  let web: WebServer | undefined;
  const pool = createPool(database.url);
  const daemon = new IngestDaemon({
    pool,
    paths: options.logs,
    log,
    staleMinutes: getEnv().THAW_STALE_MINUTES,
    host: getEnv().THAW_HOSTNAME,
  });
  const stop = onceAsync(async () => {
    await onStop?.();
    await Promise.all([web?.close(), daemon.close(), alerts?.close()]);
    await pool.end().catch(() => {});
    // Loaded lazily: the Prisma client is the web UI's (~30 MB), the daemon does not need it.
    await (await import('../../lib/db/client')).disconnectDb();
    await database.close();
  });
  let alerts: RunningAlerts | undefined;
  try {
    alerts = await startAlertsFromConfig(pool, log);
    await daemon.start();
    if (options.build) await ensureWebBuild(log);
    web = await startWebServer({ host: options.host, port: options.port, log });
  } catch (error) {
    await stop();
    throw error;
  }
  log.info({ url: web.url, logs: options.logs }, 'Thaw is running');
  process.stderr.write(`\nThaw is running at ${web.url}\nWatching: ${options.logs.join(', ')}\nPress Ctrl-C to stop.\n\n`);
  await waitForShutdownSignal(log, stop, database);
}

function waitForShutdownSignal(log: Logger, stop: () => Promise<void>, database: OpenDatabase): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'shutting down');
      // Whatever happens, do not outlive the deadline (a stuck socket must not hang Ctrl-C).
      const deadline = setTimeout(() => {
        log.error('shutdown took longer than 5 s; exiting');
        void database.close();
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      stop()
        .catch((error: unknown) => log.error({ err: error }, 'error during shutdown'))
        .finally(() => {
          clearTimeout(deadline);
          resolve();
        });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

function onceAsync(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
