// GET /api/runs keeps the validated body of a listing and serves it again while the rows it reads are
// unchanged (lib/api/respond.ts versionedJsonOut, keyed by runsListingVersion). Each way the data
// changes must give a fresh answer: ingest appending to a log, an annotation, a direct write to a run
// or its summary, a new log source path, a deleted run.
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsResponse } from '../../lib/api/schemas/runs';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { tempDir, waitFor } from '../helpers/ingest';
import { copySamples } from '../../testkit/samples';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let pool: pg.Pool;

async function body(pathAndQuery: string): Promise<string> {
  const response = await fetch(`${server.url}${pathAndQuery}`);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  return text;
}
const listing = async (query = '') => JSON.parse(await body(`/api/runs${query}`)) as RunsResponse;
const runByFile = (response: RunsResponse, name: string) => {
  const run = response.runs.find((r) => path.basename(r.source.path, '.log') === name);
  if (!run) throw new Error(`no run for ${name}`);
  return run;
};

beforeAll(async () => {
  database = await createTestDatabase('runs_cache');
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  logs = await tempDir('thaw-runs-cache-logs-');
  await copySamples(logs.dir);
  server = await startThaw({ databaseUrl: database.url, logs: logs.dir });
  await waitFor(async () => (await listing()).runs.length === 3, { timeoutMs: 30_000, what: 'the sample runs' });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await pool?.end();
  await logs?.cleanup();
  await database?.drop();
});

describe('GET /api/runs over unchanged and changed rows', () => {
  it('answers the same body again while nothing changed, per query', async () => {
    const first = await body('/api/runs');
    expect(await body('/api/runs')).toBe(first);
    expect(await body('/api/runs')).toBe(first);
    const task1 = await body('/api/runs?task=1');
    expect(task1).not.toBe(first);
    expect((JSON.parse(task1) as RunsResponse).runs.every((r) => r.taskId === 1)).toBe(true);
    expect(await body('/api/runs')).toBe(first);
  });

  it('sees what ingest wrote: a log that grew', async () => {
    const before = runByFile(await listing(), 'sample_task2_unfreeze4_buffered');
    await appendFile(path.join(logs.dir, 'sample_task2_unfreeze4_buffered.log'), `Epoch ${before.epochsDone + 1} Average Loss: 0.0199\n`);
    await waitFor(async () => runByFile(await listing(), 'sample_task2_unfreeze4_buffered').epochsDone === before.epochsDone + 1, {
      what: 'the new epoch in the listing',
    });
    const after = runByFile(await listing(), 'sample_task2_unfreeze4_buffered');
    expect(after.lastTrainLoss).toBe(0.0199);
  });

  it('sees an annotation, and its removal', async () => {
    const run = runByFile(await listing(), 'sample_task1_unfreeze8_overfit');
    const patch = (annotation: unknown) =>
      fetch(`${server.url}/api/runs/${run.id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(annotation),
      });
    expect((await patch({ name: 'cached?', tags: ['fresh'], starred: true })).status).toBe(200);
    const named = (await listing()).runs.find((r) => r.id === run.id);
    expect(named).toMatchObject({ name: 'cached?', tags: ['fresh'], starred: true });
    expect((await listing('?tag=fresh')).runs.map((r) => r.id)).toEqual([run.id]);
    expect((await patch({ name: null, tags: [], starred: false })).status).toBe(200);
    expect((await listing()).runs.find((r) => r.id === run.id)).toMatchObject({ name: null, tags: [], starred: false });
    expect((await listing('?tag=fresh')).runs).toEqual([]);
  });

  it('sees direct writes to a run, its summary and its source, and a deleted run', async () => {
    const all = await listing();
    const run = runByFile(all, 'sample_task3_ratio50_final_only');
    await pool.query(`UPDATE "Run" SET "taskName" = 'renamed task' WHERE id = $1`, [run.id]);
    expect((await listing()).runs.find((r) => r.id === run.id)?.taskName).toBe('renamed task');

    await pool.query(`UPDATE "RunSummary" SET "finalGap" = 9.5, view = jsonb_set(view, '{finalGap}', '9.5') WHERE "runId" = $1`, [run.id]);
    expect((await listing()).runs.find((r) => r.id === run.id)?.finalGap).toBe(9.5);

    await pool.query(`UPDATE "LogSource" SET host = 'elsewhere' WHERE id = $1`, [run.source.id]);
    expect((await listing()).runs.find((r) => r.id === run.id)?.source.host).toBe('elsewhere');

    const [gone] = all.runs.filter((r) => r.id !== run.id).slice(-1);
    await pool.query(`DELETE FROM "Run" WHERE id = $1`, [gone!.id]);
    const left = await listing();
    expect(left.runs.map((r) => r.id)).not.toContain(gone!.id);
    expect(left.total).toBe(all.total - 1);
  });
});
