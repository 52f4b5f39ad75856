// /api/strategies with repeats: intervals, distinguishability, convergence, cost and the
// Pareto front per ranked strategy, in JSON and CSV, over logs ingested by the real daemon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../lib/api/respond';
import { strategiesResponse, type StrategiesResponse } from '../../lib/api/schemas/strategies';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { tempDir, waitFor } from '../helpers/ingest';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';
import { EPOCHS, STRATEGY_LOG_RUNS, writeStrategyLogs } from '../web/strategy-logs';

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let body: StrategiesResponse;

beforeAll(async () => {
  database = await createTestDatabase('strategies');
  logs = await tempDir('thaw-strategies-logs-');
  await writeStrategyLogs(logs.dir);
  server = await startThaw({ databaseUrl: database.url, logs: logs.dir });
  await waitFor(
    async () => {
      const runs = ((await (await fetch(`${server.url}/api/runs`)).json()) as { runs: { status: string }[] }).runs;
      return runs.length === STRATEGY_LOG_RUNS && runs.every((r) => r.status === 'completed');
    },
    { timeoutMs: 90_000, what: 'every run ingested and completed' },
  );
  body = strategiesResponse.parse(await (await fetch(`${server.url}/api/strategies`)).json());
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await logs?.cleanup();
  await database?.drop();
});

const task = (id: number) => body.recommendations.find((r) => r.taskId === id)!;

describe('/api/strategies with repeats', () => {
  it('task 1: t-intervals over three seeds separate 6 layers from the dominated 10 layers', () => {
    const rec = task(1);
    expect(rec.ranking.map((r) => r.trainableLayers)).toEqual([6, 10]);
    const [six, ten] = rec.ranking;
    expect(six!.bestValidation.method).toBe('t');
    expect(six!.bestValidation.n).toBe(3);
    expect(six!.bestValidation.mean).toBeCloseTo(six!.bestValidationMean!, 12); // today's field kept, same number
    expect(six!.bestValidation.lo!).toBeLessThan(six!.bestValidation.mean!);
    expect(six!.bestValidation.hi!).toBeGreaterThan(six!.bestValidation.mean!);
    expect(six!.distinguishableFromNext).toBe(true);
    expect(ten!.distinguishableFromNext).toBeNull();
    expect(rec.verdict).toBe('supported');
    expect(rec.summary).toContain('unfreeze 6/12 · L6–L11 ranks first');
    // cost from the tqdm elapsed per epoch: 10 layers is 1.5× slower per batch
    expect(six!.minutesPerEpoch!).toBeGreaterThan(0);
    expect(ten!.minutesPerEpoch! / six!.minutesPerEpoch!).toBeGreaterThan(1.2);
    expect(six!.trainingMinutes!).toBeCloseTo(six!.minutesPerEpoch! * EPOCHS, 6);
    expect(six!.perRun.every((p) => p.timingSource === 'tqdm' && p.timingComplete)).toBe(true);
    expect(six!.trainableParams).toBe(267_372_768 + 6 * 7_000_000);
    // the front: 10 layers costs more and is worse
    expect([six!.pareto, ten!.pareto]).toEqual([true, false]);
    expect(rec.tradeoffs).toEqual([]);
  });

  it('convergence: the best epoch and the first epoch within 5% of it, per run and per strategy', () => {
    const [six, ten] = task(1).ranking;
    for (const p of [...six!.perRun, ...ten!.perRun]) {
      expect(p.epochsToConverge!).toBeGreaterThanOrEqual(1);
      expect(p.epochsToConverge!).toBeLessThanOrEqual(p.bestEpoch!);
      expect(p.minutesToConverge!).toBeLessThanOrEqual(p.trainingMinutes! + 1e-9);
    }
    expect(ten!.bestEpoch!).toBeLessThanOrEqual(5); // overfits after epoch 4
    expect(six!.epochsToConverge).toBeCloseTo(six!.perRun.reduce((a, p) => a + p.epochsToConverge!, 0) / 3, 12);
  });

  it('task 2: two single runs are not distinguishable and no winner is named', () => {
    const rec = task(2);
    expect(rec.ranking.every((r) => r.bestValidation.method === 'single_run_noise' && r.n === 1)).toBe(true);
    expect(rec.ranking[0]!.distinguishableFromNext).toBe(false);
    expect(rec.verdict).toBe('not_distinguishable');
    expect(rec.summary).toContain('no winner yet');
    expect(rec.summary).toContain('single runs only');
    expect(rec.summary).not.toContain('ranks first');
  });

  it('CSV carries the same fields', async () => {
    const response = await fetch(`${server.url}/api/strategies?format=csv`);
    expect(response.status).toBe(200);
    const rows = parseCsv(await response.text());
    expect(rows).toHaveLength(4);
    const six = rows.find((r) => r.taskId === '1' && r.trainableLayers === '6')!;
    const json = task(1).ranking[0]!;
    expect(Number(six.bestValidationMean)).toBeCloseTo(json.bestValidationMean!, 6);
    expect(Number(six.bestValidationLo)).toBeCloseTo(json.bestValidation.lo!, 6);
    expect(Number(six.bestValidationHi)).toBeCloseTo(json.bestValidation.hi!, 6);
    expect(six.bestValidationIntervalMethod).toBe('t');
    expect(six.distinguishableFromNext).toBe('true');
    expect(six.pareto).toBe('true');
    expect(Number(six.epochsToConverge)).toBeCloseTo(json.epochsToConverge!, 6);
    expect(Number(six.minutesPerEpoch)).toBeCloseTo(json.minutesPerEpoch!, 6);
    expect(Number(six.trainingMinutes)).toBeCloseTo(json.trainingMinutes!, 6);
    expect(Number(six.trainableParams)).toBe(json.trainableParams);
    const t2 = rows.filter((r) => r.taskId === '2');
    expect(t2.map((r) => r.bestValidationIntervalMethod)).toEqual(['single_run_noise', 'single_run_noise']);
    expect(t2[0]!.distinguishableFromNext).toBe('false');
  });
});
