import { crc32c as nativeCrc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cJs, crc32cRange, NATIVE_THRESHOLD } from './crc32c';
import { mulberry32 } from '../../testkit/random';

describe('crc32c', () => {
  it('check value', () => {
    expect(crc32cJs(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32cJs(new Uint8Array(0))).toBe(0);
  });
  it('matches @node-rs/crc32 for every length up to 2 KiB and random offsets', () => {
    const rand = mulberry32(9);
    const data = Uint8Array.from({ length: 4096 }, () => Math.floor(rand() * 256));
    for (let len = 0; len <= 2048; len++) {
      const off = Math.floor(rand() * 2000);
      const view = data.subarray(off, off + len);
      const expected = nativeCrc32c(view) >>> 0;
      expect(crc32cJs(view)).toBe(expected);
      expect(crc32c(view)).toBe(expected);
      expect(crc32cRange(data, off, off + len)).toBe(expected);
    }
    expect(NATIVE_THRESHOLD).toBeGreaterThan(0);
  });
});
