// The ingest daemon: watches the configured paths (chokidar), keeps one FileTailer per log file,
// and survives what a long-running tail meets — new files, rotation, truncation, deletion,
// directories that appear later, and PostgreSQL going away (it keeps its place, retries with
// backoff and logs one line per state change; the log files are the buffer, so memory stays flat).
import { watch as watchPath, promises as fs, type FSWatcher as NodeWatcher } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type pg from 'pg';
import type { Logger } from '../lib/log';
import { isConnectionErrno, isConnectionError } from '../lib/db/connection-errors';
import { errorMessage } from '../lib/errors';
import { DocumentTailer } from './document-tailer';
import { listMatchingFiles, resolveTargets, sourceKindOf, type WatchTarget } from './paths';
import { identityOfRunDir, sourcePathFor } from './rundir/identity';
import { groupEventFiles, type FoundEventFile } from './rundir/run-layout';
import { CoalescedPasses } from './coalesce';
import { markStaleRuns } from './store';
import { FileTailer } from './tailer';

/** A byte stream tailed from its committed offset (logs, event files), or a document read whole. */
type Tailer = FileTailer | DocumentTailer;

export interface DaemonOptions {
  pool: pg.Pool;
  /** Directories, files or globs. */
  paths: readonly string[];
  log: Logger;
  /** Minutes without a new line after which a running run is marked stale. */
  staleMinutes: number;
  host?: string;
  fromEnd?: boolean;
  /** Events per transaction during a backfill. */
  batchEvents?: number;
  /** How many files are read and committed at once. */
  concurrency?: number;
  onCommit?: (info: { path: string; bytes: number; lines: number; runIds: number[] }) => void;
  /** Bytes each read of a log or event file asks for (TailerOptions.readChunk; tests vary it). */
  readChunk?: () => number;
}

export interface BackfillSummary {
  files: number;
  /** Files a batch of which could not be stored after BACKFILL_ATTEMPTS tries (the error was logged). */
  failed: string[];
  bytes: number;
  lines: number;
  seconds: number;
}

const RESCAN_MS = 5_000;
const STALE_SWEEP_MS = 30_000;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;
const FILE_RETRY_MS = 10_000;
/** --once: how many times a file whose batch the database refused is tried before the backfill reports it. */
const BACKFILL_ATTEMPTS = 5;

export class IngestDaemon {
  private readonly tailers = new Map<string, Tailer>();
  private targets: WatchTarget[] = [];
  private watcher: FSWatcher | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly queue: Tailer[] = [];
  private readonly queued = new Set<Tailer>();
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private databaseDown = false;
  private retryDelay = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** start() (follow mode) rather than backfill(): alerts can be live. */
  private following = false;
  private initialScanDone = false;
  /** The initial catch-up and its stale sweep are done. */
  private caughtUp = false;
  private closing: Promise<void> | undefined;
  private totals = { bytes: 0, lines: 0 };
  private readonly host: string;
  /**
   * One inotify watch per tailed file. chokidar finds new files and directories, but measured here
   * it dropped about half of the 'change' events of a file appended to every 10-40 ms, while a
   * plain fs.watch on the file reported every append within a few ms.
   */
  private readonly fileWatchers = new Map<string, { watcher: NodeWatcher; ino: number }>();
  /** Last error per file, so a persistent problem is logged once, not on every retry. */
  private readonly failures = new Map<string, string>();
  /** --once: tries per file after a refused batch (a deadlock between two sources of one run is transient). */
  private readonly backfillAttempts = new Map<string, number>();
  /** Run grouping of the event files (placeEventFiles), one pass at a time. */
  private readonly placements = new CoalescedPasses(
    () => this.placeEventFiles(),
    () => this.closed,
  );
  /** Each event file's content class and whether it holds something, as last seen (a change places the files again). */
  private readonly eventContents = new Map<string, string>();
  /** The run each held file was last placed in. */
  private readonly placed = new Map<string, string>();

  constructor(private readonly options: DaemonOptions) {
    this.host = options.host ?? os.hostname();
  }

  /** Follow mode: take in what exists, then keep tailing until close(). */
  async start(): Promise<void> {
    this.following = true;
    this.targets = await resolveTargets(this.options.paths);
    for (const file of await listMatchingFiles(this.targets)) this.touch(file);
    // Files that appear from now on are new training runs: live from their first byte.
    this.initialScanDone = true;
    // Old unfinished runs found by the first scan are stale now, not in 30 s (a backfill: no alerts).
    void this.idle()
      .then(() => this.sweepStale(false))
      .then(() => (this.caughtUp = true));
    this.watcher = watch(
      this.targets.map((target) => target.base),
      { ignoreInitial: true, persistent: true, followSymlinks: true, ignorePermissionErrors: true },
    );
    this.watcher.on('add', (file) => this.onFsEvent(file));
    this.watcher.on('change', (file) => this.onFsEvent(file));
    this.watcher.on('unlink', (file) => this.onFsEvent(file));
    this.watcher.on('error', (error) => this.options.log.warn({ err: errorMessage(error) }, 'file watcher error'));
    // Safety net for missed events (network filesystems, directories created after start).
    this.timers.push(setInterval(() => void this.rescan(), RESCAN_MS));
    // Live (stalled alerts fire) only once the initial catch-up is done: a sweep during a long first
    // backfill would otherwise "discover" months-old runs going stale.
    this.timers.push(setInterval(() => void this.sweepStale(this.caughtUp), STALE_SWEEP_MS));
    for (const timer of this.timers) timer.unref();
  }

  /** --once: read every matching file to its current end, commit, and return. */
  async backfill(): Promise<BackfillSummary> {
    const started = performance.now();
    this.targets = await resolveTargets(this.options.paths);
    const files = await listMatchingFiles(this.targets);
    for (const file of files) this.touch(file);
    await this.idle();
    // Every file has been read once: files that make no run of their own (scalar-free event files,
    // hparams.yaml) join the runs the others made. Twice: a file given to a run may make the run a
    // waiting document joins.
    for (let round = 0; round < 2; round++) {
      await this.placements.run();
      for (const tailer of this.tailers.values()) if (tailer.waitingForRun) this.touch(tailer.path);
      await this.idle();
    }
    await this.sweepStale(false);
    const failed = [...this.failures.keys()];
    return { files: files.length, failed, ...this.totals, seconds: (performance.now() - started) / 1000 };
  }

  /** Resolves when no file has unread bytes queued or in flight. */
  idle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get isDatabaseDown(): boolean {
    return this.databaseDown;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      for (const timer of this.timers) clearInterval(timer);
      if (this.retryTimer) clearTimeout(this.retryTimer);
      await this.watcher?.close();
      for (const { watcher } of this.fileWatchers.values()) watcher.close();
      this.fileWatchers.clear();
      await Promise.all([...this.tailers.values()].map((tailer) => tailer.close()));
      this.tailers.clear();
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    })();
    return this.closing;
  }

  private onFsEvent(file: string): void {
    // Hydra's overrides.yaml / hydra.yaml are read with their config.yaml.
    const absolute = sourcePathFor(path.resolve(file));
    if (this.targets.some((target) => target.matches(absolute))) this.touch(absolute);
  }

  private async rescan(): Promise<void> {
    if (this.closed || this.databaseDown) return;
    try {
      const files = new Set(await listMatchingFiles(this.targets));
      for (const file of files) this.touch(file);
      // Vanished files: let their tailer read the old inode to its end and retire.
      for (const [file, tailer] of this.tailers) if ((!files.has(file) && !tailer.deleted) || tailer.hasRetired) this.touch(file);
    } catch (error) {
      this.options.log.warn({ err: errorMessage(error) }, 'rescan failed');
    }
  }

  private async sweepStale(live: boolean): Promise<void> {
    if (this.closed && !this.closing) return;
    try {
      const changed = await markStaleRuns(this.options.pool, this.options.staleMinutes, new Date(), { live });
      if (changed > 0) this.options.log.info({ runs: changed }, 'runs marked stale');
    } catch (error) {
      this.noteDatabaseError(error);
    }
  }

  /** Queues a file for a read pass (coalescing repeated notifications). */
  private touch(file: string): void {
    if (this.closed) return;
    let tailer = this.tailers.get(file);
    if (!tailer) {
      const onCommit = (info: { path: string; bytes: number; lines: number; runIds: number[] }) => {
        this.totals.bytes += info.bytes;
        this.totals.lines += info.lines;
        this.options.onCommit?.(info);
      };
      const kind = sourceKindOf(file);
      tailer =
        kind === 'results_json' || kind === 'hydra_config' || kind === 'train_config' || kind === 'hparams_yaml'
          ? new DocumentTailer(file, {
              pool: this.options.pool,
              host: this.host,
              log: this.options.log,
              kind,
              follow: this.following,
              liveFromStart: this.initialScanDone,
              onCommit,
              pollAgainIn: (ms) => setTimeout(() => this.touch(file), ms).unref(),
            })
          : new FileTailer(file, {
              pool: this.options.pool,
              host: this.host,
              log: this.options.log,
              fromEnd: this.options.fromEnd,
              follow: this.following,
              liveFromStart: this.initialScanDone,
              batchEvents: this.options.batchEvents,
              kind,
              onCommit,
              readChunk: this.options.readChunk,
            });
      this.tailers.set(file, tailer);
    }
    if (this.queued.has(tailer)) return;
    this.queued.add(tailer);
    this.queue.push(tailer);
    this.pump();
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 4;
    while (!this.databaseDown && this.active < limit && this.queue.length > 0) {
      const tailer = this.queue.shift()!;
      this.queued.delete(tailer);
      this.active++;
      void this.runPass(tailer).finally(() => {
        this.active--;
        this.pump();
        if (this.active === 0 && (this.queue.length === 0 || this.closed)) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
    }
  }

  private async runPass(tailer: Tailer): Promise<void> {
    try {
      await tailer.poll();
      if (tailer instanceof FileTailer) this.noteEventContent(tailer);
      this.failures.delete(tailer.path);
      this.backfillAttempts.delete(tailer.path);
      this.noteDatabaseUp();
      if (tailer.deleted) {
        this.tailers.delete(tailer.path);
        this.eventContents.delete(tailer.path);
        this.placed.delete(tailer.path);
        this.unwatchFile(tailer.path);
        await tailer.close();
      } else if (this.watcher) {
        await this.watchFile(tailer.path);
      }
    } catch (error) {
      if (this.closed) return;
      if (!isConnectionError(error)) {
        // A file we cannot read, or a batch the database refused: keep everything else flowing,
        // say so once per file and problem, and try this file again later.
        const message = errorMessage(error);
        if (this.failures.get(tailer.path) !== message) {
          this.failures.set(tailer.path, message);
          this.options.log.error(
            { file: tailer.path, err: message },
            isFileError(error) ? 'cannot read log file; will retry' : 'could not store a batch from this file; will retry',
          );
        }
        if (!this.following) {
          // --once has no "later": try again now (the queue keeps idle() waiting), a few times.
          const attempts = (this.backfillAttempts.get(tailer.path) ?? 0) + 1;
          this.backfillAttempts.set(tailer.path, attempts);
          if (attempts < BACKFILL_ATTEMPTS && !this.queued.has(tailer)) {
            await new Promise((resolve) => setTimeout(resolve, 50 * attempts));
            this.queued.add(tailer);
            this.queue.push(tailer);
          }
          return;
        }
        setTimeout(() => this.touch(tailer.path), FILE_RETRY_MS).unref();
        return;
      }
      this.noteDatabaseError(error);
      // Put it back; the queue is paused until the database answers again.
      if (!this.queued.has(tailer)) {
        this.queued.add(tailer);
        this.queue.unshift(tailer);
      }
    }
  }

  /** After an event file's pass: when what it holds changed (a first scalar, held hyperparameters), group the files again. */
  private noteEventContent(tailer: FileTailer): void {
    const seen = tailer.eventContent;
    if (seen === null) return;
    const key = `${seen.content}|${seen.holdsSomething}`;
    if (this.eventContents.get(tailer.path) === key) return;
    this.eventContents.set(tailer.path, key);
    if (this.following) void this.placements.run().catch((error: unknown) => this.noteDatabaseError(error));
  }

  /**
   * The content half of run grouping (docs/log-formats.md §7.2, ingest/rundir/run-layout.ts
   * groupEventFiles): an event file without a scalar of its own never makes a run; what it holds
   * (hyperparameters, other values, Lightning's placeholder) goes to the run beside or above it, or to
   * a run directory other sources made a run of (a console log's output directory, Hydra's…). Its
   * tailer hands it over on its next pass, only to a run that is stored (Batch.joinOnly).
   */
  private async placeEventFiles(): Promise<void> {
    const found: FoundEventFile[] = [];
    const holders = new Map<string, FileTailer>();
    for (const [file, tailer] of this.tailers) {
      if (!(tailer instanceof FileTailer)) continue;
      const seen = tailer.eventContent;
      if (seen === null) continue;
      found.push({ path: file, content: seen.content });
      if (seen.holdsSomething) holders.set(file, tailer);
    }
    if (holders.size === 0) return;
    // Run directories other sources made runs of: the held files' folders and their ancestors, by identity.
    const candidates = new Map<string, string>();
    for (const file of holders.keys()) {
      for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
        candidates.set(`${this.host}:${identityOfRunDir(dir)}`, dir);
        if (path.dirname(dir) === dir) break;
      }
    }
    const known = (
      await this.options.pool.query<{ identity: string }>(`SELECT identity FROM "Run" WHERE identity = ANY($1::text[])`, [
        [...candidates.keys()],
      ])
    ).rows.map((row) => candidates.get(row.identity)!);
    for (const run of groupEventFiles(found, known).runs) {
      for (const file of run.files) {
        const tailer = holders.get(file.path);
        if (!tailer) continue;
        const target = `${run.identity}|${file.dir}`;
        // A file already given this place and waiting for its run is tried again by the rescan, not here.
        if (this.placed.get(file.path) === target && tailer.waitingForRun) continue;
        this.placed.set(file.path, target);
        tailer.place({ identity: run.identity, dir: file.dir });
        this.touch(file.path);
      }
    }
  }

  /** (Re)attaches the change watch when the path is new or now names another inode. */
  private async watchFile(file: string): Promise<void> {
    if (this.closed) return;
    const stats = await fs.stat(file).catch(() => undefined);
    const current = this.fileWatchers.get(file);
    if (!stats) return this.unwatchFile(file);
    if (current?.ino === stats.ino) return;
    current?.watcher.close();
    try {
      const watcher = watchPath(file, { persistent: false }, () => this.touch(file));
      watcher.on('error', () => this.unwatchFile(file));
      this.fileWatchers.set(file, { watcher, ino: stats.ino });
    } catch {
      // Vanished between stat and watch: the directory watcher and the rescan still cover it.
    }
  }

  private unwatchFile(file: string): void {
    this.fileWatchers.get(file)?.watcher.close();
    this.fileWatchers.delete(file);
  }

  private noteDatabaseError(error: unknown): void {
    if (!this.databaseDown) {
      this.databaseDown = true;
      this.options.log.error({ err: errorMessage(error) }, 'database unavailable; keeping our place in every file and retrying');
    }
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.probeDatabase();
    }, this.retryDelay);
    this.retryTimer.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
  }

  private async probeDatabase(): Promise<void> {
    try {
      await this.options.pool.query('SELECT 1');
      this.noteDatabaseUp();
      this.pump();
    } catch (error) {
      this.noteDatabaseError(error);
    }
  }

  private noteDatabaseUp(): void {
    if (!this.databaseDown) return;
    this.databaseDown = false;
    this.retryDelay = RETRY_MIN_MS;
    this.options.log.info('database reachable again; catching up');
  }
}

function isFileError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && !isConnectionErrno(code);
}
