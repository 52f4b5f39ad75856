// The source registry: which file (or whole document) a tailer reads, and where it resumes. A source
// is a file's content (host, device, inode and its first bytes), so rotation, copytruncate and a
// replaced file are told apart; its committed offset and parser state move only with a committed
// batch (./commit-batch.ts).
import type pg from 'pg';
import { inTransaction } from '../../lib/db/transaction';
import type { SourceKind } from '../rundir/identity';

/** How many leading bytes identify a file's content (with device+inode). */
export const FINGERPRINT_BYTES = 256;

export interface FileProbe {
  host: string;
  path: string;
  device: string;
  inode: string;
  size: number;
  /** What the file is (default 'log'). */
  kind?: SourceKind;
  /** sha256 hex of the file's first `length` bytes (the caller reads the file). */
  hashPrefix(length: number): Promise<string>;
}

/** What a tailer needs to resume a source. `parserState` is opaque to the store. */
export interface SourceCursor {
  sourceId: number;
  offset: number;
  line: number;
  parserState: unknown;
}

export interface SourceRow {
  id: number;
  fingerprint: string;
  fingerprintLength: number;
  committedOffset: string;
  linesSeen: string;
  parserState: unknown;
}

export function cursorOf(row: SourceRow): SourceCursor {
  return { sourceId: row.id, offset: Number(row.committedOffset), line: Number(row.linesSeen) + 1, parserState: row.parserState };
}

/**
 * Finds the source this file is (same host, device and inode, and the same first bytes), or creates
 * it. Serialised per inode with an advisory lock, so two daemons given the same file agree on one row.
 */
export async function registerSource(pool: pg.Pool, probe: FileProbe): Promise<SourceCursor> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${probe.host}|${probe.device}|${probe.inode}`]);
    const candidates = (
      await client.query<SourceRow>(
        `SELECT id, fingerprint, "fingerprintLength", "committedOffset", "linesSeen", "parserState" FROM "LogSource"
          WHERE host = $1 AND device = $2 AND inode = $3 ORDER BY id DESC`,
        [probe.host, probe.device, probe.inode],
      )
    ).rows;
    const wanted = Math.min(probe.size, FINGERPRINT_BYTES);
    for (const row of candidates) {
      if (probe.size < row.fingerprintLength) continue;
      if ((await probe.hashPrefix(row.fingerprintLength)) !== row.fingerprint) continue;
      // Same file. A fingerprint taken while the file was short is upgraded as it grows.
      const upgrade = row.fingerprintLength < wanted ? await probe.hashPrefix(wanted) : null;
      await client.query(
        `UPDATE "LogSource" SET path = $2, state = 'active', size = $3, "updatedAt" = now(),
                fingerprint = COALESCE($4, fingerprint), "fingerprintLength" = COALESCE($5, "fingerprintLength")
          WHERE id = $1`,
        [row.id, probe.path, probe.size, upgrade, upgrade ? wanted : null],
      );
      return cursorOf(row);
    }
    // New content on this inode: whatever was recorded for it before was truncated or replaced.
    await client.query(
      `UPDATE "LogSource" SET state = 'truncated', "updatedAt" = now() WHERE host = $1 AND device = $2 AND inode = $3 AND state = 'active'`,
      [probe.host, probe.device, probe.inode],
    );
    const created = (
      await client.query<SourceRow>(
        `INSERT INTO "LogSource" (host, path, device, inode, fingerprint, "fingerprintLength", size, kind)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING id, fingerprint, "fingerprintLength", "committedOffset", "linesSeen", "parserState"`,
        [probe.host, probe.path, probe.device, probe.inode, await probe.hashPrefix(wanted), wanted, probe.size, probe.kind ?? 'log'],
      )
    ).rows[0]!;
    return cursorOf(created);
  });
}

/**
 * A whole-document source (results JSON, Hydra config): identified by host and path, whatever its
 * inode (editors and `json.dump` replace files), re-read whenever its content hash changes.
 */
export async function registerDocument(pool: pg.Pool, host: string, file: string, kind: SourceKind): Promise<SourceCursor> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${host}|document|${file}`]);
    const found = (
      await client.query<SourceRow>(
        `SELECT id, fingerprint, "fingerprintLength", "committedOffset", "linesSeen", "parserState" FROM "LogSource"
          WHERE host = $1 AND device = '' AND inode = $2 AND fingerprint = $3`,
        [host, file, `document:${kind}`],
      )
    ).rows[0];
    if (found) {
      await client.query(`UPDATE "LogSource" SET state = 'active', "updatedAt" = now() WHERE id = $1 AND state <> 'active'`, [found.id]);
      return cursorOf(found);
    }
    const created = (
      await client.query<SourceRow>(
        `INSERT INTO "LogSource" (host, path, device, inode, fingerprint, "fingerprintLength", size, kind)
         VALUES ($1, $2, '', $2, $3, 0, 0, $4)
         RETURNING id, fingerprint, "fingerprintLength", "committedOffset", "linesSeen", "parserState"`,
        [host, file, `document:${kind}`, kind],
      )
    ).rows[0]!;
    return cursorOf(created);
  });
}

export async function markSource(pool: pg.Pool, sourceId: number, state: 'active' | 'rotated' | 'deleted' | 'truncated'): Promise<void> {
  await pool.query(`UPDATE "LogSource" SET state = $2, "updatedAt" = now() WHERE id = $1`, [sourceId, state]);
}
