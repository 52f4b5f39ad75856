// A lab, not one box: ten GPU boxes each run `thaw ingest --hostname gpu-box-NN` on their own runs
// directory, all writing one PostgreSQL, while every one of their 20 training logs keeps growing.
// Figure `live_latency_p95_10_daemons`: append → committed row, p95 over every append of every file
// (target ≤ 500 ms). Afterwards the database must equal one backfill of the same files by the same ten
// hosts, row for row and summary for summary (nothing lost, nothing twice); the figure is an error if not.
//
// Each box is a real `thaw ingest` process (as on a GPU box); here all ten share this machine's cores
// with PostgreSQL and the writers, so the figure is an upper bound of what a lab sees.
// Size: THAW_BENCH_LAB_SECONDS (default 20) of appending.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { mulberry32 } from '../testkit/random';
import { generateSmolvlaLog, tqdmFrame } from '../testkit/synthetic/smolvla-log';
import { IngestDaemon } from '../ingest/daemon';
import { createPool } from '../lib/db/pool';
import { snapshotDatabase } from '../testkit/snapshot';
import { createBenchDatabase, percentile, round, type Figure } from './support';

const THAW_BIN = fileURLToPath(new URL('../bin/thaw.mjs', import.meta.url));
const BOXES = 10;
const FILES_PER_BOX = 20;
const STEPS_PER_EPOCH = 24;
const TARGET_MS = 500;

const host = (box: number) => `gpu-box-${String(box).padStart(2, '0')}`;

/** A pending append: the row it completes (a step's progress frame, or an epoch's average), when it was written. */
interface Append {
  runId: number;
  table: 'StepPoint' | 'EpochMetric';
  key: number;
  started: number;
}

/** One file's training: the epoch and the step within it that its last progress frame showed. */
interface Training {
  file: string;
  runId: number;
  epoch: number;
  n: number;
}

export async function benchLab(options: { seconds?: number } = {}): Promise<Figure[]> {
  const seconds = options.seconds ?? (Number(process.env.THAW_BENCH_LAB_SECONDS ?? '') || 20);
  const root = await mkdtemp(path.join(os.tmpdir(), 'thaw-bench-lab-'));
  await chmod(root, 0o755);
  const db = await createBenchDatabase('lab');
  const reference = await createBenchDatabase('lab_backfill');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const daemons: ChildProcess[] = [];
  try {
    // Ten boxes' runs directories, each with 20 runs in training (a header and a first epoch).
    const files: { box: number; file: string }[] = [];
    for (let box = 0; box < BOXES; box++) {
      const dir = path.join(root, host(box), 'logs');
      await mkdir(dir, { recursive: true });
      for (let i = 0; i < FILES_PER_BOX; i++) {
        const file = path.join(dir, `task${1 + (i % 4)}_run${String(i).padStart(2, '0')}.log`);
        const timestamp = `2025120${1 + (box % 9)}_${String(10 + i).padStart(2, '0')}${String(box).padStart(2, '0')}00`;
        await writeFile(
          file,
          generateSmolvlaLog({
            seed: box * 100 + i,
            taskId: 1 + (i % 4),
            epochs: 1,
            epochsTotal: 100_000,
            stepsPerEpoch: STEPS_PER_EPOCH,
            framesPerStep: 1,
            outcome: 'running',
            validationEvery: null,
            timestamp,
          }),
        );
        files.push({ box, file });
      }
    }
    for (let box = 0; box < BOXES; box++) {
      daemons.push(
        spawn(THAW_BIN, ['ingest', '--hostname', host(box), path.join(root, host(box), 'logs')], {
          env: { ...process.env, DATABASE_URL: db.url, THAW_LOG_LEVEL: 'warn' },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
    }
    const total = BOXES * FILES_PER_BOX;
    await waitUntil(
      async () => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "Run"`)).rows[0]!.n) >= total,
      120_000,
    );
    const runIds = new Map(
      (
        await client.query<{ id: number; path: string }>(`SELECT r.id, s.path FROM "Run" r JOIN "LogSource" s ON s.id = r."sourceId"`)
      ).rows.map((row) => [row.path, row.id]),
    );

    // Latency: a commit NOTIFYs the ids of the runs it wrote; an append counts as committed at the first
    // notification naming its run after which the row it completes is there.
    const pending = new Map<string, Append>();
    const latencies: number[] = [];
    await client.query('LISTEN thaw_changes');
    let checking = Promise.resolve();
    const check = (at: number, ids: number[] | 'all') => {
      checking = checking.then(async () => {
        const candidates = [...pending.values()].filter((a) => a.started < at && (ids === 'all' || ids.includes(a.runId)));
        if (candidates.length === 0) return;
        const found = await client.query<{ t: string; runId: number; key: number }>(
          `SELECT 'StepPoint' AS t, p."runId", p.step AS key FROM "StepPoint" p
             JOIN unnest($1::int[], $2::int[]) AS u(run, key) ON p."runId" = u.run AND p.step = u.key
           UNION ALL
           SELECT 'EpochMetric', m."runId", m.epoch FROM "EpochMetric" m
             JOIN unnest($3::int[], $4::int[]) AS u(run, key) ON m."runId" = u.run AND m.epoch = u.key WHERE m."trainLoss" IS NOT NULL`,
          [
            ...[candidates.filter((a) => a.table === 'StepPoint'), candidates.filter((a) => a.table === 'EpochMetric')].flatMap((list) => [
              list.map((a) => a.runId),
              list.map((a) => a.key),
            ]),
          ],
        );
        for (const row of found.rows) {
          const key = `${row.t}|${row.runId}|${row.key}`;
          const append = pending.get(key);
          if (!append) continue;
          pending.delete(key);
          latencies.push(at - append.started);
        }
      });
    };
    client.on('notification', (message) => {
      const at = performance.now();
      const payload = message.payload ?? '';
      check(at, payload === 'all' || payload === 'stale' ? 'all' : payload.split(',').map(Number));
    });

    // Every file keeps growing as a trainer writes it: every 0.5–1.5 s the progress frames of the last
    // 2–4 steps (tqdm's `\r<frame>`: each frame is complete when the next one starts), and at an epoch's
    // end the bar's close and the epoch's average on stdout.
    const until = performance.now() + seconds * 1000;
    const trainings: Training[] = files.map((entry) => ({ file: entry.file, runId: runIds.get(entry.file)!, epoch: 2, n: 0 }));
    await Promise.all(
      trainings.map(async (run, i) => {
        const own = mulberry32(1000 + i);
        await sleep(own() * 1500);
        while (performance.now() < until) {
          const loss = (0.9 / Math.sqrt(run.epoch)).toFixed(4);
          let text = '';
          let completes: Append;
          if (run.n === STEPS_PER_EPOCH) {
            text = `\r${' '.repeat(100)}\rEpoch ${run.epoch} Average Loss: ${loss}\n`;
            completes = { runId: run.runId, table: 'EpochMetric', key: run.epoch, started: 0 };
            run.epoch++;
            run.n = 0;
          } else {
            const frames = Math.min(STEPS_PER_EPOCH - run.n, 2 + Math.floor(own() * 3));
            for (let k = 0; k < frames; k++) {
              run.n++;
              text += tqdmFrame(`Training Epoch ${run.epoch}`, run.n, STEPS_PER_EPOCH, 0.4, `loss=${loss}, lr=1.00e-04`);
            }
            // This append's `\r`s complete the frames before its last one (the last waits for the next `\r`).
            completes = { runId: run.runId, table: 'StepPoint', key: (run.epoch - 1) * STEPS_PER_EPOCH + run.n - 1, started: 0 };
          }
          completes.started = performance.now();
          pending.set(`${completes.table}|${completes.runId}|${completes.key}`, completes);
          await appendFile(run.file, text);
          await sleep(500 + own() * 1000);
        }
      }),
    );
    const appends = latencies.length + pending.size;
    // Stragglers: still caught by notifications; a final poll covers a notification that named 'all'.
    await waitUntil(async () => {
      check(performance.now(), 'all');
      await checking;
      return pending.size === 0;
    }, 30_000).catch(() => undefined);
    if (pending.size > 0) throw new Error(`${pending.size} of ${appends} appends were never committed`);

    for (const daemon of daemons.splice(0)) await stop(daemon);
    await client.end();

    // The same files, backfilled once by the same ten hosts: the database must be the same.
    for (let box = 0; box < BOXES; box++) {
      const pool = createPool(reference.url);
      const daemon = new IngestDaemon({
        pool,
        paths: [path.join(root, host(box), 'logs')],
        host: host(box),
        log: pino({ level: 'silent' }),
        staleMinutes: 10,
      });
      try {
        const { failed } = await daemon.backfill();
        if (failed.length > 0) throw new Error(`the reference backfill could not store ${failed.join(', ')}`);
      } finally {
        await daemon.close();
        await pool.end();
      }
    }
    const [live, once] = await Promise.all(
      [db.url, reference.url].map(async (url) => {
        const pool = new pg.Pool({ connectionString: url, max: 2 });
        try {
          const query = async <T extends pg.QueryResultRow>(sql: string, params?: unknown[]) => (await pool.query<T>(sql, params)).rows;
          const snapshot = await snapshotDatabase(query, { summaries: true });
          const hosts = await query<{ host: string; n: number }>(
            `SELECT host, count(*)::int AS n FROM "LogSource" GROUP BY host ORDER BY host`,
          );
          return { snapshot, hosts };
        } finally {
          await pool.end();
        }
      }),
    );
    const expectedEpochs = trainings.reduce((sum, run) => sum + run.epoch - 1, 0);
    if (live!.snapshot['epochs']!.length !== expectedEpochs)
      throw new Error(`the lab stored ${live!.snapshot['epochs']!.length} epoch rows, the files hold ${expectedEpochs}`);
    if (JSON.stringify(live!.hosts) !== JSON.stringify(Array.from({ length: BOXES }, (_, box) => ({ host: host(box), n: FILES_PER_BOX }))))
      throw new Error(`sources per host: ${JSON.stringify(live!.hosts)}`);
    const differing = Object.keys(once!.snapshot).filter(
      (table) => JSON.stringify(live!.snapshot[table]) !== JSON.stringify(once!.snapshot[table]),
    );
    if (differing.length > 0) throw new Error(`after the lab run the database differs from one backfill in: ${differing.join(', ')}`);

    const p95 = percentile(latencies, 95);
    return [
      {
        name: 'live_latency_p50_10_daemons',
        value: round(percentile(latencies, 50), 1),
        unit: 'ms',
        limit: null,
        ratio: null,
        target: `append → committed row, ${latencies.length} appends to ${total} growing files`,
      },
      {
        name: 'live_latency_p95_10_daemons',
        value: round(p95, 1),
        unit: 'ms',
        limit: TARGET_MS,
        ratio: round(p95 / TARGET_MS),
        met: p95 <= TARGET_MS,
        target: `p95 ≤ ${TARGET_MS} ms: ${BOXES} \`thaw ingest --hostname\` daemons × ${FILES_PER_BOX} growing files, one PostgreSQL, ${latencies.length} appends in ${seconds} s (max ${Math.round(Math.max(...latencies))} ms); afterwards equal to one backfill (${expectedEpochs} epochs, ${live!.snapshot['runs']!.length} runs)`,
      },
    ];
  } finally {
    for (const daemon of daemons) await stop(daemon);
    await client.end().catch(() => {});
    await db.drop();
    await reference.drop();
    await rm(root, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the lab bench timed out waiting for the daemons');
    await sleep(50);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}
