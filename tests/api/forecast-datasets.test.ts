// "Same task and dataset" for runs without a task id: LeRobot runs have their dataset
// (`dataset.repo_id`, Run.dataset) as their task, so a running LeRobot run's incumbent is the best
// finished run on ITS dataset — never a better run on another dataset of the same size — and the
// backtest scores each dataset apart. Over LeRobot console logs the real daemon ingested.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEnvOverrides } from '../../lib/env';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, tempDir } from '../helpers/ingest';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/lerobot/j_smolvla_30k_push403.log');
const DATASET = 'user/j_smolvla_30k_push403';
const OTHER = 'user/other_dataset';

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let pool: pg.Pool;
let runs: Map<string, number>;

/** The fixture with its losses scaled, on another dataset, and cut after `keepSteps` step records. */
function variant(text: string, options: { scale?: number; dataset?: string; keepSteps?: number }): string {
  let steps = 0;
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (/ step:\S+ /.test(line) && ++steps > (options.keepSteps ?? Infinity)) break;
    let out = line.replace(/loss:([0-9.]+)/, (_, v: string) => `loss:${(Number(v) * (options.scale ?? 1)).toFixed(3)}`);
    if (options.dataset) out = out.replace(DATASET, options.dataset);
    lines.push(out);
  }
  return lines.join('\n') + (options.keepSteps === undefined ? '' : '\n');
}

beforeAll(async () => {
  database = await createTestDatabase('forecast_datasets');
  logs = await tempDir('thaw-forecast-datasets-');
  const text = await readFile(FIXTURE, 'utf8');
  await writeFile(path.join(logs.dir, 'pick-a.log'), variant(text, {}));
  await writeFile(path.join(logs.dir, 'pick-b.log'), variant(text, { scale: 0.8 })); // the best on its dataset
  await writeFile(path.join(logs.dir, 'other.log'), variant(text, { scale: 0.5, dataset: OTHER })); // better, another dataset
  await writeFile(path.join(logs.dir, 'pick-live.log'), variant(text, { keepSteps: 60 })); // still training
  await backfillInto(database.url, [logs.dir]);
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  setEnvOverrides({ DATABASE_URL: database.url });
  const rows = await pool.query<{ id: number; path: string; status: string; dataset: string | null; taskId: number | null }>(
    `SELECT r.id, s.path, r.status, r.dataset, r."taskId" FROM "Run" r JOIN "LogSource" s ON s.id = r."sourceId"`,
  );
  runs = new Map(rows.rows.map((r) => [path.basename(r.path), r.id]));
  // What the test rests on: four runs without a task id, on the datasets their configs name.
  expect(rows.rows.map((r) => [path.basename(r.path), r.status, r.dataset, r.taskId]).sort()).toEqual([
    ['other.log', 'completed', OTHER, null],
    ['pick-a.log', 'completed', DATASET, null],
    ['pick-b.log', 'completed', DATASET, null],
    ['pick-live.log', 'running', DATASET, null],
  ]);
}, 120_000);

afterAll(async () => {
  const { disconnectDb } = await import('../../lib/db/client');
  await disconnectDb();
  await pool?.end();
  await database?.drop();
  await logs?.cleanup();
});

describe('LeRobot runs: same task and dataset', () => {
  it('a running run finds the best finished run on its own dataset as its incumbent, not a better one on another', async () => {
    const { getRunForecasts } = await import('../../lib/queries/forecast');
    const [live] = await getRunForecasts([runs.get('pick-live.log')!]);
    expect(live).toMatchObject({ metric: 'train', axis: 'step', toX: 30_000, incumbent: { runId: runs.get('pick-b.log') } });
    expect(live!.verdict).not.toBe('insufficient');
    expect(live!.sentence).toContain(`the best finished run on ${DATASET} ended at`);
    // The run on the other dataset has no peer at all.
    const [other] = await getRunForecasts([runs.get('other.log')!]);
    expect(other!.incumbent).toBeNull();
  });

  it('the backtest scores each dataset apart, labelled with its name, in facet order (datasets by name)', async () => {
    const { getForecastBacktest } = await import('../../lib/queries/forecast');
    const body = await getForecastBacktest();
    expect(body.tasks.map((t) => [t.label, t.dataset, t.taskId, t.runs])).toEqual([
      [DATASET, DATASET, null, 2],
      [OTHER, OTHER, null, 1],
    ]);
  });
});
