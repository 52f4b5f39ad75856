// The host guard, against DNS rebinding: the ONE rule for which Host names Thaw answers to, applied to
// every request in proxy.ts. Without THAW_TOKEN Thaw listens on loopback only and needs no sign-in —
// but any web page can still reach it under a name of its own: the page's site points that name at
// 127.0.0.1 (DNS rebinding), and the browser then treats Thaw as that site. Same-origin to the page,
// so it could read every run and annotation, and the write guard would see its own origin in every
// write. A browser always sends the name it used in Host, so without a token Thaw answers only to names
// that cannot be rebound: IP addresses, `localhost` (browsers resolve it and *.localhost to loopback
// themselves), and the name THAW_PUBLIC_URL gives (the address people open Thaw at). With a token, a
// rebound name gets nothing anyway: it carries neither the bearer token nor Thaw's session cookie.
// Pure: the caller passes the headers in; lib/api/host-guard.test.ts is its table of cases.

export interface HostRequest {
  /** The Host header (name and optional port). */
  host: string | null;
  /** THAW_PUBLIC_URL, when set. */
  publicUrl?: string | null;
  /** THAW_TOKEN is set: requests are authenticated, any name may reach Thaw. */
  tokenSet: boolean;
}

export type HostVerdict = { ok: true } | { ok: false; status: 403; code: 'unknown_host'; message: string };

/** The host name of a Host header, lower-case, without port or trailing dot; IPv6 keeps its brackets. */
export function hostName(host: string): string {
  const trimmed = host.trim().toLowerCase();
  const name = trimmed.startsWith('[') ? trimmed.slice(0, trimmed.indexOf(']') + 1) : trimmed.replace(/:\d*$/, '');
  return name.replace(/\.$/, '');
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Names no DNS answer can move: IP literals and localhost. */
function unbindable(name: string): boolean {
  return IPV4.test(name) || /^\[[0-9a-f:.]+\]$/.test(name) || name === 'localhost' || name.endsWith('.localhost');
}

export function checkHost(request: HostRequest): HostVerdict {
  if (request.tokenSet || request.host === null || request.host.trim() === '') return { ok: true };
  const name = hostName(request.host);
  if (unbindable(name)) return { ok: true };
  if (request.publicUrl && URL.canParse(request.publicUrl) && hostName(new URL(request.publicUrl).host) === name) return { ok: true };
  return {
    ok: false,
    status: 403,
    code: 'unknown_host',
    message: `refused a request for host "${name.slice(0, 100)}": without THAW_TOKEN, Thaw answers only to IP addresses, localhost and the host of THAW_PUBLIC_URL (set THAW_PUBLIC_URL to the address you open Thaw at)`,
  };
}
