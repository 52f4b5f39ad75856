// The write guard: the ONE rule for which writes Thaw accepts, applied to every request in proxy.ts (so
// no route can forget it). Any web page a user visits can make the browser send a form or a "simple"
// fetch to http://127.0.0.1:3000 — with the user's cookies, and without a token on loopback — so every
// write (any method but GET, HEAD, OPTIONS), on loopback too, must come from Thaw's own pages or from a
// non-browser client:
//   - Sec-Fetch-Site (sent by every current browser) must be same-origin (or none: typed by the user);
//     cross-site and same-site (another port or subdomain) are refused;
//   - Origin, when present, must be this server's own origin ("null" — sandboxed frames, some
//     redirects — is refused);
//   - neither header (curl, scripts) is a non-browser client: allowed (the token still applies);
//   - writes to JSON APIs (/api/* except the login/logout forms) must say Content-Type:
//     application/json — a form can only send urlencoded, multipart or text/plain, so a cross-site form
//     can never produce a request an API accepts, even in a browser that sends neither header.
// Pure: the caller passes the headers in; lib/api/write-guard.test.ts is its table of cases.

/** Form endpoints (the /login page posts to them); every other /api path is a JSON API. */
export const FORM_ENDPOINTS: ReadonlySet<string> = new Set(['/api/auth/login', '/api/auth/logout']);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface WriteRequest {
  method: string;
  /** The request URL as the server sees it (its origin is this server's own origin). */
  url: string;
  origin: string | null;
  secFetchSite: string | null;
  contentType: string | null;
  /** Set by a reverse proxy in front of Thaw (TLS termination): the origin the browser used. */
  forwardedHost?: string | null;
  forwardedProto?: string | null;
  /** THAW_PUBLIC_URL, when set: the address people open Thaw at. */
  publicUrl?: string | null;
}

export type WriteVerdict =
  | { ok: true }
  | { ok: false; status: 403; code: 'cross_site_write'; message: string }
  | { ok: false; status: 415; code: 'unsupported_media_type'; message: string };

function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

/** The origins this server answers as: its own URL, the reverse proxy's, THAW_PUBLIC_URL's. */
function ownOrigins(request: WriteRequest): Set<string> {
  const out = new Set<string>();
  const own = originOf(request.url);
  if (own) out.add(own);
  if (request.forwardedHost) {
    const proto = (request.forwardedProto ?? new URL(request.url).protocol.replace(':', '')).split(',')[0]!.trim();
    const forwarded = originOf(`${proto}://${request.forwardedHost.split(',')[0]!.trim()}`);
    if (forwarded) out.add(forwarded);
  }
  const advertised = originOf(request.publicUrl);
  if (advertised) out.add(advertised);
  return out;
}

const refuse = (message: string): WriteVerdict => ({
  ok: false,
  status: 403,
  code: 'cross_site_write',
  message: `${message}: Thaw accepts writes only from its own pages (or from clients such as curl that send no Origin)`,
});

export function checkWrite(request: WriteRequest): WriteVerdict {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return { ok: true };
  const site = request.secFetchSite?.trim().toLowerCase() || null;
  if (site !== null && site !== 'same-origin' && site !== 'none') return refuse(`refused a ${site} write (Sec-Fetch-Site: ${site})`);
  if (request.origin !== null) {
    const origin = originOf(request.origin);
    if (origin === null || !ownOrigins(request).has(origin))
      return refuse(`refused a write from another origin (Origin: ${request.origin.slice(0, 100)})`);
  }
  const pathname = new URL(request.url).pathname;
  if (pathname.startsWith('/api/') && !FORM_ENDPOINTS.has(pathname)) {
    const media = (request.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (media !== 'application/json')
      return {
        ok: false,
        status: 415,
        code: 'unsupported_media_type',
        message: `writes to ${pathname} take a JSON body: send Content-Type: application/json (got ${request.contentType ? JSON.stringify(request.contentType.slice(0, 100)) : 'none'})`,
      };
  }
  return { ok: true };
}
