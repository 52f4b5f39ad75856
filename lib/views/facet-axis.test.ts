// The compare facets' axis rule (./facet-axis.ts): one table of cases.
import { describe, expect, it } from 'vitest';
import { facetAxis, noLossReason, type FacetAxis, type RunAxes } from './facet-axis';
import type { XAxis } from './axes';

/** A run with points on the axes named in `axes` ('' = none). */
const run = (id: number, axes: string, noLoss = 'no loss recorded'): RunAxes => ({
  id,
  epoch: axes.includes('e'),
  step: axes.includes('s'),
  time: axes.includes('t'),
  noLoss,
});

const CKPT = 'known only from checkpoint folders (step 20,000 of 20,000), no loss logged';
const TB = 'event files without a loss Thaw charts here';

const CASES: [string, XAxis, RunAxes[], FacetAxis][] = [
  ['SmolVLA runs on the asked epoch axis: drawn, nothing to say', 'epoch', [run(1, 'est'), run(2, 'es')], { x: 'epoch', note: null }],
  [
    'LeRobot step-only runs on the default epoch axis open by step',
    'epoch',
    [run(3, 's'), run(4, 'st')],
    { x: 'step', note: 'By step (no epochs logged).' },
  ],
  ['step-only runs asked by step: drawn', 'step', [run(3, 's')], { x: 'step', note: null }],
  [
    'asked by wall time, runs without timing: by step',
    'time',
    [run(3, 's'), run(5, 'es')],
    { x: 'step', note: 'By step (no wall time logged).' },
  ],
  [
    'asked by wall time, runs with epochs only (no steps, no timing): by epoch',
    'time',
    [run(6, 'e')],
    { x: 'epoch', note: 'By epoch (no wall time logged).' },
  ],
  ['asked by step, epoch-only runs: by epoch', 'step', [run(6, 'e')], { x: 'epoch', note: 'By epoch (no steps logged).' }],
  ['a run known only from checkpoint folders: no chart, and why', 'epoch', [run(7, '', CKPT)], { x: null, note: `No chart: #7: ${CKPT}.` }],
  [
    'no run has anything: the reasons grouped',
    'step',
    [run(7, '', CKPT), run(8, '', TB), run(9, '', TB)],
    { x: null, note: `No chart: #7: ${CKPT}; #8 and #9: ${TB}.` },
  ],
  [
    'a drawn facet names the runs it leaves out (step-only runs next to event-file runs without a loss)',
    'epoch',
    [run(10, 's'), run(11, ''), run(12, '', TB), run(13, '', TB), run(14, '', TB), run(15, '', TB), run(16, '', TB)],
    {
      x: 'step',
      note: `By step (no epochs logged). Not drawn: #11: no loss recorded; #12, #13, #14 and 2 more: ${TB}.`,
    },
  ],
  [
    'on the asked axis, a run that has only another axis is named with the axis it has',
    'time',
    [run(17, 'est'), run(18, 'es')],
    { x: 'time', note: 'Not drawn: #18: only by epoch and by step.' },
  ],
  ['an empty facet: no chart', 'epoch', [], { x: null, note: 'No chart: no runs.' }],
];

describe('facetAxis', () => {
  it.each(CASES)('%s', (_name, requested, runs, expected) => {
    expect(facetAxis(requested, runs)).toEqual(expected);
  });
});

describe('noLossReason', () => {
  const row = { format: 'smolvla_sequential', status: 'completed', lastStep: null, totalSteps: null, epochsDone: 0 };
  it.each([
    ['LeRobot checkpoints alone', { ...row, format: 'lerobot', lastStep: 20000, totalSteps: 20000 }, CKPT],
    [
      'LeRobot checkpoints alone, total unknown',
      { ...row, format: 'lerobot', lastStep: 5000 },
      'known only from checkpoint folders (step 5,000), no loss logged',
    ],
    ['event files without a loss Thaw reads', { ...row, format: 'tensorboard', status: 'running' }, TB],
    ['a log that has printed no loss yet', { ...row, status: 'running' }, 'no loss logged yet'],
    ['a finished run without a loss', row, 'no loss recorded'],
  ])('%s', (_name, input, expected) => {
    expect(noLossReason(input)).toBe(expected);
  });
});
