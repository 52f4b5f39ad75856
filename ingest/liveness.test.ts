import { describe, expect, it } from 'vitest';
import { Liveness, type LivenessOptions } from './liveness';

const CASES: { name: string; options: LivenessOptions; before: boolean; after: boolean }[] = [
  { name: 'backfill (--once)', options: {}, before: false, after: false },
  { name: 'backfill, even for a file that appeared late', options: { liveFromStart: true }, before: false, after: false },
  { name: 'following: history first, then live', options: { follow: true }, before: false, after: true },
  { name: 'following a source that appeared while following', options: { follow: true, liveFromStart: true }, before: true, after: true },
];

describe('Liveness', () => {
  it.each(CASES)('$name', ({ options, before, after }) => {
    const liveness = new Liveness(options);
    expect(liveness.live).toBe(before);
    liveness.reachedEnd();
    expect(liveness.live).toBe(after);
  });
});
