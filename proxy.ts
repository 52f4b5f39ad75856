// Next.js 16 "proxy" (formerly middleware): runs before every page and API route. Three rules, each in
// one place: the host guard (lib/api/host-guard.ts) refuses names a DNS-rebinding page could use when
// no token is set; the write guard (lib/api/write-guard.ts) refuses cross-site writes and non-JSON
// writes to JSON APIs on every address, loopback included; then the token guard (lib/api/auth.ts)
// enforces THAW_TOKEN when set. Without a token Thaw only listens on loopback (`thaw start` refuses
// anything else).
import { NextResponse, type NextRequest } from 'next/server';
import { PUBLIC_PATHS, SESSION_COOKIE, isAuthorized } from './lib/api/auth';
import { RefusedWriteError, UnauthorizedError, UnknownHostError, errorResponse } from './lib/api/errors';
import { checkHost } from './lib/api/host-guard';
import { checkWrite } from './lib/api/write-guard';
import { getEnv } from './lib/env';

export function proxy(request: NextRequest) {
  const env = getEnv();
  const token = env.THAW_TOKEN;
  const { pathname, search } = request.nextUrl;
  const host = checkHost({ host: request.headers.get('host'), publicUrl: env.THAW_PUBLIC_URL ?? null, tokenSet: Boolean(token) });
  if (!host.ok) return errorResponse(new UnknownHostError(host.message), { method: request.method, url: pathname });
  const write = checkWrite({
    method: request.method,
    url: request.url,
    origin: request.headers.get('origin'),
    secFetchSite: request.headers.get('sec-fetch-site'),
    contentType: request.headers.get('content-type'),
    forwardedHost: request.headers.get('x-forwarded-host'),
    forwardedProto: request.headers.get('x-forwarded-proto'),
    publicUrl: env.THAW_PUBLIC_URL ?? null,
  });
  if (!write.ok)
    return errorResponse(new RefusedWriteError(write.status, write.code, write.message), { method: request.method, url: pathname });
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
