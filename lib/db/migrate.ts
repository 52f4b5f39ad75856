// Applies prisma/migrations/*/migration.sql the way `prisma migrate deploy` does, without Prisma's
// schema engine (which cannot be downloaded here): same `_prisma_migrations` table, same row per
// migration (uuid id, sha256 checksum of the file, started/finished times, applied_steps_count), same
// advisory lock — so `prisma migrate deploy` on a machine with the engine sees the database as
// up to date. Unlike Prisma, each migration runs inside one transaction, so a failure leaves no
// partial schema behind (and no failed row that would need `migrate resolve`).
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { DatabaseError, errorMessage } from '../errors';
import { MIGRATIONS_DIR } from '../paths';

/** The key Prisma's schema engine locks on during migrate (pg_advisory_lock(72707369)). */
const PRISMA_ADVISORY_LOCK = 72707369;

export { MIGRATIONS_DIR };

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await fs.readFile(path.join(dir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Applies every migration not yet recorded. Safe to run concurrently and repeatedly. */
export async function migrate(url: string, dir: string = MIGRATIONS_DIR): Promise<MigrateResult> {
  const migrations = await readMigrations(dir);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseError(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${errorMessage(error)}`);
  }
  client.on('error', () => {}); // a dropped connection surfaces as a failed query below
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const rows = (await client.query<AppliedRow>('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"'))
      .rows;
    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      const recorded = rows.filter((row) => row.migration_name === migration.name && row.rolled_back_at === null);
      if (recorded.some((row) => row.finished_at !== null)) {
        result.alreadyApplied.push(migration.name);
        continue;
      }
      if (recorded.length > 0) {
        throw new DatabaseError(
          `migration ${migration.name} is recorded as failed in _prisma_migrations; fix it and run \`prisma migrate resolve\`, or restore the database`,
        );
      }
      await applyOne(client, migration);
      result.applied.push(migration.name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]).catch(() => {});
    await client.end().catch(() => {});
  }
}

async function applyOne(client: pg.Client, migration: Migration): Promise<void> {
  try {
    await client.query('BEGIN');
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    if (error instanceof DatabaseError) throw error;
    throw new DatabaseError(`migration ${migration.name} failed: ${errorMessage(error)}`);
  }
}

/** postgresql://user:secret@host/db → postgresql://user:***@host/db, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid URL>';
  }
}
