// TfEventsReader's `series` output (every scalar of an event file) at any chunking and resumed at any
// committed offset with its saved state: exactly the points a decoder reading the records one by one
// gives, each with its ordinal in the file; and a file makes no run before its first scalar.
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import type { ParseEvent } from '../events';
import { eventDecoder } from './event';
import { TfEventsReader, type TfEventsReaderState } from './readers';
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

const FILE = '/data/runs/exp1/events.out.tfevents.1.host.1.0';

type Point = [ordinal: number, tag: string, step: number, wallTime: number, value: number];

/** Every point of the series events, with its ordinal (firstPoint + i). */
function pointsOf(events: readonly ParseEvent[]): Point[] {
  const out: Point[] = [];
  for (const event of events) {
    if (event.type !== 'series') continue;
    const b = event.block;
    for (let i = 0; i < b.length; i++) out.push([event.firstPoint + i, b.tags[b.tag[i]!]!, b.step[i]!, b.wallTime[i]!, b.value[i]!]);
  }
  return out;
}

/** The points of the records decoded one by one by one decoder (a file). */
function expected(bytes: Uint8Array): Point[] {
  const decode = eventDecoder();
  const out: Point[] = [];
  for (const record of readAllTfRecords(bytes).records) {
    const decoded = decode(record.data);
    if (!decoded.ok) continue;
    for (const { tag, value } of decoded.event.scalars) out.push([out.length, tag, decoded.event.step, decoded.event.wallTime, value]);
  }
  return out;
}

/** Reads in random chunks; after each push, with probability `resume`, a new reader continues from the committed cursor and the state (through JSON). */
function read(bytes: Uint8Array, rand: () => number, maxChunk: number, resume: number): ParseEvent[] {
  let reader = new TfEventsReader(FILE, { startOffset: 0, startLine: 1 });
  const events: ParseEvent[] = [];
  let resumedAt = 0;
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(rand() * maxChunk);
    events.push(...reader.push(bytes.subarray(at, at + size)).events);
    at += size;
    // A tailer commits only progress: resume where the last commit advanced to.
    if (reader.committedOffset > resumedAt && rand() < resume) {
      resumedAt = reader.committedOffset;
      const state = JSON.parse(JSON.stringify(reader.state)) as TfEventsReaderState;
      at = reader.committedOffset;
      reader = new TfEventsReader(FILE, { startOffset: at, startLine: reader.committedLine, state });
    }
  }
  events.push(...reader.end().events);
  return events;
}

function randomFile(seed: number, style: ScalarStyle): Uint8Array {
  const rand = mulberry32(seed);
  const records: Uint8Array[] = [encodeRecord(encodeEvent({ wallTime: 1, step: 0, fileVersion: FILE_VERSION }))];
  const tags = Array.from({ length: 300 }, (_, k) => `group_${k % 7}/metric_${k}`);
  // TensorFlow names a tag's plugin with its first value only.
  if (style === 'tensor_no_metadata')
    records.push(encodeRecord(encodeEvent({ wallTime: 1, step: 0, scalars: tags.map((tag) => ({ tag, value: 0 })) }, 'tensor')));
  let step = 0;
  for (let i = 0; i < 600; i++) {
    // Steps go back now and then (a resumed trainer): repeated steps are kept.
    step = rand() < 0.05 ? Math.max(0, step - 20) : step + (rand() < 0.5 ? 1 : 0);
    const scalars: EventSpec['scalars'] = [];
    const n = rand() < 0.7 ? 1 : 1 + Math.floor(rand() * 5);
    for (let k = 0; k < n; k++)
      scalars.push({ tag: tags[Math.floor(rand() * tags.length)]!, value: rand() < 0.03 ? Number.NaN : rand() * 10 - 5 });
    let record = encodeRecord(encodeEvent({ wallTime: 1.7e9 + i * 0.37, step, scalars }, style));
    if (rand() < 0.02) record = corruptDataCrc(record, 0);
    records.push(record);
  }
  return concatBytes(records);
}

const same = (a: Point[], b: Point[]) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const [o1, t1, s1, w1, v1] = a[i]!;
    const [o2, t2, s2, w2, v2] = b[i]!;
    expect([o1, t1, s1, w1]).toEqual([o2, t2, s2, w2]);
    expect(Object.is(v1, v2) || (Number.isNaN(v1) && Number.isNaN(v2))).toBe(true);
  }
};

describe('TfEventsReader series: every scalar, whatever the chunking, resumed anywhere', () => {
  const styles: ScalarStyle[] = ['simple', 'tensor', 'float_val', 'double_val', 'tensor_no_metadata'];
  for (const [i, style] of styles.entries()) {
    it(`${style} scalars`, () => {
      const bytes = randomFile(200 + i, style);
      const want = expected(bytes);
      expect(want.length).toBeGreaterThan(800);
      const rand = mulberry32(9 + i);
      for (const [maxChunk, resume] of [
        [bytes.length, 0],
        [1, 0.01],
        [13, 0.2],
        [700, 0.5],
        [5000, 1],
      ] as const) {
        const events = read(bytes, rand, maxChunk, resume);
        same(pointsOf(events), want);
        // The run's header comes once per reader at most, before its first point; warnings carry the run.
        expect(events.filter((e) => e.type === 'warning').every((e) => e.runKey === 0)).toBe(true);
      }
    });
  }
});

/** A Value with hparams session start info {lr: 0.5} (plugin `hparams`). */
function hparamsRecord(): Uint8Array {
  const content = new BinaryWriter();
  content.tag(3, WireType.LengthDelimited).fork();
  content.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string('lr').tag(2, WireType.LengthDelimited).fork();
  content.tag(2, WireType.Bit64).double(0.5);
  content.join().join().join();
  const w = new BinaryWriter();
  w.tag(1, WireType.Bit64).double(1);
  w.tag(5, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).string('_hparams_/session_start_info');
  w.tag(9, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited)
    .fork()
    .tag(1, WireType.LengthDelimited)
    .string('hparams')
    .tag(2, WireType.LengthDelimited)
    .bytes(content.finish())
    .join();
  w.join();
  w.join().join();
  return encodeRecord(w.finish());
}

describe('a file makes no run before its first scalar', () => {
  const header = encodeRecord(encodeEvent({ wallTime: 1, step: 0, fileVersion: FILE_VERSION }));
  const image = encodeRecord(
    new BinaryWriter()
      .tag(5, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string('img')
      .tag(4, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.Varint)
      .int32(2)
      .join()
      .join()
      .join()
      .finish(),
  );
  const scalar = encodeRecord(encodeEvent({ wallTime: 5, step: 3, scalars: [{ tag: 'loss', value: 0.5 }] }));

  it('a header-only file (killed before its first log, a profiler file) yields nothing, to its end', () => {
    const reader = new TfEventsReader(FILE, { startOffset: 0, startLine: 1 });
    expect(reader.push(header).events).toEqual([]);
    expect(reader.end().events).toEqual([]);
    expect(reader.state).toMatchObject({ started: false, points: 0 });
  });

  it('hyperparameters and other values before the first scalar come with it, also across a resumption', () => {
    const reader = new TfEventsReader(FILE, { startOffset: 0, startLine: 1 });
    expect(reader.push(concatBytes([header, hparamsRecord(), image])).events).toEqual([]);
    const state = JSON.parse(JSON.stringify(reader.state)) as TfEventsReaderState;
    expect(state).toMatchObject({ started: false, pendingHparams: { lr: 0.5 }, pendingOthers: { hparams: 1, images: 1 } });
    const resumed = new TfEventsReader(FILE, { startOffset: reader.committedOffset, startLine: reader.committedLine, state });
    const events = resumed.push(scalar).events;
    expect(events.map((e) => e.type)).toEqual(['run_started', 'identity', 'run_info', 'config', 'series']);
    expect(events.find((e) => e.type === 'run_started')).toMatchObject({ line: 4, format: 'tensorboard' });
    expect(events.find((e) => e.type === 'config')).toMatchObject({ tree: { lr: 0.5 }, source: 'tensorboard_hparams', rank: -2 });
    expect(events.find((e) => e.type === 'series')).toMatchObject({
      dir: '',
      firstPoint: 0,
      block: { length: 1, tags: ['loss'], others: { hparams: 1, images: 1 } },
    });
    expect(resumed.state).toMatchObject({ started: true, points: 1 });
    expect(resumed.state.pendingOthers).toBeUndefined();
  });

  it('a damaged record before the first scalar is a warning of the source, not of a run', () => {
    const reader = new TfEventsReader(FILE, { startOffset: 0, startLine: 1 });
    const events = reader.push(concatBytes([header, corruptDataCrc(scalar, 0)])).events;
    expect(events).toEqual([expect.objectContaining({ type: 'warning', runKey: null })]);
  });

  it('a cursor saved before this rule (no state, offset > 0) resumes as a started file', () => {
    const reader = new TfEventsReader(FILE, { startOffset: header.length, startLine: 2 });
    expect(reader.push(image).events.map((e) => e.type)).toEqual(['run_started', 'identity', 'run_info', 'series']);
  });
});
