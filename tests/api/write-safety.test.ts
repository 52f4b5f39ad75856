// Writes are safe: every write refuses cross-site requests — on loopback, without a
// token, too — and JSON APIs refuse anything but a JSON body; with THAW_TOKEN every write also needs
// the token, and the login form still works from Thaw's own page. Checked twice: raw HTTP with forged
// headers, and a real browser on a page served from another local origin (another port, another host
// name) that posts a form and a fetch to Thaw. Afterwards nothing changed in the database.
import { copyFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/server/ports';
import { launchBrowser } from '../../testkit/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { SAMPLES_DIR, SAMPLE_NAMES, tempDir, waitFor } from '../helpers/ingest';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';

const TOKEN = 'write-safety-token-0123456789';
let database: TestDatabase;
let tokenDatabase: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let open: ThawServer; // loopback, no token
let guarded: ThawServer; // loopback, THAW_TOKEN set
let browser: Browser;
let evil: http.Server;
let evilPort: number;
let runId: number;
/** The page the "other site" serves at /<name>. */
const evilPages = new Map<string, string>();

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request with exactly these headers (fetch would add or refuse some). */
function raw(base: string, method: string, pathname: string, headers: Record<string, string>, body = ''): Promise<RawResponse> {
  const url = new URL(pathname, base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function annotationRows(db: TestDatabase): Promise<{ key: string; starred: boolean; hidden: boolean; tags: string[] | null }[]> {
  return db.query('SELECT key, starred, hidden, tags FROM "RunAnnotation" ORDER BY key');
}

beforeAll(async () => {
  database = await createTestDatabase('write_safety');
  tokenDatabase = await createTestDatabase('write_safety_token');
  logs = await tempDir('thaw-write-safety-');
  await copyFile(path.join(SAMPLES_DIR, `${SAMPLE_NAMES[0]}.log`), path.join(logs.dir, 'task1.log'));
  [open, guarded] = await Promise.all([
    startThaw({ databaseUrl: database.url, logs: logs.dir }),
    startThaw({ databaseUrl: tokenDatabase.url, logs: logs.dir, env: { THAW_TOKEN: TOKEN } }),
  ]);
  await waitFor(async () => ((await (await fetch(`${open.url}/api/runs`)).json()) as { runs: unknown[] }).runs.length === 1, {
    timeoutMs: 30_000,
    what: 'the run',
  });
  runId = ((await (await fetch(`${open.url}/api/runs`)).json()) as { runs: { id: number }[] }).runs[0]!.id;
  evilPort = await freePort();
  evil = http.createServer((request, response) => {
    const page = evilPages.get((request.url ?? '/').slice(1));
    response.writeHead(page === undefined ? 404 : 200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => evil.listen(evilPort, '127.0.0.1', resolve));
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (evil ? evil.close(resolve) : resolve(undefined)));
  await Promise.all([open?.stop(), guarded?.stop()]);
  await logs?.cleanup();
  await Promise.all([database?.drop(), tokenDatabase?.drop()]);
});

describe('forged headers over raw HTTP (loopback, no token)', () => {
  const JSON_TYPE = { 'Content-Type': 'application/json' };
  const body = () => JSON.stringify({ ids: [runId], starred: true });

  it('refuses cross-site and same-site writes, and non-JSON bodies to JSON APIs; nothing is written', async () => {
    const refused: [Record<string, string>, number, string][] = [
      [{ ...JSON_TYPE, Origin: 'http://evil.example' }, 403, 'cross_site_write'],
      [{ ...JSON_TYPE, 'Sec-Fetch-Site': 'cross-site' }, 403, 'cross_site_write'],
      [{ ...JSON_TYPE, Origin: `http://127.0.0.1:${evilPort}`, 'Sec-Fetch-Site': 'same-site' }, 403, 'cross_site_write'],
      [{ ...JSON_TYPE, Origin: 'null' }, 403, 'cross_site_write'],
      [{ 'Content-Type': 'text/plain' }, 415, 'unsupported_media_type'],
      [{ 'Content-Type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
      [{}, 415, 'unsupported_media_type'],
      [{ 'Content-Type': 'text/plain', Origin: open.url, 'Sec-Fetch-Site': 'same-origin' }, 415, 'unsupported_media_type'],
    ];
    for (const [headers, status, code] of refused) {
      const response = await raw(open.url, 'POST', '/api/runs/annotations', headers, body());
      expect(response.status, JSON.stringify(headers)).toBe(status);
      expect((JSON.parse(response.body) as { error: { code: string } }).error.code).toBe(code);
      const patched = await raw(open.url, 'PATCH', `/api/runs/${runId}`, headers, JSON.stringify({ hidden: true }));
      expect(patched.status, JSON.stringify(headers)).toBe(status);
      const put = await raw(open.url, 'PUT', '/api/tasks/1', headers, JSON.stringify({ episodes: 5 }));
      expect(put.status, JSON.stringify(headers)).toBe(status);
    }
    expect(await annotationRows(database)).toEqual([]);
    expect(await database.query('SELECT * FROM "TaskAnnotation"')).toEqual([]);
    // Reads stay open to other origins' forged headers (they change nothing).
    expect((await raw(open.url, 'GET', '/api/runs', { Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' })).status).toBe(200);
  });

  it('accepts a non-browser client (no Origin) and Thaw’s own origin', async () => {
    const curl = await raw(open.url, 'PATCH', `/api/runs/${runId}`, JSON_TYPE, JSON.stringify({ tags: ['from-curl'] }));
    expect(curl.status, curl.body).toBe(200);
    const own = await raw(
      open.url,
      'PATCH',
      `/api/runs/${runId}`,
      { ...JSON_TYPE, Origin: open.url, 'Sec-Fetch-Site': 'same-origin' },
      JSON.stringify({ tags: [] }),
    );
    expect(own.status, own.body).toBe(200);
    expect((await annotationRows(database)).map((r) => r.tags)).toEqual([[]]);
  });
});

describe('a real browser on another origin', () => {
  it('cannot write through a form or a fetch (another port: same-site; another host name: cross-site)', async () => {
    const before = await annotationRows(database);
    // The classic JSON CSRF: a text/plain form whose body reads as JSON, and a no-cors fetch.
    const attack = (target: string) => `<!doctype html><html><body>
      <form id="f" method="POST" action="${target}/api/runs/annotations" enctype="text/plain">
        <input name='{"ids":[${runId}],"starred":true,"hidden":true,"x":"' value='"}'>
      </form>
      <script>
        fetch(${JSON.stringify(`${target}/api/runs/annotations`)}, { method: 'POST', mode: 'no-cors',
          headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ ids: [${runId}], addTags: ['pwned'] }) })
          .finally(() => document.getElementById('f').submit());
      </script></body></html>`;
    evilPages.set('attack', attack(open.url));
    for (const origin of [`http://127.0.0.1:${evilPort}`, `http://localhost:${evilPort}`]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const answers: { url: string; status: number; method: string }[] = [];
      page.on('response', (response) => {
        if (response.url().startsWith(open.url))
          answers.push({ url: response.url(), status: response.status(), method: response.request().method() });
      });
      await page.goto(`${origin}/attack`);
      await waitFor(() => answers.length >= 2, { timeoutMs: 15_000, what: `both requests from ${origin} answered` });
      expect(answers.map((a) => [a.method, a.status])).toEqual([
        ['POST', 403],
        ['POST', 403],
      ]);
      await context.close();
    }
    expect(await annotationRows(database)).toEqual(before);
    const run = (await (await fetch(`${open.url}/api/runs?hidden=include`)).json()) as {
      runs: { starred: boolean; hidden: boolean; tags: string[] }[];
    };
    expect(run.runs[0]).toMatchObject({ starred: false, hidden: false, tags: [] });
  });
});

describe('with THAW_TOKEN', () => {
  it('needs the token for writes; refuses cross-site writes even with it', async () => {
    const json = { 'Content-Type': 'application/json' };
    const guardedRuns = async () =>
      (
        (await (await fetch(`${guarded.url}/api/runs`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as {
          runs: { id: number }[];
        }
      ).runs;
    await waitFor(async () => (await guardedRuns()).length === 1, { timeoutMs: 30_000, what: 'the run on the guarded server' });
    const id = (await guardedRuns())[0]!.id;
    expect((await raw(guarded.url, 'PATCH', `/api/runs/${id}`, json, '{"starred":true}')).status).toBe(401);
    const crossWithToken = await raw(
      guarded.url,
      'PATCH',
      `/api/runs/${id}`,
      { ...json, Authorization: `Bearer ${TOKEN}`, Origin: 'http://evil.example' },
      '{"starred":true}',
    );
    expect(crossWithToken.status).toBe(403);
    const ok = await raw(guarded.url, 'PATCH', `/api/runs/${id}`, { ...json, Authorization: `Bearer ${TOKEN}` }, '{"starred":true}');
    expect(ok.status, ok.body).toBe(200);
    // A login form posted from another site is refused (no session cookie is set).
    const loginCsrf = await raw(
      guarded.url,
      'POST',
      '/api/auth/login',
      { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' },
      `token=${TOKEN}&next=%2F`,
    );
    expect(loginCsrf.status).toBe(403);
    expect(loginCsrf.headers['set-cookie']).toBeUndefined();
  });

  it('signs in through the /login form in a real browser; the same form posted from another origin is refused', async () => {
    // The test before starred the run through the API: unstarred again, so the click below has to star it.
    const auth = { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` };
    const listed = (await (await fetch(`${guarded.url}/api/runs`, { headers: auth })).json()) as { runs: { id: number }[] };
    expect((await raw(guarded.url, 'PATCH', `/api/runs/${listed.runs[0]!.id}`, auth, '{"starred":false}')).status).toBe(200);
    expect((await annotationRows(tokenDatabase)).some((r) => r.starred)).toBe(false);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${guarded.url}/`);
    await page.waitForURL(/\/login/);
    await page.fill('input[name=token]', TOKEN);
    await Promise.all([page.waitForURL(`${guarded.url}/`), page.click('button[type=submit]')]);
    await page.waitForSelector('[data-testid=runs-table]');
    // Signed in, Thaw's own page writes (a star from the runs table).
    // A click that lands before the page has hydrated does nothing: click again only while nothing was saved.
    const starred = async () => (await annotationRows(tokenDatabase)).some((r) => r.starred);
    for (let attempt = 0; attempt < 5 && !(await starred()); attempt++) {
      await page.click('[data-testid=run-row] [data-testid=star]');
      await waitFor(starred, { what: 'the star saved', timeoutMs: 5_000 }).catch(() => undefined);
    }
    expect(await starred()).toBe(true);
    await context.close();

    evilPages.set(
      'login',
      `<!doctype html><form id="f" method="POST" action="${guarded.url}/api/auth/login"><input name="token" value="${TOKEN}"><input name="next" value="/"></form><script>document.getElementById('f').submit()</script>`,
    );
    const attacker = await browser.newContext();
    const evilPage = await attacker.newPage();
    const answered = evilPage.waitForResponse((response) => response.url() === `${guarded.url}/api/auth/login`);
    await evilPage.goto(`http://localhost:${evilPort}/login`);
    const response = await answered;
    expect(response.status()).toBe(403);
    expect(await response.headerValue('set-cookie')).toBeNull();
    expect((await attacker.cookies(guarded.url)).map((c) => c.name)).not.toContain('thaw_session');
    await attacker.close();
  });
});
