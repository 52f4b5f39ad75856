import { describe, expect, it } from 'vitest';
import { STAGE_LINK_CASES } from './stage-link.cases';
import { isCheckpointOf, normaliseRunPath, stageDirCandidates } from './stage-link';

describe('stage-link rule', () => {
  it.each(STAGE_LINK_CASES)('$resumePath → $outputDir: $links', ({ outputDir, resumePath, links }) => {
    expect(isCheckpointOf(outputDir, resumePath)).toBe(links);
  });

  it('normalises spelling only', () => {
    expect(normaliseRunPath('./a//b/')).toBe('a/b');
    expect(normaliseRunPath('a\\b\\best\\')).toBe('a/b/best');
    expect(normaliseRunPath('/abs/run/')).toBe('/abs/run');
    expect(normaliseRunPath('./')).toBe('');
    expect(normaliseRunPath('/')).toBe('/');
  });

  it('candidates: the path and, for a checkpoint name, its directory', () => {
    expect(stageDirCandidates('a/run/best')).toEqual(['a/run/best', 'a/run']);
    expect(stageDirCandidates('a/run/epoch7/')).toEqual(['a/run/epoch7', 'a/run']);
    expect(stageDirCandidates('a/run')).toEqual(['a/run']);
    expect(stageDirCandidates('best')).toEqual(['best']);
    expect(stageDirCandidates('')).toEqual([]);
  });
});
