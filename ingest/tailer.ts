// bytes → lines for one watched path, like `tail -F`: reads from the committed byte offset, frames
// and parses, and commits each batch with its new offset (ingest/store/commit-batch.ts). The open file handle
// follows the inode, so a log renamed away (rotation) or deleted is read to its end before the
// tailer moves on to whatever file now has the name.
import { CoalescedPasses } from './coalesce';
import { createHash } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import type pg from 'pg';
import { Framer } from './framing';
import { Liveness } from './liveness';
import { createLogParser, type ParserState } from './parse';
import type { ParseEvent } from './events';
import type { SourceKind } from './rundir/identity';
import { TfEventsReader, type TfEventsReaderState } from './rundir/readers';
import type { EventFileContent } from './rundir/run-layout';
import { commitBatch, FINGERPRINT_BYTES, markSource, registerSource, type SourceCursor, type FileProbe } from './store';
import type { Logger } from '../lib/log';

const READ_CHUNK = 1 << 20;
const MAX_READ_CHUNK = 64 << 20;
/**
 * Commit at least this often during a backfill, to bound memory and make progress durable. Event
 * files yield about one event per 60-byte record and each transaction has a fixed cost, so they are
 * committed in bigger batches than console logs.
 */
const BATCH_LIMITS: Record<'log' | 'tfevents', { events: number; bytes: number }> = {
  log: { events: 50_000, bytes: 16 << 20 },
  tfevents: { events: 250_000, bytes: 32 << 20 },
};
/**
 * A pass's first batch is this small, and each next one twice the last (up to the limit): the database
 * starts writing after the first megabyte instead of waiting for the first full batch to be read.
 */
const FIRST_BATCH_BYTES = 1 << 20;
/** Bytes hashed to notice a file rewritten in place (same as the store's fingerprint length). */
const PREFIX_BYTES = FINGERPRINT_BYTES;
/** How long a rotated or deleted log is still followed after its last growth. */
const RETIRE_AFTER_MS = 60_000;

export interface TailerOptions {
  pool: pg.Pool;
  host: string;
  log: Logger;
  /** For a file Thaw has never seen: start at its current end instead of its beginning. */
  fromEnd?: boolean;
  /** Events per transaction during a backfill (THAW_INGEST_BATCH_EVENTS). */
  batchEvents?: number;
  /**
   * Follow mode (the daemon, not --once): batches read after this tailer first reached the file's
   * end are live (alerts fire); the catch-up before that is a backfill (alerts recorded, not sent).
   */
  follow?: boolean;
  /** A file that appeared while following: live from its first byte. */
  liveFromStart?: boolean;
  /** Called after every committed batch (progress bars, metrics); `lines` counts records (\n or \r). */
  onCommit?: (info: { path: string; bytes: number; lines: number; runIds: number[] }) => void;
  /** 'log' (lines, the default) or 'tfevents' (TFRecords). */
  kind?: Extract<SourceKind, 'log' | 'tfevents'>;
  /**
   * Bytes each read asks for (default 1 MiB, at most 64 MiB). The readers' output never depends on it;
   * the tests vary it per read to prove that.
   */
  readChunk?: () => number;
}

/** Bytes → events for one source, resumable from a committed cursor. */
interface SourceReader {
  push(chunk: Buffer): { events: ParseEvent[]; records: number };
  /** Offset just past the last byte fully reflected in the events returned so far. */
  readonly committedOffset: number;
  /** Line (or record) number of the next record after committedOffset. */
  readonly committedLine: number;
  /** What LogSource.parserState keeps. */
  snapshot(): object;
}

/** Console logs: framing into lines, then the run manager (ingest/parse.ts). */
class LogReader implements SourceReader {
  private readonly framer: Framer;
  private readonly parser: ReturnType<typeof createLogParser>;

  constructor(cursor: SourceCursor) {
    const stored = (cursor.parserState ?? { parser: null }) as StoredState;
    this.framer = new Framer({ startOffset: cursor.offset, startLine: cursor.line });
    this.parser = createLogParser(stored.parser ?? undefined);
  }

  push(chunk: Buffer): { events: ParseEvent[]; records: number } {
    const events: ParseEvent[] = [];
    let records = 0;
    // Records go to the parser as the framer finds them: undecoded until a parser reads their text.
    const warnings = this.framer.pushEach(chunk, (record) => {
      records += 1;
      const produced = this.parser.feed(record);
      for (const event of produced) events.push(event);
    });
    // Framing warnings (over-long records) lead the chunk's events, as they always have.
    if (warnings.length > 0) {
      events.unshift(
        ...warnings.map((warning): ParseEvent => ({ type: 'warning', runKey: null, line: warning.line, message: warning.message })),
      );
    }
    return { events, records };
  }

  get committedOffset(): number {
    return this.framer.committedOffset;
  }

  get committedLine(): number {
    return this.framer.committedLine;
  }

  snapshot(): StoredState {
    return { parser: this.parser.snapshot() };
  }
}

/** What the tailer keeps in LogSource.parserState for an event file (`reader` absent in cursors stored before it was kept). */
interface EventFileState {
  tfevents: true;
  reader?: TfEventsReaderState;
}

/** TensorBoard event files: TFRecords; the reader resumes from the offset and its tags' plugins. */
class EventFileReader implements SourceReader {
  private readonly reader: TfEventsReader;

  constructor(file: string, cursor: SourceCursor) {
    const stored = cursor.parserState as Partial<EventFileState> | null;
    this.reader = new TfEventsReader(file, { startOffset: cursor.offset, startLine: cursor.line, state: stored?.reader ?? null });
  }

  push(chunk: Buffer): { events: ParseEvent[]; records: number } {
    return this.reader.push(chunk);
  }

  get committedOffset(): number {
    return this.reader.committedOffset;
  }

  get committedLine(): number {
    return this.reader.committedLine;
  }

  snapshot(): EventFileState {
    return { tfevents: true, reader: this.reader.state };
  }

  /** What the file holds, for run grouping (TfEventsReader.content). */
  get content(): EventFileContent {
    return this.reader.content;
  }

  get holdsSomething(): boolean {
    return this.reader.holdsSomething;
  }

  attach(identity: string, dir: string): ParseEvent[] {
    return this.reader.attach(identity, dir);
  }
}

/** What the tailer keeps in LogSource.parserState. */
interface StoredState {
  parser: ParserState | null;
}

/** Added to either reader's state by an interim batch (see Batch.interim): the pass's last batch settles. */
interface Unsettled {
  unsettled?: true;
}

function isUnsettled(parserState: unknown): boolean {
  return typeof parserState === 'object' && parserState !== null && (parserState as Unsettled).unsettled === true;
}

interface OpenFile {
  handle: fs.FileHandle;
  stats: Stats;
  cursor: SourceCursor;
  reader: SourceReader;
  /** Absolute offset of the next byte to read (ahead of the committed offset by the pending tail). */
  readOffset: number;
  /** Hash of the first bytes when opened: if they change, the file was rewritten in place. */
  prefix: { length: number; hash: string };
  /** Records (lines split on \n and \r) parsed since the last commit, for progress reports. */
  recordsPending: number;
  /** Interim batches were committed and the pass's last batch has not settled their runs yet. */
  unsettled: boolean;
  /** How far the file had been read at the last commit (its size then): a pass that read further commits. */
  seenSize: number;
}

export class FileTailer {
  private file: OpenFile | undefined;
  /**
   * Inodes that left this path (renamed away or deleted) but may still be written by the trainer,
   * which keeps its file descriptor: read until they have been quiet for RETIRE_AFTER_MS.
   */
  private retired: { file: OpenFile; lastGrowth: number }[] = [];
  private readonly passes = new CoalescedPasses(
    () => this.pass(),
    () => this.closed,
  );
  private closed = false;
  /** Whether what is read now is live (ingest/liveness.ts). */
  private readonly liveness: Liveness;
  /** The path is gone and nothing retired is left to read: the daemon can forget this tailer. */
  deleted = false;
  /**
   * Event files without a scalar of their own: the run the layout joins the file to (ingest/daemon.ts),
   * given what the file holds after each pass (TfEventsReader.attach).
   */
  private placement: { identity: string; dir: string } | undefined;
  /** What the file held could not be given yet: the run it joins is not stored (yet). */
  waitingForRun = false;

  private readonly kind: Extract<SourceKind, 'log' | 'tfevents'>;

  constructor(
    readonly path: string,
    private readonly options: TailerOptions,
  ) {
    this.kind = options.kind ?? 'log';
    this.liveness = new Liveness(options);
  }

  /** Reads whatever is new and commits it. Calls made while one runs coalesce into one more pass. */
  poll(): Promise<void> {
    return this.passes.run();
  }

  /** An event file's content for run grouping; null for logs, and until the file has been opened. */
  get eventContent(): { content: EventFileContent; holdsSomething: boolean } | null {
    const reader = this.file?.reader;
    if (!(reader instanceof EventFileReader)) return null;
    return { content: reader.content, holdsSomething: reader.holdsSomething };
  }

  /** Where what this (scalar-free) event file holds goes; given at the next pass. */
  place(target: { identity: string; dir: string }): void {
    this.placement = target;
  }

  /** True while a rotated or deleted inode is still being followed (the daemon keeps polling it). */
  get hasRetired(): boolean {
    return this.retired.length > 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.passes.idle();
    await this.release();
    for (const { file } of this.retired.splice(0)) await file.handle.close().catch(() => {});
  }

  private async pass(): Promise<void> {
    await this.readRetired();
    const pathStats = await fs.stat(this.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (this.file && (!pathStats || !sameInode(pathStats, this.file.stats))) {
      // Renamed away or deleted: the handle still reads the old inode, so take in what it holds.
      const file = this.file;
      this.file = undefined;
      this.retired.push({ file, lastGrowth: Date.now() });
      await this.readToEnd(file);
      // No links left: deleted. Otherwise it lives on under another name (rotation).
      const state = (await file.handle.stat()).nlink === 0 ? 'deleted' : 'rotated';
      await markSource(this.options.pool, file.cursor.sourceId, state);
      this.options.log.info({ file: this.path, offset: file.readOffset }, `log ${state}`);
    }
    this.deleted = !pathStats && this.retired.length === 0;
    if (!pathStats || !pathStats.isFile()) return;
    if (!this.file) {
      this.file = await this.open();
      if (!this.file) return;
    }
    if (await this.wasTruncated(this.file)) {
      this.options.log.info({ file: this.path, offset: this.file.cursor.offset }, 'log truncated or rewritten; reading it anew');
      await markSource(this.options.pool, this.file.cursor.sourceId, 'truncated');
      await this.release();
      this.file = await this.open();
      if (!this.file) return;
    }
    await this.growFingerprint(this.file);
    await this.readToEnd(this.file);
    await this.giveHeld(this.file);
  }

  /** A scalar-free event file's held content, to the run the layout placed it in (joinOnly: never a run of its own). */
  private async giveHeld(file: OpenFile): Promise<void> {
    const reader = file.reader;
    const placement = this.placement;
    if (placement === undefined || !(reader instanceof EventFileReader) || !reader.holdsSomething) {
      this.waitingForRun = false;
      return;
    }
    if (reader.committedOffset !== file.cursor.offset) return;
    const events = reader.attach(placement.identity, placement.dir);
    const stored = await this.store(file, {
      toOffset: file.cursor.offset,
      nextLine: file.cursor.line,
      parserState: reader.snapshot(),
      events,
      live: this.liveness.live,
      interim: false,
      settle: false,
      records: 0,
      joinOnly: true,
    });
    if (stored) this.waitingForRun = false;
  }

  /**
   * A file first seen shorter than the fingerprint (a log being written) is fingerprinted on fewer
   * bytes; once it has grown, its source's fingerprint is upgraded (registerSource does it for the same
   * first bytes), as a daemon that saw the file only later would have stored it.
   */
  private async growFingerprint(file: OpenFile): Promise<void> {
    if (file.prefix.length >= PREFIX_BYTES || file.stats.size <= file.prefix.length) return;
    const cursor = await registerSource(this.options.pool, this.probe(file.handle, file.stats));
    if (cursor.sourceId !== file.cursor.sourceId) return; // not the same first bytes after all: wasTruncated's next pass decides
    const length = Math.min(file.stats.size, PREFIX_BYTES);
    file.prefix = { length, hash: await hashPrefix(file.handle, length) };
  }

  private probe(handle: fs.FileHandle, stats: Stats): FileProbe {
    return {
      host: this.options.host,
      path: this.path,
      device: String(stats.dev),
      inode: String(stats.ino),
      size: stats.size,
      hashPrefix: (length) => hashPrefix(handle, length),
      kind: this.kind,
    };
  }

  private async readRetired(): Promise<void> {
    for (const entry of [...this.retired]) {
      const stats = await entry.file.handle.stat();
      if (stats.size > entry.file.readOffset) {
        entry.lastGrowth = Date.now();
        await this.readToEnd(entry.file);
      } else if (Date.now() - entry.lastGrowth > RETIRE_AFTER_MS) {
        this.retired.splice(this.retired.indexOf(entry), 1);
        await entry.file.handle.close().catch(() => {});
      }
    }
  }

  private async open(): Promise<OpenFile | undefined> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const stats = await handle.stat();
      if (stats.size === 0) {
        await handle.close();
        return undefined;
      }
      let cursor = await registerSource(this.options.pool, this.probe(handle, stats));
      if (cursor.offset > stats.size) {
        // Same first bytes but shorter than what we committed: rewritten in place. Start over;
        // rows are keyed on content, so re-reading is harmless.
        cursor = { ...cursor, offset: 0, line: 1, parserState: null };
        await this.options.pool.query(`UPDATE "LogSource" SET "committedOffset" = 0, "linesSeen" = 0, "parserState" = NULL WHERE id = $1`, [
          cursor.sourceId,
        ]);
      }
      if (cursor.offset === 0 && cursor.parserState === null && this.options.fromEnd && this.kind === 'log') {
        cursor = await this.skipToEnd(handle, cursor, stats.size);
      }
      const prefixLength = Math.min(stats.size, PREFIX_BYTES);
      return this.fileAt(handle, stats, cursor, { length: prefixLength, hash: await hashPrefix(handle, prefixLength) });
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
  }

  /** --from-end: commit the current end (at a line boundary) as if it had been read. */
  private async skipToEnd(handle: fs.FileHandle, cursor: SourceCursor, size: number): Promise<SourceCursor> {
    const tail = Buffer.alloc(Math.min(size, 1 << 16));
    await handle.read(tail, 0, tail.length, size - tail.length);
    const lastBreak = Math.max(tail.lastIndexOf(10), tail.lastIndexOf(13));
    const offset = lastBreak < 0 ? 0 : size - tail.length + lastBreak + 1;
    const result = await commitBatch(this.options.pool, {
      sourceId: cursor.sourceId,
      fromOffset: 0,
      toOffset: offset,
      nextLine: 1,
      parserState: { parser: null } satisfies StoredState,
      size,
      seenAt: new Date(),
      events: [],
    });
    return result.status === 'conflict' ? result.cursor : { ...cursor, offset, line: 1, parserState: { parser: null } };
  }

  private fileAt(handle: fs.FileHandle, stats: Stats, cursor: SourceCursor, prefix: OpenFile['prefix']): OpenFile {
    return {
      handle,
      stats,
      cursor,
      reader: this.kind === 'tfevents' ? new EventFileReader(this.path, cursor) : new LogReader(cursor),
      readOffset: cursor.offset,
      prefix,
      recordsPending: 0,
      unsettled: isUnsettled(cursor.parserState),
      seenSize: cursor.offset,
    };
  }

  /**
   * Resets in-memory progress to a cursor (after a conflict with another writer, or a failed commit):
   * a fresh reader, so readToEnd can tell that bytes it was reading meanwhile belong to the old one.
   */
  private rewind(file: OpenFile, cursor: SourceCursor): void {
    const fresh = this.fileAt(file.handle, file.stats, cursor, file.prefix);
    Object.assign(file, fresh);
  }

  /** Shorter than what we read, or its first bytes changed (copytruncate, then new writes). */
  private async wasTruncated(file: OpenFile): Promise<boolean> {
    const stats = await file.handle.stat();
    if (stats.size < file.readOffset) return true;
    if (file.prefix.length > 0 && (await hashPrefix(file.handle, file.prefix.length)) !== file.prefix.hash) return true;
    file.stats = stats;
    return false;
  }

  /**
   * Reads to the end of the file, committing a batch whenever one is full. One commit is in flight
   * while the next batch is read and parsed (PostgreSQL and the parser work at once); a batch is only
   * committed after the previous one was, so offsets still advance strictly in order, and a conflict or
   * failure of one commit discards everything parsed after it (rewind to the committed cursor).
   */
  private async readToEnd(file: OpenFile): Promise<void> {
    let events: ParseEvent[] = [];
    let bytesSinceCommit = 0;
    // Live appends are small: size the buffer to what is there (up to 1 MiB) so 200 quiet tails
    // do not churn through megabyte buffers on every notification.
    const available = (await file.handle.stat()).size - file.readOffset;
    if (available <= 0) {
      if (await this.commit(file, events, false)) this.liveness.reachedEnd();
      return;
    }
    const limits = BATCH_LIMITS[this.kind];
    const batchEvents = this.options.batchEvents ?? limits.events;
    let batchBytes = Math.min(FIRST_BATCH_BYTES, limits.bytes);
    let buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(available, 4096)));
    let inFlight: Promise<boolean> | undefined;
    try {
      for (;;) {
        const reader = file.reader;
        let want = buffer.length;
        if (this.options.readChunk) {
          want = Math.max(1, Math.min(MAX_READ_CHUNK, Math.floor(this.options.readChunk())));
          if (want > buffer.length) buffer = Buffer.allocUnsafe(want);
        }
        const { bytesRead } = await file.handle.read(buffer, 0, want, file.readOffset);
        // The commit in flight failed or conflicted meanwhile and rewound the file to a cursor: these
        // bytes come from the old read position, not the rewound reader's. Leave them; the pass that
        // follows (a retry, or the repeat after a conflict) reads again from the cursor.
        if (file.reader !== reader) break;
        if (bytesRead === 0) break;
        file.readOffset += bytesRead;
        bytesSinceCommit += bytesRead;
        const out = file.reader.push(buffer.subarray(0, bytesRead));
        file.recordsPending += out.records;
        for (const event of out.events) events.push(event);
        if (events.length >= batchEvents || bytesSinceCommit >= batchBytes) {
          if (inFlight && !(await inFlight)) return;
          inFlight = this.commit(file, events, true);
          // Awaited before the next commit (or below); until then a rejection must not go unhandled.
          inFlight.catch(() => {});
          events = [];
          bytesSinceCommit = 0;
          batchBytes = Math.min(batchBytes * 2, limits.bytes);
        }
        if (this.closed) break;
      }
      if (inFlight && !(await inFlight)) return;
      inFlight = undefined;
    } finally {
      // Leaving early (closed, an error): let the commit in flight finish before the handle can close.
      await inFlight?.catch(() => {});
    }
    if (this.closed) return;
    // Bytes were read: even when they complete no record (a half-written line), the size the file was
    // seen at is stored, as one backfill of the same bytes stores it.
    if (await this.commit(file, events, false, true)) this.liveness.reachedEnd();
  }

  /**
   * Commits what was parsed up to the reader's committed offset. Everything the batch needs from the
   * reader is taken before the first await, so the caller may go on parsing while it runs. Resolves
   * false when another writer had moved the source on (we rewound to its cursor). `more`: the pass has
   * more to read after this batch (the batch is interim unless it is live).
   */
  private commit(file: OpenFile, events: ParseEvent[], more: boolean, read = false): Promise<boolean> {
    const toOffset = file.reader.committedOffset;
    const nextLine = file.reader.committedLine;
    const interim = more && !this.liveness.live;
    const settle = !interim && file.unsettled;
    const grew = read && file.readOffset !== file.seenSize;
    if (toOffset === file.cursor.offset && events.length === 0 && !settle && !grew) return Promise.resolve(true);
    file.seenSize = file.readOffset;
    const snapshot = file.reader.snapshot();
    const parserState = interim ? { ...snapshot, unsettled: true } : snapshot;
    const records = file.recordsPending;
    file.recordsPending = 0;
    const live = this.liveness.live;
    return this.store(file, { toOffset, nextLine, parserState, events, live, interim, settle, records });
  }

  private async store(
    file: OpenFile,
    batch: {
      toOffset: number;
      nextLine: number;
      parserState: object;
      events: ParseEvent[];
      live: boolean;
      interim: boolean;
      settle: boolean;
      records: number;
      joinOnly?: boolean;
    },
  ): Promise<boolean> {
    const from = file.cursor;
    const stats = await file.handle.stat();
    let result;
    try {
      result = await commitBatch(this.options.pool, {
        sourceId: from.sourceId,
        fromOffset: from.offset,
        toOffset: batch.toOffset,
        nextLine: batch.nextLine,
        parserState: batch.parserState,
        size: stats.size,
        seenAt: stats.mtime,
        events: batch.events,
        live: batch.live,
        interim: batch.interim,
        settleSource: batch.settle,
        ...(batch.joinOnly === true ? { joinOnly: true } : {}),
      });
    } catch (error) {
      // Nothing was stored: forget what we parsed and read it again once the database is back.
      this.rewind(file, from);
      throw error;
    }
    if (result.status === 'conflict') {
      this.rewind(file, result.cursor);
      this.passes.repeat();
      return false;
    }
    if (result.status === 'deferred') {
      // Back to the committed state (the reader had handed its held content over).
      this.rewind(file, from);
      this.waitingForRun = true;
      return false;
    }
    const progress = { path: this.path, bytes: batch.toOffset - from.offset, lines: batch.records, runIds: result.runIds };
    file.unsettled = batch.interim || (file.unsettled && !batch.settle);
    file.cursor = { sourceId: from.sourceId, offset: batch.toOffset, line: batch.nextLine, parserState: batch.parserState };
    this.options.onCommit?.(progress);
    return true;
  }

  private async release(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.handle.close().catch(() => {});
  }
}

function sameInode(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

async function hashPrefix(handle: fs.FileHandle, length: number): Promise<string> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, 0);
  return createHash('sha256').update(buffer.subarray(0, bytesRead)).digest('hex');
}
