// Bytes → TFRecords. A TFRecord file (TensorBoard's `events.out.tfevents.*`) is a sequence of
//
//   uint64 LE  length
//   uint32 LE  masked CRC32C of the 8 length bytes
//   length     data
//   uint32 LE  masked CRC32C of data
//
// with mask(crc) = ((crc >>> 15) | (crc << 17)) + 0xa282ead8 (uint32).
//
// Pure: no fs, no process. Resumable like the log Framer: `new TfRecordReader({ startOffset:
// r.committedOffset })` fed the bytes from that offset yields exactly the records the first reader
// would have yielded after that point. The result never depends on how the input is chunked.
//
// Damage handling:
// * A half-written final record (the writer is still running, or it was killed) is held, not reported,
//   until the rest arrives. `end()` reports it as a warning.
// * Length CRC mismatch, or a length above `maxRecordBytes`: framing is lost. Warn once, then scan
//   forward byte by byte for the next offset whose 12-byte header has a valid length CRC and a sane
//   length. Only 11 bytes are kept across pushes while scanning, so memory stays bounded.
// * Data CRC mismatch: the framing is intact; skip that record with a warning and carry on.
//
// Memory: at most one record (≤ 16 + maxRecordBytes bytes) plus the current chunk.

import { crc32c, crc32cRange } from './crc32c';

export interface TfRecord {
  /** Absolute offset of the record's first header byte. */
  offset: number;
  /** Absolute offset just past the record's trailing data CRC. */
  endOffset: number;
  /**
   * The record payload. May be a view into the chunk passed to `push` (when the record lies wholly in
   * it): copy it if you keep it beyond the caller's reuse of that chunk.
   */
  data: Uint8Array;
}

export interface TfRecordWarning {
  offset: number;
  message: string;
}

export interface TfRecordOutput {
  records: TfRecord[];
  warnings: TfRecordWarning[];
}

/**
 * Receives a reader's output in file order, without an object per record: a backfill reads millions.
 * `buf` is only valid during the call (it may be the caller's chunk, or the reader's own buffer).
 */
export interface TfRecordVisitor {
  /** A record whose two CRCs hold: its payload is buf[start, end); `offset`/`endOffset` are absolute. */
  record(buf: Uint8Array, start: number, end: number, offset: number, endOffset: number): void;
  warning(offset: number, message: string): void;
}

export interface TfRecordReaderOptions {
  /** Byte offset of the first byte that will be pushed (a previous reader's committedOffset). */
  startOffset?: number;
  /** Records whose length exceeds this are treated as corruption. */
  maxRecordBytes?: number;
}

export const DEFAULT_MAX_TFRECORD_BYTES = 64 * 1024 * 1024;
export const TFRECORD_HEADER_BYTES = 12;
export const TFRECORD_FOOTER_BYTES = 4;

const MASK_DELTA = 0xa282ead8;

export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc(crc32c(bytes));
}

function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16)) >>> 0) + buf[at + 3]! * 0x1000000;
}

/** maskedCrc32c of buf[start, end). */
export function maskedCrc32cRange(buf: Uint8Array, start: number, end: number): number {
  return maskCrc(crc32cRange(buf, start, end));
}

/** Header at `at` (12 bytes available): the record length if the length CRC holds and it is ≤ max, else -1 / -2. */
function checkHeader(buf: Uint8Array, at: number, max: number): number {
  if (readU32(buf, at + 8) !== maskedCrc32cRange(buf, at, at + 8)) return -1;
  const lo = readU32(buf, at);
  const hi = readU32(buf, at + 4);
  if (hi !== 0 || lo > max) return -2;
  return lo;
}

export class TfRecordReader {
  private readonly maxRecordBytes: number;
  /** Bytes carried over from previous pushes: copies, never views of caller chunks (see feed). */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Don't try to parse again until at least this many bytes are buffered. */
  private needed = TFRECORD_HEADER_BYTES;
  /** Framing lost: scanning for a valid header. */
  private resyncing = false;
  private resyncFrom = 0;
  /** Absolute offset of the next byte to be pushed. */
  private position: number;
  private committed: number;

  constructor(options: TfRecordReaderOptions = {}) {
    this.position = options.startOffset ?? 0;
    this.committed = this.position;
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_TFRECORD_BYTES;
  }

  /** Byte offset just past the last complete record consumed (emitted, or skipped for a bad data CRC). */
  get committedOffset(): number {
    return this.committed;
  }

  /** Bytes currently held (an incomplete record, or the undecided tail of a resync scan). */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** The records and warnings of `input` as arrays (each record's data a view: see TfRecord). */
  push(input: Uint8Array): TfRecordOutput {
    const out: TfRecordOutput = { records: [], warnings: [] };
    this.feed(input, collector(out));
    return out;
  }

  /** Like push, handing each record and warning to `visitor` as it is found (in file order). */
  feed(chunk: Uint8Array, visitor: TfRecordVisitor): void {
    if (chunk.length === 0) return;
    // A plain Uint8Array view: on a Node Buffer, slice() is a view too (not a copy), and the tailer
    // reuses its read buffer, so a held tail must be copied through Uint8Array's own slice.
    const input = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.pendingBytes + input.length < this.needed) {
      this.pending.push(input.slice());
      this.pendingBytes += input.length;
      this.position += input.length;
      return;
    }
    let buf: Uint8Array;
    if (this.pendingBytes === 0) {
      buf = input;
    } else {
      buf = new Uint8Array(this.pendingBytes + input.length);
      let at = 0;
      for (const part of this.pending) {
        buf.set(part, at);
        at += part.length;
      }
      buf.set(input, at);
    }
    const base = this.position - this.pendingBytes;
    this.position += input.length;
    const pos = this.parse(buf, base, visitor);
    const tail = buf.subarray(pos);
    this.pending = tail.length > 0 ? [tail.slice()] : [];
    this.pendingBytes = tail.length;
  }

  /** At end of input: reports held bytes (a truncated record or resync tail) as a warning. The reader stays usable. */
  end(): TfRecordOutput {
    const out: TfRecordOutput = { records: [], warnings: [] };
    this.finish(collector(out));
    return out;
  }

  /** Like end, reporting to `visitor`. */
  finish(visitor: TfRecordVisitor): void {
    if (this.pendingBytes > 0) {
      const at = this.position - this.pendingBytes;
      visitor.warning(
        at,
        this.resyncing
          ? `no valid record header in the last ${this.pendingBytes} bytes`
          : `incomplete record at end of input (${this.pendingBytes} of ${this.needed} bytes)`,
      );
    }
  }

  /** Parses records from buf (buf[0] is at absolute offset base); returns the index of the first unconsumed byte. */
  private parse(buf: Uint8Array, base: number, visitor: TfRecordVisitor): number {
    const max = this.maxRecordBytes;
    const len = buf.length;
    let pos = 0;
    for (;;) {
      if (this.resyncing) {
        let found = -1;
        for (let i = pos; i + TFRECORD_HEADER_BYTES <= len; i++) {
          if (checkHeader(buf, i, max) >= 0) {
            found = i;
            break;
          }
        }
        if (found < 0) {
          // Keep the last 11 bytes: a header may start there.
          pos = Math.max(pos, len - (TFRECORD_HEADER_BYTES - 1));
          this.needed = TFRECORD_HEADER_BYTES;
          return pos;
        }
        this.resyncing = false;
        visitor.warning(base + found, `resynchronised after skipping ${base + found - this.resyncFrom} bytes`);
        pos = found;
      }
      if (len - pos < TFRECORD_HEADER_BYTES) {
        this.needed = TFRECORD_HEADER_BYTES;
        return pos;
      }
      const length = checkHeader(buf, pos, max);
      if (length < 0) {
        visitor.warning(
          base + pos,
          length === -1
            ? 'record length CRC mismatch: framing lost, scanning for the next record'
            : `record length above ${max} bytes: framing lost, scanning for the next record`,
        );
        this.resyncing = true;
        this.resyncFrom = base + pos;
        pos += 1;
        continue;
      }
      const total = TFRECORD_HEADER_BYTES + length + TFRECORD_FOOTER_BYTES;
      if (len - pos < total) {
        this.needed = total;
        return pos;
      }
      const dataStart = pos + TFRECORD_HEADER_BYTES;
      const dataEnd = dataStart + length;
      // Committed before the visitor sees the record, so a reader of committedOffset in the callback
      // sees the offset just past it.
      this.committed = base + pos + total;
      if (readU32(buf, dataEnd) === maskedCrc32cRange(buf, dataStart, dataEnd)) {
        visitor.record(buf, dataStart, dataEnd, base + pos, base + pos + total);
      } else {
        visitor.warning(base + pos, `record data CRC mismatch: skipped ${length}-byte record`);
      }
      pos += total;
    }
  }
}

/** A visitor that collects into `out` (records as views of the buffer they were found in). */
function collector(out: TfRecordOutput): TfRecordVisitor {
  return {
    record: (buf, start, end, offset, endOffset) => out.records.push({ offset, endOffset, data: buf.subarray(start, end) }),
    warning: (offset, message) => out.warnings.push({ offset, message }),
  };
}

/** Convenience for whole buffers: all records and warnings, including the end-of-input warning. */
export function readAllTfRecords(bytes: Uint8Array, options: TfRecordReaderOptions = {}): TfRecordOutput {
  const reader = new TfRecordReader(options);
  const out = reader.push(bytes);
  out.warnings.push(...reader.end().warnings);
  return out;
}
