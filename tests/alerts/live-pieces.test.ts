// Alerts come only from complete, committed records. Five trainer logs — one that overfits,
// one that crashes, one whose loss turns NaN, a healthy one, and a LeRobot run whose loss turns NaN
// (step-based, no epochs) — are appended by the trainers' pace: each in ~60 pieces cut at random byte
// offsets, with 0–0.35 s pauses, while the real `thaw start` follows them with a webhook channel on a
// local receiver. The team's chat must hear exactly the transitions the finished files show, each once,
// and every run must end identical to one backfill of the finished files.
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSmolvlaLog } from '../../testkit/synthetic/smolvla-log';
import { parseBytes } from '../../ingest/parse';
import { summarizeRuns } from '../../ingest/summarize';
import { alertTransitions, DEFAULT_ALERT_RULES } from '../../lib/analysis/alerts';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, tempDir, waitFor } from '../helpers/ingest';
import { mulberry32 } from '../../testkit/random';
import { snapshotDatabase } from '../../testkit/snapshot';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';
import { startReceiver } from './receiver';

const LOGS: Record<string, () => Uint8Array | Promise<Uint8Array>> = {
  'overfits.log': () =>
    generateSmolvlaLog({
      seed: 11,
      taskId: 1,
      epochs: 16,
      stepsPerEpoch: 30,
      overfitAfter: 6,
      stdoutBuffering: 'byte',
      timestamp: '20251205_090000',
    }),
  'crashes.log': () =>
    generateSmolvlaLog({
      seed: 12,
      taskId: 2,
      epochs: 7,
      epochsTotal: 20,
      stepsPerEpoch: 30,
      outcome: 'crashed',
      stdoutBuffering: 'byte',
      timestamp: '20251205_091000',
    }),
  'turns_nan.log': () =>
    generateSmolvlaLog({
      seed: 13,
      taskId: 3,
      epochs: 12,
      stepsPerEpoch: 30,
      nanFromEpoch: 6,
      stdoutBuffering: 'byte',
      timestamp: '20251205_092000',
    }),
  'healthy.log': () =>
    generateSmolvlaLog({ seed: 14, taskId: 4, epochs: 10, stepsPerEpoch: 30, stdoutBuffering: 'byte', timestamp: '20251205_093000' }),
  'lerobot_loss_nan.log': () => readFile(path.resolve(import.meta.dirname, '../fixtures/lerobot/m_loss_nan.log')),
};

/** What each file shows, finished: the transitions the channel's (default) rules send. */
const EXPECTED: Record<string, string[]> = {
  'overfits.log': ['overfitting'],
  'crashes.log': ['crashed'],
  'turns_nan.log': ['diverged'],
  'healthy.log': [],
  'lerobot_loss_nan.log': ['diverged'],
};

let work: { dir: string; cleanup: () => Promise<void> };
let live: TestDatabase;
let once: TestDatabase;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let server: ThawServer | undefined;
let logs: Record<string, Uint8Array>;

beforeAll(async () => {
  work = await tempDir('thaw-alerts-live-');
  live = await createTestDatabase('alerts_live');
  once = await createTestDatabase('alerts_once');
  receiver = await startReceiver();
  logs = Object.fromEntries(await Promise.all(Object.entries(LOGS).map(async ([name, make]) => [name, await make()] as const)));
});

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  await live?.drop();
  await once?.drop();
  await work?.cleanup();
});

/** The channel rules' transitions of a log's prefix, from the pure pipeline (parse → rules). */
function transitions(bytes: Uint8Array): string[] {
  const rules: string[] = [];
  for (const run of summarizeRuns(parseBytes(bytes).events)) {
    const nan = run.steps.find((step) => step.loss === null) ?? null;
    const series = {
      taskId: run.taskId,
      epochs: run.epochs,
      validations: run.validations,
      stepLoss: { firstNonFinite: nan && { step: nan.step, epoch: null, loss: Number.NaN } },
    };
    for (const t of alertTransitions({ status: run.status, errorMessage: null, outputDir: run.outputDir, checkpoints: [], series }))
      if ((DEFAULT_ALERT_RULES as readonly string[]).includes(t.rule)) rules.push(t.rule);
  }
  return rules.sort();
}

describe('alerts while logs are appended in random pieces', () => {
  it('the files show no other transition at any line of their writing (else "what the file shows" is ambiguous)', () => {
    for (const [name, bytes] of Object.entries(logs)) {
      const seen = new Set<string>();
      for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1))
        for (const rule of transitions(bytes.subarray(0, at + 1))) seen.add(rule);
      expect([name, [...seen].sort()]).toEqual([name, EXPECTED[name]]);
      expect([name, transitions(bytes)]).toEqual([name, EXPECTED[name]]);
    }
  });

  it('thaw start sends exactly those transitions, once each, and every run ends as one backfill stores it', async () => {
    const logsDir = path.join(work.dir, 'logs');
    const alertsFile = path.join(work.dir, 'thaw-alerts.yaml');
    await mkdir(logsDir, { recursive: true });
    await writeFile(alertsFile, `channels:\n  - name: lab\n    type: webhook\n    url: ${receiver.url}/hook\n`);
    server = await startThaw({ databaseUrl: live.url, logs: logsDir, env: { THAW_ALERTS: alertsFile } });
    const random = mulberry32(23);
    await Promise.all(
      Object.entries(logs).map(async ([name, bytes], i) => {
        const own = mulberry32(1000 + i * 31 + Math.floor(random() * 1000));
        const cuts = [...new Set(Array.from({ length: 59 }, () => 1 + Math.floor(own() * (bytes.length - 1))))].sort((a, b) => a - b);
        const file = path.join(logsDir, name);
        let at = 0;
        for (const cut of [...cuts, bytes.length]) {
          if (at === 0) await writeFile(file, bytes.subarray(0, cut));
          else await appendFile(file, bytes.subarray(at, cut));
          at = cut;
          await new Promise((resolve) => setTimeout(resolve, own() * 350));
        }
      }),
    );
    // Everything written is committed (up to each file's last line end), and the deliveries are done.
    const ends = Object.fromEntries(
      Object.entries(logs).map(([name, bytes]) => [name, Math.max(bytes.lastIndexOf(10), bytes.lastIndexOf(13)) + 1]),
    );
    await waitFor(
      async () => {
        const rows = await live.query<{ path: string; offset: string }>(`SELECT path, "committedOffset"::text AS offset FROM "LogSource"`);
        return Object.entries(ends).every(([name, end]) =>
          rows.some((row) => path.basename(row.path) === name && Number(row.offset) === end),
        );
      },
      { timeoutMs: 60_000, what: 'every log committed' },
    );
    const alertCount = Object.values(EXPECTED).flat().length;
    await waitFor(() => receiver.received.length >= alertCount, { timeoutMs: 30_000, what: `${alertCount} alerts delivered` }).catch(
      async (error: unknown) => {
        // Say what did arrive and what was recorded, not just that something is missing.
        const recorded = await live.query(`SELECT rule, live, message FROM "Alert"`);
        throw new Error(
          `${String(error)}\nreceived: ${receiver.received.map((r) => r.body).join('\n')}\nrecorded: ${JSON.stringify(recorded)}`,
        );
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a late, wrong alert would arrive by now
    await server.stop();
    server = undefined;

    // Sent: per file, the rules received.
    const runFiles = new Map(
      (await live.query<{ id: number; path: string }>(`SELECT r.id, s.path FROM "Run" r JOIN "LogSource" s ON s.id = r."sourceId"`)).map(
        (row) => [row.id, path.basename(row.path)],
      ),
    );
    const sent: Record<string, string[]> = Object.fromEntries(Object.keys(logs).map((name) => [name, []]));
    for (const request of receiver.received) {
      const alert = JSON.parse(request.body) as { id: string; rule: string; run: { id: number }; message: string };
      sent[runFiles.get(alert.run.id) ?? '?']?.push(alert.rule);
    }
    for (const rules of Object.values(sent)) rules.sort();
    expect(sent).toEqual(EXPECTED);
    const bodies = receiver.received.map((request) => JSON.parse(request.body) as { rule: string; message: string });
    expect(bodies.find((b) => b.rule === 'diverged' && /step 600/.test(b.message))?.message).toBe(
      'Training loss is NaN (not finite) at step 600: diverged.',
    );

    // The finished files, backfilled once: the same transitions (recorded, not sent), the same rows.
    await backfillInto(once.url, [logsDir]);
    const recorded = await once.query<{ path: string; rule: string }>(
      `SELECT s.path, a.rule FROM "Alert" a JOIN "Run" r ON r.id = a."runId" JOIN "LogSource" s ON s.id = r."sourceId" WHERE a.rule = ANY($1::text[])`,
      [[...DEFAULT_ALERT_RULES]],
    );
    const shown: Record<string, string[]> = Object.fromEntries(Object.keys(logs).map((name) => [name, []]));
    for (const row of recorded) shown[path.basename(row.path)]?.push(row.rule);
    for (const rules of Object.values(shown)) rules.sort();
    expect(sent).toEqual(shown);
    // Stopping thaw start changes nothing stored; compared after, with the summaries the runs table shows.
    expect(await snapshotDatabase(live.query, { summaries: true })).toEqual(await snapshotDatabase(once.query, { summaries: true }));
    const nanRuns = await live.query<{ verdict: string; lastTrainLoss: string }>(
      `SELECT m.verdict, m."lastTrainLoss"::text FROM "RunSummary" m JOIN "Run" r ON r.id = m."runId" WHERE r."taskId" = 3`,
    );
    expect(nanRuns).toEqual([{ verdict: 'diverged', lastTrainLoss: 'NaN' }]);
  }, 240_000);
});
