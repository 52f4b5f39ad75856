// The token guard: with THAW_TOKEN set (required to bind beyond loopback) every page and every API
// call needs it, as a bearer header or the httpOnly cookie the /login form sets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { tempDir } from '../helpers/ingest';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';

const TOKEN = 'correct-horse-battery-staple-42';
let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;

beforeAll(async () => {
  database = await createTestDatabase('auth');
  logs = await tempDir('thaw-auth-logs-');
  // Bound to every interface: only possible with a token.
  server = await startThaw({ databaseUrl: database.url, logs: logs.dir, host: '0.0.0.0', env: { THAW_TOKEN: TOKEN } });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await logs?.cleanup();
  await database?.drop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers, redirect: 'manual' });

describe('token guard', () => {
  it('answers every API route with 401 JSON without the token, and serves it with the bearer token', async () => {
    for (const path of [
      '/api/runs',
      '/api/runs/1',
      '/api/runs/1/series',
      '/api/runs/1/log',
      '/api/compare',
      '/api/tasks',
      '/api/strategies',
      '/api/live',
      '/api/runs?format=csv',
    ]) {
      const anonymous = await get(path);
      expect(anonymous.status, path).toBe(401);
      const body = (await anonymous.json()) as { error: { code: string; message: string } };
      expect(Object.keys(body)).toEqual(['error']);
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
      expect(body.error.code).toBe('unauthorized');
      expect(body.error.message).toContain('Authorization: Bearer');
      const wrong = await get(path, { Authorization: `Bearer ${TOKEN}x` });
      expect(wrong.status, path).toBe(401);
      await wrong.body?.cancel();
    }
    const ok = await get('/api/runs', { Authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ runs: [], total: 0 });
  });

  it('redirects pages to the login form, which sets an httpOnly cookie that opens them', async () => {
    for (const path of ['/', '/compare?x=step', '/tasks', '/strategies', '/runs/1']) {
      const response = await get(path);
      expect(response.status, path).toBe(303);
      const location = new URL(response.headers.get('location')!, server.url);
      expect(location.pathname).toBe('/login');
      expect(location.searchParams.get('next')).toBe(path);
    }
    const form = await get('/login?next=%2Ftasks');
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="token"');

    const post = (token: string) =>
      fetch(`${server.url}/api/auth/login`, { method: 'POST', body: new URLSearchParams({ token, next: '/tasks' }), redirect: 'manual' });
    const rejected = await post('nope');
    expect(rejected.status).toBe(303);
    expect(rejected.headers.get('location')).toBe('/login?error=1&next=%2Ftasks');
    expect(rejected.headers.get('set-cookie')).toBeNull();

    const accepted = await post(TOKEN);
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toBe('/tasks');
    const cookie = accepted.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0]!;
    const page = await get('/tasks', { Cookie: session });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Multi-task validation');
    expect((await get('/api/tasks', { Cookie: session })).status).toBe(200);
    expect((await get('/api/tasks', { Cookie: 'thaw_session=forged' })).status).toBe(401);
  });
});
