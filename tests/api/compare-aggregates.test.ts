// GET /api/compare on a realistic mix: four tasks, validation every epoch next to every
// second epoch, runs of different lengths, two dataset sizes of one task. Ingested from real logs by the
// real `thaw start`; the expectations are computed here, independently, from the database rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { parseCsv } from '../../lib/api/respond';
import type { compareResponse } from '../../lib/api/schemas/compare';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { tempDir, waitFor } from '../helpers/ingest';
import { mixedCounts, writeMixedLogs } from '../web/mixed';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';

type Compare = z.infer<typeof compareResponse>;
type Series = Compare['series'][number];

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let runCount: number;

async function get(pathAndQuery: string): Promise<Response> {
  return fetch(`${server.url}${pathAndQuery}`);
}
async function compare(query: string): Promise<Compare> {
  const response = await get(`/api/compare?${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Compare;
}

/** Linear interpolation of a run's own points at x; null outside [first, last] (no extrapolation). */
function interpolate(points: readonly [number, number][], x: number): number | null {
  if (points.length === 0 || x < points[0]![0] || x > points[points.length - 1]![0]) return null;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    if (x1 === x) return y1;
    const next = points[i + 1];
    if (next && x1 < x && x < next[0]) return y1 + ((next[1] - y1) * (x - x1)) / (next[0] - x1);
  }
  return null;
}

/** Per run: own-task per-epoch validation and train loss by epoch, from the database. */
async function curves(runIds: readonly number[]): Promise<Map<number, { val: [number, number][]; train: [number, number][] }>> {
  const val = await database.query<{ runId: number; epoch: number; loss: number }>(
    `SELECT v."runId", v.epoch, v.loss FROM "Validation" v JOIN "Run" r ON r.id = v."runId"
      WHERE v."runId" = ANY($1::int[]) AND NOT v.final AND v."taskId" = r."taskId" ORDER BY v.epoch`,
    [runIds],
  );
  const train = await database.query<{ runId: number; epoch: number; loss: number }>(
    `SELECT "runId", epoch, "trainLoss" AS loss FROM "EpochMetric" WHERE "runId" = ANY($1::int[]) AND "trainLoss" IS NOT NULL ORDER BY epoch`,
    [runIds],
  );
  const out = new Map<number, { val: [number, number][]; train: [number, number][] }>();
  for (const id of runIds) out.set(id, { val: [], train: [] });
  for (const r of val) out.get(r.runId)!.val.push([r.epoch, r.loss]);
  for (const r of train) out.get(r.runId)!.train.push([r.epoch, r.loss]);
  return out;
}

/** Every mean point = the mean of the members' interpolated values; band n/min/max = over the covering members. */
function expectAligned(series: Series, members: [number, number][][]): void {
  expect(series.band, series.id).not.toBeNull();
  expect(series.band).toHaveLength(series.points.length);
  series.points.forEach(([x, mean], i) => {
    const values = members.map((m) => interpolate(m, x)).filter((v): v is number => v !== null);
    const [bx, min, max, n] = series.band![i]!;
    expect(bx).toBe(x);
    expect(n, `${series.id} n at x=${x}`).toBe(values.length);
    expect(n).toBeGreaterThan(0);
    expect(mean!).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 5);
    expect(min).toBeCloseTo(Math.min(...values), 5);
    expect(max).toBeCloseTo(Math.max(...values), 5);
  });
}

beforeAll(async () => {
  database = await createTestDatabase('compare_agg');
  logs = await tempDir('thaw-compare-agg-');
  runCount = await writeMixedLogs(logs.dir);
  server = await startThaw({ databaseUrl: database.url, logs: logs.dir });
  await waitFor(
    async () => {
      const { runs } = (await (await get('/api/runs')).json()) as { runs: { epochsDone: number }[] };
      return runs.length === runCount;
    },
    { timeoutMs: 90_000, what: 'the mixed runs' },
  );
  // every epoch (and every own-task validation) of every log is in
  const { epochs, validations } = mixedCounts();
  await waitFor(
    async () => {
      const [row] = await database.query<{ epochs: number; validations: number }>(
        `SELECT (SELECT count(*)::int FROM "EpochMetric") AS epochs,
                (SELECT count(*)::int FROM "Validation" v JOIN "Run" r ON r.id = v."runId" WHERE NOT v.final AND v."taskId" = r."taskId") AS validations`,
      );
      return row!.epochs === epochs && row!.validations === validations;
    },
    { timeoutMs: 60_000, what: 'every epoch and validation ingested' },
  );
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await logs?.cleanup();
  await database?.drop();
});

describe('GET /api/compare: aggregates per task × strategy', () => {
  it('groups by task × dataset size × strategy by default, each series naming its task and members', async () => {
    const data = await compare('smooth=0&points=10000');
    expect(data.query.pool).toBe(false);
    expect(data.facets.map((f) => f.taskId)).toEqual([1, 1, 2, 3, 4]);
    // two dataset sizes of task 1: both facets say which
    expect(data.facets.filter((f) => f.taskId === 1).map((f) => f.label)).toEqual([
      expect.stringMatching(/^task 1 · moving_grasp · [\d,]+ frames$/),
      expect.stringMatching(/^task 1 · moving_grasp · [\d,]+ frames$/),
    ]);
    const groups = data.series.filter((s) => s.runId === null);
    expect(groups).toHaveLength(2 * 9); // train + val for 4 tasks × 2 strategies, plus task 1's bigger dataset
    const runs = new Map(data.runs.map((r) => [r.id, r]));
    for (const s of groups) {
      expect(s.runIds.length).toBeGreaterThan(0);
      for (const id of s.runIds) {
        expect(runs.get(id)!.taskId).toBe(s.taskId);
        expect(runs.get(id)!.strategyKey).toBe(s.strategyKey);
      }
      expect(data.facets.find((f) => f.key === s.facet)!.runIds).toEqual(expect.arrayContaining(s.runIds));
    }
    // the summary has one row per group, with its task
    expect(data.summary).toHaveLength(9);
    for (const row of data.summary) expect(row.taskId).not.toBeNull();
    expect(new Set(data.summary.map((r) => r.groupKey)).size).toBe(9);
    expect(data.notes.join(' ')).not.toMatch(/Pooled/);
  });

  it('the mean at every x is the mean of the interpolated member values; no band point rests on fewer runs than it says', async () => {
    const data = await compare('smooth=0&points=10000');
    const all = await curves(data.runs.map((r) => r.id));
    const groups = data.series.filter((s) => s.runId === null);
    for (const s of groups)
      expectAligned(
        s,
        s.runIds.map((id) => (s.kind === 'val' ? all.get(id)!.val : all.get(id)!.train)),
      );
    // Task 1 · unfreeze 4 (three runs: 30 epochs every epoch, 24 every second epoch, crashed during epoch 11)
    const val = groups.find((s) => s.kind === 'val' && s.taskId === 1 && s.runIds.length === 3)!;
    expect(val).toBeDefined();
    const nAt = (x: number) => val.band!.find((b) => b[0] === x)?.[3];
    expect(val.points.map(([x]) => x)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect([nAt(1), nAt(2), nAt(3), nAt(10), nAt(11), nAt(12), nAt(24), nAt(25), nAt(30)]).toEqual([2, 3, 3, 3, 2, 2, 2, 1, 1]);
    expect(val.label).toMatch(/n=1–3/);
  });

  it('aligns on the step and time axes too, within the point budget', async () => {
    for (const x of ['step', 'time'] as const) {
      const data = await compare(`x=${x}&smooth=0.6&points=300`);
      for (const s of data.series.filter((s) => s.runId === null)) {
        expect(s.points.length).toBeLessThanOrEqual(300);
        expect(s.band!.length).toBe(s.points.length);
        for (const [bx, min, max, n] of s.band!) {
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(s.runIds.length);
          expect(min).toBeLessThanOrEqual(max);
          expect(Number.isFinite(bx)).toBe(true);
        }
      }
      // validation on the step axis: each run at its own epoch ends, interpolated across schedules
      const all = await curves(data.runs.map((r) => r.id));
      const stepsPerEpoch = new Map(
        (await database.query<{ id: number; spe: number }>(`SELECT id, "stepsPerEpoch" AS spe FROM "Run"`)).map((r) => [r.id, r.spe]),
      );
      if (x === 'step') {
        const val = data.series.filter((s) => s.runId === null && s.kind === 'val');
        for (const s of val) {
          const smoothless = await compare(`x=step&smooth=0&points=10000&runs=${s.runIds.join(',')}`);
          const again = smoothless.series.find((t) => t.kind === 'val' && t.runId === null)!;
          expectAligned(
            again,
            s.runIds.map((id) => all.get(id)!.val.map(([e, loss]): [number, number] => [e * stepsPerEpoch.get(id)!, loss])),
          );
        }
      }
    }
  });

  it('pools only when asked, and then says so; the JSON and CSV state every point’s n, mean, min and max', async () => {
    const pooled = await compare('pool=1&smooth=0');
    expect(pooled.query.pool).toBe(true);
    expect(pooled.facets).toEqual([expect.objectContaining({ key: 'all', taskId: null })]);
    expect(pooled.notes.join(' ')).toMatch(/^Pooled: each strategy's mean mixes tasks 1, 2, 3, 4/m);
    expect(pooled.summary).toHaveLength(2);
    for (const s of pooled.series) expect(s.taskId).toBeNull();

    const query = 'smooth=0.5&points=200';
    const data = await compare(query);
    const rows = parseCsv(await (await get(`/api/compare?${query}&format=csv&table=series`)).text());
    for (const s of data.series.filter((t) => t.runId === null)) {
      const raw = rows.filter((r) => r.series === s.id && r.line === 'raw');
      expect(raw).toHaveLength(s.points.length);
      raw.forEach((r, i) => {
        const [, min, max, n] = s.band![i]!;
        expect([Number(r.x), Number(r.y), Number(r.min), Number(r.max), Number(r.n)]).toEqual([
          s.points[i]![0],
          s.points[i]![1],
          min,
          max,
          n,
        ]);
        expect(r.task).toBe(String(s.taskId));
        expect(r.runs).toBe(s.runIds.join(' '));
      });
    }
    const summary = parseCsv(await (await get(`/api/compare?${query}&format=csv&table=summary`)).text());
    expect(summary.map((r) => [r.task, r.strategy, Number(r.n)])).toEqual(data.summary.map((s) => [String(s.taskId), s.strategyKey, s.n]));
  });
});
