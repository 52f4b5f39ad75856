import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../ingest/rundir/event';
import { maskCrc, readAllTfRecords } from '../ingest/rundir/tfrecord';
import { corruptDataCrc, corruptLengthCrc, encodeEventFile, encodeRecord, FILE_VERSION, flipByte } from './tfevents-writer';
import { mulberry32 } from './random';

describe('writer', () => {
  it('encodeRecord lays out length, masked length CRC, data, masked data CRC', () => {
    const data = Uint8Array.from([1, 2, 3]);
    const rec = encodeRecord(data);
    const view = new DataView(rec.buffer);
    expect(rec.length).toBe(19);
    expect(view.getBigUint64(0, true)).toBe(3n);
    expect(view.getUint32(8, true)).toBe(maskCrc(crc32c(rec.subarray(0, 8))));
    expect([...rec.subarray(12, 15)]).toEqual([1, 2, 3]);
    expect(view.getUint32(15, true)).toBe(maskCrc(crc32c(data)));
  });

  it('encodeEventFile writes the file_version event first and reports offsets', () => {
    const f = encodeEventFile([{ wallTime: 5, step: 1, scalars: [{ tag: 'a', value: 1 }] }], { style: 'tensor' });
    const out = readAllTfRecords(f.bytes);
    expect(out.records.map((r) => r.offset)).toEqual(f.offsets);
    const first = decodeEvent(out.records[0]!.data);
    expect(first.ok && first.event).toEqual({ wallTime: 5, step: 0, fileVersion: FILE_VERSION, scalars: [] });
    const second = decodeEvent(out.records[1]!.data);
    expect(second.ok && second.event.scalars).toEqual([{ tag: 'a', value: 1 }]);
  });

  it('corruption helpers do not modify their input', () => {
    const f = encodeEventFile([{ wallTime: 0, step: 0 }]);
    const copy = f.bytes.slice();
    expect(corruptLengthCrc(f.bytes, 0)).not.toEqual(f.bytes);
    expect(corruptDataCrc(f.bytes, 0)).not.toEqual(f.bytes);
    expect(flipByte(f.bytes, 3, 1)[3]).toBe(f.bytes[3]! ^ 1);
    expect(f.bytes).toEqual(copy);
  });

  it('mulberry32 is deterministic', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    for (let i = 0; i < 10; i++) expect(a()).toBe(b());
  });
});
