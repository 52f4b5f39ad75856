// Bytes → records. A record is the text between two terminators, where both `\r` and `\n` terminate
// (log-formats §0.2: tqdm redraws with `\r` and never writes `\n`, so prints end up glued after the
// progress frames on one `\n` line). Whitespace-only records (tqdm's `\r<spaces>\r` close, the empty
// record between `\r` and `\n` of CRLF) are dropped, which makes the result independent of how the
// input is chunked: the framer works on bytes, keeps an unterminated tail as bytes, and decodes each
// record on its own, so a multi-byte character split across two chunks decodes correctly. It decodes a
// record only when something reads its text (FramedRecord, Framer.pushEach): a parser that reads the
// record's bytes (FormatParser.fastFrame: one training frame per step) never pays for it.
//
// Each record says whether a lone `\r` ended it (`cr`): a progress-bar redraw, or a print cut by an
// 8 KiB stdout flush with tqdm frames written right after the cut (log-formats §0.1), as opposed to a
// line end (`\n` or `\r\n`). A chunk's final `\r` is therefore held until the next byte says which
// it is, so that too does not depend on the chunking.
//
// Pure: no fs, no process. Restartable: `new Framer({ startOffset: f.committedOffset, startLine:
// f.committedLine })` fed the bytes from that offset yields exactly the records the first framer would
// have yielded after that point (the ingest daemon resumes this way after a crash).

export interface LogRecord {
  /** Decoded text with ANSI escape sequences removed (never contains `\r` or `\n`). */
  text: string;
  /** 1-based: 1 + the number of `\n` bytes before the record's first byte. */
  line: number;
  /** Byte offset of the record's first byte in the file. */
  offset: number;
  /** Byte offset just past the record's last byte (where its terminator is). */
  endOffset: number;
  /** True when a lone `\r` (not followed by `\n`) ended the record; absent when `\n`, `\r\n` or the end of input did. */
  cr?: true;
}

export interface FramingWarning {
  line: number;
  message: string;
}

export interface FrameOutput {
  records: LogRecord[];
  warnings: FramingWarning[];
}

export interface FramerOptions {
  /** Byte offset of the first byte that will be pushed (a previous framer's committedOffset). */
  startOffset?: number;
  /** Line number at startOffset (a previous framer's committedLine). */
  startLine?: number;
  /** Records longer than this are dropped with a warning. Bounds memory on garbage input. */
  maxRecordBytes?: number;
}

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

const LF = 10;
const CR = 13;
/** A held `\r` (see Framer.heldCr), framed on its own when the next byte arrives. */
const CR_ONLY = Buffer.from([CR]);

// CSI (`ESC [ params intermediates final`), OSC (`ESC ] … BEL|ST`, or to the end of the record when
// unterminated), other two-byte/nF escapes, a lone trailing ESC, and the 8-bit CSI U+009B.
const ANSI_ESCAPE =
  // eslint-disable-next-line no-control-regex
  /\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~])?|\u009b[0-?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_ESCAPE, '');
}

/**
 * A record as the framer finds it (Framer.pushEach): a LogRecord whose bytes are at hand, bytes[start,
 * end), and whose `text` is decoded only when someone reads it. Parsers that can read a record from its
 * bytes (FormatParser.fastFrame) never pay for the decoding; everything else reads `text` as before.
 * The framer re-points one FramedRecord at each record in turn, and `bytes` is a view of the pushed
 * chunk (which the caller may reuse): it is valid only while the visit runs. Keep `toRecord()`, never it.
 */
export class FramedRecord implements LogRecord {
  bytes: Uint8Array = CR_ONLY;
  start = 0;
  end = 0;
  line = 1;
  offset = 0;
  endOffset = 0;
  cr: true | undefined = undefined;
  /** The text, once decoded (or when the framer had to decode it to see it was not blank). */
  decoded: string | null = null;

  constructor(private readonly decoder: TextDecoder) {}

  get text(): string {
    this.decoded ??= decodeRecord(this.decoder, this.bytes, this.start, this.end, this.offset);
    return this.decoded;
  }

  /** A LogRecord of its own (decoded), safe to keep. */
  toRecord(): LogRecord {
    return { text: this.text, line: this.line, offset: this.offset, endOffset: this.endOffset, cr: this.cr };
  }
}

/** Called once per record, in order; `record` is re-pointed at the next one afterwards (FramedRecord). */
export type RecordVisitor = (record: FramedRecord) => void;

/** A record's text: its bytes decoded, without a leading byte-order mark (offset 0) and ANSI escapes. */
function decodeRecord(decoder: TextDecoder, bytes: Uint8Array, start: number, end: number, offset: number): string {
  let text = decoder.decode(bytes.subarray(start, end));
  if (offset === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // UTF-8 byte-order mark
  if (hasEscape(text)) text = stripAnsi(text);
  return text;
}

/** A Buffer over the same memory (Buffer#indexOf finds a byte several times faster than TypedArray#indexOf over a record's length). */
function asBuffer(input: Uint8Array): Buffer {
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

export class Framer {
  private readonly maxRecordBytes: number;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  /** The one record object handed to visitors (see FramedRecord). */
  private readonly record = new FramedRecord(this.decoder);
  /** Bytes of the unterminated record carried over from previous chunks. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The current record already exceeded maxRecordBytes: skip bytes up to the next terminator. */
  private discarding = false;
  /** Absolute offset of the next byte to be pushed. */
  private position: number;
  /** Offset and line where the current (unterminated) record starts. */
  private recordStart: number;
  private recordLine: number;
  /** The last chunk ended with `\r`: not consumed yet (position is before it) until the next byte shows whether `\n` follows. */
  private heldCr = false;
  /** Whether the byte after the chunk being framed is `\n` (only asked about a `\r` that is the chunk's last byte). */
  private lfAfterChunk = false;

  constructor(options: FramerOptions = {}) {
    this.position = options.startOffset ?? 0;
    this.recordStart = this.position;
    this.recordLine = options.startLine ?? 1;
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  /** Byte offset just past the last terminator consumed: everything before it has been emitted. */
  get committedOffset(): number {
    return this.recordStart;
  }

  /** Line number of the byte at committedOffset. */
  get committedLine(): number {
    return this.recordLine;
  }

  /** The records `input` completes, as LogRecords of their own (decoded), and the framing warnings. */
  push(input: Uint8Array): FrameOutput {
    const records: LogRecord[] = [];
    const warnings = this.pushEach(input, (record) => records.push(record.toRecord()));
    return { records, warnings };
  }

  /** The trailing unterminated record, if any (see endEach). */
  end(): FrameOutput {
    const records: LogRecord[] = [];
    const warnings = this.endEach((record) => records.push(record.toRecord()));
    return { records, warnings };
  }

  /**
   * Visits each record `input` completes, in order, before returning (nothing is decoded that the
   * visitor does not read); returns the framing warnings (over-long records) of this chunk.
   */
  pushEach(input: Uint8Array, visit: RecordVisitor): FramingWarning[] {
    const warnings: FramingWarning[] = [];
    if (input.byteLength === 0) return warnings;
    let chunk = asBuffer(input);
    if (this.heldCr) {
      this.heldCr = false;
      this.frame(CR_ONLY, chunk[0] === LF, visit, warnings);
    }
    if (chunk[chunk.length - 1] === CR) {
      this.heldCr = true;
      chunk = chunk.subarray(0, chunk.length - 1);
    }
    if (chunk.length > 0) this.frame(chunk, false, visit, warnings);
    return warnings;
  }

  /** Visits the trailing unterminated record, if any. committedOffset stays at the last terminator. */
  endEach(visit: RecordVisitor): FramingWarning[] {
    const warnings: FramingWarning[] = [];
    if (this.heldCr) {
      // The input ended with `\r`: nothing follows it.
      this.heldCr = false;
      this.frame(CR_ONLY, false, visit, warnings);
    }
    if (!this.discarding && this.pendingBytes > 0) {
      const bytes = this.takePending();
      this.visitRecord(bytes, 0, bytes.length, this.recordStart, this.position, undefined, visit);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = false;
    return warnings;
  }

  /** Frames a chunk; `lfAfter`: the byte after it is `\n` (matters only when its last byte is `\r`). */
  private frame(chunk: Buffer, lfAfter: boolean, visit: RecordVisitor, warnings: FramingWarning[]): void {
    this.lfAfterChunk = lfAfter;
    const base = this.position;
    let nextLf = chunk.indexOf(LF);
    let nextCr = chunk.indexOf(CR);
    let start = 0;
    while (nextLf !== -1 || nextCr !== -1) {
      let end: number;
      if (nextCr !== -1 && (nextLf === -1 || nextCr < nextLf)) {
        end = nextCr;
        nextCr = chunk.indexOf(CR, end + 1);
      } else {
        end = nextLf;
        nextLf = chunk.indexOf(LF, end + 1);
      }
      if (start === 0) {
        // The first record may continue bytes kept from earlier chunks.
        this.finishRecord(chunk, end, base, visit, warnings);
      } else if (end - start > this.maxRecordBytes) {
        this.warnTooLong(warnings);
      } else if (end > start) {
        this.visitRecord(chunk, start, end, this.recordStart, base + end, this.loneCr(chunk, end), visit);
      }
      start = this.advance(chunk, end, base);
    }
    if (start < chunk.length) this.keepTail(chunk.subarray(start), warnings);
    this.position = base + chunk.length;
  }

  /** chunk[end] is a `\r` that no `\n` follows. */
  private loneCr(chunk: Uint8Array, end: number): true | undefined {
    if (chunk[end] !== CR) return undefined;
    const next = end + 1 < chunk.length ? chunk[end + 1] === LF : this.lfAfterChunk;
    return next ? undefined : true;
  }

  /** Consumes the terminator at chunk[end]; returns the index of the next record's first byte. */
  private advance(chunk: Uint8Array, end: number, base: number): number {
    this.recordStart = base + end + 1;
    if (chunk[end] === LF) this.recordLine += 1;
    return end + 1;
  }

  /** The record ending at chunk[end] (a terminator): pending bytes from earlier chunks + chunk[0, end). */
  private finishRecord(chunk: Uint8Array, end: number, base: number, visit: RecordVisitor, warnings: FramingWarning[]): void {
    if (this.discarding) {
      this.discarding = false;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    const totalBytes = this.pendingBytes + end;
    if (totalBytes > this.maxRecordBytes) {
      this.warnTooLong(warnings);
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    if (totalBytes === 0) return;
    const cr = this.loneCr(chunk, end);
    if (this.pendingBytes === 0) {
      this.visitRecord(chunk, 0, end, this.recordStart, base + end, cr, visit);
      return;
    }
    this.pending.push(chunk.subarray(0, end));
    const bytes = this.takePending();
    this.visitRecord(bytes, 0, bytes.length, this.recordStart, base + end, cr, visit);
  }

  /**
   * Hands bytes[start, end) to the visitor unless its text is blank. A record whose first byte is a
   * visible ASCII character is not blank whatever follows (escapes start at ESC, and stripping them
   * keeps that character): it goes undecoded. Any other record is decoded here to tell.
   */
  private visitRecord(
    bytes: Uint8Array,
    start: number,
    end: number,
    offset: number,
    endOffset: number,
    cr: true | undefined,
    visit: RecordVisitor,
  ): void {
    let decoded: string | null = null;
    const first = bytes[start] as number;
    if (!(first > 32 && first < 127)) {
      decoded = decodeRecord(this.decoder, bytes, start, end, offset);
      if (isBlank(decoded)) return;
    }
    const record = this.record;
    record.bytes = bytes;
    record.start = start;
    record.end = end;
    record.line = this.recordLine;
    record.offset = offset;
    record.endOffset = endOffset;
    record.cr = cr;
    record.decoded = decoded;
    visit(record);
  }

  /** Bytes after the last terminator of a chunk: copied (the caller may reuse its buffer), within the cap. */
  private keepTail(tail: Uint8Array, warnings: FramingWarning[]): void {
    if (this.discarding) return;
    if (this.pendingBytes + tail.length > this.maxRecordBytes) {
      this.warnTooLong(warnings);
      this.discarding = true;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    // A copy: `tail` is a view of the caller's chunk (on a Buffer, slice() would be a view too).
    this.pending.push(new Uint8Array(tail));
    this.pendingBytes += tail.length;
  }

  private takePending(): Uint8Array {
    const parts = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (parts.length === 1 && parts[0]) return parts[0];
    let size = 0;
    for (const part of parts) size += part.length;
    const joined = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    return joined;
  }

  private warnTooLong(warnings: FramingWarning[]): void {
    warnings.push({
      line: this.recordLine,
      message: `record longer than ${this.maxRecordBytes} bytes discarded`,
    });
  }
}

function hasEscape(text: string): boolean {
  return text.includes('\x1b') || text.includes('\u009b');
}

function isBlank(text: string): boolean {
  // Fast path: most records start with a visible character.
  const first = text.charCodeAt(0);
  if (first > 32 && first !== 0xa0 && first < 0x2000) return false;
  return text.trim().length === 0;
}

/** Frames a whole buffer at once (tests, `thaw parse`). */
export function frameBytes(bytes: Uint8Array, options?: FramerOptions): FrameOutput {
  const framer = new Framer(options);
  const head = framer.push(bytes);
  const tail = framer.end();
  return {
    records: head.records.concat(tail.records),
    warnings: head.warnings.concat(tail.warnings),
  };
}
