// The API with hostile parameters: SQL-looking strings, huge numbers, unknown ids, path-like values.
// Every answer must be a clean 4xx naming the problem (never a 500, never a stack trace), and the
// data must be exactly what it was.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { tempDir, waitFor } from '../helpers/ingest';
import { countRows } from '../../testkit/snapshot';
import { copySamples } from '../../testkit/samples';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';

let db: TestDatabase;
let server: ThawServer;
let cleanup: () => Promise<void>;
let before: Record<string, number>;
let runId: number;

beforeAll(async () => {
  db = await createTestDatabase('hostile_api');
  const scratch = await tempDir('thaw-hostile-api-');
  cleanup = scratch.cleanup;
  const logs = path.join(scratch.dir, 'logs');
  await (await import('node:fs/promises')).mkdir(logs);
  await copySamples(logs);
  server = await startThaw({ databaseUrl: db.url, logs });
  await waitFor(async () => (await db.query(`SELECT 1 FROM "Run" WHERE status = 'completed'`)).length === 3, {
    timeoutMs: 60_000,
    what: 'samples ingested',
  });
  before = await countRows(db.query);
  runId = (await db.query<{ id: number }>(`SELECT min(id) AS id FROM "Run"`))[0]!.id;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await db?.drop();
  await cleanup?.();
});

async function get(pathAndQuery: string): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(server.url + pathAndQuery);
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body, text };
}

function expectCleanError(result: { status: number; body: unknown; text: string }, status: number, mentions?: RegExp) {
  expect(result.status).toBe(status);
  const error = (result.body as { error?: { code?: string; message?: string } }).error;
  expect(error?.code).toEqual(expect.any(String));
  expect(error?.message).toEqual(expect.any(String));
  if (mentions) expect(error!.message).toMatch(mentions);
  expect(result.text).not.toMatch(/\n\s+at .+:\d+:\d+|node_modules|prisma\./i);
}

const SQL = ['1; DROP TABLE "Run"; --', "' OR '1'='1", '1 UNION SELECT * FROM "LogSource"', 'x%27%3B%20DELETE%20FROM%20%22Run%22%3B--'];

describe('hostile API parameters', () => {
  it('SQL-looking ids and filters are rejected or matched literally, and nothing changes', async () => {
    for (const value of SQL) {
      const encoded = encodeURIComponent(value);
      expectCleanError(await get(`/api/runs/${encoded}`), 400, /id/);
      expectCleanError(await get(`/api/runs?task=${encoded}`), 400, /task/);
      expectCleanError(await get(`/api/compare?runs=${encoded}`), 400, /runs/);
      // Free-text search is data, not SQL: it simply finds nothing.
      const search = await get(`/api/runs?q=${encoded}`);
      expect(search.status).toBe(200);
      expect((search.body as { runs: unknown[] }).runs).toEqual([]);
    }
    expect(await countRows(db.query)).toEqual(before);
  });

  it('huge, negative and non-numeric numbers get a 400 that names the parameter', async () => {
    for (const points of ['1e308', '-5', 'NaN', 'Infinity', '99999999999999999999', '0']) {
      expectCleanError(await get(`/api/runs/${runId}/series?metric=train&points=${points}`), 400, /points/);
    }
    for (const smooth of ['2', '-0.1', 'abc']) expectCleanError(await get(`/api/compare?smooth=${smooth}`), 400, /smooth/);
    expectCleanError(await get(`/api/runs/${runId}/series?metric=${encodeURIComponent('train;--')}`), 400, /metric/);
    expectCleanError(await get('/api/runs/99999999999999999999'), 400, /id/);
  });

  it('unknown ids are 404s', async () => {
    expectCleanError(await get('/api/runs/2147483000'), 404);
    expectCleanError(await get('/api/runs/2147483000/series?metric=val'), 404);
    expectCleanError(await get('/api/runs/2147483000/log'), 404);
  });

  it('path-like values never reach the filesystem: the log endpoint reads only files the database knows', async () => {
    for (const value of ['..%2F..%2F..%2Fetc%2Fpasswd', '%2Fetc%2Fpasswd', '1%2F..%2F..%2Fpackage.json']) {
      const result = await get(`/api/runs/${value}/log`);
      expect([400, 404]).toContain(result.status);
      expect(result.text).not.toContain('root:');
      expect(result.text).not.toContain('"name": "thaw"');
    }
    const ok = await get(`/api/runs/${runId}/log?lines=5`);
    expect(ok.status).toBe(200);
    expect(JSON.stringify(ok.body)).not.toContain('root:x:0:0');
  });

  it('the server is still healthy afterwards', async () => {
    const runs = await get('/api/runs');
    expect(runs.status).toBe(200);
    expect((runs.body as { runs: unknown[] }).runs).toHaveLength(3);
    expect(server.output()).not.toMatch(/API request failed/);
  });
});
