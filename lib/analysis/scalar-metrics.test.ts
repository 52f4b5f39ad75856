// The rule naming a run's losses and their axis (./scalar-metrics.ts): one table of cases. The real
// writers' tag lists are those of tests/fixtures/tfevents-real (counts and steps as the fixtures hold
// them, see ingest/rundir/real-fixtures.test.ts); the team's are tests/fixtures/rundirs-team/expected.json
// and tests/fixtures/rundirs (the SmolVLA trainer).
import { describe, expect, it } from 'vitest';
import {
  axisX,
  chooseMetrics,
  epochsDone,
  methodOfIdentity,
  runFormatFor,
  runProgress,
  scalarProgress,
  tagAxis,
  trainerFromMethod,
  type MetricsChoice,
  type MetricsInput,
  type TagSummary,
} from './scalar-metrics';

const tag = (t: string, count: number, firstStep: number, lastStep: number, dir = '', lastValue?: number): TagSummary => ({
  dir,
  tag: t,
  count,
  firstStep,
  lastStep,
  ...(lastValue !== undefined ? { lastValue } : {}),
});
const step = (dir: string, t: string) => ({ dir, tag: t, axis: 'step' as const });
const epoch = (dir: string, t: string) => ({ dir, tag: t, axis: 'epoch' as const });

const HF = [
  tag('train/loss', 12, 100, 1200),
  tag('train/grad_norm', 12, 100, 1200),
  tag('train/learning_rate', 12, 100, 1200),
  tag('train/epoch', 25, 100, 1200, '', 0.17777778208255768),
  tag('eval/loss', 12, 100, 1200),
  tag('eval/accuracy', 12, 100, 1200),
  tag('eval/runtime', 12, 100, 1200),
  tag('train/train_runtime', 1, 1200, 1200),
  tag('train/train_loss', 1, 1200, 1200),
];
const keras = (dir: string, first: number, last: number) =>
  ['epoch_loss', 'epoch_accuracy', 'epoch_f1'].map((t) => tag(t, last - first + 1, first, last, dir));
const SB3 = [
  'rollout/ep_len_mean',
  'rollout/ep_rew_mean',
  'time/fps',
  'train/approx_kl',
  'train/clip_fraction',
  'train/entropy_loss',
  'train/learning_rate',
  'train/loss',
  'train/policy_gradient_loss',
  'train/value_loss',
].map((t) => tag(t, 132, 10, 1320));
const FRACTALDB = [
  tag('hp_metric', 2, 0, 0, '', -1),
  tag('train_loss_step', 78, 49, 3899),
  tag('valid_loss_step/epoch_0', 157, 0, 156),
  tag('valid_loss_epoch', 2, 1718, 3437),
  tag('epoch', 4, 1718, 3437, '', 1),
  tag('train_loss_epoch', 2, 1718, 3437),
  tag('valid_loss_step/epoch_1', 157, 0, 156),
];
const NEURALPROPHET = [
  tag('hp_metric', 2, 0, 0, '', -1),
  ...['MAE', 'RMSE', 'Loss', 'RegLoss'].map((t) => tag(t, 50, 1806, 90349)),
  tag('epoch', 50, 1806, 90349, '', 49),
];
const TEAM_DIFFUSION = [tag('train/loss', 2100, 1, 2100), tag('train/lr', 2100, 1, 2100)];
const TEAM_HIERARCHICAL = [
  tag('curriculum/gait/layer_weight', 30, 310, 600),
  tag('curriculum/gait/loss', 30, 310, 600),
  tag('curriculum/safety/loss', 30, 10, 300),
  tag('hierarchical/manipulation_loss', 100, 10, 1000),
  tag('hierarchical/safety_loss', 100, 10, 1000),
  tag('performance/manipulation/inference_ms', 100, 10, 1000),
  tag('performance/safety/inference_ms', 100, 10, 1000),
  tag('train/loss', 100, 10, 1000),
  tag('train/lr', 100, 10, 1000),
];
const SMOLVLA_TASK1 = [tag('train/loss', 12, 0, 11), tag('train/lr', 12, 0, 11), tag('validation/task1_loss', 12, 0, 11)];
const SMOLVLA_TASK2 = [
  tag('train/loss', 10, 0, 9),
  tag('train/lr', 10, 0, 9),
  tag('validation/task1_loss', 5, 1, 9),
  tag('validation/task2_loss', 5, 1, 9),
];

const none: MetricsChoice = { trainer: null, train: null, val: null, epochs: null };
const KERAS_FIT: MetricsChoice = {
  trainer: 'keras',
  train: epoch('train', 'epoch_loss'),
  val: epoch('validation', 'epoch_loss'),
  epochs: { dir: 'train', tag: 'epoch_loss', from: 'step_index' },
};
/** The SmolVLA trainer's choice with its own task's validation tag (null: none). */
const smolvla = (val: string | null): MetricsChoice => ({
  trainer: 'smolvla_sequential',
  train: epoch('', 'train/loss'),
  val: val === null ? null : epoch('', val),
  epochs: { dir: '', tag: 'train/loss', from: 'step_index' },
});
const KUAVO: MetricsChoice = { trainer: 'kuavo_step', train: step('', 'train/loss'), val: null, epochs: null };
const HF_CHOICE: MetricsChoice = {
  trainer: 'huggingface',
  train: step('', 'train/loss'),
  val: step('', 'eval/loss'),
  epochs: { dir: '', tag: 'train/epoch', from: 'value_progress' },
};

const CASES: [name: string, input: MetricsInput, expected: MetricsChoice, epochsDone?: number | null][] = [
  [
    'Keras fit: epoch_loss in train/ and validation/, epoch axis',
    { tags: [...keras('train', 0, 4), ...keras('validation', 0, 4)] },
    KERAS_FIT,
    5,
  ],
  [
    'Keras fit resumed with initial_epoch: epochs counted from 0',
    { tags: [...keras('train', 4, 8), ...keras('validation', 4, 8)] },
    KERAS_FIT,
    9,
  ],
  [
    'Keras fit whose train/ file is missing: validation only',
    { tags: keras('validation', 0, 9) },
    {
      trainer: 'keras',
      train: null,
      val: epoch('validation', 'epoch_loss'),
      epochs: { dir: 'validation', tag: 'epoch_loss', from: 'step_index' },
    },
    10,
  ],
  [
    'Keras in a nested log_dir: dirs relative to the run',
    { tags: [tag('epoch_loss', 3, 0, 2, 'fit/train')] },
    {
      trainer: 'keras',
      train: epoch('fit/train', 'epoch_loss'),
      val: null,
      epochs: { dir: 'fit/train', tag: 'epoch_loss', from: 'step_index' },
    },
    3,
  ],
  [
    'Hugging Face Trainer: train/loss and eval/loss at the global step; train/epoch is progress (train/train_loss is the summary, not the curve)',
    { tags: HF },
    HF_CHOICE,
    0,
  ],
  ['Hugging Face without evaluation', { tags: HF.filter((t) => !t.tag.startsWith('eval/')) }, { ...HF_CHOICE, val: null }],
  ['Hugging Face wins over the path: a Trainer run written into the team layout', { tags: HF, method: 'diffusion_bs64' }, HF_CHOICE],
  [
    'Stable-Baselines3: train/loss at the environment step',
    { tags: SB3 },
    { trainer: 'stable_baselines3', train: step('', 'train/loss'), val: null, epochs: null },
  ],
  [
    'Stable-Baselines3 algorithm without a train/loss (A2C)',
    { tags: SB3.filter((t) => t.tag !== 'train/loss') },
    { trainer: 'stable_baselines3', train: null, val: null, epochs: null },
  ],
  [
    'Lightning on_step+on_epoch: the epoch aggregates pair, at the global step; epoch tag = index',
    { tags: FRACTALDB },
    {
      trainer: 'lightning',
      train: step('', 'train_loss_epoch'),
      val: step('', 'valid_loss_epoch'),
      epochs: { dir: '', tag: 'epoch', from: 'value_index' },
    },
    2,
  ],
  [
    'Lightning plain train_loss / val_loss',
    { tags: [tag('train_loss', 100, 49, 4949), tag('val_loss', 10, 495, 4949)] },
    { trainer: 'lightning', train: step('', 'train_loss'), val: step('', 'val_loss'), epochs: null },
  ],
  [
    'Lightning _step only',
    { tags: [tag('train_loss_step', 10, 49, 499), tag('epoch', 10, 49, 499, '', 0)] },
    { trainer: 'lightning', train: step('', 'train_loss_step'), val: null, epochs: { dir: '', tag: 'epoch', from: 'value_index' } },
    1,
  ],
  [
    "Lightning with the model's own names (NeuralProphet: Loss, Loss_val): no loss guessed, epochs still real",
    { tags: NEURALPROPHET },
    { trainer: 'lightning', train: null, val: null, epochs: { dir: '', tag: 'epoch', from: 'value_index' } },
    50,
  ],
  [
    'Lightning killed before its first log: hp_metric only',
    { tags: [tag('hp_metric', 1, 0, 0, '', -1)] },
    { trainer: 'lightning', train: null, val: null, epochs: null },
  ],
  [
    'SmolVLA trainer (path names it): train/loss and its own task validation at the 0-based epoch',
    { tags: SMOLVLA_TASK1, method: 'smolvla_sequential' },
    smolvla('validation/task1_loss'),
    12,
  ],
  [
    'SmolVLA task 2: its own task is the highest validated',
    { tags: SMOLVLA_TASK2, method: 'smolvla_sequential' },
    smolvla('validation/task2_loss'),
    10,
  ],
  ['SmolVLA with the task known', { tags: SMOLVLA_TASK2, method: 'smolvla_sequential', taskId: 1 }, smolvla('validation/task1_loss')],
  ['SmolVLA run directory copied out of the layout: its own tags say so', { tags: SMOLVLA_TASK2 }, smolvla('validation/task2_loss')],
  [
    'SmolVLA (main dbaa183+) without validation: performance tags say so',
    { tags: [tag('train/loss', 5, 0, 4), tag('train/lr', 5, 0, 4), tag('performance/batch_process_time_ms', 5, 0, 4)] },
    {
      trainer: 'smolvla_sequential',
      train: epoch('', 'train/loss'),
      val: null,
      epochs: { dir: '', tag: 'train/loss', from: 'step_index' },
    },
    5,
  ],
  [
    "the team's train_policy.py (diffusion, log_freq 1): train/loss at the global step, no validation (expected.json)",
    { tags: TEAM_DIFFUSION, method: 'diffusion_bs64_usedepth_nofuse' },
    KUAVO,
    null,
  ],
  ["the team's train_hierarchical_policy.py (expected.json)", { tags: TEAM_HIERARCHICAL, method: 'hierarchical_humanoid_v2' }, KUAVO],
  ["the team's hierarchical trainer out of its layout: its tags say so", { tags: TEAM_HIERARCHICAL }, KUAVO],
  ['train_policy.py out of its layout: train/loss and train/lr first logged at log_freq, not 0', { tags: TEAM_DIFFUSION }, KUAVO],
  [
    'task_specific/* (train_hierarchical_task_specific.py)',
    { tags: [tag('task_specific/phase_loss', 10, 10, 100), tag('train/loss', 10, 10, 100)] },
    KUAVO,
  ],
  [
    'train/loss and train/lr from step 0 with no other evidence: no guess (a per-step loop writes the same)',
    { tags: SMOLVLA_TASK1.slice(0, 2) },
    none,
  ],
  ['plain PyTorch SummaryWriter tags: no guess', { tags: [tag('strict/foo', 100, 0, 495)] }, none],
  ['TF HParams session: accuracy only', { tags: [tag('accuracy', 1, 1, 1)] }, none],
  ['nothing', { tags: [] }, none],
];

describe('chooseMetrics', () => {
  for (const [name, input, expected, done] of CASES) {
    it(name, () => {
      const choice = chooseMetrics(input);
      expect(choice).toEqual(expected);
      if (done !== undefined) {
        const evidence = choice.epochs;
        const summary = evidence ? (input.tags.find((t) => t.tag === evidence.tag && t.dir === evidence.dir) ?? null) : null;
        expect(epochsDone(evidence, summary)).toBe(done);
      }
      // Every named tag is one the run has, on the axis its writer logs.
      for (const ref of [choice.train, choice.val])
        if (ref) expect(input.tags.some((t) => t.tag === ref.tag && t.dir === ref.dir)).toBe(true);
      // …and the axis the pages draw that tag on (tagAxis, by the format the run is stored with) is the one named.
      for (const ref of [choice.train, choice.val]) if (ref) expect(tagAxis({ format: runFormatFor(choice.trainer) }, ref)).toBe(ref.axis);
    });
  }

  it('the order the tags come in does not matter', () => {
    for (const [, input, expected] of CASES) expect(chooseMetrics({ ...input, tags: [...input.tags].reverse() })).toEqual(expected);
  });
});

describe('tagAxis and axisX: on which axis a tag sits, and where its stored step lands there', () => {
  // [case, run format, dir, tag, axis, stored step, x on the page]
  const cases: [string, string, string, string, 'epoch' | 'step', number, number][] = [
    ['Keras validation loss: step 4 is the fifth epoch', 'tensorboard', 'validation', 'epoch_loss', 'epoch', 4, 5],
    ['Keras training loss, first epoch', 'tensorboard', 'train', 'epoch_loss', 'epoch', 0, 1],
    ['Keras metric in a nested run folder', 'tensorboard', 'fine_tuning/train', 'epoch_accuracy', 'epoch', 2, 3],
    ["Keras' per-batch tag: steps", 'tensorboard', 'train', 'batch_loss', 'step', 300, 300],
    ["Keras' evaluation_loss_vs_iterations: steps", 'tensorboard', 'validation', 'evaluation_loss_vs_iterations', 'step', 80, 80],
    ['epoch_* outside a train/ or validation/ folder: steps', 'tensorboard', '', 'epoch_loss', 'step', 4, 4],
    ['SmolVLA trainer run directory: every tag per epoch', 'smolvla_sequential', '', 'validation/task2_loss', 'epoch', 9, 10],
    ['SmolVLA trainer learning rate', 'smolvla_sequential', '', 'train/lr', 'epoch', 0, 1],
    ['Hugging Face eval/loss: global step', 'tensorboard', '', 'eval/loss', 'step', 1200, 1200],
    ["Lightning's epoch tag is a value, its step a step", 'tensorboard', '', 'epoch', 'step', 3437, 3437],
    ['team step trainer: optimizer step', 'tensorboard', '', 'train/loss', 'step', 10, 10],
    ['LeRobot log: steps', 'lerobot', '', 'train/loss', 'step', 20000, 20000],
  ];
  for (const [name, format, dir, t, axis, stored, x] of cases)
    it(name, () => {
      expect(tagAxis({ format }, { dir, tag: t })).toBe(axis);
      expect(axisX(axis, stored)).toBe(x);
    });
});

describe('trainerFromMethod and runFormatFor', () => {
  const cases: [string | null, ReturnType<typeof trainerFromMethod>, string][] = [
    ['smolvla_sequential', 'smolvla_sequential', 'smolvla_sequential'],
    ['SmolVLA_enhanced', 'smolvla_sequential', 'smolvla_sequential'],
    ['diffusion_bs64_usedepth_nofuse', 'kuavo_step', 'tensorboard'],
    ['hierarchical_humanoid_v2', 'kuavo_step', 'tensorboard'],
    [null, null, 'tensorboard'],
    ['', null, 'tensorboard'],
  ];
  for (const [method, trainer, format] of cases) {
    it(String(method), () => {
      expect(trainerFromMethod(method)).toBe(trainer);
      expect(runFormatFor(trainer)).toBe(format);
    });
  }
});

describe('epochsDone', () => {
  const cases: [Parameters<typeof epochsDone>[0], Parameters<typeof epochsDone>[1], number | null][] = [
    [{ dir: '', tag: 'x', from: 'step_index' }, { lastStep: 0 }, 1],
    [{ dir: '', tag: 'x', from: 'step_index' }, { lastStep: -1 }, null],
    [{ dir: '', tag: 'x', from: 'value_index' }, { lastStep: 99, lastValue: 4 }, 5],
    [{ dir: '', tag: 'x', from: 'value_progress' }, { lastStep: 99, lastValue: 2.999 }, 2],
    [{ dir: '', tag: 'x', from: 'value_progress' }, { lastStep: 99, lastValue: Number.NaN }, null],
    [{ dir: '', tag: 'x', from: 'value_index' }, { lastStep: 99 }, null],
    [null, { lastStep: 3 }, null],
    [{ dir: '', tag: 'x', from: 'step_index' }, null, null],
  ];
  for (const [evidence, summary, expected] of cases)
    it(`${JSON.stringify(evidence)} ${JSON.stringify(summary)}`, () => expect(epochsDone(evidence, summary)).toBe(expected));
});

describe('methodOfIdentity', () => {
  const cases: [string | null, string | null][] = [
    ['task1_moving_grasp/smolvla_sequential/run_20251120_080000', 'smolvla_sequential'],
    ['task_1000_episodes/diffusion_bs64_usedepth_nofuse/run_20251020_150000', 'diffusion_bs64_usedepth_nofuse'],
    ['dir:/d/runs/exp1', null],
    ['out:outputs/train/2025-06-01/12-00-00_smolvla', null],
    ['hydra:/w/outputs/train_hydra_save/singlerun/x', null],
    ['a/b/run_2025', null],
    [null, null],
  ];
  for (const [identity, method] of cases) it(String(identity), () => expect(methodOfIdentity(identity)).toBe(method));
});

describe('scalarProgress and runProgress: a step is never an epoch', () => {
  const TEAM = [tag('train/loss', 2100, 1, 2100, '', 0.666), tag('train/lr', 2100, 1, 2100, '', 0)];
  it('names the losses and says what their tags say of progress', () => {
    expect(scalarProgress({ tags: TEAM, method: 'diffusion_bs64_usedepth_nofuse' })).toMatchObject({
      axis: 'step',
      epochsDone: null,
      trainStep: 2100,
      trainValue: 0.666,
    });
    expect(scalarProgress({ tags: [...keras('train', 0, 4), ...keras('validation', 0, 4)] })).toMatchObject({
      axis: 'epoch',
      epochsDone: 5,
      trainStep: 4,
    });
    expect(scalarProgress({ tags: HF })).toMatchObject({ axis: 'step', epochsDone: 0, trainStep: 1200, trainValue: null });
    expect(scalarProgress({ tags: [tag('foo', 10, 0, 9, '', 1)] })).toMatchObject({ axis: null, epochsDone: null, trainStep: null });
    expect(scalarProgress({ tags: [tag('train/loss', 3, 1, 3, '', Number.NaN)], method: 'act' }).trainValue).toBeNaN();
  });

  const team = { axis: 'step' as const, epochsDone: null, trainStep: 2100 };
  const cases: [string, Parameters<typeof runProgress>[0], ReturnType<typeof runProgress>][] = [
    [
      'SmolVLA: epoch rows',
      { epochRows: 12, epochsTotal: 50, scalars: null, logStep: 4800 },
      { axis: 'epoch', epochsDone: 12, lastStep: 4800 },
    ],
    [
      "the team's step-based run read from its event file (Hydra's max_epoch known)",
      { epochRows: 0, epochsTotal: 3, scalars: team, logStep: null },
      { axis: 'step', epochsDone: 0, lastStep: 2100 },
    ],
    [
      'the same run with its console log (Epoch N/M rows): epochs are real then',
      { epochRows: 2, epochsTotal: 3, scalars: team, logStep: 1400 },
      { axis: 'epoch', epochsDone: 2, lastStep: 1400 },
    ],
    [
      'Keras: epochs from its epoch_loss steps, which are epoch indices, never a step',
      { epochRows: 0, epochsTotal: null, scalars: { axis: 'epoch', epochsDone: 5, trainStep: 4 }, logStep: null },
      { axis: 'epoch', epochsDone: 5, lastStep: null },
    ],
    [
      'LeRobot: steps from the log, no planned epochs',
      { epochRows: 0, epochsTotal: null, scalars: null, logStep: 20000 },
      { axis: 'step', epochsDone: 0, lastStep: 20000 },
    ],
    [
      'a SmolVLA log in its first epoch: epochs planned, none done yet',
      { epochRows: 0, epochsTotal: 50, scalars: null, logStep: 120 },
      { axis: 'epoch', epochsDone: 0, lastStep: 120 },
    ],
    [
      'tags but no loss named: nothing said',
      { epochRows: 0, epochsTotal: null, scalars: { axis: null, epochsDone: null, trainStep: null }, logStep: null },
      { axis: 'epoch', epochsDone: 0, lastStep: null },
    ],
  ];
  for (const [name, input, expected] of cases) it(name, () => expect(runProgress(input)).toEqual(expected));
});
