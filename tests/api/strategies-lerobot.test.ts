// LeRobot runs take part in the decision: their dataset is their task, so runs on one dataset
// are ranked together on /strategies (by their held-out eval_loss, logged by step) and charted together on
// /compare, labelled with the dataset's name; the strategy comes from the config the log prints.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEnvOverrides } from '../../lib/env';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, tempDir } from '../helpers/ingest';
import { lerobotConfigLog, type LerobotConfigLogOptions } from '../../testkit/synthetic/lerobot-log';

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };

/** The printed-config fixture as run `name` (testkit/synthetic/lerobot-log.ts), written into the logs directory. */
async function lerobotLog(name: string, options: Omit<LerobotConfigLogOptions, 'name'>): Promise<void> {
  await writeFile(path.join(logs.dir, `${name}.log`), await lerobotConfigLog({ name, ...options }));
}

beforeAll(async () => {
  database = await createTestDatabase('strategies_lerobot');
  logs = await tempDir('thaw-strategies-lerobot-');
  // Unfrozen beats frozen on kuavo/task2_weighing_lerobot; a third run on another dataset stands alone.
  await lerobotLog('unfrozen', { frozen: false, evalLoss: (step) => 0.05 + 0.5 / Math.sqrt(step / 200) + 0.002 * Math.sin(step) });
  await lerobotLog('frozen', { frozen: true, evalLoss: (step) => 0.09 + 0.5 / Math.sqrt(step / 200) + 0.002 * Math.cos(step) });
  await lerobotLog('other', {
    frozen: true,
    dataset: 'kuavo/task3_placement_lerobot',
    evalLoss: (step) => 0.2 + 0.3 / Math.sqrt(step / 200),
  });
  await backfillInto(database.url, [logs.dir]);
  setEnvOverrides({ DATABASE_URL: database.url });
}, 120_000);

afterAll(async () => {
  const { disconnectDb } = await import('../../lib/db/client');
  await disconnectDb();
  await logs?.cleanup();
  await database?.drop();
});

describe('LeRobot runs on /strategies and /compare', () => {
  it('are ranked per dataset, labelled with its name, by their eval_loss (steps), strategies from the printed config', async () => {
    const { listRecommendations } = await import('../../lib/queries/strategies');
    const { recommendations } = await listRecommendations(undefined);
    expect(recommendations.map((r) => [r.taskId, r.dataset, r.label, r.ranking.length])).toEqual([
      [null, 'kuavo/task2_weighing_lerobot', 'kuavo/task2_weighing_lerobot', 2],
      [null, 'kuavo/task3_placement_lerobot', 'kuavo/task3_placement_lerobot', 1],
    ]);
    const [weighing] = recommendations;
    expect(weighing!.episodes).toBe(120); // dataset.num_episodes: the rule of thumb needs no guess
    const [first, second] = weighing!.ranking;
    // 12 trainable vision layers (freeze_vision_encoder False) beat 0 (frozen) on held-out loss
    expect([first!.trainableLayers, second!.trainableLayers]).toEqual([12, 0]);
    expect(first!.axis).toBe('step');
    expect(first!.bestEpoch).toBe(2000);
    expect(first!.bestValidationMean).toBeCloseTo(0.05 + 0.5 / Math.sqrt(10) + 0.002 * Math.sin(2000), 4);
    expect(first!.bestValidation.method).toBe('single_run_noise');
    expect(weighing!.verdict).not.toBe('no_evidence');
    expect(weighing!.summary).toMatch(/^For dataset kuavo\/task2_weighing_lerobot \(48211 frames\): /);
  });

  it('their overfitting verdict judges the eval_loss they log, by step, on the run page and in the runs table alike', async () => {
    const { db } = await import('../../lib/db/client');
    const { getRunDetail } = await import('../../lib/queries/run');
    const { listRuns } = await import('../../lib/queries/runs');
    const runs = await listRuns({ sort: 'id', dir: 'asc' });
    expect(runs).toHaveLength(3);
    for (const row of runs) {
      const detail = await getRunDetail(row.id);
      const evals = await db().evalPoint.count({ where: { runId: row.id, loss: { not: null } } });
      expect(evals).toBeGreaterThanOrEqual(3);
      expect(detail.verdict).toMatchObject({ axis: 'step', validationPoints: evals });
      expect(detail.verdict.status).not.toBe('insufficient');
      expect(detail.verdict.reason).toMatch(/^Validation loss on this run's task \(eval_loss\) .* at step \d+/);
      expect(row.verdict).toMatchObject({ status: detail.verdict.status, reason: detail.verdict.reason });
    }
  });

  it('Compare: one facet per dataset, labelled with it, never "task unknown"', async () => {
    const { compareRuns } = await import('../../lib/queries/compare');
    const { compareQuery } = await import('../../lib/api/schemas/compare');
    const { format: _format, table: _table, ...options } = compareQuery.parse({});
    const view = await compareRuns(options);
    expect(view.facets.map((f) => [f.label, f.dataset, f.runIds.length])).toEqual([
      ['kuavo/task2_weighing_lerobot', 'kuavo/task2_weighing_lerobot', 2],
      ['kuavo/task3_placement_lerobot', 'kuavo/task3_placement_lerobot', 1],
    ]);
  });
});
