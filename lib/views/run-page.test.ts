import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../api/schemas/run';
import {
  chartTitle,
  checkpointRows,
  configText,
  datasetText,
  eventText,
  loadedFrom,
  noCheckpointAdvice,
  noCheckpointsText,
  noConsoleLogText,
  noCurvesNote,
  noEventsText,
  noMultiTaskValidationText,
  paramsText,
  progressText,
  runHeading,
  runMarkers,
  runProgressView,
  showsChain,
  sourcesText,
  statusText,
  stepCheckpointAdvice,
  validationRowClass,
} from './run-page';

type Run = RunDetail['run'];
const config = { epochsTotal: 50, batchSize: 8, learningRate: 0.0001, stepsPerEpoch: 120, totalSteps: 6000 } as Run['config'];

describe('the run page view model', () => {
  // One table: the run, its heading, its charts' title. A run without a task is named by the facet Compare
  // and Strategies give it (facets.ts taskLabel: its dataset, else its experiment folder), never "task?".
  const head = { taskName: null, outputDir: null, dataset: null, experiment: null };
  it.each([
    ['a task and its name', { id: 5, taskId: 1, taskName: 'pick', format: 'smolvla_sequential' }, '#5 · task1 pick'],
    ['a task without a name', { id: 6, taskId: 3, format: 'smolvla_sequential' }, '#6 · task3'],
    [
      'LeRobot without a dataset: its output directory',
      { id: 7, taskId: null, format: 'lerobot', outputDir: '/out/smolvla_pick/' },
      '#7 · LeRobot smolvla_pick',
    ],
    [
      'LeRobot with a dataset: the dataset, then its output directory',
      { id: 7, taskId: null, format: 'lerobot', outputDir: 'outputs/train/smolvla_pick', dataset: 'kuavo/pick' },
      '#7 · kuavo/pick · LeRobot smolvla_pick',
    ],
    [
      'LeRobot with neither dataset nor output directory: its log folder',
      { id: 9, taskId: null, format: 'lerobot', experiment: '/logs/lerobot' },
      '#9 · folder logs/lerobot · LeRobot',
    ],
    [
      'a TensorBoard run: its experiment folder',
      { id: 49, taskId: null, format: 'tensorboard', experiment: '/x/keras/tensorboard_logs/fine_tune/feature_extraction' },
      '#49 · folder fine_tune/feature_extraction',
    ],
    [
      'a dataset without a task id (any format)',
      { id: 50, taskId: null, format: 'tensorboard', dataset: 'lerobot/pusht' },
      '#50 · lerobot/pusht',
    ],
    ['nothing known', { id: 8, taskId: null, format: 'generic_tqdm' }, '#8 · task unknown'],
  ] as const)('heading: %s', (_name, run, heading) => {
    const full = { ...head, ...run };
    expect(runHeading(full)).toBe(heading);
    expect(runHeading(full)).not.toContain('task?');
    expect(chartTitle(full, 'unfreeze 4/12')).toBe(`Run ${heading} · unfreeze 4/12`);
  });

  it('says the config and progress of epoch-based and step-based runs', () => {
    expect(configText({ config }, false)).toBe('50 epochs · batch 8 · lr 0.0001 · 120 steps/epoch · 6,000 steps');
    expect(configText({ config }, true)).toBe('batch 8 · 6,000 steps · lr 0.0001');
    const progress = { stepBased: false, epochsDone: 3, epochsTotal: 50, lastStep: 360, lastTrainLoss: 0.12345 } as RunDetail['progress'];
    expect(progressText({ progress, run: { config } })).toBe('epoch 3/50 · step 360 · last train 0.1235');
    const steps = {
      stepBased: true,
      lastStep: 2000,
      lastStepLoss: 0.5,
      smoothedStepLoss: 0.55,
      estimatedSteps: 2,
    } as RunDetail['progress'];
    expect(progressText({ progress: steps, run: { config } })).toBe(
      'step 2,000/6,000 · last loss 0.5000 · smoothed 0.5500 · 2 steps estimated',
    );
    // Known from its checkpoints alone: the step it reached, and no loss (never "last loss –").
    const checkpointsOnly = { stepBased: true, lastStep: 20000, lastStepLoss: null, lastStepLossNonFinite: null, estimatedSteps: 0 };
    expect(progressText({ progress: checkpointsOnly as RunDetail['progress'], run: { config: { ...config, totalSteps: 20000 } } })).toBe(
      'step 20,000/20,000 · no loss logged',
    );
  });

  // A step-based run with no log steps (event files only): its training loss is the loss tag the
  // metrics rule names, the value the runs table shows — never "no loss logged" beside it.
  it.each([
    ['the training tag last value (Hugging Face train/loss)', { lastTrainLoss: 1.3945 }, 'step 1,200/6,000 · last train 1.3945'],
    ['a NaN training tag value', { lastTrainLoss: null, lastTrainLossNonFinite: 'nan' }, 'step 1,200/6,000 · last train NaN'],
    [
      'a step loss of the log wins',
      { lastStepLoss: 0.5, smoothedStepLoss: 0.5, lastTrainLoss: 1.3945 },
      'step 1,200/6,000 · last loss 0.5000 · smoothed 0.5000',
    ],
    ['no loss at all', {}, 'step 1,200/6,000 · no loss logged'],
  ] as const)('step progress without log steps: %s', (_name, loss, text) => {
    const progress = {
      stepBased: true,
      lastStep: 1200,
      lastStepLoss: null,
      lastStepLossNonFinite: null,
      smoothedStepLoss: null,
      lastTrainLoss: null,
      lastTrainLossNonFinite: null,
      estimatedSteps: 0,
      ...loss,
    } as RunDetail['progress'];
    expect(progressText({ progress, run: { config } })).toBe(text);
  });

  // Only what the run recorded: a part it never recorded is left out, never "–"; nothing at all → null (no row).
  const none = { epochsTotal: null, batchSize: null, learningRate: null, stepsPerEpoch: null, totalSteps: null } as Run['config'];
  it.each([
    ['the SmolVLA trainer: everything', config, false, '50 epochs · batch 8 · lr 0.0001 · 120 steps/epoch · 6,000 steps'],
    ['a Keras fit: nothing', none, false, null],
    ['epochs and lr only', { ...none, epochsTotal: 24, learningRate: 1e-4 }, false, '24 epochs · lr 0.0001'],
    ['a team step run: batch and lr, no steps planned', { ...none, batchSize: 64, learningRate: 1e-4 }, true, 'batch 64 · lr 0.0001'],
    ['LeRobot: steps only', { ...none, totalSteps: 20000 }, true, '20,000 steps'],
    ['step-based, nothing', none, true, null],
  ] as const)('config: %s', (_name, c, stepBased, text) => {
    expect(configText({ config: c }, stepBased)).toBe(text);
  });

  const params = { total: null, trainable: null, frozen: null, visionTrainable: null, visionTotal: null };
  it.each([
    [
      'the SmolVLA trainer: total, trainable, share, vision',
      { total: 450e6, trainable: 337.4e6, visionTrainable: 64e6, visionTotal: 86e6 },
      '450.0M total · 337.4M trainable (75.0%) · vision 64.0M/86.0M',
    ],
    ['LeRobot: total and trainable', { total: 449.9e6, trainable: 186.5e6 }, '449.9M total · 186.5M trainable (41.5%)'],
    ['trainable only: no share', { trainable: 1e6 }, '1.0M trainable'],
    ['nothing printed', {}, null],
  ] as const)('parameters: %s', (_name, p, text) => {
    expect(paramsText({ params: { ...params, ...p } })).toBe(text);
  });

  const progressOf = (p: Partial<RunDetail['progress']>) =>
    ({
      stepBased: false,
      epochsDone: 0,
      epochsTotal: null,
      lastStep: null,
      lastTrainLoss: null,
      lastTrainLossNonFinite: null,
      lastStepLoss: null,
      lastStepLossNonFinite: null,
      smoothedStepLoss: null,
      estimatedSteps: 0,
      ...p,
    }) as RunDetail['progress'];
  it.each([
    [
      'the SmolVLA trainer',
      { epochsDone: 40, epochsTotal: 40, lastStep: 1600, lastTrainLoss: 0.1424 },
      config,
      'epoch 40/40 · step 1,600 · last train 0.1424',
    ],
    ['a Keras fit: no planned epochs', { epochsDone: 5, lastTrainLoss: 1.7459 }, none, 'epoch 5 · last train 1.7459'],
    ['a run that started, nothing more', { epochsTotal: 40 }, config, 'epoch 0/40'],
    ['nothing recorded', {}, none, 'nothing recorded yet'],
    [
      'a team step run: no planned steps',
      { stepBased: true, lastStep: 1000, lastTrainLoss: 0.2115 },
      none,
      'step 1,000 · last train 0.2115',
    ],
    ['a step run before its first step', { stepBased: true }, { ...none, totalSteps: 20000 }, 'no step yet of 20,000 · no loss logged'],
  ] as const)('progress: %s', (_name, p, c, text) => {
    const shown = progressText({ progress: progressOf(p), run: { config: c } });
    expect(shown).toBe(text);
    expect(shown).not.toMatch(/–|\?/);
  });

  it.each([
    ['a task', { taskId: 1, parentRunId: null, childRunIds: [] }, true],
    ['no task, continues a run', { taskId: null, parentRunId: 3, childRunIds: [] }, true],
    ['no task, continued by one', { taskId: null, parentRunId: null, childRunIds: [9] }, true],
    ['no task, no link (a Keras fit)', { taskId: null, parentRunId: null, childRunIds: [] }, false],
  ] as const)('chain row: %s', (_name, run, shown) => {
    expect(showsChain({ ...run, childRunIds: [...run.childRunIds] })).toBe(shown);
  });

  it('names the dataset (LeRobot) with what is known of its size', () => {
    const c = { ...config, datasetFrames: null, datasetFps: null, episodes: null };
    expect(datasetText({ dataset: 'kuavo/pick', config: c })).toBe('kuavo/pick');
    expect(datasetText({ dataset: 'kuavo/pick', config: { ...c, datasetFrames: 12005, datasetFps: 30, episodes: 30 } })).toBe(
      'kuavo/pick · 12,005 frames @ 30 fps · 30 episodes',
    );
    expect(datasetText({ dataset: null, config: { ...c, datasetFrames: 2560 } })).toBe('2,560 frames');
    expect(datasetText({ dataset: null, config: c })).toBeNull();
  });

  it.each([
    ['points to draw: no note', 'lerobot', 'completed', true, 20000, 'step', 10, null],
    [
      'a run known only from checkpoint folders',
      'lerobot',
      'completed',
      true,
      20000,
      'step',
      0,
      { text: 'No loss curve: known only from checkpoint folders (step 20,000 of 20,000), no loss logged.', otherAxis: null },
    ],
    [
      'a LeRobot run viewed by epoch: back to steps',
      'lerobot',
      'completed',
      true,
      3000,
      'epoch',
      0,
      { text: 'Nothing to draw by epoch.', otherAxis: 'step' },
    ],
    [
      'a SmolVLA run by wall time without timing',
      'smolvla_sequential',
      'completed',
      false,
      360,
      'time',
      0,
      { text: 'Nothing to draw by wall time.', otherAxis: 'epoch' },
    ],
    [
      'event files without a loss Thaw reads',
      'tensorboard',
      'running',
      false,
      null,
      'epoch',
      0,
      { text: 'No loss curve: event files without a loss Thaw charts here.', otherAxis: null },
    ],
    [
      'a log that has printed nothing yet',
      'smolvla_sequential',
      'running',
      false,
      null,
      'epoch',
      0,
      { text: 'No loss curve: no loss logged yet.', otherAxis: null },
    ],
  ] as const)('the Curves panel never draws an empty chart: %s', (_name, format, status, stepBased, lastStep, x, points, expected) => {
    const detail = {
      run: { format, status, config: { ...config, totalSteps: 20000 } },
      progress: { stepBased, lastStep, epochsDone: 0 },
    } as unknown as RunDetail;
    expect(noCurvesNote(detail, x, points)).toEqual(expected);
  });

  it('names where the weights came from, statuses and events', () => {
    const none = { resumeTaskId: null, resumePath: null, pretrainedPath: null };
    expect(loadedFrom({ ...none, loadedFrom: 'task', resumeTaskId: 1, resumePath: 'task1/best' })).toBe('task 1 checkpoint task1/best');
    expect(loadedFrom({ ...none, loadedFrom: 'pretrained', pretrainedPath: 'lerobot/smolvla_base' })).toBe(
      'pretrained lerobot/smolvla_base',
    );
    expect(loadedFrom({ ...none, loadedFrom: 'scratch' })).toBe('from scratch');
    expect(loadedFrom({ ...none, loadedFrom: null })).toBeNull();
    expect(loadedFrom({ ...none, loadedFrom: 'pretrained' })).toBe('pretrained');
    expect([statusText('stopped'), statusText('crashed')]).toEqual(['stopped by the user', 'crashed']);
    expect([eventText('best_saved'), eventText('something_new')]).toEqual(['best/ saved (lowest training loss so far)', 'something_new']);
  });

  it('marks the best validation and where overfitting began', () => {
    const verdict = { bestEpoch: 4, bestValue: 0.25, overfitStartEpoch: 6 } as RunDetail['verdict'];
    expect(runMarkers(verdict)).toEqual([
      { kind: 'best', epoch: 4, label: 'best validation 0.2500 at epoch 4' },
      { kind: 'overfit', epoch: 6, label: 'overfitting began at epoch 6' },
    ]);
    expect(runMarkers({ ...verdict, bestEpoch: null, overfitStartEpoch: null })).toEqual([]);
  });

  it('lists checkpoints periodic first, marks the nearest to the best validation, and says how far each is', () => {
    const cp = (label: string, epoch: number | null) => ({ kind: 'epoch' as const, label, epoch, path: `ckpt/${label}` });
    const advice = {
      periodic: [cp('epoch 5', 5), cp('epoch 10', 10)],
      bestDir: { ...cp('best/', null), kind: 'best' as const },
      final: { ...cp('final', 12), kind: 'final' as const },
      nearest: { ...cp('epoch 5', 5), distance: 1 },
      bestValidationEpoch: 6,
    } as unknown as RunDetail['advice'];
    expect(checkpointRows(advice).map((r) => [r.checkpoint.label, r.nearest, r.fromBest])).toEqual([
      ['epoch 5', true, -1],
      ['epoch 10', false, 4],
      ['best/', false, null],
      ['final', false, 6],
    ]);
    expect([
      validationRowClass({ final: true, epoch: 4 }, 4),
      validationRowClass({ final: false, epoch: 4 }, 4),
      validationRowClass({ final: false, epoch: 3 }, 4),
    ]).toEqual(['final', 'winner', undefined]);
  });
});

type Input = Parameters<typeof runProgressView>[0];

const detail = (overrides: {
  status?: string;
  totalSteps?: number | null;
  epochsTotal?: number | null;
  epochsDone?: number;
  lastStep?: number | null;
  stepBased?: boolean;
  checkpoints?: RunDetail['checkpoints'];
}): Input =>
  ({
    run: {
      status: overrides.status ?? 'running',
      config: { totalSteps: overrides.totalSteps ?? null, epochsTotal: overrides.epochsTotal ?? null },
    },
    progress: {
      epochsDone: overrides.epochsDone ?? 0,
      epochsTotal: overrides.epochsTotal ?? null,
      lastStep: overrides.lastStep ?? null,
      stepBased: overrides.stepBased ?? false,
    },
    checkpoints: overrides.checkpoints ?? [],
  }) as unknown as Input;

describe('runProgressView', () => {
  it('a LeRobot run known from its checkpoint folders: step progress, its checkpoints, and why it is completed', () => {
    const view = runProgressView(
      detail({
        status: 'completed',
        totalSteps: 20000,
        lastStep: 20000,
        stepBased: true,
        checkpoints: [
          { step: 20000, path: '/data/outputs/train/pick/checkpoints/020000', onDisk: true },
          { step: 10000, path: '/data/outputs/train/pick/checkpoints/010000', onDisk: true },
        ],
      }),
    );
    expect(view).toMatchObject({ axis: 'step', done: 20000, total: 20000, fraction: 1, text: 'step 20,000 / 20,000', epochCharts: false });
    expect(view.checkpoints.map((c) => [c.label, c.newest, c.final, c.onDisk])).toEqual([
      ['step 10,000', false, false, true],
      ['step 20,000', true, true, true],
    ]);
    expect(view.statusNote).toBe('completed: its newest checkpoint (step 20,000) reached the configured 20,000 steps');
  });

  it('checkpoints short of the configured steps prove nothing about the end', () => {
    const view = runProgressView(
      detail({
        status: 'stale',
        totalSteps: 30000,
        lastStep: 20000,
        stepBased: true,
        checkpoints: [{ step: 20000, path: null, onDisk: true }],
      }),
    );
    expect(view).toMatchObject({ text: 'step 20,000 / 30,000', statusNote: null });
    expect(view.fraction).toBeCloseTo(2 / 3, 12);
    expect(view.checkpoints[0]).toMatchObject({ newest: true, final: false });
  });

  it('an epoch-based run keeps its epoch charts; unknown totals read "?"', () => {
    expect(runProgressView(detail({ epochsDone: 3, epochsTotal: 10 }))).toMatchObject({
      axis: 'epoch',
      text: 'epoch 3 / 10',
      fraction: 0.3,
      epochCharts: true,
      checkpoints: [],
    });
    expect(runProgressView(detail({ epochsDone: 3 }))).toMatchObject({ text: 'epoch 3 / ?', fraction: null });
    expect(runProgressView(detail({ stepBased: true, lastStep: 12400 }))).toMatchObject({ text: 'step 12,400 / ?', epochCharts: false });
  });
});

describe('stepCheckpointAdvice', () => {
  const base = (
    checkpoints: number[],
    evals: { step: number; loss: number | null }[],
    extra: { bestValidationEpoch?: number | null; totalSteps?: number } = {},
  ) =>
    ({
      run: { status: 'completed', config: { totalSteps: extra.totalSteps ?? 20000, epochsTotal: null } },
      progress: { epochsDone: 0, epochsTotal: null, lastStep: checkpoints.at(-1) ?? null, stepBased: true },
      checkpoints: checkpoints.map((step) => ({ step, path: `/out/checkpoints/${step}`, onDisk: true })),
      evals: evals.map((e) => ({ ...e, successRate: null, reward: null })),
      advice: { bestValidationEpoch: extra.bestValidationEpoch ?? null },
    }) as unknown as Parameters<typeof stepCheckpointAdvice>[0];

  it.each([
    ['no checkpoints: the analysed advice', base([], []), null],
    ['a per-epoch validation best: the analysed advice', base([10000], [], { bestValidationEpoch: 4 }), null],
    [
      'the newest reached the configured steps',
      base([10000, 20000], []),
      'No validation loss to choose by: the newest checkpoint is step 20,000, the configured last step.',
    ],
    [
      'partway',
      base([5000, 10000], [], { totalSteps: 30000 }),
      'No validation loss to choose by: the newest checkpoint is step 10,000 of 30,000.',
    ],
    [
      'eval_loss by step: the checkpoint nearest its lowest',
      base(
        [1000, 2000],
        [
          { step: 800, loss: 0.3 },
          { step: 1200, loss: 0.21 },
          { step: 1800, loss: 0.25 },
          { step: 2000, loss: null },
        ],
      ),
      'Held-out loss (eval_loss) was lowest at step 1,200 (0.2100): the nearest checkpoint is step 1,000.',
    ],
  ])('%s', (_name, detail, expected) => {
    expect(stepCheckpointAdvice(detail)).toBe(expected);
  });
});

describe('the lower sections of a run read from files other than a console log', () => {
  const formats: [format: string, rows: number, expected: RegExp | null][] = [
    ['smolvla_sequential', 0, null], // the trainer's runs: the table, or "not yet" while none is printed
    ['smolvla_sequential', 3, null],
    ['tensorboard', 0, /^None for this run: TensorBoard event files hold no per-task validation/],
    ['lerobot', 0, /^None for this run: LeRobot runs hold no per-task validation/],
    ['generic_tqdm', 0, /^None for this run: plain progress-bar logs/],
    ['tensorboard', 2, null], // rows win, whatever the format
  ];
  it.each(formats)('multi-task validation of a %s run with %d rows', (format, rows, expected) => {
    const text = noMultiTaskValidationText({ format }, rows);
    if (expected === null) expect(text).toBeNull();
    else expect(text).toMatch(expected);
    if (text !== null) expect(text).not.toMatch(/yet/);
  });

  it('says what a run was read from, counted by kind, in the Built-from order', () => {
    expect(sourcesText(['tfevents'])).toBe('an event file');
    expect(sourcesText(['hydra_config', 'tfevents', 'tfevents'])).toBe('2 event files and a Hydra config');
    expect(sourcesText(['train_config', 'train_config'])).toBe('2 LeRobot train_config.json files');
    expect(sourcesText(['tfevents', 'results_json', 'hydra_config'])).toBe('an event file, a results JSON and a Hydra config');
    expect(noConsoleLogText(['tfevents', 'tfevents'])).toBe(
      'No console log: this run was read from 2 event files (listed under Built from), which hold no console output.',
    );
    expect(noConsoleLogText(['tfevents'])).not.toMatch(/not found|error|missing/i);
  });

  it('empty Events: "not yet" only where a console log could still print them', () => {
    expect(noEventsText(true, 0)).toBe('No checkpoint or status lines yet.');
    expect(noEventsText(false, 0)).not.toMatch(/yet/);
    expect(noEventsText(false, 2)).toMatch(/listed under Progress/);
    expect(noCheckpointsText(true)).toBe('No checkpoint yet.');
    expect(noCheckpointsText(false)).not.toMatch(/yet/);
  });

  it('checkpoint advice of a run of another format that saved none', () => {
    const detail = (format: string, verdict: Partial<RunDetail['verdict']>, checkpoints = 0) =>
      ({
        run: { format },
        verdict: { axis: 'epoch', bestEpoch: null, bestValue: null, latestEpoch: null, ...verdict },
        advice: { bestDir: null, final: null, periodic: [] },
        checkpoints: Array.from({ length: checkpoints }, (_, i) => ({ step: (i + 1) * 1000 })),
      }) as unknown as Parameters<typeof noCheckpointAdvice>[0];
    expect(noCheckpointAdvice(detail('tensorboard', { axis: 'epoch', bestEpoch: 5, bestValue: 2.56224 }))).toBe(
      'No checkpoint is known for this run: its files record no save. Validation loss was lowest at epoch 5 (2.5622): keep the checkpoint saved nearest to it.',
    );
    expect(noCheckpointAdvice(detail('tensorboard', { axis: 'step', bestEpoch: 1200, bestValue: 1.3913 }))).toMatch(
      /at step 1,200 \(1\.3913\)/,
    );
    expect(noCheckpointAdvice(detail('tensorboard', { latestEpoch: 3437 }))).toBe(
      'No checkpoint is known for this run: its files record no save, and too few validation points to name a best.',
    );
    expect(noCheckpointAdvice(detail('tensorboard', {}))).toBe(
      'No checkpoint is known for this run: its files record no save, and there is no validation best to choose by.',
    );
    expect(noCheckpointAdvice(detail('smolvla_sequential', { bestEpoch: 5 }))).toBeNull(); // its best/ folder: the analysed advice
    expect(noCheckpointAdvice(detail('lerobot', {}, 2))).toBeNull(); // stepCheckpointAdvice
  });
});
