// Next.js 16 "proxy" (formerly middleware): runs before every page and API route. It enforces
// THAW_TOKEN when set; without a token Thaw only listens on loopback (`thaw start` refuses
// anything else), so there is nothing to check. The rule itself lives in lib/api/auth.ts.
import { NextResponse, type NextRequest } from 'next/server';
import { PUBLIC_PATHS, SESSION_COOKIE, isAuthorized } from './lib/api/auth';
import { UnauthorizedError, errorResponse } from './lib/api/errors';
import { getEnv } from './lib/env';

export function proxy(request: NextRequest) {
  const token = getEnv().THAW_TOKEN;
  const { pathname, search } = request.nextUrl;
  if (!token || PUBLIC_PATHS.has(pathname)) return NextResponse.next();
  if (isAuthorized(token, request.headers.get('authorization'), request.cookies.get(SESSION_COOKIE)?.value)) return NextResponse.next();
  if (pathname.startsWith('/api/')) return errorResponse(new UnauthorizedError(), { method: request.method, url: pathname });
  const login = new URL('/login', request.url);
  login.searchParams.set('next', `${pathname}${search}`);
  return NextResponse.redirect(login, 303);
}

export const config = {
  // Static build assets carry no data; everything else (pages, /api) is guarded.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
