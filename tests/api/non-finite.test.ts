// A run whose loss is NaN or ±inf is impossible to miss: verdict `diverged` with the first
// step or epoch where it happened (step-only LeRobot runs included), and the latest training loss shown
// as what it is — JSON keeps `null` plus `lastTrainLossNonFinite` — through the real route handlers.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getRuns } from '../../app/api/runs/route';
import { GET as getRun } from '../../app/api/runs/[id]/route';
import { generateSmolvlaLog } from '../../testkit/synthetic/smolvla-log';
import { runDetailSchema } from '../../lib/api/schemas/run';
import { runsResponse, type RunRow } from '../../lib/api/schemas/runs';
import { setEnvOverrides } from '../../lib/env';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, tempDir } from '../helpers/ingest';

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let runs: RunRow[] = [];

const FILES: Record<string, () => Uint8Array | Promise<Uint8Array>> = {
  // LeRobot v0.6.1: `loss:nan` from step 600 to the end (step-based: no epochs, no validation).
  'lerobot_m_loss_nan.log': () => readFile(path.resolve(import.meta.dirname, '../fixtures/lerobot/m_loss_nan.log')),
  // SmolVLA: NaN from epoch 5 on (frames, averages, own-task validation).
  'smolvla_nan_from_5.log': () =>
    generateSmolvlaLog({ seed: 5, taskId: 1, epochs: 8, stepsPerEpoch: 20, nanFromEpoch: 5, timestamp: '20251206_080000' }),
  // SmolVLA, healthy: finite everything.
  'smolvla_healthy.log': () => generateSmolvlaLog({ seed: 6, taskId: 2, epochs: 6, stepsPerEpoch: 20, timestamp: '20251206_090000' }),
};

const runOf = (name: string): RunRow => {
  const run = runs.find((r) => r.source.path.endsWith(name));
  if (!run) throw new Error(`no run for ${name}`);
  return run;
};

async function detail(id: number) {
  const response = await getRun(new Request(`http://127.0.0.1:3000/api/runs/${id}`), { params: Promise.resolve({ id: String(id) }) });
  expect(response.status).toBe(200);
  return runDetailSchema.parse(await response.json());
}

beforeAll(async () => {
  database = await createTestDatabase('non_finite');
  logs = await tempDir('thaw-non-finite-');
  for (const [name, make] of Object.entries(FILES)) await writeFile(path.join(logs.dir, name), await make());
  await backfillInto(database.url, [logs.dir]);
  setEnvOverrides({ DATABASE_URL: database.url });
  const response = await getRuns(new Request('http://127.0.0.1:3000/api/runs'), undefined);
  expect(response.status).toBe(200);
  runs = runsResponse.parse(await response.json()).runs;
}, 60_000);

afterAll(async () => {
  const { disconnectDb } = await import('../../lib/db/client');
  await disconnectDb();
  await database?.drop();
  await logs?.cleanup();
});

describe('non-finite losses', () => {
  it('a step-based LeRobot run whose loss turned NaN: diverged at its first NaN step, last train loss NaN', async () => {
    const run = runOf('lerobot_m_loss_nan.log');
    expect(run).toMatchObject({ format: 'lerobot', lastStep: 1400, lastTrainLoss: null, lastTrainLossNonFinite: 'nan' });
    expect(run.verdict.status).toBe('diverged');
    expect(run.verdict.reason).toBe('Training loss is NaN (not finite) at step 600: diverged.');
    const page = await detail(run.id);
    expect(page.verdict.status).toBe('diverged');
    expect(page.progress).toMatchObject({ stepBased: true, lastStepLoss: null, lastStepLossNonFinite: 'nan' });
  });

  it('an epoch-based run: diverged at the first NaN step (a progress frame shows it before the epoch average), last train loss NaN', async () => {
    const run = runOf('smolvla_nan_from_5.log');
    expect(run).toMatchObject({ lastTrainLoss: null, lastTrainLossNonFinite: 'nan', epochsDone: 8 });
    expect(run.verdict.status).toBe('diverged');
    // Epoch 5's first step (20 steps per epoch): step 81.
    expect(run.verdict.reason).toBe('Training loss is NaN (not finite) at step 81 (epoch 5): diverged.');
    const page = await detail(run.id);
    expect(page.verdict.reason).toBe(run.verdict.reason);
    expect(page.progress).toMatchObject({ lastTrainLoss: null, lastTrainLossNonFinite: 'nan' });
  });

  it('a healthy run carries numbers and no non-finite marker', async () => {
    const run = runOf('smolvla_healthy.log');
    expect(run.lastTrainLoss).toEqual(expect.any(Number));
    expect(run.lastTrainLossNonFinite).toBeNull();
    expect(run.verdict.status).not.toBe('diverged');
    expect((await detail(run.id)).progress.lastTrainLossNonFinite).toBeNull();
  });

  it('sorting by last train loss puts NaN first in descending order, as the client re-sort does', async () => {
    const response = await getRuns(new Request('http://127.0.0.1:3000/api/runs?sort=lastTrainLoss&dir=desc'), undefined);
    const sorted = runsResponse.parse(await response.json()).runs;
    expect(sorted.slice(0, 2).map((r) => r.lastTrainLossNonFinite)).toEqual(['nan', 'nan']);
    expect(sorted.at(-1)?.source.path).toMatch(/smolvla_healthy\.log$/);
    const { sortRuns } = await import('../../lib/api/sort-runs');
    expect(sortRuns(sorted, 'lastTrainLoss', 'desc').map((r) => r.id)).toEqual(sorted.map((r) => r.id));
  });

  it('the CSV says what the number was', async () => {
    const response = await getRuns(new Request('http://127.0.0.1:3000/api/runs?format=csv'), undefined);
    const csv = await response.text();
    const [header, ...rows] = csv.trim().split('\n');
    const column = header!.split(',').indexOf('lastTrainLossNonFinite');
    expect(column).toBeGreaterThan(0);
    expect(rows.filter((row) => row.split(',')[column] === 'nan')).toHaveLength(2);
  });
});
