// The node-postgres pool the ingest write path uses (see ingest/store/index.ts for why it is not Prisma).
import pg from 'pg';

export function createPool(url: string, max = 6): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  // An idle connection dropped by a restarting server must not crash the process: the next query
  // fails instead, and the daemon's retry loop takes over.
  pool.on('error', () => {});
  // Nor one the pool is ending (close, shutdown) when the server terminates it first: the pool has
  // let go of it, so its 'error' would have no listener. Queries on a lost connection still reject.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
