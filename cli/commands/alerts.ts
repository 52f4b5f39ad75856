// `thaw alerts test` and the wiring of a process's alert side: the delivery worker (delivery/) and,
// when a channel lists the opt-in `unlikely_to_beat` rule, its judge (ingest/forecast-alerts.ts, which
// records those alerts in the outbox off the ingest path; they are then fanned out and delivered as
// every other alert). Both run wherever the ingest daemon follows logs (`thaw ingest` without --once,
// `thaw start`).
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { Pool } from 'pg';
import { AlertWorker, type AlertWorkerOptions } from '../../delivery/alert-worker';
import { ForecastAlerts } from '../../ingest/forecast-alerts';
import { sendAlert } from '../../lib/alerts/channels';
import { loadAlertsConfig } from '../../lib/alerts/config';
import { getEnv } from '../../lib/env';
import { ConfigError } from '../../lib/errors';
import type { Logger } from '../../lib/log';

/**
 * Loads thaw-alerts.yaml and starts delivering; a bad file fails the start with its errors. Without a
 * file this process starts no worker: fanning an alert out claims it for the channels of the process
 * that does it, so a GPU box with no file would swallow the alerts meant for the channels of the
 * machine that has one (and would fail their pending deliveries as orphaned). The alerts are still
 * recorded; a process with the file fans them out.
 */
export async function startAlertsFromConfig(pool: Pool, log: Logger): Promise<RunningAlerts | undefined> {
  const config = await loadAlertsConfig();
  log.info({ file: config.file, found: config.found, channels: config.channels.map((c) => `${c.name} (${c.type})`) }, 'alert channels');
  if (!config.found) return undefined;
  return startAlerts({ pool, channels: config.channels, log, publicUrl: getEnv().THAW_PUBLIC_URL ?? null }, getEnv().THAW_STALE_MINUTES);
}

/** A process's running alert side. */
export interface RunningAlerts {
  worker: AlertWorker;
  /** The `unlikely_to_beat` judge, when a channel lists the rule. */
  judge: ForecastAlerts | null;
  /** Whether the judge loaded the query layer: its Prisma client is then the process's to disconnect. */
  readonly loadedQueries: boolean;
  close(): Promise<void>;
}

/**
 * Starts delivering, and judging `unlikely_to_beat` only when a channel lists it (it is opt-in: a
 * forecast costs curve fits). Runs with no line for `staleMinutes` (THAW_STALE_MINUTES) are not judged.
 */
export function startAlerts(options: AlertWorkerOptions, staleMinutes: number): RunningAlerts {
  const wanted = options.channels.some((channel) => channel.rules.includes('unlikely_to_beat'));
  const judge = wanted ? new ForecastAlerts({ pool: options.pool, log: options.log, staleMinutes }) : null;
  const worker = new AlertWorker(options);
  judge?.start();
  worker.start();
  return {
    worker,
    judge,
    get loadedQueries() {
      return judge?.loadedQueries ?? false;
    },
    close: async () => {
      await Promise.all([worker.close(), judge?.close()]);
    },
  };
}

export function registerAlertsCommand(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('Live training alerts (channels in thaw-alerts.yaml, or the file THAW_ALERTS names).');
  alerts
    .command('test')
    .description('Send a test message to every configured channel and print what each answered.')
    .action(async () => {
      const config = await loadAlertsConfig();
      if (!config.found) throw new ConfigError(`no alerts file at ${config.file} (set THAW_ALERTS to use another file)`);
      if (config.channels.length === 0) throw new ConfigError(`${config.file} lists no channels`);
      const publicUrl = getEnv().THAW_PUBLIC_URL ?? null;
      let failed = 0;
      for (const channel of config.channels) {
        const result = await sendAlert(channel, {
          id: `test-${randomUUID()}`,
          rule: 'test',
          run: { id: 0, taskId: null, taskName: null, strategy: null, status: 'test' },
          message: 'This is a test message from `thaw alerts test`: this channel is configured correctly.',
          url: publicUrl,
        });
        if (!result.ok) failed++;
        const verdict = { delivered: 'ok', throttled: 'RATE LIMITED', retry: 'FAILED (would be retried)', permanent: 'FAILED' }[
          result.outcome.kind
        ];
        process.stdout.write(
          `${channel.name} (${channel.type}): ${verdict}${result.httpStatus === null ? '' : ` HTTP ${result.httpStatus}`}: ${result.answer}\n`,
        );
      }
      if (failed > 0) process.exitCode = 1;
    });
}
