// Shared pieces of the ingest tests: real temp directories, real files, the real daemon.
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { pino } from 'pino';
import { IngestDaemon } from '../../ingest/daemon';
import { createPool } from '../../lib/db/pool';

export { SAMPLES_DIR, SAMPLE_NAMES, allSamples, sampleLog } from '../../testkit/samples';
export { waitFor } from '../../testkit/wait';

export async function tempDir(prefix = 'thaw-ingest-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A logger that records lines (for "one line per state change" assertions). */
export function memoryLogger(level = 'info') {
  type Line = { level: number; msg: string; [key: string]: unknown };
  const lines: Line[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line) as Line) });
  return { logger, lines };
}

export async function backfillInto(url: string, paths: string[], options: { batchEvents?: number } = {}): Promise<void> {
  const pool = createPool(url);
  const daemon = new IngestDaemon({ pool, paths, log: memoryLogger('silent').logger, staleMinutes: 10, ...options });
  try {
    const { failed } = await daemon.backfill();
    if (failed.length > 0) throw new Error(`backfill could not store every batch of: ${failed.join(', ')}`);
  } finally {
    await daemon.close();
    await pool.end();
  }
}

export async function committedOffset(
  pool: pg.Pool | { query: (sql: string) => Promise<{ rows: { o: string }[] }> },
  file: string,
): Promise<number> {
  const result = await (pool as pg.Pool).query<{ o: string }>(`SELECT max("committedOffset")::text AS o FROM "LogSource" WHERE path = $1`, [
    file,
  ]);
  return Number(result.rows[0]?.o ?? 0);
}
