// Every LeRobot fixture ingested into real PostgreSQL by the real daemon: one StepPoint row per record
// (estimated steps corrected by a later line leave no stale rows), the same steps as `thaw parse`,
// whatever the batch size, and the run columns the app shows (episodes, failed push, stopped).
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBytes } from '../../ingest/parse';
import { summarizeRuns } from '../../ingest/summarize';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, tempDir } from '../helpers/ingest';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/lerobot');
const NAMES = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.log'))
  .map((file) => file.slice(0, -'.log'.length));

interface Expected {
  status: string;
  episodes: number | null;
  frames: number | null;
  batchSize: number | null;
  pushFailed: boolean;
  records: { step: number; pinned: boolean }[];
  evals: { step: number; successRate: number | null }[];
}

const expectedOf = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, `${name}.expected.json`), 'utf8')) as Expected;

let db: TestDatabase;
let dir: string;
let temp: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  db = await createTestDatabase('lerobot');
  temp = await tempDir();
  dir = temp.dir;
  for (const batch of ['big', 'small']) {
    await mkdir(path.join(dir, batch));
    for (const name of NAMES) await copyFile(path.join(FIXTURES, `${name}.log`), path.join(dir, batch, `${name}.log`));
  }
  await backfillInto(db.url, [path.join(dir, 'big')]);
  // Tiny batches: retractions and their re-emitted rows land in different transactions.
  await backfillInto(db.url, [path.join(dir, 'small')], { batchEvents: 3 });
}, 120_000);
afterAll(async () => {
  await db.drop();
  await temp.cleanup();
});

interface RunRow {
  id: number;
  status: string;
  episodes: number | null;
  datasetFrames: number | null;
  batchSize: number | null;
  pushError: string | null;
  format: string;
}

async function runOf(batch: string, name: string): Promise<RunRow> {
  const rows = await db.query<RunRow>(
    `SELECT r.id, r.status, r.episodes, r."datasetFrames", r."batchSize", r."pushError", r.format
       FROM "Run" r JOIN "LogSource" s ON s.id = r."sourceId" WHERE s.path = $1`,
    [path.join(dir, batch, `${name}.log`)],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('LeRobot logs in PostgreSQL', () => {
  for (const name of NAMES) {
    it(`${name}: one row per record, the steps of thaw parse, the run's figures`, async () => {
      const want = expectedOf(name);
      const parsed = summarizeRuns(parseBytes(readFileSync(path.join(FIXTURES, `${name}.log`))).events)[0]!;
      for (const batch of ['big', 'small']) {
        const run = await runOf(batch, name);
        expect(run).toMatchObject({
          format: 'lerobot',
          status: want.status,
          episodes: want.episodes,
          datasetFrames: want.frames,
          batchSize: want.batchSize,
        });
        expect(run.pushError !== null).toBe(want.pushFailed);
        const steps = await db.query<{ step: number; estimated: boolean; loss: number | null }>(
          `SELECT step, estimated, loss FROM "StepPoint" WHERE "runId" = $1 ORDER BY step`,
          [run.id],
        );
        expect(steps.length, `${batch}/${name}`).toBe(want.records.length);
        expect(steps.map((s) => [s.step, s.estimated])).toEqual(parsed.steps.map((s) => [s.step, s.estimated]));
        const pinned = want.records.filter((r) => r.pinned).map((r) => r.step);
        const stored = new Set(steps.filter((s) => !s.estimated).map((s) => s.step));
        expect(pinned.every((step) => stored.has(step))).toBe(true);
        const evals = await db.query<{ step: number; successRate: number | null }>(
          `SELECT step, "successRate" FROM "EvalPoint" WHERE "runId" = $1 AND "successRate" IS NOT NULL ORDER BY step`,
          [run.id],
        );
        expect(evals).toEqual(want.evals.map((e) => ({ step: e.step, successRate: e.successRate })));
      }
    });
  }

  it('keeps the extra metrics of a record (v0.6 smp/s, mem_gb, l1_loss, kld_loss)', async () => {
    const run = await runOf('big', 'c_v061_extra_terms_slurm');
    const rows = await db.query<{ metrics: Record<string, number | null> }>(
      `SELECT metrics FROM "StepPoint" WHERE "runId" = $1 ORDER BY step LIMIT 1`,
      [run.id],
    );
    expect(rows[0]?.metrics).toMatchObject({ 'smp/s': 76, mem_gb: 5.76, l1_loss: 0.683, kld_loss: 0.459, grdn: 142.535 });
  });
});
