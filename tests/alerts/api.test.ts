// GET /api/alerts: recent live alerts with their delivery status, through the route handler itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '../../app/api/alerts/route';
import { alertsResponse } from '../../lib/api/schemas/alerts';
import { disconnectDb } from '../../lib/db/client';
import { setEnvOverrides } from '../../lib/env';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('alerts_api');
  setEnvOverrides({ DATABASE_URL: db.url });
  const facts = JSON.stringify({
    run: { id: 7, taskId: 2, taskName: 'stack', strategy: 'unfreeze 4', status: 'crashed' },
    details: { error: 'CUDA out of memory' },
  });
  await db.query(
    `INSERT INTO "Alert" (id, "runId", "runIdentity", rule, live, message, facts) VALUES
       ('a-live', 7, 'src:1|0', 'crashed', true, 'The run crashed: CUDA out of memory.', $1),
       ('a-backfill', 7, 'src:1|0', 'completed', false, 'old', $1)`,
    [facts],
  );
  await db.query(
    `INSERT INTO "AlertDelivery" ("alertId", channel, status, attempts, "lastError") VALUES ('a-live', 'lab', 'pending', 2, 'HTTP 502')`,
  );
});
afterAll(async () => {
  await disconnectDb();
  await db.drop();
});

const get = (query = '') => GET(new Request(`http://127.0.0.1:3000/api/alerts${query}`), undefined);

describe('GET /api/alerts', () => {
  it('lists live alerts with per-channel delivery status and no channel URL or secret', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    const body = alertsResponse.parse(await response.json());
    expect(body.alerts.map((a) => a.id)).toEqual(['a-live']);
    expect(body.alerts[0]).toMatchObject({
      rule: 'crashed',
      run: { id: 7, taskId: 2, status: 'crashed' },
      deliveries: [{ channel: 'lab', status: 'pending', attempts: 2, lastError: 'HTTP 502' }],
    });
    const all = alertsResponse.parse(await (await get('?backfill=true')).json());
    expect(all.alerts).toHaveLength(2);
  });

  it('rejects a bad query with a typed error', async () => {
    const response = await get('?limit=0');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });
});
