import { DatabaseError as PgDatabaseError } from 'pg';
import { describe, expect, it } from 'vitest';
import { isConnectionError } from './connection-errors';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function pgError(message: string, code: string): PgDatabaseError {
  const error = new PgDatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

function prismaInit(message: string, errorCode: string): Error {
  return Object.assign(new Error(message), { name: 'PrismaClientInitializationError', errorCode });
}

const UNREACHABLE: [string, unknown][] = [
  ['ECONNREFUSED (node net)', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
  ['ECONNRESET', withCode('read ECONNRESET', 'ECONNRESET')],
  ['ETIMEDOUT', withCode('connect ETIMEDOUT 10.0.0.1:5432', 'ETIMEDOUT')],
  ['EPIPE', withCode('write EPIPE', 'EPIPE')],
  ['ENOTFOUND', withCode('getaddrinfo ENOTFOUND db', 'ENOTFOUND')],
  ['EHOSTUNREACH', withCode('connect EHOSTUNREACH', 'EHOSTUNREACH')],
  ['ENETUNREACH', withCode('connect ENETUNREACH', 'ENETUNREACH')],
  ['EAI_AGAIN', withCode('getaddrinfo EAI_AGAIN db', 'EAI_AGAIN')],
  ['57P01 admin shutdown', pgError('terminating connection due to administrator command', '57P01')],
  ['57P02 crash shutdown', pgError('terminating connection because of crash of another server process', '57P02')],
  ['57P03 cannot connect now', pgError('the database system is starting up', '57P03')],
  ['53300 too many connections', pgError('sorry, too many clients already', '53300')],
  ['08000 connection exception', pgError('connection exception', '08000')],
  ['08003 connection does not exist', pgError('connection does not exist', '08003')],
  ['08006 connection failure', pgError('connection failure', '08006')],
  ['08P01 protocol violation', pgError('protocol violation', '08P01')],
  ['Prisma P1001 (code)', withCode("Can't reach database server at `localhost:5432`", 'P1001')],
  ['Prisma P1017 (code)', withCode('Server has closed the connection.', 'P1017')],
  ['Prisma P1001 (initialization errorCode)', prismaInit("Can't reach database server at `localhost:5432`", 'P1001')],
  ['Prisma P1002 (initialization errorCode)', prismaInit('The database server was reached but timed out.', 'P1002')],
  ['"Connection terminated unexpectedly"', new Error('Connection terminated unexpectedly')],
  ['"Connection terminated due to connection timeout"', new Error('Connection terminated due to connection timeout')],
  ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
  ['client connection error', new Error('Client has encountered a connection error and is not queryable')],
  ['"the database system is shutting down" without a code', new Error('the database system is shutting down')],
  ['wrapped in cause', new Error('query failed', { cause: withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED') })],
  [
    'AggregateError of refused addresses',
    new AggregateError([
      withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    ]),
  ],
];

const REACHABLE: [string, unknown][] = [
  ['23505 unique violation', pgError('duplicate key value violates unique constraint', '23505')],
  ['42P01 undefined table', pgError('relation "Run" does not exist', '42P01')],
  ['22P02 invalid text representation', pgError('invalid input syntax for type integer', '22P02')],
  ['57014 query canceled', pgError('canceling statement due to statement timeout', '57014')],
  ['40001 serialization failure', pgError('could not serialize access', '40001')],
  ['Prisma P2002 unique constraint', withCode('Unique constraint failed', 'P2002')],
  ['ENOENT (a file, not the database)', withCode("ENOENT: no such file or directory, open 'x.log'", 'ENOENT')],
  ['EACCES', withCode('EACCES: permission denied', 'EACCES')],
  ['plain error', new Error('something else')],
  ['numeric code', Object.assign(new Error('x'), { code: 8006 })],
  ['a string', 'ECONNREFUSED'],
  ['null', null],
  ['undefined', undefined],
  ['an object without code', { message: 'nope' }],
];

describe('isConnectionError', () => {
  it.each(UNREACHABLE)('unreachable: %s', (_name, error) => {
    expect(isConnectionError(error)).toBe(true);
  });
  it.each(REACHABLE)('reachable (the statement failed): %s', (_name, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});
