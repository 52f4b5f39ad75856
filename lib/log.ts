// Structured logs (JSON lines from pino) go to stderr so stdout stays clean for command output
// such as `thaw parse --json`. pino is used because it is fast enough to sit on the ingest hot path.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info'): Logger {
  return pino({ level, base: { app: 'thaw' } }, pino.destination({ fd: 2, sync: true }));
}

let root: Logger | undefined;

export function logger(): Logger {
  root ??= createLogger();
  return root;
}

export function setLogger(next: Logger): void {
  root = next;
}
