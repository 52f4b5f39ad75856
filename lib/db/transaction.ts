// One transaction on a pooled node-postgres client: BEGIN, the work, COMMIT (ROLLBACK on any error).
import type pg from 'pg';

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client that loses its connection between queries (or while the caller waits on
  // something else, e.g. an HTTP request) emits 'error'; without a listener that is an uncaught
  // exception. The query in flight (or the next one, or COMMIT) rejects anyway.
  const ignore = () => {};
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.off('error', ignore);
    client.release();
  }
}
