import { describe, expect, it } from 'vitest';
import { provenLastStep, statusFromCheckpoints } from './artefacts';

describe('statusFromCheckpoints (one table)', () => {
  it.each([
    // status, newest checkpoint, configured steps → status
    ['running', 20000, 20000, 'completed'], // checkpoints/020000 of a 20,000-step run: done
    ['stale', 20000, 20000, 'completed'], // a run known only from its folders, swept stale
    ['crashed', 20000, 20000, 'completed'], // a traceback after the last save (eval, upload)
    ['stopped', 30000, 20000, 'completed'], // past the configured steps
    ['running', 10000, 20000, 'running'], // short of it: nothing about the end
    ['stale', 20000, 30000, 'stale'], // resumed with --steps=30000: not done
    ['running', 20000, null, 'running'], // no configured steps: unknown
    ['running', null, 20000, 'running'], // no checkpoint
    ['running', 0, 0, 'running'], // a configured 0 steps proves nothing
    ['completed', 10000, 20000, 'completed'], // never taken back
  ] as const)('%s, newest %s, steps %s → %s', (status, newest, steps, want) => {
    expect(statusFromCheckpoints(status, newest, steps)).toBe(want);
  });
});

describe('provenLastStep', () => {
  it('the larger of the last logged step and the newest checkpoint', () => {
    expect(provenLastStep(null, null)).toBeNull();
    expect(provenLastStep(null, 20000)).toBe(20000);
    expect(provenLastStep(19800, 20000)).toBe(20000);
    expect(provenLastStep(20200, 20000)).toBe(20200);
    expect(provenLastStep(500, null)).toBe(500);
  });
});
