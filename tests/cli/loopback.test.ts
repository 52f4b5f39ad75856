import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../cli/options';

describe('isLoopback', () => {
  // Host names and bind addresses (thaw start --host), and peer addresses of connections (web.ts).
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.5', false],
    ['::ffff:192.168.1.5', false],
    ['10.127.0.1', false],
    ['', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});
