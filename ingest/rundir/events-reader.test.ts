// TfEventsReader (readers.ts) reads records into columnar `scalars` blocks through a visitor and one
// reused EventReader: whatever the chunking, it must yield exactly the values and warnings that decoding
// each record on its own (readAllTfRecords + decodeEvent + tagTarget) gives.
import { describe, expect, it } from 'vitest';
import { scalarBlockEvents, type ParseEvent } from '../events';
import { eventDecoder } from './event';
import { tagTarget, TfEventsReader } from './readers';
import { readAllTfRecords } from './tfrecord';
import {
  concatBytes,
  corruptDataCrc,
  encodeEvent,
  encodeRecord,
  FILE_VERSION,
  type EventSpec,
  type ScalarStyle,
} from '../../testkit/tfevents-writer';
import { mulberry32 } from '../../testkit/random';

const FILE = '/data/outputs/train/task2_weighing/smolvla_sequential/run_20251201_120000/events.out.tfevents.1.host.1.0';
const KNOWN = [
  'train/loss',
  'train/lr',
  'performance/batch_process_time_ms',
  'validation/task1_loss',
  'validation/task2_loss',
  'validation/task3_loss',
];

/** One value as the store sees it: an epoch metric or a task's validation loss. */
type Value = [kind: 'epoch' | 'validation', epoch: number, target: string | number, value: number];

/**
 * Epoch values, then validation values, each in file order: the two fold into different tables, so
 * their order relative to each other never mattered (a block keeps them in two columns).
 */
const byTable = (list: Value[]) => [...list.filter((v) => v[0] === 'epoch'), ...list.filter((v) => v[0] === 'validation')];

function values(events: readonly ParseEvent[]): { values: Value[]; warnings: string[] } {
  const out: Value[] = [];
  const warnings: string[] = [];
  for (const event of events.flatMap((e) => (e.type === 'scalars' ? scalarBlockEvents(e) : [e]))) {
    if (event.type === 'warning') warnings.push(event.message);
    else if (event.type === 'validation') out.push(['validation', event.epoch, event.taskId, event.loss]);
    else if (event.type === 'epoch')
      for (const [name, value] of Object.entries(event.metrics)) out.push(['epoch', event.epoch, name, value]);
  }
  return { values: byTable(out), warnings };
}

/** What each record says, decoded one by one (by one decoder: a tag's first value names its plugin). */
function expected(bytes: Uint8Array): Value[] {
  const out: Value[] = [];
  const decodeEvent = eventDecoder();
  for (const record of readAllTfRecords(bytes).records) {
    const decoded = decodeEvent(record.data);
    if (!decoded.ok || !Number.isSafeInteger(decoded.event.step) || decoded.event.step < 0) continue;
    for (const { tag, value } of decoded.event.scalars) {
      const target = tagTarget(tag);
      if (target === null) continue;
      out.push(
        typeof target === 'number'
          ? ['validation', decoded.event.step + 1, target, value]
          : ['epoch', decoded.event.step + 1, target, value],
      );
    }
  }
  return byTable(out);
}

function readInChunks(bytes: Uint8Array, rand: () => number, maxChunk: number): ParseEvent[] {
  const reader = new TfEventsReader(FILE, { startOffset: 0, startLine: 1 });
  const events: ParseEvent[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(rand() * maxChunk);
    events.push(...reader.push(bytes.subarray(at, at + size)).events);
    at += size;
  }
  events.push(...reader.end().events);
  return events;
}

function randomFile(seed: number, style: ScalarStyle): Uint8Array {
  const rand = mulberry32(seed);
  const records: Uint8Array[] = [encodeRecord(encodeEvent({ wallTime: 1, step: 0, fileVersion: FILE_VERSION }))];
  // TensorFlow names a tag's plugin with its first value only: every tag's first value, with metadata.
  if (style === 'tensor_no_metadata') {
    const tags = [...KNOWN, ...Array.from({ length: 600 }, (_, k) => `custom/metric_${k}`)];
    records.push(encodeRecord(encodeEvent({ wallTime: 1, step: 0, scalars: tags.map((tag) => ({ tag, value: 0 })) }, 'tensor')));
  }
  let step = 0;
  for (let i = 0; i < 400; i++) {
    if (rand() < 0.4) step += 1;
    const scalars: EventSpec['scalars'] = [];
    const n = rand() < 0.8 ? 1 : 1 + Math.floor(rand() * 4);
    for (let k = 0; k < n; k++) {
      // Known tags, and more distinct unknown ones than the tag cache has slots.
      const tag = rand() < 0.7 ? KNOWN[Math.floor(rand() * KNOWN.length)]! : `custom/metric_${Math.floor(rand() * 600)}`;
      scalars.push({ tag, value: rand() < 0.05 ? Number.NaN : Math.fround(rand()) });
    }
    let record = encodeRecord(encodeEvent({ wallTime: 2 + i, step, scalars }, style));
    if (rand() < 0.02) record = corruptDataCrc(record, 0);
    records.push(record);
  }
  return concatBytes(records);
}

describe('TfEventsReader: columnar blocks carry exactly what each record says', () => {
  const styles: ScalarStyle[] = ['simple', 'tensor', 'float_val', 'double_val', 'tensor_no_metadata'];
  for (const [i, style] of styles.entries()) {
    it(`${style} scalars, at random chunkings`, () => {
      const bytes = randomFile(100 + i, style);
      const want = expected(bytes);
      expect(want.length).toBeGreaterThan(300);
      const rand = mulberry32(7 + i);
      const whole = values(readInChunks(bytes, () => 1, bytes.length));
      expect(whole.values).toEqual(want);
      for (const maxChunk of [1, 7, 64, 1000]) {
        const got = values(readInChunks(bytes, rand, maxChunk));
        expect(got.values).toEqual(want);
        expect(got.warnings).toEqual(whole.warnings);
      }
    });
  }

  it('a damaged record is a warning and the values around it are kept', () => {
    const good = (step: number, value: number) => encodeRecord(encodeEvent({ wallTime: 1, step, scalars: [{ tag: 'train/loss', value }] }));
    const bytes = concatBytes([good(0, 0.5), corruptDataCrc(good(1, 0.4), 0), good(2, 0.25)]);
    const got = values(readInChunks(bytes, () => 1, bytes.length));
    expect(got.values).toEqual([
      ['epoch', 1, 'trainLoss', 0.5],
      ['epoch', 3, 'trainLoss', 0.25],
    ]);
    expect(got.warnings).toEqual([expect.stringMatching(/record data CRC mismatch: skipped \d+-byte record \(byte \d+\)/)]);
  });

  it('a step beyond the int32 epochs is a warning, not a value', () => {
    const bytes = encodeRecord(encodeEvent({ wallTime: 1, step: 2 ** 31, scalars: [{ tag: 'train/loss', value: 0.5 }] }));
    const got = values(readInChunks(bytes, () => 1, bytes.length));
    expect(got.values).toEqual([]);
    expect(got.warnings).toEqual(['event at byte 0: step 2147483648 is not an epoch']);
  });

  it('the cursor ends after the last whole record, with one line per record', () => {
    const bytes = randomFile(5, 'simple');
    const records = readAllTfRecords(bytes);
    const reader = new TfEventsReader(FILE, { startOffset: 0, startLine: 1 });
    const tail = encodeRecord(encodeEvent({ wallTime: 9, step: 9, scalars: [{ tag: 'train/loss', value: 1 }] })).subarray(0, 10);
    reader.push(concatBytes([bytes, tail]));
    expect(reader.committedOffset).toBe(bytes.length);
    // One line per whole record whose CRCs hold (a record skipped for a bad CRC is not a line).
    expect(reader.committedLine).toBe(1 + records.records.length);
  });
});
