import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import { maskCrc, readAllTfRecords, TfRecordReader, type TfRecordOutput } from './tfrecord';
import {
  concatBytes,
  corruptDataCrc,
  corruptLengthCrc,
  encodeEventFile,
  encodeRecord,
  flipByte,
  type EventSpec,
} from '../../testkit/tfevents-writer';
import { mulberry32 } from '../../testkit/random';

interface Flat {
  records: { offset: number; endOffset: number; data: number[] }[];
  warnings: { offset: number; message: string }[];
}

function feed(reader: TfRecordReader, chunks: Uint8Array[], end = true): Flat {
  const out: Flat = { records: [], warnings: [] };
  const take = (o: TfRecordOutput): void => {
    // Copy data immediately: it may alias the chunk.
    for (const r of o.records) out.records.push({ offset: r.offset, endOffset: r.endOffset, data: [...r.data] });
    out.warnings.push(...o.warnings);
  };
  for (const c of chunks) {
    // Hand the reader a buffer we then scribble over, to prove it never keeps views of caller chunks.
    // A Node Buffer, as the tailer passes: Buffer#slice is a view, not a copy.
    const scratch = Buffer.from(c);
    take(reader.push(scratch));
    scratch.fill(0xee);
  }
  if (end) take(reader.end());
  return out;
}

function splitAt(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  chunks.push(bytes.subarray(prev));
  return chunks;
}

function randomChunks(bytes: Uint8Array, rand: () => number, maxChunk: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = Math.min(bytes.length - at, Math.floor(rand() * (maxChunk + 1)));
    chunks.push(bytes.subarray(at, at + n)); // includes empty chunks
    at += n;
  }
  return chunks;
}

const events: EventSpec[] = Array.from({ length: 6 }, (_, i) => ({
  wallTime: 1_700_000_000 + i,
  step: i,
  scalars: [
    { tag: 'train/loss', value: 1 / (i + 1) },
    { tag: 'train/lr', value: 1e-4 },
  ],
}));
const file = encodeEventFile(events);

describe('maskCrc', () => {
  it('matches the TensorFlow reference masking', () => {
    // crc32c("123456789") = 0xe3069283 (the standard check value).
    expect(crc32c(new TextEncoder().encode('123456789')) >>> 0).toBe(0xe3069283);
    const crc = 0xe3069283;
    const expected = ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;
    expect(maskCrc(crc)).toBe(expected);
    expect(maskCrc(0)).toBe(0xa282ead8);
  });
});

describe('TfRecordReader', () => {
  const whole = feed(new TfRecordReader(), [file.bytes]);

  it('reads every record of a clean file with offsets', () => {
    expect(whole.warnings).toEqual([]);
    expect(whole.records.map((r) => r.offset)).toEqual(file.offsets);
    expect(whole.records.at(-1)?.endOffset).toBe(file.bytes.length);
  });

  it('gives the same result at every single split point', () => {
    for (let p = 0; p <= file.bytes.length; p++) {
      expect(feed(new TfRecordReader(), splitAt(file.bytes, [p]))).toEqual(whole);
    }
  });

  it('gives the same result at every pair of split points on a small file', () => {
    const small = encodeEventFile(events.slice(0, 2)).bytes;
    const ref = feed(new TfRecordReader(), [small]);
    for (let a = 0; a <= small.length; a++) {
      for (let b = a; b <= small.length; b++) {
        expect(feed(new TfRecordReader(), splitAt(small, [a, b]))).toEqual(ref);
      }
    }
  });

  it('byte-at-a-time feeding', () => {
    const chunks = Array.from(file.bytes, (_, i) => file.bytes.subarray(i, i + 1));
    expect(feed(new TfRecordReader(), chunks)).toEqual(whole);
  });

  it('gives the same result under seeded random chunkings', () => {
    const rand = mulberry32(42);
    for (let trial = 0; trial < 300; trial++) {
      expect(feed(new TfRecordReader(), randomChunks(file.bytes, rand, 1 + trial))).toEqual(whole);
    }
  });

  it('holds a half-written final record without error, then completes it', () => {
    const cut = file.offsets[3]! + 20;
    const reader = new TfRecordReader();
    const first = reader.push(file.bytes.subarray(0, cut));
    expect(first.warnings).toEqual([]);
    expect(first.records).toHaveLength(3);
    expect(reader.committedOffset).toBe(file.offsets[3]);
    expect(reader.bufferedBytes).toBe(20);
    const second = reader.push(file.bytes.subarray(cut));
    expect(second.records.map((r) => r.offset)).toEqual(file.offsets.slice(3));
    expect(reader.committedOffset).toBe(file.bytes.length);
  });

  it('end() reports a truncated tail as a warning', () => {
    const out = readAllTfRecords(file.bytes.subarray(0, file.bytes.length - 3));
    expect(out.records).toHaveLength(file.offsets.length - 1);
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]?.offset).toBe(file.offsets.at(-1));
    expect(out.warnings[0]?.message).toMatch(/incomplete record/);
  });

  it('resumes from committedOffset with identical results', () => {
    for (let p = 0; p <= file.bytes.length; p += 7) {
      const first = new TfRecordReader();
      const a = feed(first, [file.bytes.subarray(0, p)], false);
      const resumeAt = first.committedOffset;
      const b = feed(new TfRecordReader({ startOffset: resumeAt }), [file.bytes.subarray(resumeAt)]);
      expect([...a.records, ...b.records]).toEqual(whole.records);
    }
  });

  it('skips a record whose data CRC fails and keeps the rest', () => {
    const bad = corruptDataCrc(file.bytes, file.offsets[2]!);
    const out = feed(new TfRecordReader(), [bad]);
    expect(out.records.map((r) => r.offset)).toEqual(file.offsets.filter((_, i) => i !== 2));
    expect(out.warnings.map((w) => w.offset)).toEqual([file.offsets[2]]);
    expect(out.warnings[0]?.message).toMatch(/data CRC mismatch/);
  });

  it('a damaged record beside a valid one: one precise warning and every valid record, at every split point', () => {
    // The payload of record 3 is damaged (its length CRC holds): it is skipped with one warning naming
    // it; record 4 right after it, and every other record, are read whole wherever the chunk boundary
    // falls (the reader is fed Node Buffers that are overwritten after each push, as the tailer does).
    const length = new DataView(file.bytes.buffer).getUint32(file.offsets[3]!, true);
    const bad = flipByte(file.bytes, file.offsets[3]! + 12 + Math.floor(length / 2), 0x21);
    const expected = {
      records: whole.records.filter((r) => r.offset !== file.offsets[3]),
      warnings: [{ offset: file.offsets[3]!, message: `record data CRC mismatch: skipped ${length}-byte record` }],
    };
    for (let p = file.offsets[2]!; p <= file.offsets[5]!; p++) {
      expect(feed(new TfRecordReader(), splitAt(bad, [p]))).toEqual(expected);
      for (let q = p; q <= file.offsets[5]!; q += 3) expect(feed(new TfRecordReader(), splitAt(bad, [p, q]))).toEqual(expected);
    }
  });

  it('resynchronises after a length CRC failure, under any chunking', () => {
    const bad = corruptLengthCrc(file.bytes, file.offsets[2]!);
    const out = feed(new TfRecordReader(), [bad]);
    expect(out.records.map((r) => r.offset)).toEqual(file.offsets.filter((_, i) => i !== 2));
    expect(out.warnings.map((w) => w.offset)).toEqual([file.offsets[2], file.offsets[3]]);
    expect(out.warnings[0]?.message).toMatch(/length CRC mismatch/);
    expect(out.warnings[1]?.message).toMatch(/resynchronised after skipping/);
    for (let p = 0; p <= bad.length; p++) {
      expect(feed(new TfRecordReader(), splitAt(bad, [p]))).toEqual(out);
    }
    const rand = mulberry32(7);
    for (let trial = 0; trial < 100; trial++) {
      expect(feed(new TfRecordReader(), randomChunks(bad, rand, 1 + trial))).toEqual(out);
    }
  });

  it('resynchronises across garbage inserted between records', () => {
    const rand = mulberry32(3);
    const garbage = Uint8Array.from({ length: 5000 }, () => Math.floor(rand() * 256));
    const a = encodeEventFile(events.slice(0, 2)).bytes;
    const b = encodeEventFile(events.slice(2)).bytes;
    const bytes = concatBytes([a, garbage, b]);
    const out = feed(new TfRecordReader(), [bytes]);
    expect(out.records).toHaveLength(3 + 5);
    expect(out.records[3]?.offset).toBe(a.length + garbage.length);
    expect(out.warnings.map((w) => w.offset)).toEqual([a.length, a.length + garbage.length]);
    // Small chunks: only the undecided 11 bytes are kept while scanning.
    const reader = new TfRecordReader();
    let maxHeld = 0;
    for (let i = 0; i < bytes.length; i += 100) {
      reader.push(bytes.subarray(i, i + 100));
      if (i > a.length && i + 100 < a.length + garbage.length) maxHeld = Math.max(maxHeld, reader.bufferedBytes);
    }
    expect(maxHeld).toBeLessThanOrEqual(11);
    expect(feed(new TfRecordReader(), randomChunks(bytes, mulberry32(5), 64))).toEqual(out);
  });

  it('treats a length above the cap as corruption', () => {
    const big = encodeRecord(new Uint8Array(2000));
    const small = encodeRecord(new Uint8Array([1, 2, 3]));
    const out = readAllTfRecords(concatBytes([big, small]), { maxRecordBytes: 1000 });
    expect(out.records.map((r) => r.offset)).toEqual([big.length]);
    expect(out.warnings[0]?.offset).toBe(0);
    expect(out.warnings[0]?.message).toMatch(/above 1000 bytes/);
  });

  it('does not wait for a huge length: 64-bit lengths with a high word are rejected', () => {
    const header = new Uint8Array(12);
    const view = new DataView(header.buffer);
    view.setUint32(0, 5, true);
    view.setUint32(4, 1, true); // 2^32 + 5
    view.setUint32(8, maskCrc(crc32c(header.subarray(0, 8))), true);
    const good = encodeRecord(new Uint8Array([9]));
    const out = readAllTfRecords(concatBytes([header, good]));
    expect(out.records.map((r) => [...r.data])).toEqual([[9]]);
    expect(out.warnings[0]?.message).toMatch(/above/);
  });

  it('respects startOffset in reported offsets', () => {
    const out = readAllTfRecords(file.bytes, { startOffset: 1000 });
    expect(out.records.map((r) => r.offset)).toEqual(file.offsets.map((o) => o + 1000));
  });

  it('handles an empty record and empty pushes', () => {
    const reader = new TfRecordReader();
    expect(reader.push(new Uint8Array(0))).toEqual({ records: [], warnings: [] });
    const out = reader.push(encodeRecord(new Uint8Array(0)));
    expect(out.records).toHaveLength(1);
    expect(out.records[0]?.data.length).toBe(0);
  });
});
