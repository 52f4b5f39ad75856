// Shared helpers: numbers as Python prints them, index lists, tqdm frames, LeRobot big numbers.
import { describe, expect, it } from 'vitest';
import {
  canonicalPostfixNumbers,
  decimalEnd,
  decimalRunAt,
  formatBigNumber,
  isExceptionLine,
  parseBigNumber,
  parseClock,
  parseCount,
  parseIndexList,
  parseNumber,
  parseNumberIn,
  parseTqdmFrame,
  plainDecimalOf,
  postfixNumber,
  startsWithAt,
} from './common';

describe('parseNumber', () => {
  it.each([
    ['0.0412', 0.0412],
    ['9e-05', 9e-5],
    ['1.00e-04', 1e-4],
    ['9.88e-5', 9.88e-5],
    ['450,046,176', 450046176],
    ['-3', -3],
    ['inf', Infinity],
    ['-inf', -Infinity],
    ['Infinity', Infinity],
  ])('%s → %s', (raw, value) => expect(parseNumber(raw)).toBe(value));

  it('reads nan as NaN and rejects garbage', () => {
    expect(parseNumber('nan')).toBeNaN();
    expect(parseNumber('NaN')).toBeNaN();
    for (const raw of ['', 'abc', '0.75OO', '1,23', '1e', '--1']) expect(parseNumber(raw)).toBeNull();
  });

  it('computes plain decimals exactly as Number() does (the fast path), in place or on a slice', () => {
    const cases = ['0', '-0.0', '+1', '1.', '1e22', '1e23', '5e-22', '5e-23', '00012.5000', '123456789012345', '1234567890123456'];
    for (let i = 0; i < 2000; i++) {
      const value = (Math.sin(i) * 10 ** ((i % 30) - 15)) / 7;
      cases.push(String(value), value.toFixed(i % 12), value.toExponential(i % 10), value.toPrecision(1 + (i % 17)));
    }
    for (const raw of cases) {
      expect(Object.is(parseNumber(raw), Number(raw)), raw).toBe(true);
      expect(Object.is(parseNumberIn(`k= ${raw} ,`, 2, raw.length + 4), Number(raw)), raw).toBe(true);
    }
    for (const raw of ['1e', '-', '0x10', ' 2.5', '1.2.3']) expect(parseNumberIn(raw, 0, raw.length)).toBe(parseNumber(raw));
  });

  it('reads a plain decimal from bytes (decimalRunAt) exactly as from text (plainDecimalOf): one table for both', () => {
    const cases = ['0', '-0.0', '+1', '1.', '1e22', '1e23', '5e-22', '5e-23', '00012.5000', '123456789012345', '1234567890123456'];
    cases.push('1e', '-', '+', '.5', '1.2.3', '1e2e3', '1e+', '1e-0001', '1e00001', '--1', '1-', '+-1', 'e5', '9.87e-05', '1.00E+04', '');
    for (let i = 0; i < 2000; i++) {
      const value = (Math.sin(i) * 10 ** ((i % 30) - 15)) / 7;
      cases.push(String(value), value.toFixed(i % 12), value.toExponential(i % 10), value.toPrecision(1 + (i % 17)));
    }
    const encoder = new TextEncoder();
    let read = 0;
    for (const raw of cases) {
      // The run ends where a byte outside [-+.0-9eE] follows (here a space, or a terminator).
      for (const after of [' ', '\r', ',']) {
        const bytes = encoder.encode(`${raw}${after}`);
        const value = decimalRunAt(bytes, 0);
        expect(Object.is(value, plainDecimalOf(raw)), raw).toBe(true);
        if (value !== undefined) {
          expect(decimalEnd, raw).toBe(raw.length);
          read++;
        }
      }
      // And at the very end of the bytes.
      expect(Object.is(decimalRunAt(encoder.encode(raw), 0), plainDecimalOf(raw)), raw).toBe(true);
    }
    expect(read).toBeGreaterThan(10_000);
  });

  it('reads the canonical postfix in one pass, and only when it gives what postfixNumber gives', () => {
    const keys = ['loss', 'lr', 'proc_ms'];
    expect(canonicalPostfixNumbers('loss=0.0831, lr=9.87e-05, proc_ms=402.3', keys)).toEqual([0.0831, 9.87e-5, 402.3]);
    for (const postfix of ['', 'lr=1, loss=2, proc_ms=3', 'loss=nan, lr=1, proc_ms=2', 'loss=1, lr=2', 'loss=1 lr=2, lr=3, proc_ms=4']) {
      expect(canonicalPostfixNumbers(postfix, keys), postfix).toBeNull();
    }
  });

  it('parses counts with and without separators', () => {
    expect(parseCount('93,509,376')).toBe(93509376);
    expect(parseCount('2560')).toBe(2560);
    expect(parseCount('1,2345')).toBeNull();
  });
});

describe('parseIndexList', () => {
  it('reads plain, negative, empty and abbreviated lists', () => {
    expect(parseIndexList('[0, 1, 2]')).toEqual([0, 1, 2]);
    expect(parseIndexList('[-1, -2, -13]')).toEqual([-1, -2, -13]);
    expect(parseIndexList('[]')).toEqual([]);
    expect(parseIndexList('[0...11]')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(parseIndexList('[18...26]')).toHaveLength(9);
    expect(parseIndexList('[0, x]')).toBeNull();
    expect(parseIndexList('0, 1')).toBeNull();
  });
});

describe('parseTqdmFrame', () => {
  it('parses a SmolVLA frame with it/s', () => {
    const frame = parseTqdmFrame(
      'Training Epoch 3:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=0.0831, lr=9.87e-05, proc_ms=402.3]',
    );
    expect(frame).toEqual({
      desc: 'Training Epoch 3',
      n: 210,
      total: 500,
      elapsedS: 105,
      postfix: 'loss=0.0831, lr=9.87e-05, proc_ms=402.3',
    });
  });

  it('parses s/it, H:MM:SS, ASCII bars and postfix keys in any order', () => {
    const frame = parseTqdmFrame(
      'Training Epoch 12:   3%|3         | 37/1406 [1:01:20<49:27,  2.17s/it, proc_ms=1287.4, lr=8.00e-05, loss=0.0412]',
    );
    expect(frame?.elapsedS).toBe(3680);
    expect(frame?.n).toBe(37);
    expect(postfixNumber(frame?.postfix ?? '', 'loss')).toBe(0.0412);
    expect(postfixNumber(frame?.postfix ?? '', 'lr')).toBe(8e-5);
    expect(postfixNumber(frame?.postfix ?? '', 'proc_ms')).toBe(1287.4);
  });

  it('parses frames without postfix, without total, and rejects truncated ones', () => {
    expect(parseTqdmFrame('Training Epoch 1:   0%|          | 0/500 [00:00<?, ?it/s]')).toEqual({
      desc: 'Training Epoch 1',
      n: 0,
      total: 500,
      elapsedS: 0,
      postfix: '',
    });
    expect(parseTqdmFrame('Training Epoch 1: 37it [00:15,  2.30it/s, loss=0.5]')).toEqual({
      desc: 'Training Epoch 1',
      n: 37,
      total: null,
      elapsedS: 15,
      postfix: 'loss=0.5',
    });
    expect(parseTqdmFrame('Training Epoch 1:  42%|████▏     | 210/500 [01:45<02:25,  1.99it/s, loss=0.08')).toBeNull();
    expect(parseClock('?')).toBeNull();
  });

  it('does not confuse keys that end like another key', () => {
    expect(postfixNumber('base_lr=1, lr=2', 'lr')).toBe(2);
  });
});

describe('LeRobot big numbers', () => {
  it('formats like format_big_number (round half to even)', () => {
    expect(formatBigNumber(200)).toBe('200');
    expect(formatBigNumber(1600)).toBe('2K');
    expect(formatBigNumber(2500)).toBe('2K');
    expect(formatBigNumber(3500)).toBe('4K');
    expect(formatBigNumber(20000)).toBe('20K');
    expect(formatBigNumber(1_500_000)).toBe('2M');
  });

  it('parses them back', () => {
    expect(parseBigNumber('20K')).toEqual({ value: 20000, exact: false });
    expect(parseBigNumber('999')).toEqual({ value: 999, exact: true });
    expect(parseBigNumber('x')).toBeNull();
  });
});

describe('isExceptionLine', () => {
  it('recognises the last line of a traceback', () => {
    expect(isExceptionLine('RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB')).toBe(true);
    expect(isExceptionLine('torch.OutOfMemoryError: CUDA out of memory.')).toBe(true);
    expect(isExceptionLine('KeyboardInterrupt')).toBe(true);
    expect(isExceptionLine('Epoch 1 Average Loss: 0.1')).toBe(false);
    expect(isExceptionLine('Killed')).toBe(false);
  });
});

describe('startsWithAt', () => {
  it('agrees with String.prototype.startsWith (two-byte slices, CJK, empty prefixes, positions past the end)', () => {
    const chunk = '训练 Training Epoch 3:  42%|████▏| Traceback (most recent call last): T';
    const texts = ['', 'T', 'Tr', 'Training', chunk, chunk.slice(3), chunk.slice(3, 20), '\uFFFDTraining', 'Training Epoch 3:'];
    const prefixes = ['', 'T', 'Training Epoch ', 'Traceback (most recent call last):', 'Exception ignored in', '训练', '█', ':'];
    for (const text of texts) {
      for (const prefix of prefixes) {
        for (const at of [-1, 0, 1, 3, 15, text.length, text.length + 2]) {
          expect(startsWithAt(text, prefix, at), `${text} ${prefix} ${at}`).toBe(text.startsWith(prefix, at));
        }
        expect(startsWithAt(text, prefix)).toBe(text.startsWith(prefix));
      }
    }
  });
});
