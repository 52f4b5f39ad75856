// Runs the real `thaw` CLI in a child process and collects what it printed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const THAW_BIN = fileURLToPath(new URL('../bin/thaw.mjs', import.meta.url));
export const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Environment for a child thaw: no inherited DATABASE_URL/THAW_* unless given, except the test run's
 * own THAW_SHARED_DIR (tests/helpers/global-setup.ts), so nothing lands in /var/lib/thaw.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'THAW_SHARED_DIR') {
      env[key] = value;
      continue;
    }
    if (key === 'DATABASE_URL' || key.startsWith('THAW_') || key.startsWith('VITEST') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, THAW_LOG_LEVEL: 'warn', ...extra };
}

export function runThaw(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(THAW_BIN, args, {
      cwd: options.cwd ?? PROJECT_DIR,
      env: cleanEnv(options.env) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Starts `thaw ingest --once` and SIGKILLs it once the committed bytes reach `killAt` (plus a random
 * few ms, so the kill lands inside the next batch's work); resolves to true if it finished first.
 */
export function runAndKill(
  args: string[],
  env: Record<string, string>,
  progress: () => Promise<number>,
  killAt: number,
  jitterMs: number,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(THAW_BIN, args, { cwd: PROJECT_DIR, env: cleanEnv(env) as NodeJS.ProcessEnv, stdio: 'ignore' });
    let done = false;
    const watchProgress = async () => {
      while (!done) {
        if ((await progress()) >= killAt) {
          setTimeout(() => child.kill('SIGKILL'), jitterMs);
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    void watchProgress();
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      done = true;
      if (signal === 'SIGKILL') resolve(false);
      else if (code === 0) resolve(true);
      else reject(new Error(`thaw ingest exited with ${code}`));
    });
  });
}

export interface ThawProcess {
  output(): string;
  /** SIGINT (Ctrl-C), then SIGKILL after 8 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts a long-running `thaw` command (`ingest` following logs, …) in a child process. */
export function spawnThaw(args: string[], env: Record<string, string>): ThawProcess {
  const child = spawn(THAW_BIN, args, { cwd: PROJECT_DIR, env: cleanEnv(env) as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
