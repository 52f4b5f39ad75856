// Whole-document sources of a run directory (training_results.json, Hydra's .hydra/config.yaml with
// its overrides.yaml and hydra.yaml, LeRobot's checkpoints/<step>/pretrained_model/train_config.json,
// Lightning's hparams.yaml): read whole, parsed again whenever their content changes, and
// committed like a log batch (one transaction with the source's new state). Their rows are upserts,
// so reading a document again is harmless; the content hash just avoids needless work.
import { CoalescedPasses } from './coalesce';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Logger } from '../lib/log';
import type { ParseEvent } from './events';
import type { SourceKind } from './rundir/identity';
import { readHparamsYaml, readHydraConfig, readResultsJson, readTrainConfig } from './rundir/readers';
import { Liveness } from './liveness';
import { commitBatch, markSource, registerDocument, type SourceCursor } from './store';

/** Larger "documents" are not what the trainer writes: warn instead of reading them. */
const MAX_DOCUMENT_BYTES = 16 << 20;
/**
 * While following, a document written to less than this long ago may be half-written (`json.dump`
 * writes in pieces, and a YAML document cut anywhere still parses: `epochs: 5` of `epochs: 50`). It is
 * read once it has been quiet this long: a partial document never becomes values or warnings.
 */
export const DOCUMENT_SETTLE_MS = 500;

export interface DocumentTailerOptions {
  pool: pg.Pool;
  host: string;
  log: Logger;
  kind: DocumentKind;
  /** Follow mode, and whether the document appeared while following (see ingest/liveness.ts). */
  follow?: boolean;
  liveFromStart?: boolean;
  onCommit?: (info: { path: string; bytes: number; lines: number; runIds: number[] }) => void;
  /** Asks for another pass in `ms` (a document still being written); the daemon's touch(). */
  pollAgainIn?: (ms: number) => void;
}

/** The run-directory files read whole. */
export type DocumentKind = Extract<SourceKind, 'results_json' | 'hydra_config' | 'train_config' | 'hparams_yaml'>;

/** Documents that make no run of their own: they join the run of their folder, once there is one (Batch.joinOnly). */
const JOIN_ONLY: ReadonlySet<DocumentKind> = new Set(['hparams_yaml']);

interface DocumentState {
  document: string;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export class DocumentTailer {
  private cursor: SourceCursor | undefined;
  private readonly passes = new CoalescedPasses(
    () => this.pass(),
    () => this.closed,
  );
  private closed = false;
  private readonly liveness: Liveness;
  deleted = false;
  readonly hasRetired = false;
  /** A document that joins a run (JOIN_ONLY) whose run is not stored yet: it is read again on the next pass. */
  waitingForRun = false;

  constructor(
    readonly path: string,
    private readonly options: DocumentTailerOptions,
  ) {
    this.liveness = new Liveness(options);
  }

  poll(): Promise<void> {
    return this.passes.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.passes.idle();
  }

  private async pass(): Promise<void> {
    const stats = await fs.stat(this.path).catch(() => undefined);
    if (!stats?.isFile()) {
      if (this.cursor) await markSource(this.options.pool, this.cursor.sourceId, 'deleted');
      this.deleted = true;
      return;
    }
    this.deleted = false;
    this.cursor ??= await registerDocument(this.options.pool, this.options.host, this.path, this.options.kind);
    // --once reads what is there (the files are finished); following, a document still being written waits.
    const before = this.options.follow ? await this.lastChange() : '';
    if (this.options.follow) {
      const wait = DOCUMENT_SETTLE_MS - (Date.now() - Number(before.split('|')[0]));
      if (wait > 0) {
        this.options.pollAgainIn?.(wait + 10);
        return;
      }
    }
    const files = await this.read(stats.size);
    if (files === undefined) return;
    if (this.options.follow && (await this.lastChange()) !== before) {
      // Written to while we read: not settled after all.
      this.options.pollAgainIn?.(DOCUMENT_SETTLE_MS);
      return;
    }
    const hash = createHash('sha256');
    for (const text of Object.values(files)) hash.update(text ?? '\u0000').update('\u0001');
    const digest = hash.digest('hex');
    if ((this.cursor.parserState as DocumentState | null)?.document === digest) {
      this.liveness.reachedEnd();
      return;
    }
    const events = this.parse(files);
    const state: DocumentState = { document: digest };
    const result = await commitBatch(this.options.pool, {
      sourceId: this.cursor.sourceId,
      fromOffset: this.cursor.offset,
      toOffset: stats.size,
      nextLine: 1,
      parserState: state,
      size: stats.size,
      seenAt: stats.mtime,
      events,
      live: this.liveness.live,
      ...(JOIN_ONLY.has(this.options.kind) ? { joinOnly: true } : {}),
    });
    this.waitingForRun = result.status === 'deferred';
    if (result.status === 'deferred') {
      this.liveness.reachedEnd();
      return;
    }
    if (result.status === 'conflict') {
      // Another daemon committed this document meanwhile: take its cursor and compare again.
      this.cursor = result.cursor;
      this.passes.repeat();
      return;
    }
    this.cursor = { ...this.cursor, offset: stats.size, parserState: state };
    this.liveness.reachedEnd();
    this.options.onCommit?.({ path: this.path, bytes: stats.size, lines: 0, runIds: result.runIds });
  }

  /** The document's files (Hydra's config with its overrides.yaml and hydra.yaml): newest mtime (ms) first, then every size. */
  private async lastChange(): Promise<string> {
    const dir = path.dirname(this.path);
    const files =
      this.options.kind === 'hydra_config' ? [this.path, path.join(dir, 'overrides.yaml'), path.join(dir, 'hydra.yaml')] : [this.path];
    const stats = await Promise.all(files.map((file) => fs.stat(file).catch(() => undefined)));
    const newest = Math.max(0, ...stats.map((s) => s?.mtimeMs ?? 0));
    return [newest, ...stats.map((s) => s?.size ?? -1)].join('|');
  }

  private async read(size: number): Promise<Record<string, string | undefined> | undefined> {
    if (size > MAX_DOCUMENT_BYTES) {
      this.options.log.warn({ file: this.path, size }, 'run-directory document too large; not read');
      return undefined;
    }
    const main = await readIfExists(this.path);
    if (main === undefined) return undefined;
    if (this.options.kind !== 'hydra_config') return { main };
    const dir = path.dirname(this.path);
    return {
      main,
      overrides: await readIfExists(path.join(dir, 'overrides.yaml')),
      hydra: await readIfExists(path.join(dir, 'hydra.yaml')),
    };
  }

  private parse(files: Record<string, string | undefined>): ParseEvent[] {
    if (this.options.kind === 'results_json') return readResultsJson(this.path, files['main']!);
    if (this.options.kind === 'train_config') return readTrainConfig(this.path, files['main']!);
    if (this.options.kind === 'hparams_yaml') return readHparamsYaml(this.path, files['main']!);
    return readHydraConfig({
      file: this.path,
      configYaml: files['main']!,
      ...(files['overrides'] !== undefined ? { overridesYaml: files['overrides'] } : {}),
      ...(files['hydra'] !== undefined ? { hydraYaml: files['hydra'] } : {}),
    });
  }
}
