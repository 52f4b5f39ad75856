// The opt-in `unlikely_to_beat` alert end to end: `thaw start` follows task 1's finished
// runs and two runs being written — one that overfits (the run to stop) and one like the best strategy
// — with two webhook channels on a local receiver, one listing the rule and one not. The run to stop
// is announced once, with the forecast's sentence, to the channel that asked; the other run never is,
// nor is an unfinished run found in the history. A process whose channels do not list the rule never
// judges it.
import { appendFile, mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlerts } from '../../cli/commands/alerts';
import { IngestDaemon } from '../../ingest/daemon';
import { createPool } from '../../lib/db/pool';
import { generateSmolvlaLog } from '../../testkit/synthetic/smolvla-log';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { memoryLogger, tempDir, waitFor } from '../helpers/ingest';
import { EPOCHS, STEPS_PER_EPOCH, STRATEGY_LOG_RUNS, runningStrategyLogs, writeStrategyLogs } from '../web/strategy-logs';
import { startReceiver } from './receiver';

const { toStop: TO_STOP, onTrack: ON_TRACK } = runningStrategyLogs();
/** The run to stop's twin, unfinished, in the history (last written three hours ago). */
const HISTORY = generateSmolvlaLog({
  epochs: 9,
  epochsTotal: EPOCHS,
  stepsPerEpoch: STEPS_PER_EPOCH,
  validationEvery: 1,
  saveEvery: 100,
  taskId: 1,
  outcome: 'running',
  seed: 32,
  unfreezeLast: 10,
  timeScale: 1.5,
  overfitAfter: 4,
  timestamp: '20251101_100000',
});

/** Writes `bytes` to `file` in pieces cut at line ends, `pieces` of them, `pauseMs` apart. */
async function writeInPieces(file: string, bytes: Uint8Array, pieces: number, pauseMs: number): Promise<void> {
  const ends: number[] = [];
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) ends.push(at + 1);
  const cuts = Array.from({ length: pieces }, (_, k) => ends[Math.floor(((k + 1) * (ends.length - 1)) / pieces)]!);
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut <= at) continue;
    if (at === 0) await writeFile(file, bytes.subarray(0, cut));
    else await appendFile(file, bytes.subarray(at, cut));
    at = cut;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

let work: { dir: string; cleanup: () => Promise<void> };
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const databases: TestDatabase[] = [];
let server: ThawServer | undefined;

beforeAll(async () => {
  work = await tempDir('thaw-forecast-alerts-');
  receiver = await startReceiver();
});

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  for (const database of databases) await database.drop();
  await work?.cleanup();
});

type Sent = { id: string; rule: string; run: { id: number }; message: string };
const sent = (channel: string) => receiver.received.filter((r) => r.path === `/${channel}`).map((r) => JSON.parse(r.body) as Sent);

describe('unlikely_to_beat', () => {
  it('thaw start announces the run to stop once, with its sentence, to the channel that lists the rule', async () => {
    const database = await createTestDatabase('forecast_alerts_live');
    databases.push(database);
    const logs = path.join(work.dir, 'live');
    await mkdir(path.join(logs, 'running'), { recursive: true });
    await mkdir(path.join(logs, 'history'), { recursive: true });
    await writeStrategyLogs(logs);
    const history = path.join(logs, 'history/unfreeze10-old.log');
    await writeFile(history, HISTORY);
    const threeHoursAgo = new Date(Date.now() - 3 * 3_600_000);
    await utimes(history, threeHoursAgo, threeHoursAgo);
    const alertsFile = path.join(work.dir, 'thaw-alerts.yaml');
    await writeFile(
      alertsFile,
      [
        'channels:',
        '  - name: stop-runs',
        '    type: webhook',
        `    url: ${receiver.url}/stop`,
        '    rules: [unlikely_to_beat, crashed]',
        '  - name: lab',
        '    type: webhook',
        `    url: ${receiver.url}/lab`,
        '',
      ].join('\n'),
    );
    server = await startThaw({ databaseUrl: database.url, logs, env: { THAW_ALERTS: alertsFile } });
    await waitFor(async () => (await database.query(`SELECT 1 FROM "Run" WHERE status = 'completed'`)).length === STRATEGY_LOG_RUNS, {
      timeoutMs: 60_000,
      what: 'the finished runs ingested',
    });
    await Promise.all([
      writeInPieces(path.join(logs, 'running/unfreeze10-live.log'), TO_STOP, 12, 400),
      writeInPieces(path.join(logs, 'running/unfreeze6-live.log'), ON_TRACK, 8, 500),
    ]);
    const runOf = async (file: string) =>
      (
        await database.query<{ id: number }>(`SELECT r.id FROM "Run" r JOIN "LogSource" s ON s.id = r."sourceId" WHERE s.path LIKE $1`, [
          `%${file}`,
        ])
      )[0]!.id;
    const toStop = await runOf('unfreeze10-live.log');
    await waitFor(() => sent('stop').some((a) => a.rule === 'unlikely_to_beat'), {
      timeoutMs: 60_000,
      what: 'the unlikely_to_beat alert delivered',
    }).catch(async (error: unknown) => {
      const recorded = await database.query(`SELECT "runId", rule, live, message FROM "Alert"`);
      throw new Error(`${String(error)}\nrecorded: ${JSON.stringify(recorded)}\nserver: ${server?.output().slice(-3000)}`);
    });
    // More lines for both runs: a later judgement must not announce either again.
    await appendFile(path.join(logs, 'running/unfreeze10-live.log'), '\n');
    await new Promise((resolve) => setTimeout(resolve, 7_000)); // past the judge's 5 s interval

    const announced = sent('stop').filter((a) => a.rule === 'unlikely_to_beat');
    expect(announced.map((a) => a.run.id)).toEqual([toStop]);
    expect(announced[0]!.message).toMatch(
      /^Likely ends at [\d.]+ \([\d.]+–[\d.]+\); the best finished run of task 1 ended at [\d.]+: (under 1%|\d%) chance to beat it — stopping now saves about \d+ GPU-minutes.*\. Best finished run: #\d+\.$/,
    );
    // The channel without the rule got the run's other alerts but not this one.
    expect(sent('lab').map((a) => a.rule)).not.toContain('unlikely_to_beat');
    expect(sent('lab').some((a) => a.rule === 'overfitting' && a.run.id === toStop)).toBe(true);
    // Recorded once, live; neither the run on track nor the history's unfinished twin.
    const recorded = await database.query<{ runId: number; live: boolean; pBeat: number }>(
      `SELECT "runId", live, (facts->'details'->>'pBeat')::float8 AS "pBeat" FROM "Alert" WHERE rule = 'unlikely_to_beat'`,
    );
    expect(recorded.map((r) => [r.runId, r.live])).toEqual([[toStop, true]]);
    expect(recorded[0]!.pBeat).toBeLessThan(0.1);
    // The run page's forecast still says so (the alert's sentence and the page's come from one rule).
    const forecast = (await (await fetch(`${server.url}/api/runs/${toStop}/forecast`)).json()) as { verdict: string; sentence: string };
    expect(forecast.verdict).toBe('unlikely_to_beat');
    await server.stop();
    server = undefined;
  }, 240_000);

  it('is opt-in: a process whose channels do not list it never judges it', async () => {
    const database = await createTestDatabase('forecast_alerts_off');
    databases.push(database);
    const logs = path.join(work.dir, 'off');
    await mkdir(path.join(logs, 'running'), { recursive: true });
    await writeStrategyLogs(logs);
    const pool = createPool(database.url);
    const log = memoryLogger('silent').logger;
    const daemon = new IngestDaemon({ pool, paths: [logs], log, staleMinutes: 10 });
    const alerts = startAlerts(
      {
        pool,
        log,
        publicUrl: null,
        pollMs: 100,
        channels: [{ name: 'lab', type: 'webhook', url: `${receiver.url}/off`, secret: null, rules: ['overfitting'], tasks: null }],
      },
      10,
    );
    expect(alerts.judge).toBeNull();
    try {
      await daemon.start();
      await writeInPieces(path.join(logs, 'running/unfreeze10-live.log'), TO_STOP, 6, 300);
      await waitFor(() => sent('off').some((a) => a.rule === 'overfitting'), { timeoutMs: 60_000, what: 'the overfitting alert' });
      await new Promise((resolve) => setTimeout(resolve, 6_000)); // a judge (5 s interval) would have recorded it by now
      expect(await database.query(`SELECT 1 FROM "Alert" WHERE rule = 'unlikely_to_beat'`)).toEqual([]);
    } finally {
      await daemon.close();
      await alerts.close();
      await pool.end();
    }
  }, 120_000);
});
