import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR, readMigrations } from '../../lib/db/migrate';
import { createEmptyDatabase } from '../helpers/db';
import pg from 'pg';

describe('migrations', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createEmptyDatabase('migrations');
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it('applies every migration to an empty database and records it as Prisma does', async () => {
    const result = await migrate(database.url);
    const migrations = await readMigrations();
    expect(result.applied).toEqual(migrations.map((m) => m.name));
    expect(result.alreadyApplied).toEqual([]);

    const rows = (
      await client.query<{
        migration_name: string;
        checksum: string;
        id: string;
        finished_at: Date | null;
        rolled_back_at: Date | null;
        applied_steps_count: number;
        logs: string | null;
      }>('SELECT * FROM "_prisma_migrations" ORDER BY migration_name')
    ).rows;
    expect(rows).toHaveLength(migrations.length);
    for (const [index, row] of rows.entries()) {
      const name = migrations[index]!.name;
      const bytes = await readFile(path.join(MIGRATIONS_DIR, name, 'migration.sql'));
      expect(row.migration_name).toBe(name);
      expect(row.checksum).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
    }
    const tables = (
      await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      )
    ).rows.map((r) => r.table_name);
    expect(tables).toEqual([
      'Alert',
      'AlertAttempt',
      'AlertChannel',
      'AlertDelivery',
      'AlertSend',
      'Checkpoint',
      'EpochMetric',
      'EvalPoint',
      'LogSource',
      'ParseWarning',
      'Run',
      'RunAnnotation',
      'RunEvent',
      'RunSource',
      'RunSummary',
      'ScalarChunk',
      'ScalarPluginCount',
      'ScalarTag',
      'StepBucket',
      'StepPoint',
      'StepSeries',
      'TaskAnnotation',
      'Validation',
      'VisionStrategy',
      '_prisma_migrations',
    ]);
  });

  it('is a no-op when run again', async () => {
    const before = (await client.query('SELECT id, finished_at FROM "_prisma_migrations"')).rows;
    const result = await migrate(database.url);
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied).toHaveLength(before.length);
    const after = (await client.query('SELECT id, finished_at FROM "_prisma_migrations"')).rows;
    expect(after).toEqual(before);
  });

  it('is safe when two processes migrate the same empty database at once', async () => {
    const other = await createEmptyDatabase('migrations_race');
    try {
      const results = await Promise.all([migrate(other.url), migrate(other.url), migrate(other.url)]);
      expect(results.flatMap((r) => r.applied)).toHaveLength((await readMigrations()).length);
    } finally {
      await other.drop();
    }
  });

  it('refuses to continue past a migration recorded as failed, like prisma migrate deploy', async () => {
    const other = await createEmptyDatabase('migrations_failed');
    try {
      await migrate(other.url);
      const c = new pg.Client({ connectionString: other.url });
      await c.connect();
      await c.query('UPDATE "_prisma_migrations" SET finished_at = NULL');
      await c.end();
      await expect(migrate(other.url)).rejects.toThrow(/recorded as failed/);
    } finally {
      await other.drop();
    }
  });

  it('rolls back a migration that fails half-way and leaves no record of it', async () => {
    const other = await createEmptyDatabase('migrations_broken');
    const dir = await (await import('node:fs/promises')).mkdtemp(path.join((await import('node:os')).tmpdir(), 'thaw-mig-'));
    const fs = await import('node:fs/promises');
    await fs.mkdir(path.join(dir, '20200101000000_ok'));
    await fs.writeFile(path.join(dir, '20200101000000_ok', 'migration.sql'), 'CREATE TABLE "A" ("id" INTEGER);');
    await fs.mkdir(path.join(dir, '20200102000000_broken'));
    await fs.writeFile(
      path.join(dir, '20200102000000_broken', 'migration.sql'),
      'CREATE TABLE "B" ("id" INTEGER);\nSELECT nonsense FROM nowhere;',
    );
    try {
      await expect(migrate(other.url, dir)).rejects.toThrow(/20200102000000_broken failed/);
      const c = new pg.Client({ connectionString: other.url });
      await c.connect();
      const tables = (
        await c.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)
      ).rows.map((r) => r.table_name);
      const names = (await c.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations"')).rows.map(
        (r) => r.migration_name,
      );
      await c.end();
      expect(tables).toEqual(['A', '_prisma_migrations']);
      expect(names).toEqual(['20200101000000_ok']);
    } finally {
      await other.drop();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
