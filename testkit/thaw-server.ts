// Starts the real `thaw start` (web UI + ingest daemon) as a child process on a test database, the
// way the browser and API tests use it. The production build must exist (global setup builds it).
import { spawn, type ChildProcess } from 'node:child_process';
import { cleanEnv, PROJECT_DIR, THAW_BIN } from './cli';
import { waitFor } from './wait';
import { freePort } from '../lib/server/ports';

export interface ThawServer {
  url: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

export async function startThaw(options: {
  databaseUrl: string;
  logs: string;
  env?: Record<string, string>;
  host?: string;
}): Promise<ThawServer> {
  const port = await freePort();
  const args = ['start', '--no-build', '--port', String(port), '--logs', options.logs];
  if (options.host) args.push('--host', options.host);
  const child: ChildProcess = spawn(process.execPath, [THAW_BIN, ...args], {
    cwd: PROJECT_DIR,
    env: cleanEnv({ DATABASE_URL: options.databaseUrl, THAW_LOG_LEVEL: 'warn', ...options.env }) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(() => output.includes('Thaw is running at') || child.exitCode !== null, { timeoutMs: 90_000, what: 'thaw start' });
    if (child.exitCode !== null) throw new Error(`thaw start exited with ${child.exitCode}:\n${output}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
