// `thaw start` end to end: embedded database, migrations, daemon and web UI in one process, an
// honest empty state, and a Ctrl-C that stops all of it (the embedded server included) within 5 s.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, chmod, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, PROJECT_DIR, THAW_BIN } from '../../testkit/cli';
import { sampleLog, waitFor } from '../helpers/ingest';
import { freePort } from '../../lib/server/ports';

let scratch: string;
afterAll(() => (scratch ? rm(scratch, { recursive: true, force: true }) : undefined));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('thaw start', () => {
  it('serves the UI on the embedded database, ingests the watched folder, and stops cleanly on Ctrl-C', async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'thaw-start-'));
    await chmod(scratch, 0o755);
    const dataDir = path.join(scratch, 'data');
    const logs = path.join(scratch, 'logs-not-yet-created');
    const port = await freePort();
    const child = spawn(THAW_BIN, ['start', '--no-build', '--port', String(port), '--logs', logs], {
      cwd: PROJECT_DIR,
      env: cleanEnv({ THAW_DATA_DIR: dataDir }) as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stderr.includes('Thaw is running at'), { timeoutMs: 60_000, what: 'start-up' });
      const empty = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      expect(empty).toContain('data-testid="empty-state"');
      expect(empty).toContain(logs);

      // The watched folder did not exist at start: create it and drop a log in.
      await mkdir(logs);
      await writeFile(path.join(logs, 'task1.log'), await sampleLog('sample_task1_unfreeze8_overfit'));
      await waitFor(async () => !(await (await fetch(`http://127.0.0.1:${port}/`)).text()).includes('data-testid="empty-state"'), {
        timeoutMs: 30_000,
        what: 'the run to appear',
      });

      const postmasterPid = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
      expect(alive(postmasterPid)).toBe(true);
      const started = Date.now();
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(alive(postmasterPid)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
