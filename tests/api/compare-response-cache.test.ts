// GET /api/compare keeps the validated body of a view and serves it again while the rows it is made of
// are unchanged (versionedJsonOut keyed by compareVersion). Each way the data changes must give a fresh
// answer: ingest appending to a log, an annotation, a direct write to a run, a deleted run.
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareResponse } from '../../lib/api/schemas/compare';
import type { RunsResponse } from '../../lib/api/schemas/runs';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { tempDir, waitFor } from '../helpers/ingest';
import { copySamples } from '../../testkit/samples';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let pool: pg.Pool;
let ids: Record<string, number> = {};
let query = '';

async function body(pathAndQuery: string): Promise<string> {
  const response = await fetch(`${server.url}${pathAndQuery}`);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  return text;
}
const compare = async (extra = '') => JSON.parse(await body(`/api/compare?${query}${extra}`)) as CompareResponse;
/** The last x of a run's training curve (one curve per run, epoch axis). */
const lastTrainX = (view: CompareResponse, id: number) => view.series.find((s) => s.id === `train-run${id}`)?.points.at(-1)?.[0];

beforeAll(async () => {
  database = await createTestDatabase('compare_cache');
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  logs = await tempDir('thaw-compare-cache-logs-');
  await copySamples(logs.dir);
  server = await startThaw({ databaseUrl: database.url, logs: logs.dir });
  await waitFor(async () => (JSON.parse(await body('/api/runs')) as RunsResponse).runs.length === 3, {
    timeoutMs: 30_000,
    what: 'the sample runs',
  });
  const { runs } = JSON.parse(await body('/api/runs')) as RunsResponse;
  ids = Object.fromEntries(runs.map((r) => [path.basename(r.source.path, '.log'), r.id]));
  query = `runs=${Object.values(ids).join(',')}&mode=runs`;
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await pool?.end();
  await logs?.cleanup();
  await database?.drop();
});

describe('GET /api/compare over unchanged and changed rows', () => {
  it('answers the same body again while nothing changed, per query', async () => {
    const first = await body(`/api/compare?${query}`);
    expect(await body(`/api/compare?${query}`)).toBe(first);
    const grouped = await body(`/api/compare?${query.replace('&mode=runs', '')}`);
    expect(grouped).not.toBe(first);
    expect(await body(`/api/compare?${query}`)).toBe(first);
  });

  it('sees what ingest wrote: a log that grew', async () => {
    const id = ids.sample_task2_unfreeze4_buffered!;
    const before = await compare();
    const last = lastTrainX(before, id)!;
    await appendFile(path.join(logs.dir, 'sample_task2_unfreeze4_buffered.log'), `Epoch ${last + 1} Average Loss: 0.0199\n`);
    await waitFor(async () => lastTrainX(await compare(), id) === last + 1, { what: 'the new epoch in the compare view' });
    expect((await compare()).series.find((s) => s.id === `train-run${id}`)?.points.at(-1)).toEqual([last + 1, 0.0199]);
  });

  it('sees an annotation', async () => {
    const id = ids.sample_task1_unfreeze8_overfit!;
    const response = await fetch(`${server.url}/api/runs/${id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'renamed in compare' }),
    });
    expect(response.status).toBe(200);
    expect((await compare()).runs.find((r) => r.id === id)?.name).toBe('renamed in compare');
  });

  it('sees direct writes to a run, and a deleted run', async () => {
    const id = ids.sample_task3_ratio50_final_only!;
    const before = await compare();
    expect(before.configDiff.rows.some((r) => r.key === 'run.batchSize' && r.values.includes('977'))).toBe(false);
    await pool.query(`UPDATE "Run" SET "batchSize" = 977 WHERE id = $1`, [id]);
    const after = await compare();
    expect(after.configDiff.rows.find((r) => r.key === 'run.batchSize')?.values).toContain('977');

    await pool.query(`DELETE FROM "Run" WHERE id = $1`, [id]);
    const gone = await compare();
    expect(gone.runs.map((r) => r.id)).not.toContain(id);
    expect(gone.notes).toContain(`run ${id} not found`);
  });
});
