// The stored form of a tag's points (./chunks.ts): bytes round-trip exactly (NaN, ±Infinity, -0, float32
// values), and any split of a tag's points into chunks, stored in any order, reads back in (step, file,
// write) order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFloats, encodeFloats, pointsOfChunks, type StoredChunk } from './chunks';

const floats = (values: number[]) => Float64Array.from(values);

describe('encodeFloats / decodeFloats', () => {
  it('round-trip every float64 exactly, at any byte offset of a larger buffer', () => {
    const values = floats([
      0,
      -0,
      1.5,
      Math.fround(0.1),
      0.1,
      Number.NaN,
      Infinity,
      -Infinity,
      Number.MIN_VALUE,
      Number.MAX_VALUE,
      2 ** 53,
    ]);
    const bytes = encodeFloats(values);
    expect(bytes.byteLength).toBe(values.length * 8);
    const shifted = new Uint8Array(bytes.byteLength + 3);
    shifted.set(bytes, 3);
    const back = decodeFloats(shifted.subarray(3));
    expect([...back].map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(
      [...values].map((v) => (Object.is(v, -0) ? '-0' : String(v))),
    );
  });

  it('are little-endian IEEE 754, as the migration says', () => {
    expect([...encodeFloats(floats([1]))]).toEqual([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
  });

  it('refuse bytes that are not whole values', () => {
    expect(() => decodeFloats(new Uint8Array(12))).toThrow(/not a whole number/);
  });
});

interface Written {
  source: number;
  step: number;
  value: number;
}

describe('pointsOfChunks', () => {
  it('reads any chunking of any files back in (step, file, write) order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ source: fc.integer({ min: 1, max: 3 }), step: fc.integer({ min: -5, max: 20 }), value: fc.double() }), {
          maxLength: 60,
        }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        fc.integer(),
        (points: Written[], cuts: number[], seed) => {
          // Each file's points in write order, cut into chunks of the given sizes.
          const chunks: StoredChunk[] = [];
          for (const source of [1, 2, 3]) {
            const mine = points.filter((p) => p.source === source);
            for (let at = 0, k = 0; at < mine.length; k++) {
              const size = cuts[k % cuts.length]!;
              const part = mine.slice(at, at + size);
              chunks.push({
                sourceId: source,
                firstOrd: at,
                steps: encodeFloats(floats(part.map((p) => p.step))),
                wallTimes: encodeFloats(floats(part.map((p) => p.step * 2))),
                values: encodeFloats(floats(part.map((p) => p.value))),
              });
              at += size;
            }
          }
          // Stored rows come in any order.
          const shuffled = [...chunks].sort(() => (seed = (seed * 1103515245 + 12345) | 0) % 3);
          const read = pointsOfChunks(shuffled);
          const expected = points.map((p, i) => ({ ...p, i })).sort((a, b) => a.step - b.step || a.source - b.source || a.i - b.i);
          expect(read.length).toBe(points.length);
          expect([...read.step]).toEqual(expected.map((p) => p.step));
          expect([...read.wallTime]).toEqual(expected.map((p) => p.step * 2));
          expect([...read.value].map(String)).toEqual(expected.map((p) => String(p.value)));
        },
      ),
    );
  });
});
