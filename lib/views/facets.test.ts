import { describe, expect, it } from 'vitest';
import { experimentFolder, facetKey, facetRuns, poolingNote, POOLED_FACET, type FacetRun } from './facets';

const run = (
  id: number,
  taskId: number | null,
  datasetFrames: number | null,
  taskName: string | null = null,
  dataset: string | null = null,
): FacetRun => ({
  id,
  taskId,
  taskName,
  datasetFrames,
  dataset,
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
      {
        key: POOLED_FACET,
        label: 'all tasks pooled',
        taskId: null,
        taskName: null,
        datasetFrames: null,
        dataset: null,
        experiment: null,
        runIds: [1, 2, 3, 4, 5, 6],
      },
    ]);
    expect(facetKey(runs[0]!, true)).toBe(POOLED_FACET);
  });
});

describe('runs without a task id: their dataset is their task (LeRobot)', () => {
  const lerobot = [
    run(1, null, 12005, null, 'kuavo/task2_weighing'),
    run(2, null, 12005, null, 'kuavo/task2_weighing'),
    run(3, null, 48211, null, 'lerobot/svla_so100_pickplace'),
    run(4, null, null),
    run(5, 1, 768, 'moving_grasp', 'ignored/with-a-task-id'),
    run(6, null, 9000, null, 'kuavo/task2_weighing'),
  ];

  it('one facet per dataset (and size), after the tasks, labelled with the dataset name; neither → task unknown', () => {
    const facets = facetRuns(lerobot, false);
    expect(facets.map((f) => [f.key, f.label, f.dataset, f.runIds])).toEqual([
      ['task1|frames768', 'task 1 · moving_grasp', null, [5]],
      ['dataset:kuavo/task2_weighing|frames9000', 'kuavo/task2_weighing · 9,000 frames', 'kuavo/task2_weighing', [6]],
      ['dataset:kuavo/task2_weighing|frames12005', 'kuavo/task2_weighing · 12,005 frames', 'kuavo/task2_weighing', [1, 2]],
      ['dataset:lerobot/svla_so100_pickplace|frames48211', 'lerobot/svla_so100_pickplace', 'lerobot/svla_so100_pickplace', [3]],
      ['task?|frames?', 'task unknown', null, [4]],
    ]);
  });

  it('facetKey keeps its signature: a run without `dataset` keys as before', () => {
    expect(facetKey({ taskId: null, datasetFrames: 10 }, false)).toBe('task?|frames10');
    expect(facetKey({ taskId: 3, datasetFrames: null }, false)).toBe('task3|frames?');
    expect(facetKey({ taskId: null, datasetFrames: 10, dataset: 'a/b' }, false)).toBe('dataset:a/b|frames10');
    expect(facetKey({ taskId: 3, datasetFrames: 10, dataset: 'a/b' }, false)).toBe('task3|frames10');
  });

  it('a pooled view names the datasets it mixes', () => {
    expect(poolingNote([lerobot[0]!, lerobot[2]!])).toMatch(/mixes tasks kuavo\/task2_weighing, lerobot\/svla_so100_pickplace/);
    expect(poolingNote([lerobot[0]!, lerobot[5]!])).toMatch(
      /mixes 2 dataset sizes of kuavo\/task2_weighing \(9,000 frames, 12,005 frames\)/,
    );
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

describe('runs with neither task id nor dataset: faceted by their experiment folder, never pooled with unrelated runs', () => {
  // The realistic mix's TensorBoard runs: before, all of them were one facet "task unknown" whose mean final
  // train loss averaged Stable-Baselines3's PPO loss (10,185) with classifiers' (~0.3).
  const tb = (id: number, runDir: string): FacetRun & { runDir: string } => ({
    id,
    taskId: null,
    taskName: null,
    datasetFrames: null,
    dataset: null,
    experiment: experimentFolder({ identity: `dir:${runDir}`, outputDir: null, sourcePath: `${runDir}/events.out.tfevents.1` }),
    runDir,
  });

  it.each([
    [
      'an event-file run: the parent of its run directory',
      {
        identity: 'dir:/m/tensorboard/huggingface/runs/run0',
        outputDir: null,
        sourcePath: '/m/tensorboard/huggingface/runs/run0/events.out.tfevents.1',
      },
      '/m/tensorboard/huggingface/runs',
    ],
    [
      'a run directory written with a trailing slash',
      { identity: 'dir:/m/sb3/logs/PPO_3/', outputDir: null, sourcePath: '/m/sb3/logs/PPO_3/train/ev' },
      '/m/sb3/logs',
    ],
    ['a run known by its output directory', { identity: null, outputDir: '/out/exp7/run_3', sourcePath: '/logs/train.log' }, '/out/exp7'],
    ['a console log alone: the folder it is in', { identity: null, outputDir: null, sourcePath: '/logs/exp9/train.log' }, '/logs/exp9'],
    [
      'a team run-directory identity (not dir:): the output directory',
      { identity: 'task1_x/smolvla_sequential/run_1', outputDir: 'outputs/train/task1_x/smolvla_sequential/run_1', sourcePath: '/a/b.log' },
      'outputs/train/task1_x/smolvla_sequential',
    ],
    ['a Windows path', { identity: null, outputDir: null, sourcePath: 'C:\\runs\\exp1\\train.log' }, 'C:\\runs\\exp1'],
    ['nothing known', { identity: null, outputDir: null, sourcePath: null }, null],
    ['a bare file name', { identity: null, outputDir: null, sourcePath: 'train.log' }, null],
  ] as const)('experimentFolder: %s', (_name, run, expected) => {
    expect(experimentFolder(run)).toBe(expected);
  });

  it.each([
    ['a task id wins', { taskId: 2, datasetFrames: 640, dataset: null, experiment: '/m/a' }, 'task2|frames640'],
    [
      'a dataset wins over the folder',
      { taskId: null, datasetFrames: null, dataset: 'kuavo/t2', experiment: '/m/a' },
      'dataset:kuavo/t2|frames?',
    ],
    [
      'neither: the experiment folder',
      { taskId: null, datasetFrames: null, dataset: null, experiment: '/m/tb/sb3/logs' },
      'folder:/m/tb/sb3/logs|frames?',
    ],
    ['an empty dataset counts as none', { taskId: null, datasetFrames: null, dataset: '', experiment: '/m/x' }, 'folder:/m/x|frames?'],
    ['none of them: task unknown', { taskId: null, datasetFrames: null, dataset: null, experiment: null }, 'task?|frames?'],
  ] as const)('facetKey: %s', (_name, run, expected) => {
    expect(facetKey(run, false)).toBe(expected);
    expect(facetKey(run, true)).toBe(POOLED_FACET);
  });

  it('the mix: unrelated TensorBoard runs get a facet per experiment folder, labelled with it; runs of one folder share one', () => {
    const runs = [
      tb(1, '/m/tensorboard/sb3/logs/PPO_3'),
      tb(2, '/m/tensorboard/huggingface/runs/run0'),
      tb(3, '/m/tensorboard/huggingface/runs/run1'),
      tb(4, '/m/tensorboard/lightning/fractaldb/lightning_logs/version_0'),
      tb(5, '/m/tensorboard/lightning/weather-predder/lightning_logs/version_11'),
      run(6, 1, 768, 'moving_grasp'),
    ];
    const facets = facetRuns(runs, false);
    expect(facets.map((f) => [f.label, f.runIds])).toEqual([
      ['task 1 · moving_grasp', [6]],
      ['folder huggingface/runs', [2, 3]],
      ['folder fractaldb/lightning_logs', [4]],
      ['folder weather-predder/lightning_logs', [5]],
      ['folder sb3/logs', [1]],
    ]);
    expect(facets.find((f) => f.runIds.includes(1))?.experiment).toBe('/m/tensorboard/sb3/logs');
    expect(poolingNote(runs)).toMatch(/mixes tasks 1, folder huggingface\/runs, folder fractaldb\/lightning_logs/);
    expect(facetRuns(runs, true)).toHaveLength(1);
  });
});
