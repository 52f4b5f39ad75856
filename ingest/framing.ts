// Bytes → records. A record is the text between two terminators, where both `\r` and `\n` terminate
// (log-formats §0.2: tqdm redraws with `\r` and never writes `\n`, so prints end up glued after the
// progress frames on one `\n` line). Whitespace-only records (tqdm's `\r<spaces>\r` close, the empty
// record between `\r` and `\n` of CRLF) are dropped, which makes the result independent of how the
// input is chunked: the framer works on bytes, keeps an unterminated tail as bytes, and decodes each
// record on its own, so a multi-byte character split across two chunks decodes correctly.
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
const CR_ONLY = new Uint8Array([CR]);

// CSI (`ESC [ params intermediates final`), OSC (`ESC ] … BEL|ST`, or to the end of the record when
// unterminated), other two-byte/nF escapes, a lone trailing ESC, and the 8-bit CSI U+009B.
const ANSI_ESCAPE =
  // eslint-disable-next-line no-control-regex
  /\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~])?|\u009b[0-?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_ESCAPE, '');
}

export class Framer {
  private readonly maxRecordBytes: number;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
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

  push(input: Uint8Array): FrameOutput {
    const out: FrameOutput = { records: [], warnings: [] };
    if (input.byteLength === 0) return out;
    // A plain Uint8Array view: TypedArray#indexOf is much faster than Buffer#indexOf for single bytes.
    let chunk = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (this.heldCr) {
      this.heldCr = false;
      this.frame(CR_ONLY, chunk[0] === LF, out);
    }
    if (chunk[chunk.length - 1] === CR) {
      this.heldCr = true;
      chunk = chunk.subarray(0, chunk.length - 1);
    }
    if (chunk.length > 0) this.frame(chunk, false, out);
    return out;
  }

  /** Frames a chunk; `lfAfter`: the byte after it is `\n` (matters only when its last byte is `\r`). */
  private frame(chunk: Uint8Array, lfAfter: boolean, out: FrameOutput): void {
    this.lfAfterChunk = lfAfter;
    const base = this.position;
    const length = chunk.length;
    let nextLf = chunk.indexOf(LF);
    let nextCr = chunk.indexOf(CR);
    if (nextLf === -1 && nextCr === -1) {
      if (length > 0) this.keepTail(chunk, out);
      this.position = base + length;
      return;
    }
    // The first record may continue bytes kept from earlier chunks: it is decoded on its own.
    let end = nextLf !== -1 && (nextCr === -1 || nextLf < nextCr) ? nextLf : nextCr;
    this.finishRecord(chunk, 0, end, base, out);
    let start = this.advance(chunk, end, base);
    if (chunk[end] === LF) nextLf = chunk.indexOf(LF, start);
    else nextCr = chunk.indexOf(CR, start);
    // Every other complete record lies inside this chunk: one decode for all of them, then string
    // slices. \r and \n are never part of a UTF-8 sequence (an invalid one ends at them), so the
    // decoded text has exactly the same terminators, in the same order, as the bytes.
    const last = Math.max(nextLf === -1 ? -1 : chunk.lastIndexOf(LF), nextCr === -1 ? -1 : chunk.lastIndexOf(CR));
    if (last > end) {
      const text = this.decoder.decode(chunk.subarray(start, last));
      const escapes = hasEscape(text);
      // The terminators are searched in the text (a string search costs far less than a typed-array
      // one); `last` itself is text.length. Each record's bytes are then found from its text: UTF-8
      // takes at least one byte per UTF-16 unit (U+FFFD included: it replaces one byte or more), so the
      // first \r or \n at or after start + (units in the record) is its terminator, a few bytes on at most.
      let textLf = text.indexOf('\n');
      let textCr = text.indexOf('\r');
      let at = 0;
      while (start <= last) {
        const isLf = textLf !== -1 && (textCr === -1 || textLf < textCr);
        const textEnd = isLf ? textLf : textCr === -1 ? text.length : textCr;
        end = Math.min(start + (textEnd - at), last); // chunk[last] is a terminator: the scan stops there
        let byte = chunk[end];
        while (byte !== LF && byte !== CR) byte = chunk[++end];
        const bytes = end - start;
        if (bytes > this.maxRecordBytes) this.warnTooLong(out);
        else if (bytes > 0) this.emitText(text.slice(at, textEnd), escapes, this.recordStart, base + end, this.loneCr(chunk, end), out);
        at = textEnd + 1;
        start = this.advance(chunk, end, base);
        if (textEnd === text.length) break;
        if (isLf) textLf = text.indexOf('\n', at);
        else textCr = text.indexOf('\r', at);
      }
    }
    if (start < length) this.keepTail(chunk.subarray(start), out);
    this.position = base + length;
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

  /** Emits the trailing unterminated record, if any. committedOffset stays at the last terminator. */
  end(): FrameOutput {
    const out: FrameOutput = { records: [], warnings: [] };
    if (this.heldCr) {
      // The input ended with `\r`: nothing follows it.
      this.heldCr = false;
      this.frame(CR_ONLY, false, out);
    }
    if (!this.discarding && this.pendingBytes > 0) {
      const bytes = this.takePending();
      this.emit(bytes, this.recordStart, this.position, undefined, out);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = false;
    return out;
  }

  /** The record ending at chunk[end] (a terminator): pending bytes from earlier chunks + chunk[start, end). */
  private finishRecord(chunk: Uint8Array, start: number, end: number, base: number, out: FrameOutput): void {
    if (this.discarding) {
      this.discarding = false;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    const totalBytes = this.pendingBytes + (end - start);
    if (totalBytes > this.maxRecordBytes) {
      this.warnTooLong(out);
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    if (totalBytes === 0) return;
    let bytes = chunk.subarray(start, end);
    if (this.pendingBytes > 0) {
      this.pending.push(bytes);
      bytes = this.takePending();
    }
    this.emit(bytes, this.recordStart, base + end, this.loneCr(chunk, end), out);
  }

  /** Bytes after the last terminator of a chunk: copied (the caller may reuse its buffer), within the cap. */
  private keepTail(tail: Uint8Array, out: FrameOutput): void {
    if (this.discarding) return;
    if (this.pendingBytes + tail.length > this.maxRecordBytes) {
      this.warnTooLong(out);
      this.discarding = true;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(tail.slice());
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

  private emit(bytes: Uint8Array, offset: number, endOffset: number, cr: true | undefined, out: FrameOutput): void {
    const text = this.decoder.decode(bytes);
    this.emitText(text, hasEscape(text), offset, endOffset, cr, out);
  }

  /** `escapes`: false when the text (or the whole chunk it was cut from) has no escape character. */
  private emitText(decoded: string, escapes: boolean, offset: number, endOffset: number, cr: true | undefined, out: FrameOutput): void {
    let text = decoded;
    if (offset === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // UTF-8 byte-order mark
    if (escapes && hasEscape(text)) text = stripAnsi(text);
    if (isBlank(text)) return;
    out.records.push({ text, line: this.recordLine, offset, endOffset, cr });
  }

  private warnTooLong(out: FrameOutput): void {
    out.warnings.push({
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
