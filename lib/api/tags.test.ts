import { describe, expect, it } from 'vitest';
import { TAG_MAX_LENGTH, changeTags, normalizeTag, tagProblem } from './tags';

describe('normalizeTag and tagProblem', () => {
  // [given, stored, problem]
  const CASES: [string, string, string | null][] = [
    ['baseline', 'baseline', null],
    ['  Baseline ', 'baseline', null],
    ['Needs   Review', 'needs review', null],
    ['GPU\tA100', 'gpu a100', null],
    ['   ', '', 'a non-empty tag'],
    ['', '', 'a non-empty tag'],
    ['a,b', 'a,b', 'a tag without "," or "|"'],
    ['a|b', 'a|b', 'a tag without "," or "|"'],
    ['x'.repeat(TAG_MAX_LENGTH), 'x'.repeat(TAG_MAX_LENGTH), null],
    ['x'.repeat(TAG_MAX_LENGTH + 1), 'x'.repeat(TAG_MAX_LENGTH + 1), `a tag of at most ${TAG_MAX_LENGTH} characters`],
    ['冻结前八层', '冻结前八层', null],
    ['e\u0301', '\u00e9', null], // NFC: one tag however the accent was typed
    ['bell\u0007', 'bell\u0007', 'a tag without control characters'],
  ];
  it.each(CASES)('%j → %j (%s)', (given, stored, problem) => {
    expect(normalizeTag(given)).toBe(stored);
    expect(tagProblem(normalizeTag(given))).toBe(problem);
  });
});

describe('changeTags', () => {
  // [current, change, result]
  const CASES: [string[], Parameters<typeof changeTags>[1], string[]][] = [
    [[], { add: ['a'] }, ['a']],
    [['a'], { add: ['A', 'b'] }, ['a', 'b']], // case-insensitive: "A" is "a"
    [['a', 'b'], { remove: ['A'] }, ['b']],
    [['a', 'b'], { set: ['c', 'C', ' c '] }, ['c']],
    [['a'], { set: [] }, []],
    [['a', 'b'], { add: ['c'], remove: ['c'] }, ['a', 'b']], // remove wins
    [['a'], { remove: ['zzz'] }, ['a']],
    [['b', 'a'], {}, ['b', 'a']], // order kept
  ];
  it.each(CASES)('%j with %j → %j', (current, change, result) => {
    expect(changeTags(current, change)).toEqual(result);
  });
});
