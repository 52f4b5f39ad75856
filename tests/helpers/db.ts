// A fresh, migrated database per test file on the run's embedded PostgreSQL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool } from '../../lib/db/pool';
import { inject } from 'vitest';
import { createPrismaClient, type Db } from '../../lib/db/client';
import { migrate } from '../../lib/db/migrate';

export interface TestDatabase {
  url: string;
  name: string;
  prisma: Db;
  /** Raw SQL for assertions that should not go through the code under test. */
  query: <T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<T[]>;
  drop: () => Promise<void>;
}

export function adminUrl(): string {
  return inject('adminDatabaseUrl');
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty database (no schema). */
export async function createEmptyDatabase(prefix = 'test'): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return { name, url: databaseUrl(name), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(prefix);
  await migrate(empty.url);
  const prisma = createPrismaClient(empty.url, { maxConnections: 5 });
  // createPool's handlers: dropping the database (WITH FORCE) terminates connections the pool is
  // still closing, whose 'error' would otherwise be an uncaught exception in the test run.
  const pool = createPool(empty.url, 2);
  return {
    ...empty,
    prisma,
    query: async <T extends pg.QueryResultRow>(sql: string, params?: unknown[]) => (await pool.query<T>(sql, params)).rows,
    drop: async () => {
      await prisma.$disconnect();
      await pool.end();
      await empty.drop();
    },
  };
}
