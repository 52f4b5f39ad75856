// Ingest benchmarks, each against a limit measured in the same run on the same data:
// - backfill of a ≥ 1M-line log vs (raw read+split of the file + binary COPY of the rows it produced into
//   tables with only their primary keys: the physical floor, not Thaw's own constraints);
// - live latency from a line's append to its row being committed (p50/p95 over ≥ 200 appends);
// - RSS of a daemon process tailing 200 files.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { IngestDaemon } from '../ingest/daemon';
import { createPool } from '../lib/db/pool';
import { writeSmolvlaLog, generateSmolvlaLog } from '../testkit/synthetic/smolvla-log';
import { copyFloor, createBenchDatabase, percentile, round, type Figure } from './support';

const THAW_BIN = fileURLToPath(new URL('../bin/thaw.mjs', import.meta.url));
const silent = pino({ level: 'silent' });

async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

export async function benchBackfill(options: { frames?: number } = {}): Promise<Figure[]> {
  const frames = options.frames ?? 1_000_000;
  const dir = await scratchDir('thaw-bench-backfill-');
  const file = path.join(dir, 'train.log');
  const stepsPerEpoch = 5000;
  writeSmolvlaLog(file, {
    seed: 11,
    epochs: Math.ceil(frames / stepsPerEpoch),
    epochsTotal: Math.ceil(frames / stepsPerEpoch),
    stepsPerEpoch,
    framesPerStep: 1,
    validationEvery: 5,
    perfStats: true,
  });
  const target = await createBenchDatabase('backfill');
  const limitDb = await createBenchDatabase('backfill_limit');
  try {
    // Raw floor 1: read the file and split it on \r / \n.
    const splitStarted = performance.now();
    const lines = (await readFile(file)).toString('utf8').split(/\r\n?|\n|\r/).length;
    const splitMs = performance.now() - splitStarted;

    const pool = createPool(target.url);
    const daemon = new IngestDaemon({ pool, paths: [file], log: silent, staleMinutes: 10 });
    const started = performance.now();
    await daemon.backfill();
    const backfillMs = performance.now() - started;
    await daemon.close();
    await pool.end();

    // Raw floor 2: COPY exactly the rows ingest produced into an empty schema.
    const { copyMs, rowCount } = await copyFloor(target.url, limitDb.url);

    const limitMs = splitMs + copyMs;
    return [
      {
        name: 'backfill_lines_per_s',
        value: Math.round(lines / (backfillMs / 1000)),
        unit: 'lines/s',
        limit: Math.round(lines / (limitMs / 1000)),
        ratio: round(backfillMs / limitMs),
        target: `backfill time ≤ 3× (read+split ${Math.round(splitMs)} ms + COPY of ${rowCount} rows into primary-key-only tables ${Math.round(copyMs)} ms); ${lines} lines in ${Math.round(backfillMs)} ms`,
        met: backfillMs <= 3 * limitMs,
      },
    ];
  } finally {
    await target.drop();
    await limitDb.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

function startDaemonProcess(url: string, dir: string): ChildProcess {
  return spawn(THAW_BIN, ['ingest', dir], {
    env: { ...process.env, DATABASE_URL: url, THAW_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('benchmark timed out waiting for the daemon');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function benchLiveLatency(options: { appends?: number } = {}): Promise<Figure[]> {
  const appends = options.appends ?? 250;
  const dir = await scratchDir('thaw-bench-live-');
  const file = path.join(dir, 'live.log');
  const db = await createBenchDatabase('live');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  // A header and one epoch so the appended lines belong to a run.
  await writeFile(
    file,
    generateSmolvlaLog({ seed: 5, epochs: 1, epochsTotal: 100000, stepsPerEpoch: 20, outcome: 'running', validationEvery: null }),
  );
  const daemon = startDaemonProcess(db.url, dir);
  try {
    await waitUntil(async () => (await client.query(`SELECT 1 FROM "Run"`)).rowCount! > 0, 30_000);
    await client.query('LISTEN thaw_changes');
    const latencies: number[] = [];
    for (let i = 0; i < appends; i++) {
      const epoch = 1000 + i;
      const committed = new Promise<void>((resolve) => {
        const check = () => void checkCommitted();
        const checkCommitted = async () => {
          const found = await client.query(`SELECT 1 FROM "EpochMetric" WHERE epoch = $1 AND "trainLoss" IS NOT NULL`, [epoch]);
          if (found.rowCount) {
            client.off('notification', check);
            resolve();
          }
        };
        client.on('notification', check);
      });
      const started = performance.now();
      await appendFile(file, `Epoch ${epoch} Average Loss: 0.${String(1000 + i).slice(-4)}\n`);
      await Promise.race([
        committed,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`epoch ${epoch} never committed`)), 10_000)),
      ]);
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10 + (i % 5) * 8));
    }
    return [
      {
        name: 'live_latency_p50',
        value: round(percentile(latencies, 50), 1),
        unit: 'ms',
        limit: null,
        ratio: null,
        target: `append → committed row, over ${appends} appends`,
      },
      {
        name: 'live_latency_p95',
        value: round(percentile(latencies, 95), 1),
        unit: 'ms',
        limit: 250,
        ratio: round(percentile(latencies, 95) / 250),
        target: 'p95 ≤ 250 ms',
        met: percentile(latencies, 95) <= 250,
      },
    ];
  } finally {
    await stopProcess(daemon);
    await client.end();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

function rssMegabytes(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((status) => Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

export async function benchDaemonMemory(options: { files?: number; seconds?: number } = {}): Promise<Figure[]> {
  const files = options.files ?? 200;
  const seconds = options.seconds ?? 15;
  const dir = await scratchDir('thaw-bench-rss-');
  const db = await createBenchDatabase('rss');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const paths = Array.from({ length: files }, (_, i) => path.join(dir, `run${String(i).padStart(3, '0')}.log`));
  for (const [i, file] of paths.entries()) {
    await writeFile(
      file,
      generateSmolvlaLog({ seed: i, epochs: 2, epochsTotal: 200, stepsPerEpoch: 50, outcome: 'running', validationEvery: 1 }),
    );
  }
  const daemon = startDaemonProcess(db.url, dir);
  try {
    await waitUntil(async () => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "Run"`)).rows[0]!.n) >= files, 60_000);
    let peak = 0;
    const until = Date.now() + seconds * 1000;
    let epoch = 3;
    while (Date.now() < until) {
      // Every file keeps growing: a tqdm frame burst and an epoch line each round.
      await Promise.all(
        paths.map((file) =>
          appendFile(
            file,
            `\rTraining Epoch ${epoch}:  50%|█████     | 25/50 [00:10<00:10,  2.40it/s, loss=0.0412, lr=1.00e-04, proc_ms=402.3]\nEpoch ${epoch} Average Loss: 0.0412\n`,
          ),
        ),
      );
      epoch++;
      peak = Math.max(peak, await rssMegabytes(daemon.pid!));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return [
      {
        name: 'daemon_rss_200_files',
        value: round(peak, 1),
        unit: 'MB',
        limit: 150,
        ratio: round(peak / 150),
        target: `peak RSS ≤ 150 MB while tailing ${files} growing files`,
        met: peak <= 150,
      },
    ];
  } finally {
    await stopProcess(daemon);
    await client.end();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
