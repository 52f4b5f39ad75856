// Annotations over real HTTP (`thaw start` on a real database): PATCH /api/runs/[id], the bulk
// POST /api/runs/annotations and PUT /api/tasks/[id] — validation, unknown ids, what /api/runs, the run
// detail, the exports, compare and strategies then say — and annotations surviving a re-ingest of the
// same logs into fresh rows.
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../lib/api/respond';
import type { RunAnnotationResponse, TaskEpisodes } from '../../lib/api/schemas/annotations';
import type { CompareResponse } from '../../lib/api/schemas/compare';
import type { RunDetail } from '../../lib/api/schemas/run';
import type { RunRow, RunsResponse } from '../../lib/api/schemas/runs';
import type { StrategiesResponse } from '../../lib/api/schemas/strategies';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { SAMPLES_DIR, SAMPLE_NAMES, backfillInto, tempDir } from '../helpers/ingest';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let empty: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let files: string[];

const LEROBOT = path.resolve(import.meta.dirname, '../fixtures/lerobot/a_2024_ts_train192.log');

async function send(method: string, pathAndQuery: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${pathAndQuery}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
async function json<T>(pathAndQuery: string): Promise<T> {
  const response = await fetch(`${server.url}${pathAndQuery}`);
  expect(response.status, `${pathAndQuery}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}
async function patch(id: number, body: unknown): Promise<RunAnnotationResponse> {
  const response = await send('PATCH', `/api/runs/${id}`, body);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as RunAnnotationResponse;
}
async function expectError(response: Response, status: number, pattern: RegExp): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body.error.message).toMatch(pattern);
}
/** Runs by the basename of their log. */
async function runsByFile(query = 'hidden=include'): Promise<Map<string, RunRow>> {
  const { runs } = await json<RunsResponse>(`/api/runs?${query}`);
  return new Map(runs.map((run) => [path.basename(run.source.path, '.log'), run]));
}
function present<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what} to be present`);
  return value;
}

beforeAll(async () => {
  database = await createTestDatabase('annotations');
  logs = await tempDir('thaw-annotations-logs-');
  empty = await tempDir('thaw-annotations-watched-');
  files = [...SAMPLE_NAMES.map((name) => path.join(logs.dir, `${name}.log`)), path.join(logs.dir, 'lerobot.log')];
  for (const name of SAMPLE_NAMES) await copyFile(path.join(SAMPLES_DIR, `${name}.log`), path.join(logs.dir, `${name}.log`));
  await copyFile(LEROBOT, path.join(logs.dir, 'lerobot.log'));
  // The logs are ingested by the test (backfill), so it can wipe the rows and ingest them again.
  await backfillInto(database.url, files);
  server = await startThaw({ databaseUrl: database.url, logs: empty.dir });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await logs?.cleanup();
  await empty?.cleanup();
  await database?.drop();
});

describe('PATCH /api/runs/[id]', () => {
  it('sets name, tags, note, star and hidden, and every listing carries them', async () => {
    const byFile = await runsByFile();
    expect(byFile.size).toBe(4);
    for (const run of byFile.values()) expect(run).toMatchObject({ name: null, tags: [], note: null, starred: false, hidden: false });
    const task1 = present(byFile.get('sample_task1_unfreeze8_overfit'));
    const result = await patch(task1.id, {
      name: '  Unfreeze 8, overfits  ',
      tags: ['Baseline', ' baseline ', 'needs   review', 'GPU-A100'],
      note: 'Validation turns at epoch 14.\nUse best_model.',
      starred: true,
    });
    expect(result).toEqual({
      id: task1.id,
      name: 'Unfreeze 8, overfits',
      tags: ['baseline', 'needs review', 'gpu-a100'],
      note: 'Validation turns at epoch 14.\nUse best_model.',
      starred: true,
      hidden: false,
    });
    // A partial patch leaves the other fields alone; an empty name clears it.
    expect(await patch(task1.id, { name: '' })).toMatchObject({
      name: null,
      tags: ['baseline', 'needs review', 'gpu-a100'],
      starred: true,
    });
    await patch(task1.id, { name: 'Unfreeze 8, overfits' });

    const row = present((await runsByFile()).get('sample_task1_unfreeze8_overfit'));
    expect(row).toMatchObject({
      name: 'Unfreeze 8, overfits',
      tags: ['baseline', 'needs review', 'gpu-a100'],
      starred: true,
      hidden: false,
    });
    const detail = await json<RunDetail>(`/api/runs/${task1.id}`);
    expect(detail.run).toMatchObject({
      name: 'Unfreeze 8, overfits',
      tags: ['baseline', 'needs review', 'gpu-a100'],
      starred: true,
      hidden: false,
    });
    expect(detail.run.note).toContain('epoch 14');

    // Exports: CSV and JSON carry the five fields.
    const csv = parseCsv(await (await fetch(`${server.url}/api/runs?format=csv`)).text());
    const csvRow = present(csv.find((r) => r['id'] === String(task1.id)));
    expect(csvRow).toMatchObject({
      name: 'Unfreeze 8, overfits',
      tags: 'baseline, needs review, gpu-a100',
      starred: 'true',
      hidden: 'false',
    });
    expect(csvRow['note']).toContain('epoch 14');
    const compare = await json<CompareResponse>(`/api/compare?runs=${task1.id}`);
    expect(compare.runs[0]).toMatchObject({
      id: task1.id,
      name: 'Unfreeze 8, overfits',
      starred: true,
      tags: ['baseline', 'needs review', 'gpu-a100'],
    });
  });

  it('answers 400 naming the field for bad input, 404 for an unknown run', async () => {
    const id = present((await runsByFile()).get('sample_task2_unfreeze4_buffered')).id;
    const cases: [unknown, RegExp][] = [
      [{}, /at least one of name, tags, note, starred, hidden/],
      [{ stared: true }, /stared/],
      [{ starred: 'yes' }, /^starred: expected starred: true or false/],
      [{ hidden: 1 }, /^hidden: expected/],
      [{ tags: 'baseline' }, /^tags: expected a list of tags/],
      [{ tags: ['ok', ''] }, /^tags\.1: expected a non-empty tag/],
      [{ tags: ['a,b'] }, /^tags\.0: expected a tag without "," or "\|"/],
      [{ tags: ['x'.repeat(41)] }, /^tags\.0: expected a tag of at most 40 characters/],
      [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, /^tags: expected at most 20 tags/],
      [{ name: 'n'.repeat(121) }, /^name: expected a name of at most 120 characters/],
      [{ name: 42 }, /^name: expected a name \(a string\) or null/],
      [{ note: 'n'.repeat(10_001) }, /^note: expected a note of at most 10000 characters/],
      [[1, 2], /expected/],
      ['{"starred": tru', /^body: expected a JSON object/],
    ];
    for (const [body, pattern] of cases) await expectError(await send('PATCH', `/api/runs/${id}`, body), 400, pattern);
    // Nothing was written by the refused requests.
    expect(present((await runsByFile()).get('sample_task2_unfreeze4_buffered'))).toMatchObject({ tags: [], starred: false, name: null });
    await expectError(await send('PATCH', '/api/runs/999999', { starred: true }), 404, /run 999999 does not exist/);
    await expectError(await send('PATCH', '/api/runs/abc', { starred: true }), 400, /^id: expected a run id/);
  });
});

describe('filters and counts', () => {
  it('filters by tag, starred and hidden in SQL, with counts per value; hidden runs are left out unless asked', async () => {
    const byFile = await runsByFile();
    const task2 = present(byFile.get('sample_task2_unfreeze4_buffered'));
    const task3 = present(byFile.get('sample_task3_ratio50_final_only'));
    const lerobot = present(byFile.get('lerobot'));
    await patch(task2.id, { tags: ['baseline'] });
    await patch(lerobot.id, { hidden: true, tags: ['junk'] });

    const all = await json<RunsResponse>('/api/runs');
    expect(all.runs.map((r) => r.id)).not.toContain(lerobot.id);
    expect(all.total).toBe(3);
    expect(all.counts.hidden).toEqual([
      { value: true, count: 1 },
      { value: false, count: 3 },
    ]);
    expect(all.counts.starred).toEqual([
      { value: true, count: 1 },
      { value: false, count: 2 },
    ]);
    expect(all.counts.tag).toEqual([
      { value: 'baseline', count: 2 },
      { value: 'gpu-a100', count: 1 },
      { value: 'needs review', count: 1 },
    ]);

    const tagged = await json<RunsResponse>('/api/runs?tag=Baseline');
    expect(tagged.runs.map((r) => r.id).sort()).toEqual([present(byFile.get('sample_task1_unfreeze8_overfit')).id, task2.id].sort());
    // The tag facet ignores the tag filter; the others apply it.
    expect(tagged.counts.starred).toEqual([
      { value: true, count: 1 },
      { value: false, count: 1 },
    ]);
    expect(tagged.counts.tag.find((t) => t.value === 'needs review')?.count).toBe(1);

    const starred = await json<RunsResponse>('/api/runs?starred=1');
    expect(starred.runs.map((r) => r.name)).toEqual(['Unfreeze 8, overfits']);
    const unstarred = await json<RunsResponse>('/api/runs?starred=0');
    expect(unstarred.runs.map((r) => r.id).sort()).toEqual([task2.id, task3.id].sort());

    const included = await json<RunsResponse>('/api/runs?hidden=include');
    expect(included.total).toBe(4);
    const only = await json<RunsResponse>('/api/runs?hidden=only');
    expect(only.runs.map((r) => r.id)).toEqual([lerobot.id]);
    expect(only.runs[0]).toMatchObject({ hidden: true, tags: ['junk'] });
    const junk = await json<RunsResponse>('/api/runs?tag=junk');
    expect(junk.total).toBe(0);
    // Search reaches names and notes too.
    expect((await json<RunsResponse>('/api/runs?q=turns%20at%20epoch')).runs.map((r) => r.name)).toEqual(['Unfreeze 8, overfits']);

    // Compare and strategies leave hidden runs out unless asked; an explicit selection asks.
    const compare = await json<CompareResponse>('/api/compare');
    expect(compare.runs.map((r) => r.id)).not.toContain(lerobot.id);
    expect(compare.hiddenLeftOut).toBe(1);
    expect((await json<CompareResponse>('/api/compare?hidden=include')).runs.map((r) => r.id)).toContain(lerobot.id);
    expect((await json<CompareResponse>(`/api/compare?runs=${lerobot.id}`)).runs.map((r) => r.id)).toEqual([lerobot.id]);
    const strategies = await json<StrategiesResponse>('/api/strategies');
    const ids = (s: StrategiesResponse) => s.recommendations.flatMap((rec) => rec.ranking.flatMap((r) => r.runIds));
    expect(ids(strategies)).not.toContain(lerobot.id);
    expect(ids(await json<StrategiesResponse>('/api/strategies?hidden=include'))).toContain(lerobot.id);

    await expectError(await fetch(`${server.url}/api/runs?hidden=maybe`), 400, /^hidden: expected exclude, include or only/);
    await expectError(await fetch(`${server.url}/api/runs?starred=yes`), 400, /^starred: expected 0 or 1/);
  });

  it('applies bulk actions to every listed run in one request', async () => {
    const byFile = await runsByFile();
    const ids = [...byFile.values()].map((r) => r.id);
    const response = await send('POST', '/api/runs/annotations', { ids, addTags: ['Sweep-3'], removeTags: ['baseline'] });
    expect(response.status, await response.clone().text()).toBe(200);
    const { runs } = (await response.json()) as { runs: RunAnnotationResponse[] };
    expect(runs.map((r) => r.id)).toEqual(ids);
    for (const run of runs) {
      expect(run.tags).toContain('sweep-3');
      expect(run.tags).not.toContain('baseline');
    }
    const starred = (await (await send('POST', '/api/runs/annotations', { ids, starred: true })).json()) as {
      runs: RunAnnotationResponse[];
    };
    expect(starred.runs.every((r) => r.starred)).toBe(true);
    expect((await json<RunsResponse>('/api/runs?tag=sweep-3&starred=1')).total).toBe(3); // the hidden one stays out
    await send('POST', '/api/runs/annotations', { ids, starred: false, removeTags: ['sweep-3'] });
    await expectError(
      await send('POST', '/api/runs/annotations', { ids: [ids[0], 999999], starred: true }),
      404,
      /run 999999 does not exist/,
    );
    await expectError(await send('POST', '/api/runs/annotations', { ids: [], starred: true }), 400, /^ids: expected at least one run id/);
    await expectError(await send('POST', '/api/runs/annotations', { ids }), 400, /at least one of addTags, removeTags, starred, hidden/);
    // The refused 404 changed nothing (one transaction).
    expect((await json<RunsResponse>('/api/runs?starred=1')).total).toBe(0);
  });
});

describe('PUT /api/tasks/[id]', () => {
  it("sets a task's episodes, which place it in the rule-of-thumb table", async () => {
    const before = await json<StrategiesResponse>('/api/strategies');
    const task1 = present(before.recommendations.find((r) => r.taskId === 1));
    expect(task1.episodes).toBeNull();
    const response = await send('PUT', '/api/tasks/1', { episodes: 1200 });
    expect(response.status, await response.clone().text()).toBe(200);
    expect((await response.json()) as TaskEpisodes).toEqual({ taskId: 1, episodes: 1200 });
    const after = present((await json<StrategiesResponse>('/api/strategies')).recommendations.find((r) => r.taskId === 1));
    expect(after).toMatchObject({ episodes: 1200, episodesSource: 'task' });
    expect(after.heuristic?.minEpisodes).toBe(1000);
    // The task's own count wins over a frames-per-episode estimate.
    expect(
      present((await json<StrategiesResponse>('/api/strategies?fpe=100')).recommendations.find((r) => r.taskId === 1)).episodesSource,
    ).toBe('task');

    for (const [body, pattern] of [
      [{ episodes: 0 }, /^episodes: expected a whole number of episodes/],
      [{ episodes: 12.5 }, /^episodes: expected a whole number of episodes/],
      [{ episodes: '1200' }, /^episodes: expected a whole number of episodes/],
      [{}, /^episodes: expected/],
      [{ episodes: 5, frames: 3 }, /frames/],
    ] as const)
      await expectError(await send('PUT', '/api/tasks/1', body), 400, pattern);
    await expectError(await send('PUT', '/api/tasks/77', { episodes: 10 }), 404, /task 77 has no runs/);
    await expectError(await send('PUT', '/api/tasks/x', { episodes: 10 }), 400, /^id: expected a task id/);
  });
});

describe('re-ingest', () => {
  it('reattaches annotations when the same logs are ingested again into fresh rows', async () => {
    const before = await runsByFile();
    const task1 = present(before.get('sample_task1_unfreeze8_overfit'));
    const lerobot = present(before.get('lerobot'));
    await patch(task1.id, { tags: ['kept'], starred: true, note: 'survives' });
    // Wipe every row Thaw derived from the logs, and ingest the same files again.
    await database.query('DELETE FROM "LogSource"');
    expect(await database.query('SELECT id FROM "Run"')).toEqual([]);
    await backfillInto(database.url, files);
    const after = await runsByFile();
    const again = present(after.get('sample_task1_unfreeze8_overfit'));
    expect(again.id).not.toBe(task1.id);
    expect(again).toMatchObject({ name: 'Unfreeze 8, overfits', tags: ['kept'], note: 'survives', starred: true });
    // A log without a run directory is keyed by host + path + start offset: still the same run.
    const lerobotAgain = present(after.get('lerobot'));
    expect(lerobotAgain.id).not.toBe(lerobot.id);
    expect(lerobotAgain).toMatchObject({ hidden: true, tags: ['junk'] });
    expect((await json<RunDetail>(`/api/runs/${again.id}`)).run.note).toBe('survives');
    // The task's episodes are keyed by task id: still there.
    expect(present((await json<StrategiesResponse>('/api/strategies')).recommendations.find((r) => r.taskId === 1)).episodes).toBe(1200);
  });
});
