// The rule for one fact observed by two sources (console log at 4 decimals, TensorBoard at float32),
// evaluated by PostgreSQL itself: the stored value must not depend on which source arrived last.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreeingValue } from '../../ingest/store';
import { createEmptyDatabase } from '../helpers/db';
import pg from 'pg';

const f32 = (x: number) => Math.fround(x);

// [existing, incoming, otherwise, expected]
const CASES: [number | null, number | null, 'incoming' | 'existing', number | null][] = [
  [0.6, f32(0.6), 'incoming', f32(0.6)], // log first, TensorBoard second: the float32 value
  [f32(0.6), 0.6, 'incoming', f32(0.6)], // TensorBoard first, log second: still the float32 value
  [0.0831, f32(0.0831), 'existing', f32(0.0831)],
  [f32(0.0831), 0.0831, 'existing', f32(0.0831)],
  [0.6, 0.6, 'incoming', 0.6], // the same log line replayed: unchanged
  [0.6, 0.7, 'incoming', 0.7], // disagreeing values: the later observation refines the fact
  [0.6, 0.7, 'existing', 0.6], // …or the row already there stays (merging a run into another)
  [null, 0.5, 'existing', 0.5],
  [0.5, null, 'incoming', 0.5],
  [1e300, 1e300, 'incoming', 1e300], // outside float4's range: no cast, no error
  [1e-300, 2e-300, 'incoming', 2e-300],
  [Number.NaN, Number.NaN, 'incoming', Number.NaN],
  [Number.POSITIVE_INFINITY, 0.5, 'incoming', 0.5],
  [0, 0, 'existing', 0],
];

let database: { name: string; url: string; drop(): Promise<void> };
let client: pg.Client;

beforeAll(async () => {
  database = await createEmptyDatabase('agree');
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

describe('agreeingValue', () => {
  it.each(CASES)('existing %s, incoming %s (%s wins otherwise) → %s', async (existing, incoming, otherwise, expected) => {
    const sql = `SELECT (${agreeingValue('$1::float8', '$2::float8', otherwise)})::text AS v`;
    const param = (x: number | null) => (x === null ? null : Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : String(x));
    const { rows } = await client.query<{ v: string | null }>(sql, [param(existing), param(incoming)]);
    const value = rows[0]!.v === null ? null : Number(rows[0]!.v);
    if (expected !== null && Number.isNaN(expected)) expect(value).toBeNaN();
    else expect(value).toBe(expected);
  });
});
