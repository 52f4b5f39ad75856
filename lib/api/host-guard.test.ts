import { describe, expect, it } from 'vitest';
import { checkHost, hostName, type HostRequest } from './host-guard';

// [what, request, allowed]
const CASES: [string, HostRequest, boolean][] = [
  ['loopback address with a port', { host: '127.0.0.1:3000', tokenSet: false }, true],
  ['another loopback address', { host: '127.0.0.2:3000', tokenSet: false }, true],
  ['a LAN address', { host: '192.168.1.20:3000', tokenSet: false }, true],
  ['IPv6 loopback', { host: '[::1]:3000', tokenSet: false }, true],
  ['IPv6 without a port', { host: '[fe80::1]', tokenSet: false }, true],
  ['localhost', { host: 'localhost:3000', tokenSet: false }, true],
  ['LOCALHOST in capitals, trailing dot', { host: 'LOCALHOST.:3000', tokenSet: false }, true],
  ['a subdomain of localhost', { host: 'thaw.localhost:3000', tokenSet: false }, true],
  ['no Host header (HTTP/1.0 client)', { host: null, tokenSet: false }, true],
  ['a rebinding name', { host: 'rebind.evil.example:3000', tokenSet: false }, false],
  ['a name ending in localhost but not a subdomain of it', { host: 'evillocalhost:3000', tokenSet: false }, false],
  ['localhost as a subdomain of another name', { host: 'localhost.evil.example:3000', tokenSet: false }, false],
  ['a name made of digits that is not an address', { host: '127.0.0.1.evil.example', tokenSet: false }, false],
  ['an out-of-range dotted quad', { host: '256.0.0.1:3000', tokenSet: false }, false],
  ['the host of THAW_PUBLIC_URL', { host: 'gpu-box:3000', publicUrl: 'http://gpu-box:3000', tokenSet: false }, true],
  ['the host of THAW_PUBLIC_URL, another port', { host: 'GPU-box:8080', publicUrl: 'http://gpu-box:3000', tokenSet: false }, true],
  ['another name beside THAW_PUBLIC_URL', { host: 'other-box:3000', publicUrl: 'http://gpu-box:3000', tokenSet: false }, false],
  ['any name once a token is required', { host: 'rebind.evil.example:3000', tokenSet: true }, true],
];

describe('checkHost', () => {
  it.each(CASES)('%s', (_, request, allowed) => {
    const verdict = checkHost(request);
    expect(verdict.ok).toBe(allowed);
    if (!verdict.ok) {
      expect(verdict.status).toBe(403);
      expect(verdict.message).toContain('THAW_PUBLIC_URL');
    }
  });

  it.each([
    ['127.0.0.1:3000', '127.0.0.1'],
    ['[::1]:3000', '[::1]'],
    ['Example.COM.', 'example.com'],
    ['example.com:', 'example.com'],
  ])('hostName(%s) = %s', (host, name) => expect(hostName(host)).toBe(name));
});
