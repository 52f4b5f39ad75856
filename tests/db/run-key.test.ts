// The run key (lib/db/run-key.ts): what identifies a run in its own output, evaluated by PostgreSQL
// over one table of cases. Annotations and the alert outbox key on it; it never involves a row id.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeySql } from '../../lib/db/run-key';
import { createEmptyDatabase } from '../helpers/db';

interface Case {
  identity: string | null;
  outputDir: string | null;
  timestamp: string | null;
  host: string;
  path: string;
  runKey: number;
}
const base: Case = { identity: null, outputDir: null, timestamp: null, host: 'gpu-07', path: '/logs/train.log', runKey: 0 };

// [what, run, key]
const CASES: [string, Partial<Case>, string][] = [
  [
    'a run directory wins (every source of the run shares it)',
    { identity: 'gpu-07:task1_grasp/smolvla_sequential/run_20251120_080000', outputDir: 'outputs/x', timestamp: '20251120_080000' },
    'dir:gpu-07:task1_grasp/smolvla_sequential/run_20251120_080000',
  ],
  [
    'output directory + timestamp, on its host',
    { outputDir: 'outputs/train/custom', timestamp: '20251106_144248' },
    'out:gpu-07:outputs/train/custom|20251106_144248',
  ],
  ['output directory without a timestamp: the source', { outputDir: 'outputs/train/custom' }, 'src:gpu-07:/logs/train.log#0'],
  ['a timestamp without an output directory: the source', { timestamp: '20251106_144248' }, 'src:gpu-07:/logs/train.log#0'],
  ['the second run of a log: its start offset', { runKey: 48_213 }, 'src:gpu-07:/logs/train.log#48213'],
  ['offsets past 2^32', { runKey: 6_000_000_000 }, 'src:gpu-07:/logs/train.log#6000000000'],
  ['the same path on another host is another run', { host: 'gpu-08' }, 'src:gpu-08:/logs/train.log#0'],
];

let database: { url: string; drop(): Promise<void> };
let client: pg.Client;

beforeAll(async () => {
  database = await createEmptyDatabase('runkey');
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

describe('runKeySql', () => {
  it.each(CASES)('%s', async (_what, given, expected) => {
    const run = { ...base, ...given };
    const { rows } = await client.query<{ key: string }>(
      `SELECT ${runKeySql('r', 'src')} AS key
         FROM (VALUES ($1::text, $2::text, $3::text, $4::bigint)) AS r(identity, "outputDir", timestamp, "runKey"),
              (VALUES ($5::text, $6::text)) AS src(host, path)`,
      [run.identity, run.outputDir, run.timestamp, run.runKey, run.host, run.path],
    );
    expect(rows[0]?.key).toBe(expected);
  });
});
