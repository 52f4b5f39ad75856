import type { Command } from 'commander';
import type { Pool } from 'pg';
import { SingleBar, Presets } from 'cli-progress';
import { z } from 'zod';
import { getEnv, hostLabel, setEnvOverrides, type Env } from '../../lib/env';
import { ConfigError } from '../../lib/errors';
import { createLogger, type Logger } from '../../lib/log';
import { openDatabase } from '../../lib/db/database';
import { createPool } from '../../lib/db/pool';
import { IngestDaemon, type BackfillSummary } from '../../ingest/daemon';
import { listMatchingFiles, resolveTargets } from '../../ingest/paths';
import { parseOptions } from '../options';
import { startAlertsFromConfig } from './alerts';
import { promises as fs } from 'node:fs';

const ingestOptions = z.object({
  paths: z.array(z.string().min(1, 'a file, directory or glob')).min(1, 'at least one file, directory or glob'),
  once: z.boolean(),
  fromEnd: z.boolean(),
  hostname: hostLabel.optional(),
});

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description(
      'Ingest training logs into the database. Directories are searched recursively for *.log, *.txt and *.out;\n' +
        'files and globs (quote them) are taken as given. Files Thaw has seen before resume at their committed byte offset.\n' +
        'Without --once it keeps following the files, like `tail -F`. Logs go to stderr as JSON lines.',
    )
    .argument('<paths...>', 'log files, directories or globs')
    .option('--once', 'backfill what exists now and exit (exit code 0 when done)', false)
    .option('--from-start', 'read files Thaw has never seen from their beginning (default)')
    .option('--from-end', 'read files Thaw has never seen from their current end (only new lines)')
    .option(
      '--hostname <name>',
      "the name this machine's files are recorded under, one per GPU box (env THAW_HOSTNAME; default: the OS host name)",
    )
    .action(async (paths: string[], raw: { once: boolean; fromStart?: boolean; fromEnd?: boolean; hostname?: string }) => {
      if (raw.fromStart && raw.fromEnd) throw new ConfigError('--from-start and --from-end: expected at most one of them');
      const env = getEnv();
      const options = parseOptions(ingestOptions, {
        paths,
        once: raw.once,
        fromEnd: Boolean(raw.fromEnd),
        hostname: raw.hostname ?? env.THAW_HOSTNAME,
      });
      const log = createLogger(env.THAW_LOG_LEVEL);
      const database = await openDatabase(env, log);
      // The query layer (the opt-in unlikely_to_beat alerts' forecasts) reads DATABASE_URL.
      setEnvOverrides({ DATABASE_URL: database.url });
      const pool = createPool(database.url);
      try {
        if (options.once) await backfill(options, pool, log, env);
        else await follow(options, pool, log, env);
      } finally {
        await pool.end().catch(() => {});
        await database.close();
      }
    });
}

async function backfill(options: z.infer<typeof ingestOptions>, pool: Pool, log: Logger, env: Env): Promise<void> {
  const files = await listMatchingFiles(await resolveTargets(options.paths));
  if (files.length === 0) throw new ConfigError(`no log files (*.log, *.txt, *.out) found under ${options.paths.join(', ')}`);
  const sizes = new Map(
    await Promise.all(
      files.map(
        async (file) =>
          [
            file,
            await fs.stat(file).then(
              (s) => s.size,
              () => 0,
            ),
          ] as const,
      ),
    ),
  );
  const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
  const committedBytes = new Map<string, number>();
  let filesDone = 0;
  const bar = process.stderr.isTTY
    ? new SingleBar(
        {
          format:
            'ingest |{bar}| {percentage}% | {files}/{totalFiles} files | {value}/{total} MB | {lines} lines | {rate} lines/s | ETA {remaining}',
          stream: process.stderr,
          hideCursor: true,
        },
        Presets.shades_classic,
      )
    : undefined;
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  bar?.start(round(totalBytes / 1e6), 0, { lines: 0, rate: 0, files: 0, totalFiles: files.length, remaining: '…' });
  const daemon = new IngestDaemon({
    pool,
    paths: options.paths,
    log,
    staleMinutes: env.THAW_STALE_MINUTES,
    batchEvents: env.THAW_INGEST_BATCH_EVENTS,
    fromEnd: options.fromEnd,
    host: options.hostname,
    onCommit: (info) => {
      bytes += info.bytes;
      lines += info.lines;
      const before = committedBytes.get(info.path) ?? 0;
      committedBytes.set(info.path, before + info.bytes);
      const size = sizes.get(info.path) ?? Infinity;
      if (before < size && before + info.bytes >= size) filesDone++;
      const seconds = (performance.now() - started) / 1000;
      bar?.update(round(bytes / 1e6), {
        lines,
        rate: Math.round(lines / Math.max(seconds, 0.001)),
        files: filesDone,
        remaining: eta(totalBytes - bytes, bytes / Math.max(seconds, 0.001)),
      });
    },
  });
  let summary: BackfillSummary;
  try {
    summary = await daemon.backfill();
  } finally {
    bar?.stop();
    await daemon.close();
  }
  const rate = Math.round(summary.lines / Math.max(summary.seconds, 0.001));
  process.stdout.write(
    `ingested ${summary.files} file(s): ${(summary.bytes / 1e6).toFixed(1)} MB, ${summary.lines} lines in ${summary.seconds.toFixed(1)} s (${rate} lines/s)\n`,
  );
  if (summary.failed.length > 0) {
    // Each file's error was logged; the rows of every other file are stored.
    process.stderr.write(`${summary.failed.length} file(s) could not be fully stored: ${summary.failed.join(', ')}\n`);
    process.exitCode = 1;
  }
}

/** "1m05s" from bytes left and bytes/s so far; "…" until the rate means something. */
function eta(bytesLeft: number, bytesPerSecond: number): string {
  if (bytesPerSecond <= 0 || !Number.isFinite(bytesLeft / bytesPerSecond)) return '…';
  const seconds = Math.ceil(bytesLeft / bytesPerSecond);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

async function follow(options: z.infer<typeof ingestOptions>, pool: Pool, log: Logger, env: Env): Promise<void> {
  const daemon = new IngestDaemon({
    pool,
    paths: options.paths,
    log,
    staleMinutes: env.THAW_STALE_MINUTES,
    batchEvents: env.THAW_INGEST_BATCH_EVENTS,
    fromEnd: options.fromEnd,
    host: options.hostname,
  });
  const alerts = await startAlertsFromConfig(pool, log);
  await daemon.start();
  log.info({ paths: options.paths }, 'following logs; Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await daemon.close();
  await alerts?.close();
  // The forecasts of the unlikely_to_beat judge, if it ran, opened the query layer's Prisma client.
  if (alerts?.loadedQueries) await (await import('../../lib/db/client')).disconnectDb();
}
