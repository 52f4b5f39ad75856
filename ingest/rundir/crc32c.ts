// CRC32C (Castagnoli). @node-rs/crc32's native crc32c is fast per byte but each call crosses N-API
// (~300 ns); TFRecord headers are 8 bytes and scalar events ~50, so small inputs go through a
// slicing-by-8 table in JS instead. Same results (tested against @node-rs/crc32).

import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** Inputs at least this long use the native implementation. */
export const NATIVE_THRESHOLD = 512;

const T = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  T[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let k = 1; k < 8; k++) T[k * 256 + n] = (T[(k - 1) * 256 + n]! >>> 8) ^ T[T[(k - 1) * 256 + n]! & 0xff]!;
}

export function crc32cJs(buf: Uint8Array, initial = 0): number {
  return crc32cJsRange(buf, 0, buf.length, initial);
}

/** CRC32C of `buf[start, end)` without a view of it (a backfill checks two CRCs for each of millions of records). */
export function crc32cJsRange(buf: Uint8Array, start: number, end: number, initial = 0): number {
  let crc = ~initial;
  let i = start;
  const end8 = end - 8;
  for (; i <= end8; i += 8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      T[7 * 256 + (a & 0xff)]! ^
      T[6 * 256 + ((a >>> 8) & 0xff)]! ^
      T[5 * 256 + ((a >>> 16) & 0xff)]! ^
      T[4 * 256 + (a >>> 24)]! ^
      T[3 * 256 + buf[i + 4]!]! ^
      T[2 * 256 + buf[i + 5]!]! ^
      T[256 + buf[i + 6]!]! ^
      T[buf[i + 7]!]!;
  }
  for (; i < end; i++) crc = T[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

export function crc32c(buf: Uint8Array): number {
  return buf.length >= NATIVE_THRESHOLD ? nativeCrc32c(buf) >>> 0 : crc32cJs(buf);
}

/** CRC32C of `buf[start, end)`: the same as crc32c(buf.subarray(start, end)), with no view for short ranges. */
export function crc32cRange(buf: Uint8Array, start: number, end: number): number {
  return end - start >= NATIVE_THRESHOLD ? nativeCrc32c(buf.subarray(start, end)) >>> 0 : crc32cJsRange(buf, start, end);
}
