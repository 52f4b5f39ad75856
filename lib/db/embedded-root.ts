// Root in a private checkout: PostgreSQL refuses to run as root, so the embedded server runs as the
// `postgres` system user, which may be unable to enter the checkout (e.g. /root is 0700). Then:
// - the server binaries are staged once per package version into a root-owned, world-readable,
//   never world-writable directory under the shared dir (THAW_SHARED_DIR, /var/lib/thaw), and run
//   from there;
// - the cluster lives in a postgres-owned directory under the shared dir, stable per checkout
//   (a hash of the data dir's real path), and the data dir records where (embedded-pg.json).
// Nothing here loosens the permissions of the user's own directories.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DatabaseError, errorMessage } from '../errors';

export interface Identity {
  uid: number;
  gid: number;
}

/** File in the data dir that says where the cluster lives when it is not in <dataDir>/pg. */
export const LOCATION_FILE = 'embedded-pg.json';

/**
 * Whether `identity` can search (`-x` on a directory, execute on a file) or read `target`: a real
 * access(2) check run as that uid/gid (without supplementary groups, exactly as the server runs).
 */
export function canReach(identity: Identity, target: string, test: '-x' | '-r' = '-x'): boolean {
  const result = spawnSync('test', [test, target], { ...identity, stdio: 'ignore' });
  return result.status === 0;
}

/** Creates (if needed) a directory that must be root-owned and writable by root only, and checks it. */
async function ensureRootDir(dir: string, identity: Identity, what: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  const info = await fs.lstat(dir);
  if (!info.isDirectory() || info.uid !== 0 || (info.mode & 0o022) !== 0) {
    throw new DatabaseError(
      `${what} ${dir} must be a directory owned by root and writable by root only; fix it or set THAW_SHARED_DIR to another directory`,
    );
  }
  if (!canReach(identity, dir)) {
    throw new DatabaseError(`the 'postgres' user cannot reach ${what} ${dir}; set THAW_SHARED_DIR to a directory it can reach`);
  }
}

// ---------------------------------------------------------------------------------------------
// Binaries

/** Mode of a staged copy: never group/world-writable, always world-readable (and executable if any x bit). */
function stagedMode(stats: Stats): number {
  if (stats.isDirectory()) return 0o755;
  const mode = (stats.mode & 0o777 & ~0o022) | 0o444;
  return stats.mode & 0o111 ? mode | 0o111 : mode;
}

/** What a complete, unmodified staged copy must match. */
interface Listing {
  /** One line per entry: kind, mode, owner, size, link target. */
  entries: Map<string, string>;
  /** Each file's modification time (ms), compared with a tolerance: see sameListing. */
  mtimes: Map<string, number>;
}

async function listing(root: string, staged: boolean): Promise<Listing> {
  const entries = new Map<string, string>();
  const mtimes = new Map<string, number>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full);
      const stats = await fs.lstat(full);
      if (stats.isSymbolicLink()) {
        entries.set(rel, `link ${await fs.readlink(full)}`);
      } else if (stats.isDirectory()) {
        entries.set(rel, `dir ${staged ? stats.mode & 0o777 : 0o755} ${staged ? stats.uid : 0}`);
        await walk(full);
      } else {
        const mode = staged ? stats.mode & 0o777 : stagedMode(stats);
        entries.set(rel, `file ${mode} ${staged ? stats.uid : 0} ${stats.size}`);
        mtimes.set(rel, stats.mtimeMs);
      }
    }
  };
  await walk(root);
  return { entries, mtimes };
}

/**
 * fs.cp's preserveTimestamps sets times at millisecond precision while the source has nanoseconds, so
 * a copy's mtime can sit just across a second (or millisecond) boundary from its source's: times agree
 * within one second. A reinstalled package differs by more than that, or in size.
 */
export const MTIME_TOLERANCE_MS = 1000;

export function sameListing(a: Listing, b: Listing): boolean {
  if (a.entries.size !== b.entries.size) return false;
  for (const [key, value] of a.entries) if (b.entries.get(key) !== value) return false;
  for (const [key, time] of a.mtimes) {
    const other = b.mtimes.get(key);
    if (other === undefined || Math.abs(other - time) > MTIME_TOLERANCE_MS) return false;
  }
  return true;
}

async function isCompleteCopy(target: string, source: Listing): Promise<boolean> {
  try {
    const info = await fs.lstat(target);
    if (!info.isDirectory() || info.uid !== 0 || (info.mode & 0o022) !== 0) return false;
    return sameListing(await listing(target, true), source);
  } catch {
    return false;
  }
}

async function normaliseModes(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const stats = await fs.lstat(full);
    if (stats.isSymbolicLink()) continue;
    await fs.chmod(full, stagedMode(stats));
    if (stats.isDirectory()) await normaliseModes(full);
  }
}

/**
 * Returns the directory to run the server from: `nativeDir` itself when `identity` can execute its
 * binaries, otherwise a verified staged copy under `<sharedDir>/pg-<version>-<platform>-<arch>`.
 * The copy is made in a temporary directory and renamed into place, so racing processes are safe.
 */
export async function reachableNativeDir(options: {
  nativeDir: string;
  version: string;
  sharedDir: string;
  identity: Identity;
  onStaged?: (dir: string) => void;
}): Promise<string> {
  const { nativeDir, identity, sharedDir } = options;
  if (canReach(identity, path.join(nativeDir, 'bin', 'postgres'))) return nativeDir;

  await ensureRootDir(sharedDir, identity, 'the shared dir');
  const target = path.join(sharedDir, `pg-${options.version}-${process.platform}-${process.arch}`);
  const source = await listing(nativeDir, false);
  if (await isCompleteCopy(target, source)) return target;

  const temp = path.join(sharedDir, `.pg-stage-${randomBytes(6).toString('hex')}`);
  try {
    await fs.cp(nativeDir, temp, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, errorOnExist: true });
    await normaliseModes(temp);
    await fs.chmod(temp, 0o755);
    // Not complete or not ours: move the old one aside, then put ours in place.
    const old = await fs.lstat(target).then(
      () => true,
      () => false,
    );
    if (old && !(await isCompleteCopy(target, source))) {
      const aside = path.join(sharedDir, `.pg-old-${randomBytes(6).toString('hex')}`);
      await fs.rename(target, aside).catch(() => {});
      await fs.rm(aside, { recursive: true, force: true });
    }
    try {
      await fs.rename(temp, target);
      options.onStaged?.(target);
    } catch (error) {
      // Another process renamed its copy into place first; use it if it is good.
      if (!(await isCompleteCopy(target, source))) throw error;
    }
  } catch (error) {
    throw new DatabaseError(`could not stage the PostgreSQL binaries in ${target} for the 'postgres' user: ${errorMessage(error)}`);
  } finally {
    await fs.rm(temp, { recursive: true, force: true });
  }
  if (!(await isCompleteCopy(target, source)) || !canReach(identity, path.join(target, 'bin', 'postgres'))) {
    throw new DatabaseError(`the staged PostgreSQL binaries in ${target} are incomplete or not executable by the 'postgres' user`);
  }
  return target;
}

// ---------------------------------------------------------------------------------------------
// Data

const locationSchema = z.object({ clusterDir: z.string().min(1), dataDir: z.string(), reason: z.string() });

async function hasCluster(clusterDir: string): Promise<boolean> {
  return fs.stat(path.join(clusterDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

async function readLocation(dataDir: string): Promise<string | undefined> {
  try {
    const parsed = locationSchema.safeParse(JSON.parse(await fs.readFile(path.join(dataDir, LOCATION_FILE), 'utf8')));
    return parsed.success ? parsed.data.clusterDir : undefined;
  } catch {
    return undefined;
  }
}

/** Where the relocated cluster of a data dir lives: stable per checkout (its real path). */
export async function relocatedClusterDir(dataDir: string, sharedDir: string): Promise<string> {
  const real = await fs.realpath(dataDir);
  const key = createHash('sha256').update(real).digest('hex').slice(0, 16);
  return path.join(sharedDir, 'data', key, 'pg');
}

/**
 * The cluster directory for `dataDir`: `<dataDir>/pg` when `identity` can reach it (today's layout);
 * otherwise the one recorded in `<dataDir>/embedded-pg.json`, or a new postgres-owned directory
 * under `<sharedDir>/data/`, recorded there. `relocated` tells the caller to say so.
 */
export async function clusterLocation(options: {
  dataDir: string;
  sharedDir: string;
  identity: Identity | undefined;
}): Promise<{ clusterDir: string; relocated: boolean; record?: string }> {
  const { dataDir, sharedDir, identity } = options;
  const local = path.join(dataDir, 'pg');
  if (!identity) return { clusterDir: local, relocated: false };
  const record = path.join(dataDir, LOCATION_FILE);
  const recorded = await readLocation(dataDir);
  if (recorded !== undefined && (await hasCluster(recorded))) return { clusterDir: recorded, relocated: true, record };
  if (canReach(identity, dataDir)) return { clusterDir: local, relocated: false };

  await ensureRootDir(sharedDir, identity, 'the shared dir');
  await ensureRootDir(path.join(sharedDir, 'data'), identity, 'the shared data dir');
  const clusterDir = await relocatedClusterDir(dataDir, sharedDir);
  const home = path.dirname(clusterDir);
  await fs.mkdir(home, { recursive: true, mode: 0o700 });
  await fs.chown(home, identity.uid, identity.gid);
  const content = {
    clusterDir,
    dataDir: await fs.realpath(dataDir),
    reason: `the 'postgres' user cannot reach ${dataDir}`,
  };
  const temp = `${record}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(temp, `${JSON.stringify(content, null, 2)}\n`);
  await fs.rename(temp, record);
  return { clusterDir, relocated: true, record };
}
