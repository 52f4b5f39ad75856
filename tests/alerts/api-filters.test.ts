// GET /api/alerts filters: rule, run, task, since, paging with offset, `total`
// and `newest`, through the route handler on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '../../app/api/alerts/route';
import { alertsResponse } from '../../lib/api/schemas/alerts';
import { disconnectDb } from '../../lib/db/client';
import { setEnvOverrides } from '../../lib/env';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let db: TestDatabase;

/** [id, run, task, rule, live, minute] */
const ROWS: [string, number, number | null, string, boolean, number][] = [
  ['a1', 1, 1, 'overfitting', true, 1],
  ['a2', 1, 1, 'completed', true, 2],
  ['a3', 2, 2, 'crashed', true, 3],
  ['a4', 3, 2, 'stalled', true, 4],
  ['a5', 4, null, 'diverged', true, 5],
  ['a6', 5, 1, 'overfitting', false, 6],
];
const at = (minute: number) => `2026-11-30T18:0${minute}:00.000Z`;

beforeAll(async () => {
  db = await createTestDatabase('alerts_filters');
  setEnvOverrides({ DATABASE_URL: db.url });
  for (const [id, run, task, rule, live, minute] of ROWS) {
    const facts = {
      run: { id: run, taskId: task, taskName: task === null ? null : `task${task}`, strategy: 'unfreeze 4', status: 'running' },
      details: {},
    };
    await db.query(
      `INSERT INTO "Alert" (id, "runId", "runIdentity", rule, live, message, facts, "createdAt") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, run, `src:${run}|0`, rule, live, `${rule} on run ${run}`, JSON.stringify(facts), at(minute)],
    );
  }
  await db.query(`INSERT INTO "AlertDelivery" ("alertId", channel, status, attempts, "lastError") VALUES
    ('a1', 'lab', 'delivered', 1, NULL), ('a1', 'team', 'failed', 6, 'HTTP 500'), ('a3', 'lab', 'pending', 2, 'HTTP 502')`);
});
afterAll(async () => {
  await disconnectDb();
  await db.drop();
});

async function get(query: string) {
  const response = await GET(new Request(`http://127.0.0.1:3000/api/alerts${query}`), undefined);
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('GET /api/alerts filters', () => {
  it.each([
    { query: '', ids: ['a5', 'a4', 'a3', 'a2', 'a1'], total: 5 },
    { query: '?rule=overfitting', ids: ['a1'], total: 1 },
    { query: '?rule=overfitting,crashed', ids: ['a3', 'a1'], total: 2 },
    { query: '?rule=overfitting&backfill=true', ids: ['a6', 'a1'], total: 2 },
    { query: '?run=1', ids: ['a2', 'a1'], total: 2 },
    { query: '?run=2,3', ids: ['a4', 'a3'], total: 2 },
    { query: '?task=2', ids: ['a4', 'a3'], total: 2 },
    { query: '?task=1&rule=completed', ids: ['a2'], total: 1 },
    { query: `?since=${at(3)}`, ids: ['a5', 'a4'], total: 2 },
    { query: `?since=2026-11-30T19:03:00%2B01:00`, ids: ['a5', 'a4'], total: 2 },
    { query: `?since=${at(5)}`, ids: [], total: 0 },
    { query: '?limit=2', ids: ['a5', 'a4'], total: 5 },
    { query: '?limit=2&offset=2', ids: ['a3', 'a2'], total: 5 },
    { query: '?limit=2&offset=4', ids: ['a1'], total: 5 },
    { query: '?limit=2&offset=10', ids: [], total: 5 },
    { query: '?run=99', ids: [], total: 0 },
  ])('$query', async ({ query, ids, total }) => {
    const { status, body } = await get(query);
    expect(status).toBe(200);
    const parsed = alertsResponse.parse(body);
    expect(parsed.alerts.map((a) => a.id)).toEqual(ids);
    expect(parsed.total).toBe(total);
    // `newest` is the newest live alert whatever the filters: "mark all read" up to it.
    expect(parsed.newest).toBe(at(5));
  });

  it('keeps the per-channel delivery status with the filters', async () => {
    const parsed = alertsResponse.parse((await get('?rule=overfitting')).body);
    expect(parsed.alerts[0]!.deliveries).toMatchObject([
      { channel: 'lab', status: 'delivered', attempts: 1, lastError: null },
      { channel: 'team', status: 'failed', attempts: 6, lastError: 'HTTP 500' },
    ]);
  });

  it.each([
    ['?rule=nope', 'rule'],
    ['?run=x', 'run'],
    ['?task=-1', 'task'],
    ['?since=yesterday', 'since'],
    ['?offset=-1', 'offset'],
  ])('rejects %s with a 400 naming %s', async (query, param) => {
    const { status, body } = await get(query);
    expect(status).toBe(400);
    const error = (body as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('bad_request');
    expect(error.message).toContain(param);
  });
});
