// The data the web and API tests run against: the three sample logs (real parser, real daemon) and,
// for sizes the samples lack, synthetic runs written straight into the database.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { SAMPLES_DIR, type SAMPLE_NAMES } from '../helpers/ingest';
import { seedSyntheticRuns } from '../../testkit/synthetic/seeded-runs';

export interface ExpectedRun {
  taskId: number;
  taskName: string;
  outputDir: string;
  epochs: { epoch: number; trainLoss: number | null }[];
  validations: { epoch: number; final: boolean; taskId: number; loss: number | null }[];
  strategy: {
    kind: string;
    spec: number[] | number | null;
    totalLayers: number | null;
    frozen: number[];
    unfrozen: number[];
    applied: boolean;
  };
  status: string;
}

/** What the parser is expected to read from a sample (tests/fixtures/samples/*.expected.json). */
export async function expectedRun(name: (typeof SAMPLE_NAMES)[number]): Promise<ExpectedRun> {
  const json = JSON.parse(await readFile(path.join(SAMPLES_DIR, `${name}.expected.json`), 'utf8')) as { runs: ExpectedRun[] };
  return json.runs[0]!;
}

/** A 2-stage synthetic chain (task1 → task2) with `steps` step points per run; returns the run ids. */
export async function seedLongChain(url: string, steps: number): Promise<number[]> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    return await seedSyntheticRuns(pool, { runs: 2, epochs: 20, stepsPerRun: steps, chainLength: 2, pathPrefix: '/synthetic/api-test' });
  } finally {
    await pool.end();
  }
}
