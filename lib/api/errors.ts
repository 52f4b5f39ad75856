// Typed API errors and the ONE place that maps errors to HTTP responses (and logs them).
// Route handlers throw; `withApi` catches. Every error body is `{ error: { code, message } }`.
import { ZodError } from 'zod';
import { isConnectionError } from '../db/connection-errors';
import { DatabaseError, ThawError } from '../errors';
import { logger } from '../log';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A bad query parameter: the message names the parameter and the form it expects. */
export class BadRequestError extends ApiError {
  constructor(message: string) {
    super(400, 'bad_request', message);
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = 'this Thaw requires its token: send `Authorization: Bearer <THAW_TOKEN>` or sign in at /login') {
    super(401, 'unauthorized', message);
  }
}

/** A request for a host name the host guard (lib/api/host-guard.ts) does not answer to (DNS rebinding). */
export class UnknownHostError extends ApiError {
  constructor(message: string) {
    super(403, 'unknown_host', message);
  }
}

/** A write the write guard (lib/api/write-guard.ts) refused: cross-site (403) or not JSON (415). */
export class RefusedWriteError extends ApiError {
  constructor(status: 403 | 415, code: string, message: string) {
    super(status, code, message);
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

function classify(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  // A response that fails its own schema is a bug in Thaw, not in the request.
  if (error instanceof ZodError)
    return new ApiError(500, 'invalid_response', 'the server produced a response that does not match its schema');
  if (error instanceof DatabaseError) return new ApiError(503, 'database_unavailable', error.message);
  if (isConnectionError(error))
    return new ApiError(503, 'database_unavailable', 'the database is not reachable right now; try again shortly');
  if (error instanceof ThawError) return new ApiError(500, error.code, error.message);
  return new ApiError(500, 'internal_error', 'unexpected server error (see the Thaw log)');
}

/** The JSON error response for any thrown value; logs server errors with their stack. */
export function errorResponse(error: unknown, context: { method?: string; url?: string } = {}): Response {
  const apiError = classify(error);
  if (apiError.status >= 500) logger().error({ err: error, ...context }, 'API request failed');
  else logger().debug({ code: apiError.code, message: apiError.message, ...context }, 'API request rejected');
  const body: ErrorBody = { error: { code: apiError.code, message: apiError.message } };
  return Response.json(body, { status: apiError.status, headers: { 'Cache-Control': 'no-store' } });
}

type Handler<Context> = (request: Request, context: Context) => Promise<Response>;

/** Wraps a route handler (sync or async) so every thrown error becomes `errorResponse`. */
export function withApi<Context>(handler: (request: Request, context: Context) => Response | Promise<Response>): Handler<Context> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error, { method: request.method, url: new URL(request.url).pathname });
    }
  };
}
