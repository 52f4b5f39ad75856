// Shared pieces of the ingest tests: real temp directories, real files, the real daemon.
import { mkdtemp, rm, chmod, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { pino } from 'pino';
import { IngestDaemon } from '../../ingest/daemon';
import { createPool } from '../../lib/db/pool';

export const SAMPLES_DIR = path.resolve(import.meta.dirname, '../fixtures/samples');
export const SAMPLE_NAMES = [
  'sample_task1_unfreeze8_overfit',
  'sample_task2_unfreeze4_buffered',
  'sample_task3_ratio50_final_only',
] as const;

export function sampleLog(name: (typeof SAMPLE_NAMES)[number]): Promise<Buffer> {
  return readFile(path.join(SAMPLES_DIR, `${name}.log`));
}

/** All three samples back to back: three runs in one file. */
export async function allSamples(): Promise<Buffer> {
  return Buffer.concat(await Promise.all(SAMPLE_NAMES.map(sampleLog)));
}

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

export async function waitFor(
  check: () => Promise<boolean> | boolean,
  { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Deterministic randomness for tests (the generator's mulberry32). */
export { createRandom as seededRandom } from '../../cli/synthetic/smolvla-log';

export async function committedOffset(
  pool: pg.Pool | { query: (sql: string) => Promise<{ rows: { o: string }[] }> },
  file: string,
): Promise<number> {
  const result = await (pool as pg.Pool).query<{ o: string }>(`SELECT max("committedOffset")::text AS o FROM "LogSource" WHERE path = $1`, [
    file,
  ]);
  return Number(result.rows[0]?.o ?? 0);
}
