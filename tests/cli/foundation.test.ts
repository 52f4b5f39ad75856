import { mkdtemp, readdir, rm, writeFile, chmod, stat } from 'node:fs/promises';
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../helpers/db';
import { cleanEnv, PROJECT_DIR, runThaw, THAW_BIN } from '../../testkit/cli';
import { waitFor } from '../helpers/ingest';

const nobodyId = (flag: '-u' | '-g') => Number(execFileSync('id', [flag, 'nobody']).toString());

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'thaw-cli-'));
  await chmod(scratch, 0o755);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** A user-facing failure is one or a few `thaw: …` lines, never a stack trace. */
function expectCleanError(stderr: string) {
  expect(stderr).toMatch(/^thaw: /m);
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('configuration', () => {
  it('rejects bad flags with the flag name', async () => {
    const result = await runThaw(['start', '--port', 'eighty', '--no-build'], { env: { THAW_DATA_DIR: path.join(scratch, 'unused') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/thaw: --port: expected a port number \(got "eighty"\)/);
    expectCleanError(result.stderr);
  });

  it('refuses to bind beyond loopback without THAW_TOKEN', async () => {
    const result = await runThaw(['start', '--host', '0.0.0.0', '--no-build'], { env: { THAW_DATA_DIR: path.join(scratch, 'unused') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/THAW_TOKEN/);
    expectCleanError(result.stderr);
  });

  it('documents every command in --help', async () => {
    const result = await runThaw(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['start', 'parse', 'ingest', 'migrate']) expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    const start = await runThaw(['start', '--help']);
    for (const flag of ['--logs', '--port', '--host']) expect(start.stdout).toContain(flag);
  });
});

describe('database start-up failures', () => {
  it('an unusable DATABASE_URL prints one clear line and exits non-zero', async () => {
    const result = await runThaw(['migrate'], { env: { DATABASE_URL: 'postgresql://nobody:secret@127.0.0.1:1/none' } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/thaw: cannot connect to PostgreSQL at postgresql:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/);
    expect(result.stderr).not.toContain('secret');
  });

  it('a data dir that cannot be written prints one clear line and leaves nothing behind', async () => {
    const blocker = path.join(scratch, 'a-file');
    await writeFile(blocker, 'not a directory');
    const result = await runThaw(['migrate'], { env: { THAW_DATA_DIR: path.join(blocker, 'data') } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/thaw: data dir .*a-file\/data cannot be written \(ENOTDIR\); set THAW_DATA_DIR/);
  });

  it.runIf(process.getuid?.() === 0)(
    'as root, a data dir the postgres user cannot reach keeps its cluster in THAW_SHARED_DIR and says so once',
    async () => {
      const locked = path.join(scratch, 'locked');
      const { mkdir, readFile } = await import('node:fs/promises');
      await mkdir(locked, { mode: 0o700 });
      await chmod(locked, 0o700);
      const shared = await mkdtemp(path.join(os.tmpdir(), 'thaw-shared-'));
      await chmod(shared, 0o755);
      try {
        const dataDir = path.join(locked, 'thaw');
        const env = { THAW_DATA_DIR: dataDir, THAW_SHARED_DIR: shared, THAW_LOG_LEVEL: 'info' };
        const result = await runThaw(['migrate'], { env });
        expect(result.code).toBe(0);
        expect(result.stderr.split('\n').filter((line) => line.includes('keeps its data in'))).toHaveLength(1);
        const record = JSON.parse(await readFile(path.join(dataDir, 'embedded-pg.json'), 'utf8')) as { clusterDir: string };
        expect(record.clusterDir.startsWith(path.join(shared, 'data'))).toBe(true);
        expect(await readdir(dataDir)).toEqual(['embedded-pg.json']);
        expect((await stat(locked)).mode & 0o777).toBe(0o700);
        const again = await runThaw(['migrate'], { env });
        expect(again.stdout).toMatch(/database is up to date/);
        expect(again.stderr).toContain(record.clusterDir);
      } finally {
        await rm(shared, { recursive: true, force: true });
      }
    },
  );
});

describe('embedded database', () => {
  it('starts, migrates, and a second thaw on the same data dir reuses the running server', async () => {
    const dataDir = path.join(scratch, 'shared-data');
    const first = await runThaw(['migrate'], { env: { THAW_DATA_DIR: dataDir } });
    expect(first.stdout).toMatch(/applied \d+ migration/);
    expect(first.code).toBe(0);
    expect((await stat(path.join(dataDir, 'pg', 'PG_VERSION'))).isFile()).toBe(true);
    // Root in a world-readable directory (or anyone else): today's layout, nothing recorded elsewhere.
    expect(await readdir(dataDir)).toEqual(['pg']);

    // Keep a server running from one process, then run `thaw migrate` against the same dir.
    const { startEmbeddedDatabase } = await import('../../lib/db/embedded');
    const owner = await startEmbeddedDatabase({ dataDir });
    try {
      expect(owner.owned).toBe(true);
      const second = await runThaw(['migrate'], { env: { THAW_DATA_DIR: dataDir, THAW_LOG_LEVEL: 'info' } });
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/database is up to date/);
      expect(second.stderr).toContain('reusing the embedded PostgreSQL');
      expect(second.stderr).toContain(`"port":${owner.port}`);
    } finally {
      await owner.stop();
    }
  });

  // An ordinary user can only run a checkout they can read: not one under a 0700 directory of root's.
  const nobodyCanRun =
    process.getuid?.() === 0 && spawnSync('test', ['-r', THAW_BIN], { uid: nobodyId('-u'), gid: nobodyId('-g') }).status === 0;
  it.runIf(nobodyCanRun)(
    'also runs as an ordinary user (here: nobody), who owns the data dir and the server (needs root and a checkout nobody can read)',
    async () => {
      const { execFileSync } = await import('node:child_process');
      const { mkdir, chown } = await import('node:fs/promises');
      const home = path.join(scratch, 'nobody-home');
      await mkdir(home);
      const uid = Number(execFileSync('id', ['-u', 'nobody']).toString());
      await chown(home, uid, Number(execFileSync('id', ['-g', 'nobody']).toString()));
      const dataDir = path.join(home, 'thaw');
      const output = execFileSync(
        'runuser',
        ['-u', 'nobody', '--', 'env', `THAW_DATA_DIR=${dataDir}`, 'THAW_LOG_LEVEL=warn', `HOME=${home}`, THAW_BIN, 'migrate'],
        {
          cwd: PROJECT_DIR,
          env: cleanEnv() as NodeJS.ProcessEnv,
        },
      ).toString();
      expect(output).toMatch(/applied \d+ migration/);
      expect((await stat(path.join(dataDir, 'pg', 'PG_VERSION'))).uid).toBe(uid);
      expect(await readdir(dataDir)).toEqual(['pg']);
    },
  );

  it('works against an external DATABASE_URL', async () => {
    const external = await createEmptyDatabase('external');
    try {
      const result = await runThaw(['migrate'], { env: { DATABASE_URL: external.url } });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/applied \d+ migration/);
    } finally {
      await external.drop();
    }
  });
});

describe('embedded database supervision', () => {
  it('restarts the embedded server when it dies under us, on the same port', async () => {
    const { startEmbeddedDatabase } = await import('../../lib/db/embedded');
    const pg = (await import('pg')).default;
    const dataDir = path.join(scratch, 'supervised');
    const server = await startEmbeddedDatabase({ dataDir });
    try {
      const pid = Number(
        (await (await import('node:fs/promises')).readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0],
      );
      process.kill(pid, 'SIGKILL');
      await waitFor(
        () => {
          const client = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 1000 });
          client.on('error', () => {});
          return client
            .connect()
            .then(
              () => client.query('SELECT 1').then(() => true),
              () => false,
            )
            .finally(() => client.end().catch(() => {}));
        },
        { timeoutMs: 30_000, intervalMs: 250, what: 'the supervised PostgreSQL to answer again' },
      );
      const newPid = Number(
        (await (await import('node:fs/promises')).readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0],
      );
      expect(newPid).not.toBe(pid);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
