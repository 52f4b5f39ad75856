import { describe, expect, it } from 'vitest';
import { checkOnce, freezePayload, isFrozenPayload, jsonBytes, jsonText } from './payload';

const points = () => [
  [0, 1.5],
  [1, null],
  [2, 0.1234567],
];

// jsonBytes must write exactly what JSON.stringify writes, payloads or not.
const cases: [string, unknown][] = [
  ['null', null],
  ['number', 1.25],
  ['non-finite numbers', [NaN, Infinity, -Infinity, -0]],
  ['string with quotes, controls and unicode', 'a"b\\c\n\u0000 ü 漢 \ud83d\ude00'],
  ['lone surrogate', '\ud800x'],
  ['boolean', false],
  ['empty object and array', { a: {}, b: [] }],
  ['undefined, function and symbol properties are left out', { a: undefined, b: () => 1, c: Symbol('s'), d: 1 }],
  ['undefined, function and symbol in arrays become null', [undefined, () => 1, Symbol('s'), 2]],
  ['holes become null', [1, , 3]], // eslint-disable-line no-sparse-arrays
  ['dates through toJSON', { at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }],
  ['toJSON returning undefined leaves the key out', { a: { toJSON: () => undefined }, b: 2 }],
  ['toJSON receives the key', { k: { toJSON: (key: string) => `key ${key}` } }],
  ['boxed primitives', [new Number(3), new String('s'), new Boolean(true)]],
  ['maps and sets are empty objects', { m: new Map([[1, 2]]), s: new Set([1]) }],
  ['nested mixed arrays', [[1, 'a', null], [{ x: 1 }], [[2]]]],
  ['key order and odd keys', { z: 1, a: 2, '': 3, '"q"': 4, '1': 5 }],
  ['a frozen payload inside', { series: [{ id: 'a', points: freezePayload(points()) }], n: 2 }],
  [
    'the same payload twice',
    (() => {
      const shared = freezePayload(points());
      return { a: shared, b: [shared, shared] };
    })(),
  ],
  ['a frozen payload at the top', freezePayload(points())],
  ['a null payload', { smoothed: freezePayload(null) }],
];

describe('jsonBytes', () => {
  it.each(cases)('%s', (_name, value) => {
    expect(jsonBytes(value).toString('utf8')).toBe(JSON.stringify(value));
    expect(jsonText(value)).toBe(JSON.stringify(value));
  });

  it('throws for a value without JSON form, as JSON.stringify returns undefined', () => {
    expect(() => jsonBytes(undefined)).toThrow(TypeError);
  });

  it('writes a payload as it was frozen: it cannot change afterwards', () => {
    const payload = freezePayload(points());
    const before = jsonText({ payload });
    expect(() => {
      (payload as unknown[]).push([3, 3]);
    }).toThrow(TypeError);
    expect(() => {
      (payload[0] as number[])[1] = 99;
    }).toThrow(TypeError);
    expect(jsonText({ payload })).toBe(before);
  });
});

describe('checkOnce', () => {
  const isNumbers = (value: unknown) => Array.isArray(value) && value.every((v) => typeof v === 'number');

  it('checks a frozen payload once and remembers a pass', () => {
    let calls = 0;
    const counted = (value: unknown) => {
      calls += 1;
      return isNumbers(value);
    };
    const payload = freezePayload([1, 2, 3]);
    expect(isFrozenPayload(payload)).toBe(true);
    expect(checkOnce(payload, counted)).toBe(true);
    expect(checkOnce(payload, counted)).toBe(true);
    expect(calls).toBe(1);
  });

  it('checks every time what is not a frozen payload, and never remembers a failure', () => {
    let calls = 0;
    const counted = (value: unknown) => {
      calls += 1;
      return isNumbers(value);
    };
    const open = [1, 2];
    expect(checkOnce(open, counted)).toBe(true);
    open.push(Number.NaN);
    expect(checkOnce(open, counted)).toBe(true);
    expect(calls).toBe(2);
    const bad = freezePayload(['x']);
    expect(checkOnce(bad, counted)).toBe(false);
    expect(checkOnce(bad, counted)).toBe(false);
    expect(calls).toBe(4);
  });
});
