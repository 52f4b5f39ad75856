// The token guard's pure parts (lib/api/auth.ts); tests/api/auth.test.ts drives it over HTTP.
import { describe, expect, it } from 'vitest';
import { isAuthorized, safeEqual, safeNextPath, sessionValue } from './auth';

const TOKEN = 'correct-horse-battery-staple-42';

describe('token guard', () => {
  it('compares in constant time and follows only local paths after login', () => {
    expect(safeEqual(TOKEN, TOKEN)).toBe(true);
    expect(safeEqual(TOKEN, `${TOKEN}!`)).toBe(false);
    expect(safeEqual('', TOKEN)).toBe(false);
    expect(isAuthorized(TOKEN, `Bearer ${TOKEN}`, undefined)).toBe(true);
    expect(isAuthorized(TOKEN, `bearer   ${TOKEN}`, undefined)).toBe(true);
    expect(isAuthorized(TOKEN, `Basic ${TOKEN}`, undefined)).toBe(false);
    expect(isAuthorized(TOKEN, null, sessionValue(TOKEN))).toBe(true);
    expect(isAuthorized(TOKEN, null, sessionValue('other-token-of-16-chars'))).toBe(false);
    expect(safeNextPath('/compare?x=step')).toBe('/compare?x=step');
    expect(safeNextPath('//evil.example/')).toBe('/');
    expect(safeNextPath('https://evil.example/')).toBe('/');
    expect(safeNextPath('/\\evil')).toBe('/');
    expect(safeNextPath(undefined)).toBe('/');
  });
});
