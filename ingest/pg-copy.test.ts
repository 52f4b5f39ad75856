// BinaryCopyRows (pg-copy.ts) writes PostgreSQL's binary COPY format: checked byte for byte against the
// same rows written with Buffer's own big-endian writers.
import { describe, expect, it } from 'vitest';
import { BinaryCopyRows } from './pg-copy';

function reference(): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  const field = (length: number, write?: (b: Buffer) => void) => {
    const b = Buffer.alloc(4 + Math.max(0, length));
    b.writeInt32BE(length, 0);
    write?.(b);
    parts.push(b);
  };
  const row = (fields: number) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(fields, 0);
    parts.push(b);
  };
  row(7);
  field(4, (b) => b.writeInt32BE(-2_147_483_648, 4));
  field(8, (b) => b.writeDoubleBE(Number.NaN, 4));
  field(8, (b) => b.writeDoubleBE(-Infinity, 4));
  field(1, (b) => (b[4] = 1));
  field(Buffer.byteLength('retained ✓'), (b) => b.write('retained ✓', 4, 'utf8'));
  field(-1);
  field(1 + 7, (b) => {
    b[4] = 1;
    b.write('{"a":1}', 5, 'utf8');
  });
  row(2);
  field(4, (b) => b.writeInt32BE(2_147_483_647, 4));
  field(8, (b) => b.writeDoubleBE(0.1, 4));
  const end = Buffer.alloc(2);
  end.writeInt16BE(-1, 0);
  parts.push(end);
  return Buffer.concat(parts);
}

describe('BinaryCopyRows', () => {
  it('writes the binary COPY format byte for byte, growing past its first guess', () => {
    const rows = new BinaryCopyRows(1, 4);
    rows.row(7).int4(-2_147_483_648).float8(Number.NaN).float8(-Infinity).bool(true).text('retained ✓').nullField().jsonb('{"a":1}');
    rows.row(2).int4(2_147_483_647).float8(0.1);
    expect(rows.finish().equals(reference())).toBe(true);
  });

  it.each([2_147_483_648, -2_147_483_649, 1.5, Number.NaN])('refuses %d as an int4 instead of wrapping it', (value) => {
    expect(() => new BinaryCopyRows(1, 8).row(1).int4(value)).toThrow(RangeError);
  });
});
