// The token guard. When THAW_TOKEN is set, every page and API call must present it: as
// `Authorization: Bearer <token>`, or as the httpOnly session cookie the /login form sets (the cookie
// holds a hash of the token, not the token). Comparisons are constant-time.
import { createHash, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'thaw_session';

/** Paths reachable without the token: the login form and its handler. */
export const PUBLIC_PATHS = new Set(['/login', '/api/auth/login', '/api/auth/logout']);

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time string equality (hashing first makes the lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** What the session cookie holds for a token. */
export function sessionValue(token: string): string {
  return createHash('sha256').update(`thaw-session\0${token}`).digest('base64url');
}

export function isAuthorized(token: string, authorization: string | null, cookie: string | undefined): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
  if (bearer !== undefined && safeEqual(bearer, token)) return true;
  return cookie !== undefined && safeEqual(cookie, sessionValue(token));
}

/** Only same-site relative paths are followed after login (no open redirect). */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  return next;
}
