// createPool (lib/db/pool.ts): a connection the server terminates — a restart, an administrator, a
// database dropped WITH (FORCE) — never becomes an uncaught exception, whether it is idle in the pool,
// checked out between queries, or being closed by pool.end(); queries on it still fail. (Vitest fails
// the run on any uncaught error, so these tests fail without the handlers.)
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../lib/db/pool';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let database: TestDatabase;
let admin: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase('pool');
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
});

afterAll(async () => {
  await admin.end();
  await database.drop();
});

const backendPid = async (client: pg.PoolClient) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('createPool', () => {
  it('a checked-out connection terminated between queries: its next query fails, nothing is thrown elsewhere', async () => {
    const pool = createPool(database.url, 2);
    const client = await pool.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [await backendPid(client)]);
    await settle();
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
    // The pool carries on with a new connection.
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    await pool.end();
  });

  it('a connection terminated while pool.end() closes it', async () => {
    const pool = createPool(database.url, 2);
    const client = await pool.connect();
    const pid = await backendPid(client);
    client.release();
    const ending = pool.end();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await ending;
    await settle();
    expect(pool.ended).toBe(true);
  });
});
