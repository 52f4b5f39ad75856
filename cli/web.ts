// Serves the Next.js app from this process (a custom server), so `thaw start` is one process that
// owns the database, the ingest daemon and the web UI, and Ctrl-C stops all three together.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ThawError } from '../lib/errors';
import { PROJECT_ROOT } from '../lib/paths';
import { childEnv, getEnv } from '../lib/env';
import type { Logger } from '../lib/log';

export const PROJECT_DIR = PROJECT_ROOT;
const BUILD_INPUTS = ['app', 'lib', 'proxy.ts', 'next.config.js', 'package.json', 'tsconfig.json'];
const STAMP_FILE = path.join('.next', 'thaw-build-stamp');

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/** A fingerprint of everything the production build depends on (paths, sizes, mtimes). */
async function sourceStamp(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const visit = async (relative: string): Promise<void> => {
    const full = path.join(dir, relative);
    const stat = await fs.stat(full).catch(() => undefined);
    if (!stat) return;
    if (stat.isDirectory()) {
      const entries = (await fs.readdir(full)).filter((name) => !name.startsWith('.')).sort();
      for (const entry of entries) await visit(path.join(relative, entry));
    } else if (!/\.test\.tsx?$/.test(relative)) {
      hash.update(`${relative}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  };
  for (const input of BUILD_INPUTS) await visit(input);
  return hash.digest('hex');
}

async function buildIsCurrent(dir: string, stamp: string): Promise<boolean> {
  const previous = await fs.readFile(path.join(dir, STAMP_FILE), 'utf8').catch(() => '');
  const hasBuild = await fs.stat(path.join(dir, '.next', 'BUILD_ID')).then(
    () => true,
    () => false,
  );
  return hasBuild && previous === stamp;
}

/**
 * One `next build` at a time per checkout (two Thaws or test runs starting together would otherwise
 * overwrite each other's .next): a lock directory holding the builder's pid; a dead builder's lock
 * is taken over.
 */
async function withBuildLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, '.next-build.lock');
  for (;;) {
    try {
      await fs.mkdir(lock);
      await fs.writeFile(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await fs.readFile(path.join(lock, 'pid'), 'utf8').catch(() => '0'));
      if (owner > 0 && !isAlive(owner)) await fs.rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    await fs.rm(lock, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `next build` when there is no build yet or the sources changed since the last one. */
export async function ensureWebBuild(log: Logger, dir: string = PROJECT_DIR): Promise<void> {
  const stamp = await sourceStamp(dir);
  if (await buildIsCurrent(dir, stamp)) return;
  await withBuildLock(dir, async () => {
    // Someone else may have built it while we waited for the lock.
    if (await buildIsCurrent(dir, stamp)) return;
    await runNextBuild(log, dir, stamp);
  });
}

async function runNextBuild(log: Logger, dir: string, stamp: string): Promise<void> {
  log.info('building the web UI (first start or sources changed; takes a minute)');
  const nextBin = path.join(dir, 'node_modules', 'next', 'dist', 'bin', 'next');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [nextBin, 'build'], {
      cwd: dir,
      env: childEnv({ NEXT_TELEMETRY_DISABLED: '1' }),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('close', resolve);
  });
  if (code !== 0) throw new ThawError(`next build failed (exit code ${code}); see the output above`);
  await fs.writeFile(path.join(dir, STAMP_FILE), stamp);
}

export async function startWebServer(options: { host: string; port: number; log: Logger; dir?: string }): Promise<WebServer> {
  const dir = options.dir ?? PROJECT_DIR;
  const { default: next } = await import('next');
  const app = next({ dev: false, dir, hostname: options.host, port: options.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ThawError(`port ${options.port} on ${options.host} is already in use; pass --port <another>`)
          : error,
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostForUrl}:${options.port}`;
  await warmUp(url, options.log);
  let closing: Promise<void> | undefined;
  return {
    url,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Live-update streams and keep-alive sockets would hold close() open indefinitely.
        server.closeAllConnections();
      }).then(() => app.close?.());
      return closing;
    },
  };
}

/** The id of the first run of an /api/runs body, if there is one. */
export function newestRunId(body: string | null): number | null {
  if (body === null) return null;
  try {
    const id = (JSON.parse(body) as { runs?: { id?: unknown }[] }).runs?.[0]?.id;
    return typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
  } catch {
    return null;
  }
}

/**
 * Next.js loads a route's server bundle, and Prisma its query compiler and connections, on the first
 * request that needs them: hundreds of milliseconds to seconds on a busy machine. Asking for the main
 * pages and APIs once before Thaw says it is running moves that cost to the start, so a user's (or a
 * load balancer's) first request is served like any other. Failures only cost the warm-up.
 */
async function warmUp(url: string, log: Logger): Promise<void> {
  const token = getEnv().THAW_TOKEN;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const started = performance.now();
  /** The body of one warm-up request (null if it failed: that only costs the warm-up). */
  const get = async (route: string): Promise<string | null> => {
    try {
      const response = await fetch(`${url}${route}`, { headers, signal: AbortSignal.timeout(30_000) });
      return await response.text();
    } catch (error) {
      log.debug({ err: error, route }, 'warm-up request failed');
      return null;
    }
  };
  const runs = await get('/api/runs?limit=1');
  await get('/api/compare');
  // The step-axis code path too (its first use compiles the bucket decoding and curve shaping), on
  // the newest run only: the other runs' step summaries stay unread until someone asks for them.
  const newest = newestRunId(runs);
  if (newest !== null) await get(`/api/compare?runs=${newest}&x=step`);
  await get('/');
  log.debug({ ms: Math.round(performance.now() - started) }, 'web routes warmed up');
}
