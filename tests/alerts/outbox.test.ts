// The alert outbox end to end: live following fires once, a backfill fires nothing, and two daemons
// after a kill -9 between commit and delivery deliver each alert (same id), none lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertWorker } from '../../delivery/alert-worker';
import { IngestDaemon } from '../../ingest/daemon';
import type { AlertPayload } from '../../lib/alerts/channels';
import type { AlertChannel } from '../../lib/alerts/config';
import { createPool } from '../../lib/db/pool';
import { cleanEnv, THAW_BIN, PROJECT_DIR } from '../../testkit/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { committedOffset, memoryLogger, sampleLog, tempDir, waitFor } from '../helpers/ingest';
import { startReceiver } from './receiver';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** The overfitting sample split before its validation turns (best at epoch 20, rising from 21). */
async function overfitLogParts(): Promise<[Buffer, Buffer]> {
  const log = await sampleLog('sample_task1_unfreeze8_overfit');
  const at = log.indexOf('Epoch 15/50\n');
  return [log.subarray(0, at), log.subarray(at)];
}

async function setup(prefix: string) {
  const db: TestDatabase = await createTestDatabase(prefix);
  const temp = await tempDir('thaw-alerts-');
  const dir = temp.dir;
  const receiver = await startReceiver();
  cleanups.push(
    () => db.drop(),
    () => temp.cleanup(),
    () => receiver.close(),
  );
  const channel: AlertChannel = {
    name: 'lab',
    type: 'webhook',
    url: `${receiver.url}/hook`,
    secret: null,
    rules: ['overfitting', 'diverged', 'crashed', 'stalled'],
    tasks: null,
  };
  return { db, dir, receiver, channel, file: path.join(dir, 'train.log') };
}

async function follow(url: string, dir: string, channel: AlertChannel) {
  const pool = createPool(url);
  const log = memoryLogger('silent').logger;
  const daemon = new IngestDaemon({ pool, paths: [dir], log, staleMinutes: 10 });
  const worker = new AlertWorker({ pool, channels: [channel], log, publicUrl: 'http://thaw.test:3000', pollMs: 50 });
  await daemon.start();
  worker.start();
  return {
    daemon,
    worker,
    pool,
    close: async () => {
      await daemon.close();
      await worker.close();
      await pool.end();
    },
  };
}

describe('live vs backfill', () => {
  it('live following fires the transition once, with the documented payload', async () => {
    const { db, dir, receiver, channel, file } = await setup('alerts_live');
    const [before, after] = await overfitLogParts();
    await writeFile(file, before);
    const running = await follow(db.url, dir, channel);
    try {
      await waitFor(async () => (await committedOffset(running.pool, file)) === before.length, { what: 'catch-up' });
      await running.daemon.idle();
      expect(await db.query('SELECT * FROM "Alert"')).toEqual([]);
      // Training goes on: the rest of the log arrives in a few appends.
      for (let at = 0; at < after.length; at += 20_000) await appendFile(file, after.subarray(at, at + 20_000));
      await waitFor(() => receiver.received.length >= 1, { what: 'the overfitting alert' });
      await waitFor(async () => (await committedOffset(running.pool, file)) === before.length + after.length, { what: 'all committed' });
      await running.daemon.idle();
      await running.worker.drain();
    } finally {
      await running.close();
    }
    expect(receiver.received).toHaveLength(1);
    const payload = JSON.parse(receiver.received[0]!.body) as AlertPayload;
    const [run] = await db.query<{ id: number }>('SELECT id FROM "Run"');
    expect(payload).toMatchObject({ rule: 'overfitting', run: { id: run!.id, taskId: 1 }, url: `http://thaw.test:3000/runs/${run!.id}` });
    expect(Object.keys(payload).sort()).toEqual(['id', 'message', 'rule', 'run', 'url']);
    expect(Object.keys(payload.run).sort()).toEqual(['id', 'status', 'strategy', 'taskId', 'taskName']);
    expect(payload.message).toMatch(/began at epoch \d+; best validation 0\.1098 at epoch 20/);
    const alerts = await db.query<{ rule: string; live: boolean }>('SELECT rule, live FROM "Alert" ORDER BY rule');
    // `completed` is recorded too, but the channel does not want it (off by default).
    expect(alerts).toEqual([
      { rule: 'completed', live: true },
      { rule: 'overfitting', live: true },
    ]);
    const deliveries = await db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM "AlertDelivery"');
    expect(deliveries).toEqual([{ status: 'delivered', attempts: 1 }]);
  });

  it('a backfill (--once, or the first start on finished logs) fires nothing', async () => {
    const { db, dir, receiver, channel, file } = await setup('alerts_backfill');
    const [before, after] = await overfitLogParts();
    await writeFile(file, Buffer.concat([before, after]));
    const pool = createPool(db.url);
    const once = new IngestDaemon({ pool, paths: [dir], log: memoryLogger('silent').logger, staleMinutes: 10 });
    await once.backfill();
    await once.close();
    await pool.end();
    // The first start of a following daemon on the same (and on another, finished) log.
    await writeFile(path.join(dir, 'old.log'), Buffer.concat([before, after]));
    const running = await follow(db.url, dir, channel);
    try {
      await waitFor(async () => (await committedOffset(running.pool, path.join(dir, 'old.log'))) > 0, { what: 'old.log caught up' });
      await running.daemon.idle();
      await running.worker.drain();
    } finally {
      await running.close();
    }
    expect(receiver.received).toEqual([]);
    const alerts = await db.query<{ live: boolean }>('SELECT live FROM "Alert"');
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => !a.live)).toBe(true);
    expect(await db.query('SELECT * FROM "AlertDelivery"')).toEqual([]);
  });
});

function startDaemon(dir: string, env: Record<string, string>): ChildProcess {
  const child = spawn(THAW_BIN, ['ingest', dir], { cwd: PROJECT_DIR, env: cleanEnv(env) as NodeJS.ProcessEnv, stdio: 'ignore' });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    return Promise.resolve();
  });
  return child;
}

describe('delivery across daemons and crashes', () => {
  it('kill -9 between commit and delivery, then two daemons: delivered, none lost, duplicates share the id', async () => {
    const db: TestDatabase = await createTestDatabase('alerts_kill');
    const temp = await tempDir('thaw-alerts-kill-');
    const dir = temp.dir;
    // The first request never gets an answer: the daemon is killed while delivering.
    const receiver = await startReceiver((_, index) => (index === 0 ? 'hang' : { status: 200, body: 'ok' }));
    cleanups.push(
      () => db.drop(),
      () => temp.cleanup(),
      () => receiver.close(),
    );
    const alertsFile = path.join(dir, 'thaw-alerts.yaml');
    const logs = path.join(dir, 'logs');
    await writeFile(
      alertsFile,
      `channels:\n  - name: lab\n    type: webhook\n    url: ${receiver.url}/hook\n    secret: kill-test-secret\n`,
    );
    await import('node:fs/promises').then((fs) => fs.mkdir(logs));
    const file = path.join(logs, 'train.log');
    const [before, after] = await overfitLogParts();
    await writeFile(file, before);
    const env = { DATABASE_URL: db.url, THAW_ALERTS: alertsFile, THAW_PUBLIC_URL: 'http://thaw.test:3000' };

    const first = startDaemon(logs, env);
    const pool = createPool(db.url);
    cleanups.push(() => pool.end());
    await waitFor(async () => (await committedOffset(pool, file)) === before.length, { what: 'daemon A caught up', timeoutMs: 60_000 });
    await appendFile(file, after);
    await waitFor(() => receiver.received.length >= 1, { what: 'daemon A delivering', timeoutMs: 60_000 });
    // The alert is committed, its delivery is in flight: kill -9.
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const [pending] = await db.query<{ status: string }>('SELECT status FROM "AlertDelivery"');
    expect(pending?.status).toBe('pending');

    startDaemon(logs, env);
    startDaemon(logs, env);
    await waitFor(
      async () => (await db.query<{ status: string }>(`SELECT status FROM "AlertDelivery" WHERE status = 'delivered'`)).length === 1,
      {
        what: 'delivered after restart',
        timeoutMs: 60_000,
      },
    );
    // Give the second daemon every chance to send it again (it must not).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const ids = receiver.received.map((r) => (JSON.parse(r.body) as AlertPayload).id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
    const [alert] = await db.query<{ id: string }>(`SELECT id FROM "Alert" WHERE rule = 'overfitting'`);
    expect(ids[0]).toBe(alert!.id);
    const attempts = await db.query<{ ok: boolean }>('SELECT ok FROM "AlertAttempt" ORDER BY id');
    expect(attempts).toEqual([{ ok: true }]);
  });

  it('a GPU box without thaw-alerts.yaml leaves its alerts to the machine that has the file', async () => {
    const { db, dir, receiver, channel } = await setup('alerts_no_file');
    const logs = path.join(dir, 'logs');
    await import('node:fs/promises').then((fs) => fs.mkdir(logs));
    const file = path.join(logs, 'train.log');
    const [before, after] = await overfitLogParts();
    await writeFile(file, before);
    // The GPU box: follows the log, has no alerts file (THAW_ALERTS names one that does not exist).
    startDaemon(logs, { DATABASE_URL: db.url, THAW_ALERTS: path.join(dir, 'missing.yaml') });
    const pool = createPool(db.url);
    cleanups.push(() => pool.end());
    await waitFor(async () => (await committedOffset(pool, file)) === before.length, { what: 'the GPU box caught up', timeoutMs: 60_000 });
    await appendFile(file, after);
    await waitFor(async () => (await db.query(`SELECT id FROM "Alert" WHERE rule = 'overfitting'`)).length === 1, {
      what: 'the overfitting alert recorded',
      timeoutMs: 60_000,
    });
    // A worker would have fanned it out within its 1 s poll: the box must not claim it.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const alerts = await db.query<{ rule: string; fannedOutAt: Date | null }>('SELECT rule, "fannedOutAt" FROM "Alert" ORDER BY rule');
    expect(alerts.map((a) => a.rule)).toContain('overfitting');
    expect(alerts.filter((a) => a.fannedOutAt !== null)).toEqual([]);
    expect(await db.query('SELECT id FROM "AlertDelivery"')).toEqual([]);
    // The web machine, with the file, sends it.
    const worker = new AlertWorker({ pool, channels: [channel], log: memoryLogger('silent').logger, publicUrl: null, pollMs: 50 });
    await worker.drain();
    await worker.close();
    expect(receiver.received.map((r) => (JSON.parse(r.body) as AlertPayload).rule)).toEqual(['overfitting']);
  });
});
