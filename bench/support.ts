// Shared plumbing for `npm run bench`: one embedded PostgreSQL for the whole run, a fresh migrated
// database per benchmark, and the figure format every benchmark returns.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../lib/db/embedded';
import { migrate } from '../lib/db/migrate';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The machine's own limit for the same work, measured in the same run (null: no natural limit). */
  limit: number | null;
  /** value / limit, or the ratio the target is stated in. */
  ratio: number | null;
  target: string;
  /** Whether the figure met its target; absent for informational figures (no target to miss). */
  met?: boolean;
}

/** What the bench prints, on stdout as one JSON line, for a figure (or group) that could not be measured. */
export interface FigureError {
  name: string;
  error: string;
}

export type Outcome = Figure | FigureError;

export function isFigureError(outcome: Outcome): outcome is FigureError {
  return 'error' in outcome;
}

/** One error object per named figure, all for the same cause. */
export function figureErrors(names: readonly string[], cause: unknown): FigureError[] {
  const error = cause instanceof Error ? cause.message : String(cause);
  return names.map((name) => ({ name, error }));
}

/** Runs one measurement; a failure becomes error objects for the figures it would have produced. */
export async function guarded(names: readonly string[], measure: () => Promise<Outcome[]>): Promise<Outcome[]> {
  try {
    return await measure();
  } catch (cause) {
    return figureErrors(names, cause);
  }
}

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

let server: EmbeddedDatabase | undefined;
let serverDir: string | undefined;

export async function benchServerUrl(): Promise<string> {
  if (process.env.THAW_BENCH_DATABASE_URL) return process.env.THAW_BENCH_DATABASE_URL;
  if (!server) {
    serverDir = await mkdtemp(path.join(os.tmpdir(), 'thaw-bench-pg-'));
    await chmod(serverDir, 0o755);
    server = await startEmbeddedDatabase({ dataDir: serverDir });
  }
  return server.url;
}

export async function createBenchDatabase(name: string): Promise<BenchDatabase> {
  const admin = await benchServerUrl();
  const dbName = `bench_${name}_${Date.now().toString(36)}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${dbName}`);
  const url = new URL(admin);
  url.pathname = `/${dbName}`;
  await migrate(url.toString());
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`) };
}

export async function stopBenchServer(): Promise<void> {
  await server?.stop();
  server = undefined;
  if (serverDir) await rm(serverDir, { recursive: true, force: true });
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The same tables ingest writes, in dependency order. */
const TABLES = [
  'LogSource',
  'Run',
  'VisionStrategy',
  'EpochMetric',
  'StepPoint',
  'Validation',
  'RunEvent',
  'ParseWarning',
  'ScalarTag',
  'ScalarChunk',
  'ScalarPluginCount',
];

async function copyOut(client: pg.Client, table: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = client.query(copyTo(`COPY "${table}" TO STDOUT (FORMAT binary)`));
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function copyIn(client: pg.Client, table: string, data: Buffer): Promise<void> {
  const stream = client.query(copyFrom(`COPY "${table}" FROM STDIN (FORMAT binary)`));
  await new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
    stream.end(data);
  });
}

/**
 * The write floor of what ingest stored in `sourceUrl`: its rows (every table ingest writes: scalar
 * chunks of up to 1,024 points each, epoch and validation rows, steps…) COPYed in
 * one transaction into the empty, migrated `sinkUrl` whose tables keep only their primary keys (no
 * foreign keys, unique or secondary indexes), timed. Binary COPY, as ingest writes its bulk rows: a
 * text COPY parses every float and would make the floor slower than ingest's own path.
 */
export async function copyFloor(sourceUrl: string, sinkUrl: string): Promise<{ copyMs: number; rowCount: number; scalarPoints: number }> {
  const source = new pg.Client({ connectionString: sourceUrl });
  const sink = new pg.Client({ connectionString: sinkUrl });
  await Promise.all([source.connect(), sink.connect()]);
  try {
    const dumps = new Map<string, Buffer>();
    for (const table of TABLES) dumps.set(table, await copyOut(source, table));
    const counts = (
      await source.query<{ n: string; points: string }>(
        `SELECT (SELECT count(*) FROM "StepPoint") + (SELECT count(*) FROM "EpochMetric") + (SELECT count(*) FROM "Validation")
                + (SELECT count(*) FROM "ScalarTag") + (SELECT count(*) FROM "ScalarChunk") AS n,
                (SELECT COALESCE(sum(count), 0) FROM "ScalarChunk") AS points`,
      )
    ).rows[0]!;
    const rowCount = Number(counts.n);
    await sink.query(`DO $$ DECLARE item record; BEGIN
      FOR item IN SELECT conrelid::regclass AS tbl, conname FROM pg_constraint
                   WHERE contype IN ('f', 'u') AND connamespace = 'public'::regnamespace LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', item.tbl, item.conname);
      END LOOP;
      FOR item IN SELECT i.indexrelid::regclass AS idx FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                   WHERE NOT i.indisprimary AND c.relnamespace = 'public'::regnamespace LOOP
        EXECUTE format('DROP INDEX %s', item.idx);
      END LOOP;
    END $$`);
    const copyStarted = performance.now();
    await sink.query('BEGIN');
    for (const table of TABLES) await copyIn(sink, table, dumps.get(table)!);
    await sink.query('COMMIT');
    return { copyMs: performance.now() - copyStarted, rowCount, scalarPoints: Number(counts.points) };
  } finally {
    await Promise.all([source.end(), sink.end()]);
  }
}
