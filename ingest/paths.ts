// Which files to ingest: each configured entry is a directory (recursive: *.log *.txt *.out, and the
// files a run directory holds — event files, training_results.json, .hydra/config.yaml), a single
// file, or a glob. Globs are matched with picomatch under their static base directory,
// because chokidar (v4+) no longer expands globs itself.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { runFileKind, type SourceKind } from './rundir/identity';

export const LOG_EXTENSIONS = ['.log', '.txt', '.out'];

export interface WatchTarget {
  /** Directory (or file) to watch; may not exist yet. */
  base: string;
  /** Whether an absolute file path belongs to this target. */
  matches(file: string): boolean;
}

function isGlob(entry: string): boolean {
  return picomatch.scan(entry).isGlob;
}

function hasLogExtension(file: string): boolean {
  return LOG_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/** How a matched file is read: run-directory files by their name, anything else as a console log. */
export function sourceKindOf(file: string): SourceKind {
  return runFileKind(file) ?? 'log';
}

/** Whether a file found under a watched directory is ingested. */
function isIngestible(file: string): boolean {
  return hasLogExtension(file) || runFileKind(file) !== null;
}

/** Hidden directories are skipped, except Hydra's `.hydra` (a run's composed config). */
function isWalked(name: string): boolean {
  return (!name.startsWith('.') || name === '.hydra') && name !== 'node_modules';
}

export async function resolveTargets(entries: readonly string[], cwd: string = process.cwd()): Promise<WatchTarget[]> {
  return Promise.all(entries.map((entry) => resolveTarget(entry, cwd)));
}

async function resolveTarget(entry: string, cwd: string): Promise<WatchTarget> {
  const absolute = path.resolve(cwd, entry);
  if (isGlob(entry)) {
    const scan = picomatch.scan(absolute);
    const matcher = picomatch(absolute, { dot: false });
    return { base: scan.base || '/', matches: (file) => matcher(file) };
  }
  const stats = await fs.stat(absolute).catch(() => undefined);
  if (stats?.isFile()) return { base: absolute, matches: (file) => file === absolute };
  // A directory, or a path that does not exist yet: treated as a directory to be created later.
  const prefix = absolute.endsWith(path.sep) ? absolute : absolute + path.sep;
  return { base: absolute, matches: (file) => file.startsWith(prefix) && isIngestible(file) };
}

/** Every existing file the targets match (for backfills and the daemon's first scan). */
export async function listMatchingFiles(targets: readonly WatchTarget[]): Promise<string[]> {
  const found = new Set<string>();
  for (const target of targets) {
    for (const file of await walk(target.base)) if (target.matches(file)) found.add(file);
  }
  return [...found].sort();
}

async function walk(base: string): Promise<string[]> {
  const stats = await fs.stat(base).catch(() => undefined);
  if (!stats) return [];
  if (stats.isFile()) return [base];
  const files: string[] = [];
  const pending = [base];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (isWalked(entry.name)) pending.push(full);
      } else if (entry.isFile()) files.push(full);
    }
  }
  return files;
}
