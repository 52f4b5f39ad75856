// Every reader is invariant to how its bytes arrive. One property per format, over that
// format's fixtures: reading with random chunk sizes (1 byte … 4 MiB per read, with random batch sizes),
// and following the files with the real `thaw ingest` while they are written in random pieces with
// random pauses, store exactly the rows (and the runs-table summaries) one backfill of the finished
// files stores. Event files include generated ones of several MiB shaped as PyTorch's SummaryWriter and
// TF2's tf.summary write them, so reads and batches cross records everywhere, 1 MiB boundaries included.
import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSmolvlaLog } from '../../testkit/synthetic/smolvla-log';
import { IngestDaemon } from '../../ingest/daemon';
import { createPool } from '../../lib/db/pool';
import { spawnThaw } from '../../testkit/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, memoryLogger, tempDir, waitFor } from '../helpers/ingest';
import { mulberry32 } from '../../testkit/random';
import { snapshotDatabase } from '../../testkit/snapshot';
import { trainerEventFile } from '../../testkit/tfevents-writer';
import { readAllTfRecords } from '../../ingest/rundir/tfrecord';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A file of a corpus: where it goes under the watched directory, and its bytes. */
interface CorpusFile {
  path: string;
  bytes: Uint8Array;
}

async function filesUnder(dir: string, keep: (file: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && keep(file)) out.push(file);
  }
  return out.sort();
}

/** A fixture directory's files; gzipped ones (large real event files, tests/fixtures/tfevents-real) as their original bytes. */
async function fixtures(dir: string, keep: (file: string) => boolean): Promise<CorpusFile[]> {
  const files = await filesUnder(path.join(FIXTURES, dir), keep);
  return Promise.all(
    files.map(async (file) => {
      const bytes = await readFile(file);
      const relative = path.relative(FIXTURES, file);
      return file.endsWith('.gz') ? { path: relative.slice(0, -'.gz'.length), bytes: gunzipSync(bytes) } : { path: relative, bytes };
    }),
  );
}

const NOT_CONSOLE = new Set(['lerobot_train.log', 'generic_tqdm.log']);
const runDir = (task: string, timestamp: string) => `outputs/train/${task}/smolvla_sequential/run_${timestamp}`;

/** Each format's corpus: its fixtures, and generated files where the fixtures are small. */
const CORPORA: Record<string, () => Promise<CorpusFile[]>> = {
  'SmolVLA console logs': async () => [
    ...(await fixtures('samples', (f) => f.endsWith('.log'))),
    ...(await fixtures('logs', (f) => f.endsWith('.log') && !NOT_CONSOLE.has(path.basename(f)))),
    ...(await fixtures('rundirs/logs', (f) => f.endsWith('.log'))),
    {
      // 3 MB: block-buffered stdout (lines cut by flushes) and two frames per step.
      path: 'generated/task2_unfreeze6_buffered.log',
      bytes: generateSmolvlaLog({
        seed: 23,
        taskId: 2,
        epochs: 16,
        stepsPerEpoch: 400,
        framesPerStep: 2,
        stdoutBuffering: 'byte',
        overfitAfter: 9,
      }),
    },
  ],
  'LeRobot console logs': async () => [
    ...(await fixtures('lerobot', (f) => f.endsWith('.log'))),
    ...(await fixtures('logs', (f) => path.basename(f) === 'lerobot_train.log')),
  ],
  'generic tqdm logs': () => fixtures('logs', (f) => path.basename(f) === 'generic_tqdm.log'),
  'TensorBoard event files': async () => [
    ...(await fixtures('.', (f) => path.basename(f).startsWith('events.out.tfevents.'))),
    {
      path: `${runDir('task1_moving_grasp', '20251203_101500')}/events.out.tfevents.1764756900.gpu-node-03.9112.0`,
      bytes: trainerEventFile({ steps: 60_000, writer: 'pytorch', seed: 3 }).bytes,
    },
    {
      path: `${runDir('task3_placement', '20251203_121500')}/events.out.tfevents.1764764100.gpu-node-05.4410.0`,
      bytes: trainerEventFile({ steps: 40_000, writer: 'tf2', seed: 4 }).bytes,
    },
  ],
  'run-directory documents (results JSON, Hydra YAML, LeRobot train_config.json)': async () => [
    ...(await fixtures('rundirs/outputs', (f) => /training_results\.json$|\.hydra\/(config|overrides|hydra)\.yaml$/.test(f))),
    ...(await fixtures('lerobot-checkpoints', (f) => f.endsWith('.train_config.json'))).map((file) => ({
      path: `outputs/train/smolvla_so101_pick/checkpoints/${path.basename(file.path).split('.')[0]}/pretrained_model/train_config.json`,
      bytes: file.bytes,
    })),
  ],
};

async function materialize(root: string, corpus: readonly CorpusFile[]): Promise<void> {
  for (const file of corpus) {
    await mkdir(path.dirname(path.join(root, file.path)), { recursive: true });
    await writeFile(path.join(root, file.path), file.bytes);
  }
}

let scratch: Promise<string> | undefined;

/**
 * A fresh database, and an empty directory at the same path every time (a run directory's identity
 * and output directory hold its absolute path, so two databases compare only when their files sat at
 * the same place).
 */
async function fresh(prefix: string, place: string): Promise<{ db: TestDatabase; dir: string }> {
  const db = await createTestDatabase(prefix);
  cleanups.push(() => db.drop());
  scratch ??= tempDir('thaw-arrival-').then((temp) => {
    cleanups.push(() => temp.cleanup());
    return temp.dir;
  });
  const dir = path.join(await scratch, place);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return { db, dir };
}

/** Read sizes from 1 byte to 4 MiB, log-uniform: as many tiny reads as huge ones. */
function readSizes(seed: number): () => number {
  const random = mulberry32(seed);
  return () => Math.max(1, Math.floor(Math.exp(random() * Math.log(4 * 2 ** 20 + 1))));
}

/** Appends `bytes` to `file` in `pieces` pieces cut at random offsets, pausing 0–maxPauseMs after each. */
async function writeLive(file: string, bytes: Uint8Array, random: () => number, pieces: number, maxPauseMs: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const cuts = [...new Set(Array.from({ length: pieces - 1 }, () => Math.floor(random() * bytes.length)))].sort((a, b) => a - b);
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    await appendFile(file, bytes.subarray(at, cut));
    at = cut;
    await new Promise((resolve) => setTimeout(resolve, random() * maxPauseMs));
  }
}

const snapshot = (db: TestDatabase, root: string) => snapshotDatabase(db.query, { pathPrefix: root, summaries: true });

for (const [format, load] of Object.entries(CORPORA)) {
  describe(format, () => {
    const corpus = load();
    const slug = format.replace(/[^a-z]+/gi, '-').toLowerCase();
    let reference: Promise<Record<string, unknown[]>> | undefined;
    let referenceDb: Promise<TestDatabase> | undefined;
    /** What one backfill of the finished files stores (with the root directory cut from every path). */
    const once = () =>
      (reference ??= (async () => {
        const { db, dir } = await fresh('arrival_ref', slug);
        referenceDb = Promise.resolve(db);
        await materialize(dir, await corpus);
        await backfillInto(db.url, [dir]);
        return snapshot(db, dir);
      })());

    if (format === 'TensorBoard event files') {
      it('one backfill stores every scalar record of every file, and warns about none', async () => {
        const expected = await once();
        expect(expected['warnings']).toEqual([]);
        const db = await referenceDb;
        for (const file of (await corpus).filter((f) => f.path.startsWith('outputs/'))) {
          const records = readAllTfRecords(file.bytes);
          expect(records.warnings).toEqual([]);
          const [row] = await db!.query<{ n: number }>(
            `SELECT ((SELECT count("trainLoss") + count(lr) + count("msPerBatch") + count("samplesPerSec") FROM "EpochMetric" m WHERE m."runId" = r.id)
                   + (SELECT count(*) FROM "Validation" v WHERE v."runId" = r.id))::int AS n
               FROM "Run" r WHERE r."outputDir" = $1`,
            [path.dirname(file.path)],
          );
          // Every record but the file-version one holds one scalar (the writer's tags all map to columns).
          expect(row?.n).toBe(records.records.length - 1);
        }
      });
    }

    it('read in chunks of 1 byte … 4 MiB, committed in batches of any size: the rows of one backfill', async () => {
      const expected = await once();
      // Every file is a source (Hydra's overrides.yaml and hydra.yaml are read with their config.yaml).
      expect(expected['sources']!.length).toBe((await corpus).filter((f) => !/\.hydra\/(overrides|hydra)\.yaml$/.test(f.path)).length);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 60_000 }), async (seed, batchEvents) => {
          const { db, dir } = await fresh('arrival_chunks', slug);
          await materialize(dir, await corpus);
          const pool = createPool(db.url);
          const daemon = new IngestDaemon({
            pool,
            paths: [dir],
            log: memoryLogger('silent').logger,
            staleMinutes: 10,
            batchEvents,
            readChunk: readSizes(seed),
          });
          try {
            expect((await daemon.backfill()).failed).toEqual([]);
          } finally {
            await daemon.close();
            await pool.end();
          }
          expect(await snapshot(db, dir)).toEqual(expected);
        }),
        { numRuns: 3 },
      );
    }, 300_000);

    it('followed by `thaw ingest` while written in ~60 random pieces with 0–0.35 s pauses: the rows of one backfill', async () => {
      const expected = await once();
      const { db, dir } = await fresh('arrival_live', slug);
      const ingest = spawnThaw(['ingest', dir], { DATABASE_URL: db.url, THAW_LOG_LEVEL: 'warn' });
      try {
        // The daemon is up (it registered nothing yet, but its first scan is done) before files appear.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const random = mulberry32(format.length * 7919);
        await Promise.all(
          (await corpus).map((file, i) =>
            writeLive(path.join(dir, file.path), file.bytes, mulberry32(i + Math.floor(random() * 1e6)), 60, 350),
          ),
        );
        let actual: Record<string, unknown[]> = {};
        await waitFor(
          async () => {
            actual = await snapshot(db, dir);
            return JSON.stringify(actual) === JSON.stringify(expected);
          },
          { timeoutMs: 60_000, intervalMs: 500, what: 'the followed files to store what one backfill stores' },
        ).catch(() => undefined);
        expect(actual).toEqual(expected);
      } finally {
        const code = await ingest.stop();
        expect(code, ingest.output()).toBe(0);
      }
      expect(ingest.output()).not.toMatch(/error/i);
    }, 180_000);
  });
}

// A real corruption next to a valid record, with the read boundary at every byte around them: the
// corruption is reported once, precisely, and the valid record is stored; no valid byte is reported.
describe('a corrupt record beside a valid one, across a read boundary', () => {
  it('at every boundary: one warning naming the corrupt record, every valid record stored', async () => {
    const file = trainerEventFile({ steps: 400, stepsPerEpoch: 100, seed: 9 });
    const bad = 119; // record 2s-1 is step s's train/loss (record 0 is the file version): step 60, epoch 61
    const bytes = file.bytes.slice();
    const length = new DataView(bytes.buffer).getUint32(file.offsets[bad]!, true);
    const flip = file.offsets[bad]! + 12 + Math.floor(length / 2);
    bytes[flip] = bytes[flip]! ^ 0x5a; // a damaged payload byte: the length CRC holds, the data CRC fails
    const events = `${runDir('task1_moving_grasp', '20251204_080000')}/events.out.tfevents.1764835200.gpu-node-01.100.0`;
    const clean = await fresh('corrupt_ref', 'corrupt');
    await materialize(clean.dir, [{ path: events, bytes: file.bytes }]);
    await backfillInto(clean.db.url, [clean.dir]);
    const cleanRows = await clean.db.query<{ epoch: number; trainLoss: number; lr: number }>(
      `SELECT epoch, "trainLoss", lr FROM "EpochMetric" ORDER BY epoch`,
    );
    // The corrupt record is step 60's train/loss: everything else of the clean file is stored.
    const expectedRows = cleanRows.map((row) => (row.epoch === 61 ? { ...row, trainLoss: null } : row));
    const start = file.offsets[bad - 1]!;
    const end = file.offsets[bad + 2]!;
    // Boundaries inside the valid record before, the corrupt one (header, payload, CRC) and the valid one after.
    const boundaries = [
      ...new Set([
        start + 3,
        file.offsets[bad]! + 5,
        file.offsets[bad]! + 12 + 7,
        file.offsets[bad + 1]! - 2,
        file.offsets[bad + 1]! + 9,
        end - 1,
      ]),
    ];
    for (const boundary of boundaries) {
      const { db, dir } = await fresh('corrupt', 'corrupt');
      await materialize(dir, [{ path: events, bytes }]);
      // First read ends at the boundary, then 1 MiB reads: the tailer's reused buffer is overwritten between them.
      let first = true;
      const readChunk = () => (first ? ((first = false), boundary) : 1 << 20);
      const pool = createPool(db.url);
      const daemon = new IngestDaemon({ pool, paths: [dir], log: memoryLogger('silent').logger, staleMinutes: 10, readChunk });
      try {
        expect((await daemon.backfill()).failed).toEqual([]);
      } finally {
        await daemon.close();
        await pool.end();
      }
      const warnings = await db.query<{ message: string }>(`SELECT message FROM "ParseWarning"`);
      expect(warnings.map((w) => w.message)).toEqual([
        `record data CRC mismatch: skipped ${length}-byte record (byte ${file.offsets[bad]})`,
      ]);
      expect(await db.query(`SELECT epoch, "trainLoss", lr FROM "EpochMetric" ORDER BY epoch`)).toEqual(expectedRows);
    }
  }, 120_000);
});
