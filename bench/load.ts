// API under load while ingest runs: 32 concurrent clients for 30 s against a real `thaw start`
// (embedded-free: a bench database), while a training log keeps growing in the watched folder.
// Reports requests/s, p50/p99 latency and the error count (target: 0 errors).
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { emitSmolvlaLog, generateSmolvlaLog } from '../testkit/synthetic/smolvla-log';
import { ensureWebBuild } from '../cli/web';
import { createBenchDatabase, percentile, round, type Figure } from './support';
import { freePort } from '../lib/server/ports';

const THAW_BIN = fileURLToPath(new URL('../bin/thaw.mjs', import.meta.url));

async function waitForHttp(url: string, timeoutMs: number, ready: (body: unknown) => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok && ready(await response.json())) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Keeps appending a live run's frames and prints while the load runs. */
function startLiveWriter(file: string): { stop(): Promise<void> } {
  const chunks: Buffer[] = [];
  emitSmolvlaLog(
    {
      seed: 77,
      taskId: 2,
      epochs: 400,
      epochsTotal: 400,
      stepsPerEpoch: 100,
      validationEvery: 1,
      outcome: 'running',
      stdoutBuffering: 'line',
    },
    (bytes) => chunks.push(bytes),
  );
  let stopped = false;
  const loop = (async () => {
    await writeFile(file, '');
    for (let i = 0; i < chunks.length && !stopped; i += 20) {
      await appendFile(file, Buffer.concat(chunks.slice(i, i + 20)));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

export async function benchLoad(options: { clients?: number; seconds?: number } = {}): Promise<Figure[]> {
  const clients = options.clients ?? 32;
  const seconds = options.seconds ?? 30;
  await ensureWebBuild(pino({ level: 'warn' }));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'thaw-bench-load-'));
  await chmod(dir, 0o755);
  await mkdir(path.join(dir, 'history'));
  for (let i = 0; i < 20; i++) {
    const taskId = (i % 4) + 1;
    await writeFile(
      path.join(dir, 'history', `run${i}.log`),
      generateSmolvlaLog({
        seed: 1000 + i,
        taskId,
        unfreezeLast: 4 + (i % 6),
        timestamp: `202511${String(1 + i).padStart(2, '0')}_090000`,
        epochs: 30,
        stepsPerEpoch: 200,
        validationEvery: 2,
        overfitAfter: i % 3 === 0 ? 12 : null,
      }),
    );
  }
  const db = await createBenchDatabase('load');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let thaw: ChildProcess | undefined;
  const writer = startLiveWriter(path.join(dir, 'live.log'));
  try {
    thaw = spawn(THAW_BIN, ['start', '--no-build', '--port', String(port), '--logs', dir], {
      env: { ...process.env, DATABASE_URL: db.url, THAW_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForHttp(`${base}/api/runs`, 120_000, (body) => ((body as { runs?: unknown[] }).runs?.length ?? 0) >= 21);
    const runs = ((await (await fetch(`${base}/api/runs`)).json()) as { runs: { id: number }[] }).runs.map((run) => run.id);
    const pick = <T>(values: readonly T[], i: number) => values[i % values.length]!;
    const requests = [
      () => '/api/runs',
      () => '/api/runs?task=1&sort=bestVal',
      (i: number) => `/api/runs/${pick(runs, i)}`,
      (i: number) => `/api/runs/${pick(runs, i)}/series?metric=step&points=1000`,
      (i: number) => `/api/runs/${pick(runs, i)}/series?metric=val&smooth=0.6`,
      () => '/api/compare?mode=group&x=epoch&smooth=0.6',
      (i: number) => `/api/compare?mode=runs&runs=${pick(runs, i)},${pick(runs, i + 7)}&x=step&points=1000`,
      () => '/api/tasks',
    ];
    const latencies: number[] = [];
    let errors = 0;
    const firstErrors: string[] = [];
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let i = client; performance.now() < until; i += clients) {
          const url = base + pick(requests, i)(i);
          const started = performance.now();
          try {
            const response = await fetch(url);
            await response.arrayBuffer();
            if (!response.ok) {
              errors++;
              if (firstErrors.length < 3) firstErrors.push(`${response.status} ${url}`);
            }
          } catch (error) {
            errors++;
            if (firstErrors.length < 3) firstErrors.push(`${(error as Error).message} ${url}`);
          }
          latencies.push(performance.now() - started);
        }
      }),
    );
    if (firstErrors.length > 0) process.stderr.write(`bench load: first errors: ${firstErrors.join('; ')}\n`);
    const rps = latencies.length / seconds;
    return [
      {
        name: 'api_load_requests_per_s',
        value: round(rps, 1),
        unit: 'req/s',
        limit: null,
        ratio: null,
        target: `${clients} concurrent clients for ${seconds} s while ingest runs`,
      },
      { name: 'api_load_p50', value: round(percentile(latencies, 50), 1), unit: 'ms', limit: null, ratio: null, target: 'informational' },
      {
        name: 'api_load_p99',
        value: round(percentile(latencies, 99), 1),
        unit: 'ms',
        limit: null,
        ratio: null,
        target: 'informational (2 cores shared by server, database, ingest and 32 clients)',
      },
      { name: 'api_load_errors', value: errors, unit: 'errors', limit: 0, ratio: null, target: '0 errors', met: errors === 0 },
    ];
  } finally {
    await writer.stop();
    if (thaw && thaw.exitCode === null) {
      await new Promise<void>((resolve) => {
        thaw!.once('exit', () => resolve());
        thaw!.kill('SIGINT');
        setTimeout(() => thaw!.kill('SIGKILL'), 8_000).unref();
      });
    }
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
