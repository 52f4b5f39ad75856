import { describe, expect, it } from 'vitest';
import { checkWrite, type WriteRequest } from './write-guard';

const THAW = 'http://127.0.0.1:3000';
const JSON_TYPE = 'application/json';
const FORM = 'application/x-www-form-urlencoded';

// [what, request, expected: 'ok' | 403 | 415]
const CASES: [string, Partial<WriteRequest>, 'ok' | 403 | 415][] = [
  ['GET is never a write', { method: 'GET', origin: 'http://evil.example', secFetchSite: 'cross-site' }, 'ok'],
  ['HEAD is never a write', { method: 'HEAD', secFetchSite: 'cross-site' }, 'ok'],
  ['OPTIONS is never a write', { method: 'OPTIONS', origin: 'http://evil.example' }, 'ok'],
  ["Thaw's own page (fetch)", { origin: THAW, secFetchSite: 'same-origin', contentType: JSON_TYPE }, 'ok'],
  ['curl: no Origin, no Sec-Fetch-Site', { contentType: JSON_TYPE }, 'ok'],
  ['curl with a charset', { contentType: 'application/json; charset=utf-8' }, 'ok'],
  ['content type in capitals', { contentType: 'Application/JSON' }, 'ok'],
  ['Sec-Fetch-Site: none (user-initiated)', { secFetchSite: 'none', contentType: JSON_TYPE }, 'ok'],
  ['cross-site fetch', { origin: 'http://evil.example', secFetchSite: 'cross-site', contentType: JSON_TYPE }, 403],
  [
    'another local port is same-site, not same-origin',
    { origin: 'http://127.0.0.1:8080', secFetchSite: 'same-site', contentType: JSON_TYPE },
    403,
  ],
  ['Sec-Fetch-Site alone says cross-site', { secFetchSite: 'cross-site', contentType: JSON_TYPE }, 403],
  ['Origin alone from elsewhere (older browser)', { origin: 'http://evil.example', contentType: JSON_TYPE }, 403],
  ['Origin of another port, no Sec-Fetch-Site', { origin: 'http://127.0.0.1:3001', contentType: JSON_TYPE }, 403],
  ['Origin "null" (sandboxed frame)', { origin: 'null', contentType: JSON_TYPE }, 403],
  ['Origin https vs http', { origin: 'https://127.0.0.1:3000', contentType: JSON_TYPE }, 403],
  [
    'a forged same-origin Sec-Fetch-Site does not excuse a foreign Origin',
    { origin: 'http://evil.example', secFetchSite: 'same-origin', contentType: JSON_TYPE },
    403,
  ],
  ['a form posted to a JSON API (same origin)', { origin: THAW, secFetchSite: 'same-origin', contentType: FORM }, 415],
  ['text/plain JSON-looking body (the classic JSON CSRF), no headers', { contentType: 'text/plain' }, 415],
  ['multipart to a JSON API', { contentType: 'multipart/form-data; boundary=x' }, 415],
  ['no content type to a JSON API', { contentType: null }, 415],
  ['the login form, same origin', { url: `${THAW}/api/auth/login`, origin: THAW, secFetchSite: 'same-origin', contentType: FORM }, 'ok'],
  [
    'the login form posted from another site',
    { url: `${THAW}/api/auth/login`, origin: 'http://evil.example', secFetchSite: 'cross-site', contentType: FORM },
    403,
  ],
  ['logout from another site', { url: `${THAW}/api/auth/logout`, secFetchSite: 'cross-site', contentType: FORM }, 403],
  ['a page path (no JSON rule), cross-site', { url: `${THAW}/runs/1`, origin: 'http://evil.example', contentType: FORM }, 403],
  ['a page path, same origin form', { url: `${THAW}/runs/1`, origin: THAW, contentType: FORM }, 'ok'],
  [
    'behind a TLS reverse proxy: the forwarded origin is ours',
    { origin: 'https://thaw.lab.example', forwardedHost: 'thaw.lab.example', forwardedProto: 'https', contentType: JSON_TYPE },
    'ok',
  ],
  ['THAW_PUBLIC_URL is ours', { origin: 'https://thaw.lab.example', publicUrl: 'https://thaw.lab.example/', contentType: JSON_TYPE }, 'ok'],
  ['PATCH and DELETE are writes too', { method: 'DELETE', origin: 'http://evil.example', contentType: JSON_TYPE }, 403],
];

describe('checkWrite', () => {
  it.each(CASES)('%s', (_what, given, expected) => {
    const request: WriteRequest = {
      method: 'PATCH',
      url: `${THAW}/api/runs/1`,
      origin: null,
      secFetchSite: null,
      contentType: null,
      ...given,
    };
    const verdict = checkWrite(request);
    expect(verdict.ok ? 'ok' : verdict.status).toBe(expected);
    if (!verdict.ok) expect(verdict.message.length).toBeGreaterThan(20);
  });
});
