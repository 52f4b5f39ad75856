// Backfill of a large TensorBoard event file (a run directory without a console log), measured in the
// same run against two limits for the same bytes:
// - tfevents_backfill: read the file and verify every record's two CRC32Cs (no decoding, no database),
//   with the same CRC code ingest uses (a slower check here would flatter the ratio);
// - tfevents_backfill_vs_write_floor: that, plus COPY of the rows the backfill stored into tables with
//   only their primary keys (the database's share, as backfill_lines_per_s counts it for logs).
// Size: THAW_BENCH_TFEVENTS_MB (default 100).
import { mkdir, mkdtemp, open, rm, chmod, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { IngestDaemon } from '../ingest/daemon';
import { maskedCrc32cRange } from '../ingest/rundir/tfrecord';
import { createPool } from '../lib/db/pool';
import { concatBytes, encodeEvent, encodeRecord, FILE_VERSION } from '../tests/helpers/tfevents-writer';
import { copyFloor, createBenchDatabase, round, type Figure } from './support';

const TAGS = [
  'train/loss',
  'train/lr',
  'performance/batch_process_time_ms',
  'performance/throughput_samples_per_sec',
  'validation/task1_loss',
  'validation/task2_loss',
];

/** PyTorch-style: one scalar per event, the trainer's tags, one step per epoch. */
async function writeEventFile(file: string, bytes: number): Promise<number> {
  const handle = await open(file, 'w');
  let total = 0;
  let step = 0;
  try {
    const header = encodeRecord(encodeEvent({ wallTime: 1.7e9, step: 0, fileVersion: FILE_VERSION }));
    await handle.write(header);
    total += header.length;
    while (total < bytes) {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < 2000; i++, step++) {
        for (const tag of TAGS)
          parts.push(encodeRecord(encodeEvent({ wallTime: 1.7e9 + step, step, scalars: [{ tag, value: 1 / (step + 1) }] })));
      }
      const chunk = concatBytes(parts);
      await handle.write(chunk);
      total += chunk.length;
    }
  } finally {
    await handle.close();
  }
  return step;
}

/** The limit: read the whole file in 1 MiB chunks, walk the framing, verify both CRCs of every record. */
async function verifyCrcs(file: string): Promise<number> {
  const size = (await stat(file)).size;
  const all = Buffer.allocUnsafe(size);
  const handle = await open(file, 'r');
  try {
    for (let at = 0; at < size;) {
      const { bytesRead } = await handle.read(all, at, Math.min(1 << 20, size - at), at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
  let records = 0;
  for (let at = 0; at + 12 <= size;) {
    const length = all.readUInt32LE(at);
    if (all.readUInt32LE(at + 8) !== maskedCrc32cRange(all, at, at + 8)) throw new Error(`bad length CRC at ${at}`);
    const end = at + 12 + length;
    if (all.readUInt32LE(end) !== maskedCrc32cRange(all, at + 12, end)) throw new Error(`bad data CRC at ${at}`);
    at = end + 4;
    records++;
  }
  return records;
}

export async function benchTfeventsBackfill(options: { megabytes?: number } = {}): Promise<Figure[]> {
  const megabytes = options.megabytes ?? (Number(process.env.THAW_BENCH_TFEVENTS_MB ?? '') || 100);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'thaw-bench-tfevents-'));
  await chmod(dir, 0o755);
  const runDir = path.join(dir, 'outputs/train/task2_bench/smolvla_sequential/run_20251201_000000');
  await mkdir(runDir, { recursive: true });
  const file = path.join(runDir, 'events.out.tfevents.1764547200.bench.1.0');
  const epochs = await writeEventFile(file, megabytes * 1e6);
  const size = (await stat(file)).size;
  const database = await createBenchDatabase('tfevents');
  const floorDb = await createBenchDatabase('tfevents_floor');
  try {
    let started = performance.now();
    const records = await verifyCrcs(file);
    const limitMs = performance.now() - started;

    const pool = createPool(database.url);
    const daemon = new IngestDaemon({ pool, paths: [dir], log: pino({ level: 'silent' }), staleMinutes: 10 });
    started = performance.now();
    try {
      await daemon.backfill();
    } finally {
      await daemon.close();
    }
    const backfillMs = performance.now() - started;
    // Every record is stored: each one after the file version holds one scalar the trainer's tags map to
    // a column (an epoch metric or a task's validation loss), and none is reported.
    const [stored] = (
      await pool.query<{ epochs: number; values: number; warnings: number }>(
        `SELECT (SELECT count(*) FROM "EpochMetric")::int AS epochs,
                ((SELECT count("trainLoss") + count(lr) + count("msPerBatch") + count("samplesPerSec") + count("durationMinutes") FROM "EpochMetric")
                  + (SELECT count(*) FROM "Validation"))::int AS "values",
                (SELECT count(*) FROM "ParseWarning")::int AS warnings`,
      )
    ).rows;
    await pool.end();
    if (stored!.epochs !== epochs) throw new Error(`tfevents backfill stored ${stored!.epochs} epochs of ${epochs}`);
    if (stored!.values !== records - 1 || stored!.warnings !== 0)
      throw new Error(
        `tfevents backfill stored ${stored!.values} values of the file's ${records - 1} scalar records, with ${stored!.warnings} warnings`,
      );
    const { copyMs, rowCount } = await copyFloor(database.url, floorDb.url);
    const floorMs = limitMs + copyMs;
    const mbPerS = (ms: number) => round(size / 1e6 / (ms / 1000));
    return [
      {
        name: 'tfevents_backfill',
        value: mbPerS(backfillMs),
        unit: 'MB/s',
        limit: mbPerS(limitMs),
        ratio: round(backfillMs / limitMs),
        met: backfillMs <= 3 * limitMs,
        target: `backfill time ≤ 3× (read + verify every CRC of ${records} records: ${Math.round(limitMs)} ms); ${round(size / 1e6)} MB, ${epochs} epochs in ${Math.round(backfillMs)} ms`,
      },
      {
        name: 'tfevents_backfill_vs_write_floor',
        value: mbPerS(backfillMs),
        unit: 'MB/s',
        limit: mbPerS(floorMs),
        ratio: round(backfillMs / floorMs),
        met: backfillMs <= 3 * floorMs,
        target: `backfill time ≤ 3× (read + verify every CRC ${Math.round(limitMs)} ms + COPY of ${rowCount} rows into primary-key-only tables ${Math.round(copyMs)} ms)`,
      },
    ];
  } finally {
    await floorDb.drop();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
