// Which event files form which run (./run-layout.ts): one table of layouts, then the real fixtures'
// whole tree.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { eventFileContent, groupEventFiles, type EventFileContent, type FoundEventFile } from './run-layout';
import { readRun } from '../../testkit/tb-reference';

type Case = {
  name: string;
  files: [path: string, content: EventFileContent][];
  known?: string[];
  /** runDir → [file, dir] of its files; runs in runDir order. */
  runs: Record<string, [string, string][]>;
  unattached?: string[];
  identities?: Record<string, string>;
};

const T = 'events.out.tfevents.1700000000.host.1.0';
const CASES: Case[] = [
  {
    name: 'all files of one folder are one run (a SummaryWriter restarted in the same folder)',
    files: [
      ['/d/runs/exp1/events.out.tfevents.1.host.1.0', 'scalars'],
      ['/d/runs/exp1/events.out.tfevents.2.host.2.0', 'scalars'],
      ['/d/runs/exp2/events.out.tfevents.3.host.3.0', 'scalars'],
    ],
    runs: {
      '/d/runs/exp1': [
        ['/d/runs/exp1/events.out.tfevents.1.host.1.0', ''],
        ['/d/runs/exp1/events.out.tfevents.2.host.2.0', ''],
      ],
      '/d/runs/exp2': [['/d/runs/exp2/events.out.tfevents.3.host.3.0', '']],
    },
    identities: { '/d/runs/exp1': 'dir:/d/runs/exp1' },
  },
  {
    name: "Keras fit: train/ and validation/ are one run, the log_dir's",
    files: [
      ['/d/logs/fit/20210605-165835/train/events.out.tfevents.1622892515.ABHI-MEC.9284.191913.v2', 'scalars'],
      ['/d/logs/fit/20210605-165835/validation/events.out.tfevents.1622892586.ABHI-MEC.9284.197945.v2', 'scalars'],
      ['/d/logs/fit/20210605-170815/train/events.out.tfevents.1622893095.ABHI-MEC.9284.202558.v2', 'scalars'],
      ['/d/logs/fit/20210605-170815/validation/events.out.tfevents.1622893172.ABHI-MEC.9284.208746.v2', 'scalars'],
    ],
    runs: {
      '/d/logs/fit/20210605-165835': [
        ['/d/logs/fit/20210605-165835/train/events.out.tfevents.1622892515.ABHI-MEC.9284.191913.v2', 'train'],
        ['/d/logs/fit/20210605-165835/validation/events.out.tfevents.1622892586.ABHI-MEC.9284.197945.v2', 'validation'],
      ],
      '/d/logs/fit/20210605-170815': [
        ['/d/logs/fit/20210605-170815/train/events.out.tfevents.1622893095.ABHI-MEC.9284.202558.v2', 'train'],
        ['/d/logs/fit/20210605-170815/validation/events.out.tfevents.1622893172.ABHI-MEC.9284.208746.v2', 'validation'],
      ],
    },
  },
  {
    name: "Keras: the profiler's header-only file in train/ joins the fit; a fit without validation data is still the log_dir's run",
    files: [
      ['/d/tb/b0/20210516-193051/train/events.out.tfevents.1621173677.ABHI-MEC.profile-empty', 'empty'],
      ['/d/tb/b0/20210516-193051/validation/events.out.tfevents.1621173686.ABHI-MEC.14420.150667.v2', 'scalars'],
      ['/d/tb/b1/20210517-000000/train/events.out.tfevents.1.h.1.0.v2', 'scalars'],
    ],
    runs: {
      '/d/tb/b0/20210516-193051': [
        ['/d/tb/b0/20210516-193051/train/events.out.tfevents.1621173677.ABHI-MEC.profile-empty', 'train'],
        ['/d/tb/b0/20210516-193051/validation/events.out.tfevents.1621173686.ABHI-MEC.14420.150667.v2', 'validation'],
      ],
      '/d/tb/b1/20210517-000000': [['/d/tb/b1/20210517-000000/train/events.out.tfevents.1.h.1.0.v2', 'train']],
    },
  },
  {
    name: 'TF Estimator: eval/ is a part of the model_dir run',
    files: [
      ['/d/model/events.out.tfevents.1.h', 'scalars'],
      ['/d/model/eval/events.out.tfevents.2.h', 'scalars'],
    ],
    runs: {
      '/d/model': [
        ['/d/model/eval/events.out.tfevents.2.h', 'eval'],
        ['/d/model/events.out.tfevents.1.h', ''],
      ],
    },
  },
  {
    name: "Lightning: version_N is one run (fit and a later Trainer call that only logged hparams); hparams.yaml's beside",
    files: [
      ['/d/lightning_logs/version_1/events.out.tfevents.1672502516.U.7190.0', 'scalars'],
      ['/d/lightning_logs/version_1/events.out.tfevents.1672502821.U.7190.1', 'hparams'],
      ['/d/lightning_logs/version_2/events.out.tfevents.1672503048.U.7914.0', 'scalars'],
    ],
    runs: {
      '/d/lightning_logs/version_1': [
        ['/d/lightning_logs/version_1/events.out.tfevents.1672502516.U.7190.0', ''],
        ['/d/lightning_logs/version_1/events.out.tfevents.1672502821.U.7190.1', ''],
      ],
      '/d/lightning_logs/version_2': [['/d/lightning_logs/version_2/events.out.tfevents.1672503048.U.7914.0', '']],
    },
  },
  {
    name: 'Lightning killed before its first log (hparams only): no run',
    files: [['/d/lightning_logs/version_0/events.out.tfevents.1614280815.DESKTOP.8616.0', 'hparams']],
    runs: {},
    unattached: ['/d/lightning_logs/version_0/events.out.tfevents.1614280815.DESKTOP.8616.0'],
  },
  {
    name: "Hugging Face Trainer: the hparams sub-folder (add_hparams' <time.time()>/) joins the run above it",
    files: [
      ['/d/out/runs/Dec16_10-46-39_ficino/events.out.tfevents.1671184017.ficino.2197429.0', 'scalars'],
      ['/d/out/runs/Dec16_10-46-39_ficino/1671184017.5168378/events.out.tfevents.1671184017.ficino.2197429.1', 'hparams'],
      ['/d/out/runs/Dec16_13-53-55_ficino/events.out.tfevents.1671195253.ficino.3283527.0', 'scalars'],
      ['/d/out/runs/Dec16_13-53-55_ficino/1671195253.506026/events.out.tfevents.1671195253.ficino.3283527.1', 'session'],
    ],
    runs: {
      '/d/out/runs/Dec16_10-46-39_ficino': [
        ['/d/out/runs/Dec16_10-46-39_ficino/1671184017.5168378/events.out.tfevents.1671184017.ficino.2197429.1', '1671184017.5168378'],
        ['/d/out/runs/Dec16_10-46-39_ficino/events.out.tfevents.1671184017.ficino.2197429.0', ''],
      ],
      '/d/out/runs/Dec16_13-53-55_ficino': [
        ['/d/out/runs/Dec16_13-53-55_ficino/1671195253.506026/events.out.tfevents.1671195253.ficino.3283527.1', '1671195253.506026'],
        ['/d/out/runs/Dec16_13-53-55_ficino/events.out.tfevents.1671195253.ficino.3283527.0', ''],
      ],
    },
  },
  {
    name: 'Hugging Face run killed before its first log: the header-only file and its hparams sub-folder make no run',
    files: [
      ['/d/out/runs/Dec30_05-50-47_ficino/events.out.tfevents.1672375864.ficino.2745717.0', 'empty'],
      ['/d/out/runs/Dec30_05-50-47_ficino/1672375864.9455469/events.out.tfevents.1672375864.ficino.2745717.1', 'hparams'],
    ],
    runs: {},
    unattached: [
      '/d/out/runs/Dec30_05-50-47_ficino/1672375864.9455469/events.out.tfevents.1672375864.ficino.2745717.1',
      '/d/out/runs/Dec30_05-50-47_ficino/events.out.tfevents.1672375864.ficino.2745717.0',
    ],
  },
  {
    name: 'TF HParams API: the experiment file makes no run; each session folder is a run, its logged-nothing sessions join it',
    files: [
      ['/d/logs/hparam_tuning/events.out.tfevents.1625676056.L.24356.38594.v2', 'hparams'],
      ['/d/logs/hparam_tuning/run-0/events.out.tfevents.1625680561.L.24356.55364.v2', 'hparams'],
      ['/d/logs/hparam_tuning/run-0/events.out.tfevents.1625681315.L.24356.59162.v2', 'session'],
      ['/d/logs/hparam_tuning/run-1/events.out.tfevents.1625681415.L.24356.61364.v2', 'session'],
    ],
    runs: {
      '/d/logs/hparam_tuning/run-0': [
        ['/d/logs/hparam_tuning/run-0/events.out.tfevents.1625680561.L.24356.55364.v2', ''],
        ['/d/logs/hparam_tuning/run-0/events.out.tfevents.1625681315.L.24356.59162.v2', ''],
      ],
      '/d/logs/hparam_tuning/run-1': [['/d/logs/hparam_tuning/run-1/events.out.tfevents.1625681415.L.24356.61364.v2', '']],
    },
    unattached: ['/d/logs/hparam_tuning/events.out.tfevents.1625676056.L.24356.38594.v2'],
  },
  {
    name: 'PyTorch add_hparams with metrics in a run: the session sub-folder joins it',
    files: [
      ['/d/runs/exp/events.out.tfevents.1.h.1.0', 'scalars'],
      ['/d/runs/exp/1700000000.25/events.out.tfevents.2.h.1.1', 'session'],
    ],
    runs: {
      '/d/runs/exp': [
        ['/d/runs/exp/1700000000.25/events.out.tfevents.2.h.1.1', '1700000000.25'],
        ['/d/runs/exp/events.out.tfevents.1.h.1.0', ''],
      ],
    },
  },
  {
    name: 'Stable-Baselines3: PPO_N are runs; a header-only PPO_N joins the run above it when there is one',
    files: [
      ['/d/logs/events.out.tfevents.1675731379.N.41356.0', 'scalars'],
      ['/d/logs/PPO_3/events.out.tfevents.1675731057.N.36460.0', 'scalars'],
      ['/d/logs/PPO_7/events.out.tfevents.1675736630.N.3544.1', 'empty'],
      ['/d/other/PPO_1/events.out.tfevents.1.N.1.0', 'empty'],
    ],
    runs: {
      '/d/logs': [
        ['/d/logs/PPO_7/events.out.tfevents.1675736630.N.3544.1', 'PPO_7'],
        ['/d/logs/events.out.tfevents.1675731379.N.41356.0', ''],
      ],
      '/d/logs/PPO_3': [['/d/logs/PPO_3/events.out.tfevents.1675731057.N.36460.0', '']],
    },
    unattached: ['/d/other/PPO_1/events.out.tfevents.1.N.1.0'],
  },
  {
    name: "the team's outputs/train/<task>/<method>/run_<ts>/: the run its log and Hydra config name",
    files: [
      [`/w/outputs/train/task_1000_episodes/diffusion_bs64_usedepth_nofuse/run_20251020_150000/${T}`, 'scalars'],
      [`/w/outputs/train/task1_moving_grasp/hierarchical_humanoid_v2/run_20251021_093000/${T}`, 'scalars'],
    ],
    runs: {
      '/w/outputs/train/task1_moving_grasp/hierarchical_humanoid_v2/run_20251021_093000': [
        [`/w/outputs/train/task1_moving_grasp/hierarchical_humanoid_v2/run_20251021_093000/${T}`, ''],
      ],
      '/w/outputs/train/task_1000_episodes/diffusion_bs64_usedepth_nofuse/run_20251020_150000': [
        [`/w/outputs/train/task_1000_episodes/diffusion_bs64_usedepth_nofuse/run_20251020_150000/${T}`, ''],
      ],
    },
    identities: {
      '/w/outputs/train/task1_moving_grasp/hierarchical_humanoid_v2/run_20251021_093000':
        'task1_moving_grasp/hierarchical_humanoid_v2/run_20251021_093000',
      '/w/outputs/train/task_1000_episodes/diffusion_bs64_usedepth_nofuse/run_20251020_150000':
        'task_1000_episodes/diffusion_bs64_usedepth_nofuse/run_20251020_150000',
    },
  },
  {
    name: "a SmolVLA run's event file before its first epoch ends (header only) joins the run its console log and Hydra config make",
    files: [[`/w/outputs/train/task2_weighing/smolvla_sequential/run_20251121_080000/${T}`, 'empty']],
    known: ['/w/outputs/train/task2_weighing/smolvla_sequential/run_20251121_080000'],
    runs: {
      '/w/outputs/train/task2_weighing/smolvla_sequential/run_20251121_080000': [
        [`/w/outputs/train/task2_weighing/smolvla_sequential/run_20251121_080000/${T}`, ''],
      ],
    },
    identities: {
      '/w/outputs/train/task2_weighing/smolvla_sequential/run_20251121_080000': 'task2_weighing/smolvla_sequential/run_20251121_080000',
    },
  },
  {
    name: '… and without such a run, it makes none',
    files: [[`/w/outputs/train/task2_weighing/smolvla_sequential/run_20251121_080000/${T}`, 'empty']],
    runs: {},
    unattached: [`/w/outputs/train/task2_weighing/smolvla_sequential/run_20251121_080000/${T}`],
  },
  {
    name: 'a scalar-free file joins the nearest run above, not a farther one',
    files: [
      ['/d/a/events.out.tfevents.1.h', 'scalars'],
      ['/d/a/b/events.out.tfevents.2.h', 'scalars'],
      ['/d/a/b/c/d/events.out.tfevents.3.h', 'empty'],
    ],
    runs: {
      '/d/a': [['/d/a/events.out.tfevents.1.h', '']],
      '/d/a/b': [
        ['/d/a/b/c/d/events.out.tfevents.3.h', 'c/d'],
        ['/d/a/b/events.out.tfevents.2.h', ''],
      ],
    },
  },
];

describe('groupEventFiles', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const layout = groupEventFiles(
        c.files.map(([file, content]) => ({ path: file, content })),
        c.known,
      );
      expect(Object.fromEntries(layout.runs.map((run) => [run.runDir, run.files.map((f) => [f.path, f.dir])]))).toEqual(c.runs);
      expect(layout.runs.map((run) => run.runDir)).toEqual(Object.keys(c.runs).sort());
      expect(layout.unattached.map((f) => f.path)).toEqual(c.unattached ?? []);
      for (const [runDir, identity] of Object.entries(c.identities ?? {}))
        expect(layout.runs.find((run) => run.runDir === runDir)?.identity).toBe(identity);
      // Every file is in exactly one run or unattached.
      const placed = [...layout.runs.flatMap((run) => run.files.map((f) => f.path)), ...layout.unattached.map((f) => f.path)];
      expect(placed.sort()).toEqual(c.files.map(([file]) => file).sort());
    });
  }

  it('does not depend on the order the files are found in', () => {
    for (const c of CASES) {
      const files: FoundEventFile[] = c.files.map(([file, content]) => ({ path: file, content }));
      expect(groupEventFiles([...files].reverse(), c.known)).toEqual(groupEventFiles(files, c.known));
    }
  });
});

describe('eventFileContent', () => {
  const cases: [string, Parameters<typeof eventFileContent>[0], EventFileContent][] = [
    ['scalars', { tags: [{ tag: 'loss', count: 3 }], hparams: false }, 'scalars'],
    ['one point is still a run', { tags: [{ tag: 'loss', count: 1 }], hparams: false }, 'scalars'],
    ['Lightning hparams with its placeholder hp_metric', { tags: [{ tag: 'hp_metric', count: 1 }], hparams: true }, 'hparams'],
    [
      'Lightning run: hparams and series',
      {
        tags: [
          { tag: 'hp_metric', count: 2 },
          { tag: 'train_loss_step', count: 78 },
        ],
        hparams: true,
      },
      'scalars',
    ],
    ['HParams session: one value per metric', { tags: [{ tag: 'accuracy', count: 1 }], hparams: true }, 'session'],
    ['HF hparams sub-folder', { tags: [], hparams: true }, 'hparams'],
    ['header only', { tags: [], hparams: false }, 'empty'],
    ['only hp_metric, no hparams', { tags: [{ tag: 'hp_metric', count: 1 }], hparams: false }, 'empty'],
  ];
  for (const [name, input, expected] of cases) it(name, () => expect(eventFileContent(input)).toBe(expected));
});

describe('the real fixtures, grouped', () => {
  const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../tests/fixtures/tfevents-real');
  const found: FoundEventFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.includes('tfevents')) {
        const raw = readFileSync(full);
        // Contents by the independent reference decoder.
        const run = readRun([entry.name.endsWith('.gz') ? gunzipSync(raw) : raw]);
        const tags = [...run.scalars].map(([tag, points]) => ({ tag, count: points.length }));
        found.push({ path: full.replace(/\.gz$/, ''), content: eventFileContent({ tags, hparams: (run.others.get('hparams') ?? 0) > 0 }) });
      }
    }
  };
  walk(ROOT);

  it('every writer: the runs people mean', () => {
    const layout = groupEventFiles(found);
    const rel = (p: string) => path.relative(ROOT, p);
    const runs = Object.fromEntries(layout.runs.map((run) => [rel(run.runDir), run.files.map((f) => `${f.dir}:${path.basename(f.path)}`)]));
    const fit = 'keras/tensorboard_logs/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent';
    expect(runs[`${fit}/feature_extraction/20210605-165835`]).toEqual([
      'train:events.out.tfevents.1622892515.ABHI-MEC.9284.191913.v2',
      'validation:events.out.tfevents.1622892586.ABHI-MEC.9284.197945.v2',
    ]);
    expect(runs['keras/tensorboard_logs/10_food_multiclass_classification/efficientnet_b0/20210516-193051']).toEqual([
      'train:events.out.tfevents.1621173677.ABHI-MEC.profile-empty',
      'validation:events.out.tfevents.1621173686.ABHI-MEC.14420.150667.v2',
    ]);
    expect(runs['lightning/weather-predder/lightning_logs/version_1']).toEqual([
      ':events.out.tfevents.1672502516.U-C02ZQ5BKMD6R.7190.0',
      ':events.out.tfevents.1672502821.U-C02ZQ5BKMD6R.7190.1',
    ]);
    expect(runs['sb3/logs']).toEqual([
      'PPO_7:events.out.tfevents.1675736630.Nikhil-3080.3544.1',
      ':events.out.tfevents.1675731379.Nikhil-3080.41356.0',
    ]);
    expect(runs['tf-summary/logs/hparam_tuning/run-0']).toHaveLength(3);
    expect(Object.keys(runs).sort()).toEqual(
      [
        `${fit}/feature_extraction/20210605-165835`,
        `${fit}/fine_tuning/20210605-170815`,
        'keras/tensorboard_logs/10_food_multiclass_classification/efficientnet_b0/20210516-193051',
        'huggingface/runs/run0',
        'huggingface/runs/run1',
        'lightning/fractaldb/lightning_logs/version_0',
        'lightning/weather-predder/lightning_logs/version_1',
        'lightning/weather-predder/lightning_logs/version_11',
        ...['duplicate_steps', 'lax', 'strict'].flatMap((kind) => [1, 2, 3].map((n) => `pytorch/runs/${kind}/run_${n}`)),
        'sb3/logs',
        'sb3/logs/PPO_3',
        ...[0, 1, 2, 3].map((n) => `tf-summary/logs/hparam_tuning/run-${n}`),
      ].sort(),
    );
    expect(layout.unattached.map((f) => rel(f.path)).sort()).toEqual([
      'lightning/transformers-t5/lightning_logs/version_0/events.out.tfevents.1614280815.DESKTOP-H8MFNAV.8616.0',
      'tf-summary/logs/hparam_tuning/events.out.tfevents.1625676056.LAPTOP-L8IF378O.24356.38594.v2',
    ]);
  });
});
