// DNS rebinding (the host guard, lib/api/host-guard.ts): without THAW_TOKEN, Thaw answers only to IP
// addresses, localhost and the host of THAW_PUBLIC_URL. Checked with raw HTTP and with a real browser
// whose resolver maps an outside name to 127.0.0.1, as a rebinding attacker's DNS would: the page that
// name loads gets a 403 instead of Thaw, and reads nothing.
import { copyFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../testkit/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { SAMPLES_DIR, SAMPLE_NAMES, tempDir, waitFor } from '../helpers/ingest';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let thaw: ThawServer;

/** GET with exactly this Host header (fetch would not let a test set it). */
function getWithHost(pathname: string, host: string): Promise<{ status: number; body: string }> {
  const url = new URL(pathname, thaw.url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, path: url.pathname, headers: { Host: host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

beforeAll(async () => {
  database = await createTestDatabase('host_guard');
  logs = await tempDir('thaw-host-guard-');
  await copyFile(path.join(SAMPLES_DIR, `${SAMPLE_NAMES[0]}.log`), path.join(logs.dir, 'task1.log'));
  thaw = await startThaw({ databaseUrl: database.url, logs: logs.dir, env: { THAW_PUBLIC_URL: 'http://gpu-box.lab:3000' } });
  await waitFor(async () => ((await (await fetch(`${thaw.url}/api/runs`)).json()) as { runs: unknown[] }).runs.length === 1, {
    timeoutMs: 30_000,
    what: 'the run',
  });
}, 120_000);

afterAll(async () => {
  await thaw?.stop();
  await logs?.cleanup();
  await database?.drop();
});

describe('host guard', () => {
  it('answers to IP addresses, localhost and the host of THAW_PUBLIC_URL', async () => {
    const port = new URL(thaw.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `gpu-box.lab:${port}`, `GPU-BOX.lab.:${port}`]) {
      const response = await getWithHost('/api/runs', host);
      expect(response.status, host).toBe(200);
      expect(JSON.parse(response.body)).toHaveProperty('runs');
    }
  });

  it('refuses any other name, on pages and APIs, with a message that says what to set', async () => {
    const port = new URL(thaw.url).port;
    for (const pathname of ['/api/runs', '/', '/compare']) {
      const response = await getWithHost(pathname, `rebind.evil.example:${port}`);
      expect(response.status, pathname).toBe(403);
      const body = JSON.parse(response.body) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unknown_host');
      expect(body.error.message).toContain('THAW_PUBLIC_URL');
      expect(response.body).not.toContain('task1');
    }
  });

  it('a page loaded under a rebound name cannot read Thaw', async () => {
    const browser = await launchBrowser(['--host-resolver-rules=MAP rebind.evil.example 127.0.0.1']);
    try {
      const page = await browser.newPage();
      const port = new URL(thaw.url).port;
      const response = await page.goto(`http://rebind.evil.example:${port}/api/runs`);
      expect(response?.status()).toBe(403);
      // The attacker's script, same-origin to that name, reads the API: refused too.
      const read = await page.evaluate(async () => {
        const answer = await fetch('/api/runs');
        return { status: answer.status, body: await answer.text() };
      });
      expect(read.status).toBe(403);
      expect(read.body).toContain('unknown_host');
      // Thaw itself, at its own address, is unaffected.
      const own = await page.goto(`${thaw.url}/api/runs`);
      expect(own?.status()).toBe(200);
    } finally {
      await browser.close();
    }
  });
});
