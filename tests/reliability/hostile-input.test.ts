// Malformed and hostile logs: every case asserts what was kept, not only that nothing crashed.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSmolvlaLog } from '../../testkit/synthetic/smolvla-log';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, sampleLog, tempDir } from '../helpers/ingest';

let db: TestDatabase;
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  db = await createTestDatabase('hostile');
  ({ dir, cleanup } = await tempDir());
});
afterAll(async () => {
  await db.drop();
  await cleanup();
});

async function ingest(name: string, content: Buffer | string): Promise<number> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  await backfillInto(db.url, [file]);
  const [source] = await db.query<{ id: number }>(`SELECT id FROM "LogSource" WHERE path = $1`, [file]);
  return source!.id;
}

const runsOf = (sourceId: number) =>
  db.query<{ id: number; taskId: number | null; status: string; epochsTotal: number | null }>(
    `SELECT id, "taskId", status, "epochsTotal" FROM "Run" WHERE "sourceId" = $1 ORDER BY "runKey"`,
    [sourceId],
  );

describe('hostile input', () => {
  it('a banner repeated 5,000 times yields one strategy and the run is otherwise intact', async () => {
    const log = generateSmolvlaLog({ seed: 1, epochs: 3, stepsPerEpoch: 10, unfreezeLast: 9 }).toString();
    const bannerStart = log.indexOf('\n======================================================================\n🔧 应用灵活视觉层冻结策略');
    const bannerEnd = log.indexOf('======================================================================\n\n', bannerStart + 80) + 72;
    const banner = log.slice(bannerStart, bannerEnd);
    const hostile = log.slice(0, bannerEnd) + banner.repeat(5000) + log.slice(bannerEnd);
    const source = await ingest('banners.log', hostile);
    const [run] = await runsOf(source);
    expect(run).toMatchObject({ taskId: 1, status: 'completed' });
    const strategies = await db.query<{ kind: string; unfrozenLayers: number[] }>(
      `SELECT kind, "unfrozenLayers" FROM "VisionStrategy" WHERE "runId" = $1`,
      [run!.id],
    );
    expect(strategies).toEqual([{ kind: 'unfreeze', unfrozenLayers: [3, 4, 5, 6, 7, 8, 9, 10, 11] }]);
    const epochs = await db.query(`SELECT epoch FROM "EpochMetric" WHERE "runId" = $1 AND "trainLoss" IS NOT NULL`, [run!.id]);
    expect(epochs).toHaveLength(3);
  });

  it('a log that claims 10⁹ epochs and absurd step counts is stored as printed without allocating anything for it', async () => {
    const log =
      generateSmolvlaLog({ seed: 2, epochs: 2, epochsTotal: 2, stepsPerEpoch: 10, outcome: 'running' })
        .toString()
        .replace('Epoch 1/2', 'Epoch 1/1000000000')
        .replace('   Epochs: 2\n', '   Epochs: 1000000000\n') +
      'Epoch 999999999 Average Loss: 0.5000\n' +
      '\rTraining Epoch 999999999:  50%|█████     | 1/2 [00:01<00:01,  1.00it/s, loss=0.5000, lr=1.00e-04, proc_ms=1.0]\n' +
      // Step (5e12 - 1)·5000: far beyond a 32-bit column. Dropped with a warning; the batch still lands.
      '\rTraining Epoch 5000000000000:  50%|█████     | 1/5000 [00:01<00:01,  1.00it/s, loss=0.5000, lr=1.00e-04, proc_ms=1.0]\n' +
      'Epoch 3 Average Loss: 0.4000\n';
    const source = await ingest('huge-epochs.log', log);
    const [run] = await runsOf(source);
    expect(run!.epochsTotal).toBe(1_000_000_000);
    const epochs = await db.query<{ epoch: number }>(`SELECT epoch FROM "EpochMetric" WHERE "runId" = $1 ORDER BY epoch`, [run!.id]);
    expect(epochs.map((row) => row.epoch)).toEqual([1, 2, 3, 999_999_999]);
    const steps = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "StepPoint" WHERE "runId" = $1`, [run!.id]);
    expect(steps[0]!.n).toBe(21);
    const warnings = await db.query<{ message: string }>(`SELECT message FROM "ParseWarning" WHERE "sourceId" = $1`, [source]);
    expect(warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/out of range; line ignored/));
  });

  it('NaN and inf losses are kept as such and flagged', async () => {
    const log = (await sampleLog('sample_task3_ratio50_final_only'))
      .toString()
      .replace(/Epoch 5 Average Loss: [\d.]+/, 'Epoch 5 Average Loss: nan')
      .replace(/Task 2 Validation Loss: [\d.]+/, 'Task 2 Validation Loss: inf');
    const source = await ingest('nan.log', log);
    const [run] = await runsOf(source);
    const [epoch5] = await db.query<{ trainLoss: number }>(`SELECT "trainLoss" FROM "EpochMetric" WHERE "runId" = $1 AND epoch = 5`, [
      run!.id,
    ]);
    expect(Number.isNaN(epoch5!.trainLoss)).toBe(true);
    const [val] = await db.query<{ loss: number }>(`SELECT loss FROM "Validation" WHERE "runId" = $1 AND "taskId" = 2 AND final`, [
      run!.id,
    ]);
    expect(val!.loss).toBe(Number.POSITIVE_INFINITY);
    const warnings = await db.query<{ message: string }>(`SELECT message FROM "ParseWarning" WHERE "sourceId" = $1`, [source]);
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings.map((w) => w.message).join('\n')).toMatch(/nan|non-finite|NaN/i);
  });

  it('pure binary junk creates no run and no crash; a real run after it is complete', async () => {
    const junk = Buffer.alloc(300_000);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    const source = await ingest('junk.log', Buffer.concat([junk, Buffer.from('\n'), await sampleLog('sample_task2_unfreeze4_buffered')]));
    const runs = await runsOf(source);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ taskId: 2, status: 'completed' });
  });

  it('a line that looks like a known format but does not parse becomes a warning with its line number', async () => {
    const log = (await sampleLog('sample_task3_ratio50_final_only'))
      .toString()
      .replace('Epoch 3 Average Loss: ', 'Epoch 3 Average Loss: zero point one ');
    const line = log.slice(0, log.indexOf('Epoch 3 Average Loss: zero')).split('\n').length;
    const source = await ingest('bad-line.log', log);
    const warnings = await db.query<{ line: number; message: string }>(`SELECT line, message FROM "ParseWarning" WHERE "sourceId" = $1`, [
      source,
    ]);
    expect(warnings.some((warning) => warning.line === line)).toBe(true);
    const [run] = await runsOf(source);
    expect(run).toMatchObject({ taskId: 3, status: 'completed' });
  });
});
