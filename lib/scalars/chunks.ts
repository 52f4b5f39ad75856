// The stored form of a tag's points ("ScalarChunk", migration 20261208100000): up to CHUNK_POINTS
// points of one tag from one event file per row, in file order, each column (step, wall time, value)
// little-endian IEEE 754 float64 end to end. Ingest encodes (ingest/store/scalars.ts), the scalars
// API decodes (lib/queries/scalars.ts); both through this module, so the format is written once.
//
// Read order: a tag's points by step; equal steps by source (event file), then as written in it —
// the primary key ("tagId", "sourceId", "firstOrd") gives the chunks in (source, file order), and a
// stable sort by step finishes it. Pure.

/** Points per chunk: a backfill fills them; a live batch appends to its file's last one until full. */
export const CHUNK_POINTS = 1024;

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** float64 values as stored (little-endian, end to end). A view of the same memory where the platform allows. */
export function encodeFloats(values: Float64Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  return out;
}

/** Stored bytes → float64 values (a copy: the bytes may sit at any offset of a larger buffer). */
export function decodeFloats(bytes: Uint8Array): Float64Array {
  if (bytes.byteLength % 8 !== 0) throw new Error(`scalar chunk: ${bytes.byteLength} bytes is not a whole number of float64 values`);
  const n = bytes.byteLength / 8;
  if (LITTLE_ENDIAN) {
    const out = new Float64Array(n);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const out = new Float64Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** One stored chunk, as read (any order of chunks; each chunk's points in file order). */
export interface StoredChunk {
  /** The chunk's file; equal steps of two files read in the order of this number. */
  sourceId: number;
  firstOrd: number;
  steps: Uint8Array;
  wallTimes: Uint8Array;
  values: Uint8Array;
}

/** A tag's points in columns, in read order (module header). */
export interface TagPoints {
  length: number;
  step: Float64Array;
  wallTime: Float64Array;
  value: Float64Array;
}

/** Every point of a tag's chunks, in read order: by step, then source, then file order. */
export function pointsOfChunks(chunks: readonly StoredChunk[]): TagPoints {
  const ordered = [...chunks].sort((a, b) => a.sourceId - b.sourceId || a.firstOrd - b.firstOrd);
  const decoded = ordered.map((c) => {
    const step = decodeFloats(c.steps);
    const wallTime = decodeFloats(c.wallTimes);
    const value = decodeFloats(c.values);
    if (wallTime.length !== step.length || value.length !== step.length)
      throw new Error(`scalar chunk (source ${c.sourceId}, point ${c.firstOrd}): its columns differ in length`);
    return { step, wallTime, value };
  });
  const length = decoded.reduce((sum, c) => sum + c.step.length, 0);
  const step = new Float64Array(length);
  const wallTime = new Float64Array(length);
  const value = new Float64Array(length);
  let at = 0;
  for (const c of decoded) {
    step.set(c.step, at);
    wallTime.set(c.wallTime, at);
    value.set(c.value, at);
    at += c.step.length;
  }
  let sorted = true;
  for (let i = 1; i < length && sorted; i++) if (step[i]! < step[i - 1]!) sorted = false;
  if (sorted) return { length, step, wallTime, value };
  // Steps out of order (a restart at step 0, a second file of the folder): a stable sort by step
  // keeps equal steps in (source, file order).
  const order = Array.from({ length }, (_, i) => i).sort((a, b) => step[a]! - step[b]! || a - b);
  const pick = (column: Float64Array) => Float64Array.from(order, (i) => column[i]!);
  return { length, step: pick(step), wallTime: pick(wallTime), value: pick(value) };
}
