// Structured logs go to stderr so stdout stays clean for command output such as `thaw parse --json`.
// pino because it is cheap enough for the ingest hot path; on a terminal the same records are shown
// as readable lines (pino-pretty), elsewhere as JSON lines for log collectors.
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export function createLogger(level: string = 'info', options: { pretty?: boolean } = {}): Logger {
  const human = options.pretty ?? process.stderr.isTTY === true;
  const destination = human
    ? pretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname,app', translateTime: 'HH:MM:ss' })
    : pino.destination({ fd: 2, sync: true });
  return pino({ level, base: { app: 'thaw' } }, destination);
}

let root: Logger | undefined;

export function logger(): Logger {
  root ??= createLogger();
  return root;
}

export function setLogger(next: Logger): void {
  root = next;
}
