import { describe, expect, it } from 'vitest';
import { facetKey, facetRuns, poolingNote, POOLED_FACET, type FacetRun } from './facets';

const run = (id: number, taskId: number | null, datasetFrames: number | null, taskName: string | null = null): FacetRun => ({
  id,
  taskId,
  taskName,
  datasetFrames,
});

describe('facetRuns', () => {
  const runs = [run(1, 2, 640, 'weighing'), run(2, 1, 768), run(3, 1, 1152), run(4, 2, 640), run(5, null, null), run(6, 1, null)];

  it('one facet per task × dataset size, in task then size order (unknown last)', () => {
    const facets = facetRuns(runs, false);
    expect(facets.map((f) => [f.key, f.runIds])).toEqual([
      ['task1|frames768', [2]],
      ['task1|frames1152', [3]],
      ['task1|frames?', [6]],
      ['task2|frames640', [1, 4]],
      ['task?|frames?', [5]],
    ]);
    // the size is named only where one task has several in view
    expect(facets.map((f) => f.label)).toEqual([
      'task 1 · 768 frames',
      'task 1 · 1,152 frames',
      'task 1 · dataset size unknown',
      'task 2 · weighing',
      'task unknown',
    ]);
  });

  it('pooled: one facet with every run', () => {
    expect(facetRuns(runs, true)).toEqual([
      { key: POOLED_FACET, label: 'all tasks pooled', taskId: null, taskName: null, datasetFrames: null, runIds: [1, 2, 3, 4, 5, 6] },
    ]);
    expect(facetKey(runs[0]!, true)).toBe(POOLED_FACET);
  });
});

describe('poolingNote', () => {
  it.each([
    [[run(1, 1, 10), run(2, 1, 10)], null],
    [[run(1, 1, 10), run(2, 2, 10)], /mixes tasks 1, 2, whose losses are not comparable/],
    [[run(1, 1, 10), run(2, 1, 20)], /mixes 2 dataset sizes of task 1 \(10 frames, 20 frames\)/],
  ] as const)('says plainly what a pooled view mixes (%#)', (runs, expected) => {
    const note = poolingNote(runs);
    if (expected === null) expect(note).toBeNull();
    else expect(note).toMatch(expected);
  });
});
