// "Is the database unreachable?" — as opposed to "the database refused this one statement". ONE
// decision, used by the ingest daemon (pause the queue and retry) and by the API (503
// database_unavailable). Tested by the table in connection-errors.test.ts.
import { errorMessage } from '../errors';

/** Socket-level errno codes of a connection that could not be made or was lost. */
const ERRNO_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * PostgreSQL SQLSTATEs outside class 08 that mean "no usable server": 57P01 admin shutdown, 57P02 crash
 * shutdown, 57P03 cannot connect now (starting up), 53300 too many connections.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Prisma's connection errors: P1001 can't reach server, P1002 timed out, P1017 server closed the connection. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017']);

/** node-postgres' and PostgreSQL's own words for a lost or impossible connection. */
const MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (?:starting up|shutting down)|Can't reach database server/i;

function codeOf(error: unknown, key: 'code' | 'errorCode'): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const value = (error as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : null;
}

function isUnreachable(error: unknown): boolean {
  const code = codeOf(error, 'code');
  if (code !== null && (ERRNO_CODES.has(code) || SQLSTATES.has(code) || PRISMA_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) {
    return true;
  }
  // PrismaClientInitializationError carries its code as `errorCode`.
  const prismaCode = codeOf(error, 'errorCode');
  if (prismaCode !== null && PRISMA_CODES.has(prismaCode)) return true;
  return MESSAGES.test(errorMessage(error));
}

/**
 * True when `error` says the database cannot be reached: a connection-level errno, SQLSTATE class 08
 * (connection exception), 57P01–57P03 (shutdown, starting up), 53300 (too many connections), Prisma
 * P1001/P1002/P1017, or node-postgres' connection messages. Looks through `cause` (driver adapters
 * and AggregateError wrap the original) up to a few levels.
 */
export function isConnectionError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (isUnreachable(current)) return true;
    if (current instanceof AggregateError && current.errors.some((inner) => isUnreachable(inner))) return true;
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return false;
}

/** Errno codes that mean "the connection", not "the file" (the daemon tells the two apart). */
export function isConnectionErrno(code: string): boolean {
  return ERRNO_CODES.has(code);
}
