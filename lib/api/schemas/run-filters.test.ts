import { describe, expect, it } from 'vitest';
import { compareQuery } from './compare';
import { hasRunFilter, RUN_FILTERS, runFilterFields, type RunFilterValues } from './run-filters';
import { runsQuery } from './runs';

describe('run filters', () => {
  it('the runs listing and the compare page take the same filter fields', () => {
    for (const key of Object.keys(runFilterFields)) {
      expect(runsQuery.shape).toHaveProperty(key);
      expect(compareQuery.shape).toHaveProperty(key);
      expect(RUN_FILTERS).toHaveProperty(key);
    }
  });

  const cases: [string, RunFilterValues, boolean][] = [
    ['nothing', {}, false],
    ['an empty search', { q: '' }, false],
    ['a search', { q: 'pick' }, true],
    ['a task', { task: [1] }, true],
    ['a tag', { tag: ['baseline'] }, true],
    ['unstarred only', { starred: false }, true],
    ['starred only', { starred: true }, true],
  ];
  it.each(cases)('%s narrows the runs: %s', (_name, values, expected) => {
    expect(hasRunFilter(values)).toBe(expected);
  });

  it('a starred filter reads as words in the report header', () => {
    expect(['1', 'true', '0', 'false'].map((raw) => RUN_FILTERS.starred.text?.(raw))).toEqual([
      'starred only',
      'starred only',
      'unstarred only',
      'unstarred only',
    ]);
  });

  it('parses a compare URL with a tag and the starred flag', () => {
    const parsed = compareQuery.parse({ tag: 'a,b', starred: '1' });
    expect([parsed.tag, parsed.starred]).toEqual([['a', 'b'], true]);
  });
});
