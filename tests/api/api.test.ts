// Every API endpoint against the real server (`thaw start`: Next + ingest daemon) on a real database
// filled by the real parser from the sample logs, plus a synthetic 2-stage chain with 20k steps per
// run for sizes the samples lack. No mocks: what the browser gets is what is checked.
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overfittingVerdict, strategyIdentity } from '../../lib/analysis';
import { parseCsv } from '../../lib/api/respond';
import type { CompareResponse } from '../../lib/api/schemas/compare';
import type { LogTail, RunDetail } from '../../lib/api/schemas/run';
import type { RunsResponse } from '../../lib/api/schemas/runs';
import type { SeriesResponse } from '../../lib/api/schemas/series';
import type { StrategiesResponse } from '../../lib/api/schemas/strategies';
import type { TasksResponse } from '../../lib/api/schemas/tasks';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { SAMPLES_DIR, tempDir, waitFor } from '../helpers/ingest';
import { copySamples } from '../../testkit/samples';
import { expectedRun, seedLongChain } from '../web/fixtures';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let chain: number[];
const sampleIds: Record<string, number> = {};

async function get(pathAndQuery: string, init?: RequestInit): Promise<Response> {
  return fetch(`${server.url}${pathAndQuery}`, init);
}
async function json<T>(pathAndQuery: string): Promise<T> {
  const response = await get(pathAndQuery);
  expect(response.status, `${pathAndQuery}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}
async function expectBadRequest(pathAndQuery: string, parameter: string): Promise<void> {
  const response = await get(pathAndQuery);
  expect(response.status, pathAndQuery).toBe(400);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('bad_request');
  expect(body.error.message).toMatch(new RegExp(`^${parameter}: expected `, 'm'));
}
/** The value, asserted to be there (a find() that matched, a field that is set). */
function present<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what} to be present`);
  return value;
}
const num = (value: string | null | undefined) => (value === null || value === undefined ? null : Number(value));

beforeAll(async () => {
  database = await createTestDatabase('api');
  logs = await tempDir('thaw-api-logs-');
  await copySamples(logs.dir);
  chain = await seedLongChain(database.url, 20_000);
  server = await startThaw({ databaseUrl: database.url, logs: logs.dir });
  await waitFor(async () => ((await (await get('/api/runs')).json()) as { runs: unknown[] }).runs.length === 5, {
    timeoutMs: 30_000,
    what: 'the sample runs',
  });
  const { runs } = await json<{ runs: { id: number; source: { path: string } }[] }>('/api/runs');
  for (const run of runs) sampleIds[path.basename(run.source.path, '.log')] = run.id;
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await logs?.cleanup();
  await database?.drop();
});

describe('GET /api/runs', () => {
  it('lists every run with the documented fields, strategy labels and verdicts that match lib/analysis', async () => {
    const { runs } = await json<RunsResponse>('/api/runs');
    expect(runs).toHaveLength(5);
    for (const name of ['sample_task1_unfreeze8_overfit', 'sample_task2_unfreeze4_buffered', 'sample_task3_ratio50_final_only'] as const) {
      const expected = await expectedRun(name);
      const row = runs.find((r) => r.id === sampleIds[name]);
      expect(row, name).toBeDefined();
      const identity = strategyIdentity(expected.strategy);
      const verdict = overfittingVerdict({ ...expected, taskId: expected.taskId, format: 'smolvla_sequential' });
      expect(row).toMatchObject({
        taskId: expected.taskId,
        taskName: expected.taskName,
        status: expected.status,
        strategy: {
          key: identity.key,
          label: identity.label,
          totalLayers: 12,
          frozen: identity.frozen,
          unfrozen: identity.unfrozen,
          applied: true,
          kind: expected.strategy.kind,
        },
        epochsDone: expected.epochs.length,
        verdict: { status: verdict.verdict, reason: verdict.reason, bestEpoch: verdict.bestEpoch },
      });
      for (const key of ['id', 'epochsTotal', 'lastTrainLoss', 'bestVal', 'startedAt', 'lastSeenAt', 'source'])
        expect(row).toHaveProperty(key);
    }
    const overfit = present(runs.find((r) => r.id === sampleIds.sample_task1_unfreeze8_overfit));
    expect(overfit.strategy.label).toBe('unfreeze 8/12 · L4–L11');
    expect(overfit.verdict.status).toBe('overfitting');
    expect(overfit.bestVal).toEqual({ loss: 0.1098, epoch: 20, final: false });
    expect(present(runs.find((r) => r.id === sampleIds.sample_task3_ratio50_final_only)).strategy.label).toBe('unfreeze 6/12 · L6–L11');
  });

  it('filters by task, strategy, status, verdict, text and ids, and sorts', async () => {
    const byTask = await json<RunsResponse>('/api/runs?task=1');
    expect(byTask.runs.map((r) => r.taskId)).toEqual([1, 1]);
    const key = encodeURIComponent('12:4-11');
    expect((await json<RunsResponse>(`/api/runs?strategy=${key}`)).runs.map((r) => r.id)).toEqual([
      sampleIds.sample_task1_unfreeze8_overfit,
    ]);
    expect((await json<RunsResponse>('/api/runs?verdict=overfitting&task=1')).runs.map((r) => r.id)).toContain(
      sampleIds.sample_task1_unfreeze8_overfit,
    );
    expect((await json<RunsResponse>('/api/runs?verdict=insufficient')).runs.map((r) => r.id)).toEqual([
      sampleIds.sample_task3_ratio50_final_only,
    ]);
    expect((await json<RunsResponse>('/api/runs?status=running')).runs).toEqual([]);
    expect((await json<RunsResponse>('/api/runs?q=WEIGHING')).runs.every((r) => r.taskName === 'weighing')).toBe(true);
    expect((await json<RunsResponse>(`/api/runs?ids=${chain.join(',')}`)).runs.map((r) => r.id).sort()).toEqual([...chain].sort());
    const sorted = (await json<RunsResponse>('/api/runs?sort=bestVal&dir=asc')).runs.map((r) => r.bestVal?.loss ?? Infinity);
    expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
  });

  it('rejects bad parameters with 400 naming the parameter', async () => {
    await expectBadRequest('/api/runs?task=abc', 'task');
    await expectBadRequest('/api/runs?status=sleeping', 'status');
    await expectBadRequest('/api/runs?verdict=great', 'verdict');
    await expectBadRequest('/api/runs?sort=colour', 'sort');
    await expectBadRequest('/api/runs?dir=up', 'dir');
    await expectBadRequest('/api/runs?format=xml', 'format');
  });

  it('exports the table as CSV that round-trips to the JSON', async () => {
    const { runs } = await json<RunsResponse>('/api/runs?sort=id&dir=asc');
    const response = await get('/api/runs?sort=id&dir=asc&format=csv');
    expect(response.headers.get('content-type')).toMatch(/text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="thaw-runs.csv"/);
    const rows = parseCsv(await response.text());
    expect(rows.map((r) => Number(r.id))).toEqual(runs.map((r) => r.id));
    rows.forEach((row, i) => {
      const run = present(runs[i]);
      expect(row.strategyLabel).toBe(run.strategy.label);
      expect(row.verdict).toBe(run.verdict.status);
      expect(row.verdictReason).toBe(run.verdict.reason);
      expect(num(row.bestValLoss)).toBe(run.bestVal?.loss ?? null);
      expect(num(row.lastTrainLoss)).toBe(run.lastTrainLoss);
      expect(num(row.epochsDone)).toBe(run.epochsDone);
    });
  });
});

describe('GET /api/runs/[id]', () => {
  it('returns the header, the verdict reason and the checkpoint advice', async () => {
    const id = sampleIds.sample_task1_unfreeze8_overfit!;
    const detail = await json<RunDetail>(`/api/runs/${id}`);
    const expected = await expectedRun('sample_task1_unfreeze8_overfit');
    expect(detail.run).toMatchObject({
      id,
      taskId: 1,
      taskName: 'moving_grasp',
      outputDir: expected.outputDir,
      loadedFrom: 'pretrained',
      config: { epochsTotal: 50, batchSize: 64, stepsPerEpoch: 40 },
      params: { total: 450046176, trainable: 358709472 },
    });
    expect(detail.verdict.reason).toBe(overfittingVerdict({ ...expected, format: 'smolvla_sequential' }).reason);
    expect(detail.verdict.overfitStartEpoch).toBe(21);
    expect(detail.advice.text).toContain('validation was best at epoch 20');
    expect(detail.advice.nearest?.label).toBe('epoch20');
    expect(detail.validation.taskIds).toEqual([1]);
    expect(detail.validation.rows.filter((r) => !r.final)).toHaveLength(50);
    expect(detail.events.some((e) => e.kind === 'completed')).toBe(true);
    expect(Array.isArray(detail.warnings)).toBe(true);
  });

  it('answers 400 for a bad id and 404 for a missing run, as JSON errors', async () => {
    await expectBadRequest('/api/runs/abc', 'id');
    await expectBadRequest('/api/runs/-3/series', 'id');
    const missing = await get('/api/runs/987654');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'run 987654 does not exist' } });
  });

  it('exports the validation table as CSV that matches the JSON', async () => {
    const id = sampleIds.sample_task2_unfreeze4_buffered!;
    const detail = await json<RunDetail>(`/api/runs/${id}`);
    const rows = parseCsv(await (await get(`/api/runs/${id}?format=csv`)).text());
    const flat = detail.validation.rows.flatMap((r) =>
      detail.validation.taskIds.map((t: number, i: number) => ({ epoch: r.epoch, final: r.final, taskId: t, loss: r.losses[i] })),
    );
    expect(rows.map((r) => ({ epoch: Number(r.epoch), final: r.final === 'true', taskId: Number(r.taskId), loss: num(r.loss) }))).toEqual(
      flat,
    );
  });

  it('serves the last lines of the raw log, from the file the database knows', async () => {
    const id = sampleIds.sample_task1_unfreeze8_overfit!;
    const tail = await json<LogTail>(`/api/runs/${id}/log?lines=5`);
    const file = (await readFile(path.join(SAMPLES_DIR, 'sample_task1_unfreeze8_overfit.log'), 'utf8')).split('\n').filter((l) => l !== '');
    expect(tail.lines).toHaveLength(5);
    expect(tail.lines[4]).toBe(file[file.length - 1]!.split('\r').pop());
    expect([tail.consoleLog, tail.note]).toEqual([true, null]);
    await expectBadRequest(`/api/runs/${id}/log?lines=0`, 'lines');
  });

  it('a console log that is not on this host: a console-log run, and the note says what is wrong', async () => {
    // the seeded chain's log files (/synthetic/api-test…) exist nowhere
    const tail = await json<LogTail>(`/api/runs/${chain[0]!}/log?lines=5`);
    expect(tail.consoleLog).toBe(true);
    expect(tail.lines).toEqual([]);
    expect(tail.note).toMatch(/^the log file cannot be read here \(ENOENT\)/);
  });
});

describe('GET /api/runs/[id]/series', () => {
  it('returns each metric; step series never exceed `points` and keep the extremes', async () => {
    const id = chain[0]!;
    const [{ min, max }] = (await database.query<{ min: number; max: number }>(
      `SELECT min(loss) AS min, max(loss) AS max FROM "StepPoint" WHERE "runId" = $1`,
      [id],
    )) as [{ min: number; max: number }];
    for (const points of [50, 1000]) {
      const step = await json<SeriesResponse>(`/api/runs/${id}/series?metric=step&points=${points}&smooth=0.8`);
      const series = present(step.series[0]);
      expect(series.points.length).toBeLessThanOrEqual(points);
      expect(present(series.smoothed).length).toBeLessThanOrEqual(points);
      const ys = series.points.map((p) => p[1] ?? NaN);
      // Values are rounded to 7 significant digits on the way out (the log itself prints 4 decimals).
      expect(Math.abs(Math.min(...ys) - min) / min).toBeLessThan(1e-6);
      expect(Math.abs(Math.max(...ys) - max) / max).toBeLessThan(1e-6);
      const xs = series.points.map((p) => p[0]);
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
    }
    const train = await json<SeriesResponse>(`/api/runs/${id}/series?metric=train&smooth=0`);
    expect(train.series[0]!.points).toHaveLength(20);
    expect(train.series[0]!.smoothed).toBeNull();
    expect(train.series[0]!.epochs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const val = await json<SeriesResponse>(`/api/runs/${chain[1]}/series?metric=val`);
    expect(val.series.map((s) => s.key)).toEqual(['val-task1', 'final-task1', 'val-task2', 'final-task2']);
    const lr = await json<SeriesResponse>(`/api/runs/${id}/series?metric=lr`);
    expect(lr.series[0]!.points.length).toBe(20);
  });

  it('places points on the step and wall-time axes', async () => {
    const id = chain[0]!;
    const byStep = await json<SeriesResponse>(`/api/runs/${id}/series?metric=train&x=step&smooth=0`);
    expect(byStep.series[0]!.points.map((p) => p[0])).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 1000));
    const byTime = await json<SeriesResponse>(`/api/runs/${id}/series?metric=train&x=time&smooth=0`);
    // Synthetic steps take 0.2 s each, 1000 per epoch: epoch e ends at 200·e seconds of training.
    expect(byTime.series[0]!.points.map((p) => p[0])).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 200));
  });

  it('rejects bad parameters', async () => {
    const id = chain[0]!;
    await expectBadRequest(`/api/runs/${id}/series?metric=accuracy`, 'metric');
    await expectBadRequest(`/api/runs/${id}/series?points=3`, 'points');
    await expectBadRequest(`/api/runs/${id}/series?points=10001`, 'points');
    await expectBadRequest(`/api/runs/${id}/series?points=12.5`, 'points');
    await expectBadRequest(`/api/runs/${id}/series?smooth=1`, 'smooth');
    await expectBadRequest(`/api/runs/${id}/series?smooth=-0.1`, 'smooth');
    await expectBadRequest(`/api/runs/${id}/series?x=wall`, 'x');
  });

  it('exports a series as CSV that round-trips to the JSON', async () => {
    const id = chain[0]!;
    const query = `metric=step&points=200&smooth=0.5`;
    const data = await json<SeriesResponse>(`/api/runs/${id}/series?${query}`);
    const rows = parseCsv(await (await get(`/api/runs/${id}/series?${query}&format=csv`)).text());
    const raw = rows.filter((r) => r.kind === 'raw').map((r) => [Number(r.x), num(r.y)]);
    const smoothed = rows.filter((r) => r.kind === 'smoothed').map((r) => [Number(r.x), num(r.y)]);
    expect(raw).toEqual(data.series[0]!.points);
    expect(smoothed).toEqual(data.series[0]!.smoothed);
  });
});

describe('GET /api/compare', () => {
  it('groups by strategy with mean line and min–max band, within the point budget', async () => {
    const data = await json<CompareResponse>(`/api/compare?runs=${Object.values(sampleIds).join(',')}&mode=group&smooth=0`);
    expect(data.strategies.map((s) => s.label)).toEqual(['unfreeze 4/12 · L8–L11', 'unfreeze 6/12 · L6–L11', 'unfreeze 8/12 · L4–L11']);
    const kinds = data.series.map((s) => `${s.kind}:${s.strategyKey}`);
    expect(kinds).toContain('train:12:4-11');
    expect(kinds).toContain('val:12:4-11');
    expect(data.summary.find((s) => s.strategyKey === '12:4-11')).toMatchObject({
      n: 1,
      bestVal: { mean: 0.1098 },
      bestValEpoch: 20,
      verdicts: { overfitting: 1 },
    });
    expect(data.markers).toContainEqual(expect.objectContaining({ kind: 'best', strategyKey: '12:4-11', epoch: 20, x: 20, y: 0.1098 }));
    expect(data.markers).toContainEqual(expect.objectContaining({ kind: 'overfit', strategyKey: '12:4-11', epoch: 21 }));
    // The final-only run still shows its validation.
    expect(present(data.series.find((s) => s.id === 'val-12:6-11')).points.length).toBeGreaterThan(0);
  });

  it('draws individual runs on the step axis from per-step losses, never above `points`', async () => {
    const data = await json<CompareResponse>(`/api/compare?runs=${chain.join(',')}&mode=runs&x=step&points=200&smooth=0.6`);
    const train = data.series.filter((s) => s.kind === 'train');
    expect(train).toHaveLength(2);
    for (const s of data.series) {
      expect(s.points.length).toBeLessThanOrEqual(200);
      expect(present(s.smoothed).length).toBeLessThanOrEqual(200);
    }
    // Per-step (not per-epoch) data: far more than 20 points, spanning the 20,000 steps.
    expect(present(train[0]).points.length).toBeGreaterThan(100);
    expect(present(present(train[0]).points.at(-1))[0]).toBe(20_000);
    const group = await json<CompareResponse>(`/api/compare?runs=${chain.join(',')}&x=time&points=300`);
    for (const s of group.series) if (s.band) expect(s.band.length).toBeLessThanOrEqual(300);
  });

  it('reports forgetting of sequential chains in the summary', async () => {
    const data = await json<CompareResponse>(`/api/compare?runs=${chain.join(',')}`);
    const [{ final1, best1 }] = (await database.query<{ final1: number; best1: number }>(
      `SELECT (SELECT loss FROM "Validation" WHERE "runId" = $2 AND final AND "taskId" = 1) AS final1,
              (SELECT loss FROM "Validation" WHERE "runId" = $1 AND final AND "taskId" = 1) AS best1`,
      chain,
    )) as [{ final1: number; best1: number }];
    // Grouped by task × strategy: the chain's second stage (task 2) carries the forgetting of task 1.
    const summary = present(data.summary.find((s) => s.taskId === 2));
    expect(summary.forgetting.count).toBe(1);
    expect(summary.forgetting.mean).toBeCloseTo(final1 - best1, 12);
  });

  it('rejects bad parameters and exports series and summary as CSV', async () => {
    await expectBadRequest('/api/compare?mode=stack', 'mode');
    await expectBadRequest('/api/compare?x=hours', 'x');
    await expectBadRequest('/api/compare?log=maybe', 'log');
    await expectBadRequest('/api/compare?runs=1,x', 'runs');
    await expectBadRequest('/api/compare?table=everything', 'table');
    const query = `runs=${Object.values(sampleIds).join(',')}&smooth=0.3`;
    const data = await json<CompareResponse>(`/api/compare?${query}`);
    const series = parseCsv(await (await get(`/api/compare?${query}&format=csv&table=series`)).text());
    for (const s of data.series) {
      const mine = series.filter((r) => r.series === s.id);
      expect(mine.filter((r) => r.line === 'raw').map((r) => [Number(r.x), num(r.y)])).toEqual(s.points);
      expect(mine.filter((r) => r.line === 'smoothed').map((r) => [Number(r.x), num(r.y)])).toEqual(s.smoothed ?? []);
    }
    const summary = parseCsv(await (await get(`/api/compare?${query}&format=csv&table=summary`)).text());
    expect(summary.map((r) => [r.strategy, Number(r.n), num(r.bestValMean)])).toEqual(
      data.summary.map((s) => [s.strategyKey, s.n, s.bestVal.mean]),
    );
  });
});

describe('GET /api/tasks', () => {
  it('builds the stage × task matrix of a sequential chain with forgetting and BWT', async () => {
    const data = await json<TasksResponse>('/api/tasks');
    const sequential = present(data.chains.find((c) => c.kind === 'forgetting'));
    expect(sequential.stages.map((s) => s.runId)).toEqual(chain);
    expect(sequential.taskIds).toEqual([1, 2]);
    const finals = await database.query<{ runId: number; taskId: number; loss: number }>(
      `SELECT "runId", "taskId", loss FROM "Validation" WHERE final AND "runId" = ANY($1::int[])`,
      [chain],
    );
    const at = (runId: number, taskId: number) => finals.find((f) => f.runId === runId && f.taskId === taskId)?.loss ?? null;
    expect(sequential.cells.map((row) => row.map((c) => c.value))).toEqual([
      [at(chain[0]!, 1), null],
      [at(chain[1]!, 1), at(chain[1]!, 2)],
    ]);
    expect(present(sequential.perTask[0]).forgetting).toBeCloseTo(at(chain[1]!, 1)! - at(chain[0]!, 1)!, 12);
    expect(sequential.bwt).toBeCloseTo(present(present(sequential.perTask[0]).backwardTransfer), 12);
    expect(sequential.cells[1]?.[1]?.trained).toBe(true);
    // Sample 1 trained from the pretrained model: a zero-shot matrix, not forgetting.
    expect(data.chains.filter((c) => c.kind === 'zero_shot_transfer').length).toBeGreaterThanOrEqual(1);
    // Samples 2 and 3 loaded task checkpoints (run_x/best) whose logs Thaw never saw: each is the last
    // row of a forgetting matrix whose earlier rows are missing, never "zero-shot".
    const orphans = data.chains.filter((c) => c.id.startsWith('orphan-'));
    expect(orphans.map((c) => [c.kind, c.stages.length, c.taskIds])).toEqual(
      expect.arrayContaining([
        ['forgetting', 1, [1, 2]],
        ['forgetting', 1, [1, 2, 3]],
      ]),
    );
    for (const orphan of orphans) expect(orphan.note).toMatch(/has not seen the log of the run that saved it/);
    expect(data.thresholds).toEqual({ retained: 0.7, slightDegradation: 1 });
  });

  it('exports the matrix as CSV that matches the JSON', async () => {
    const data = await json<TasksResponse>('/api/tasks');
    const rows = parseCsv(await (await get('/api/tasks?format=csv')).text());
    const fromJson = data.chains.flatMap((c) =>
      c.stages.flatMap((s, k) => c.taskIds.map((t, j) => [c.id, s.runId, t, c.cells[k]?.[j]?.value])),
    );
    expect(rows.map((r) => [r.chain, Number(r.runId), Number(r.task), num(r.loss)])).toEqual(fromJson);
    await expectBadRequest('/api/tasks?format=pdf', 'format');
  });
});

describe('GET /api/strategies', () => {
  it('ranks strategies per task next to the heuristic table, estimating episodes when asked', async () => {
    const data = await json<StrategiesResponse>('/api/strategies');
    expect(data.heuristicTable).toHaveLength(6);
    expect(data.heuristicTable.find((r) => r.isDefault)).toMatchObject({ minLayers: 9, maxLayers: 9 });
    const task1 = data.recommendations.filter((r) => r.taskId === 1);
    expect(task1.length).toBeGreaterThan(0);
    const withFrames = await json<StrategiesResponse>('/api/strategies?fpe=2');
    const sample1 = present(
      withFrames.recommendations.find((r) => r.ranking.some((x) => x.runIds.includes(present(sampleIds.sample_task1_unfreeze8_overfit)))),
    );
    expect(sample1.episodes).toBe(Math.round(present(sample1.datasetFrames) / 2));
    expect(sample1.episodesSource).toBe('estimated');
    await expectBadRequest('/api/strategies?fpe=-1', 'fpe');
    const rows = parseCsv(await (await get('/api/strategies?format=csv')).text());
    expect(rows).toHaveLength(data.recommendations.reduce((n, r) => n + r.ranking.length, 0));
  });
});

describe('GET /api/live', () => {
  it('streams a change event with the run id when a watched log grows', async () => {
    const controller = new AbortController();
    const response = await get('/api/live', { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      const deadline = Date.now() + 15_000;
      while (!pattern.test(text)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
    };
    try {
      await readUntil(/event: ready\ndata: \{"listening":true\}/);
      const file = path.join(logs.dir, 'sample_task2_unfreeze4_buffered.log');
      await appendFile(file, 'Epoch 31 Average Loss: 0.0199\n');
      await readUntil(/event: change\ndata: (.*)\n/);
      const change: unknown = JSON.parse(/event: change\ndata: (.*)\n/.exec(text)![1]!);
      expect(change).toEqual({ kind: 'runs', runIds: [sampleIds.sample_task2_unfreeze4_buffered] });
      await waitFor(
        async () => (await json<RunsResponse>(`/api/runs?ids=${sampleIds.sample_task2_unfreeze4_buffered}`)).runs[0]?.epochsDone === 31,
        {
          what: 'epoch 31',
        },
      );
    } finally {
      controller.abort();
    }
  });
});
