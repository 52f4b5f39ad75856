// Every form of docs/log-formats.md that the parsers handle, on real log text (tests/fixtures/logs, written
// by testkit/fixture-logs.ts).
import { describe, expect, it } from 'vitest';
import { fixtures } from '../../testkit/fixture-logs';
import { eventsOf, fixtureBytes, only, parseFixture } from '../../testkit/parse-fixtures';

describe('fixture files', () => {
  it('are exactly what testkit/fixture-logs.ts writes', () => {
    for (const [name, content] of Object.entries(fixtures())) {
      expect(Buffer.from(fixtureBytes(`logs/${name}`)).equals(Buffer.from(content)), name).toBe(true);
    }
  });
});

describe('freezing banner (§2.2 flexible, §2.3 partial)', () => {
  it('freeze list with an out-of-range index', () => {
    const { runs, warnings } = parseFixture('logs/banner_freeze_list.log');
    expect(only(runs).strategy).toEqual({
      kind: 'freeze',
      spec: [0, 1, 2, 3, 4, 5, 12],
      totalLayers: 12,
      frozen: [0, 1, 2, 3, 4, 5],
      unfrozen: [6, 7, 8, 9, 10, 11],
      applied: true,
    });
    expect(warnings).toEqual([{ line: 34, message: 'freeze strategy: 警告: 层索引 12 超出范围 [0, 11]' }]);
  });

  it('unfreeze list with negative indices, one out of range, abbreviated frozen list', () => {
    const { runs, warnings } = parseFixture('logs/banner_unfreeze_out_of_range.log');
    expect(only(runs).strategy).toEqual({
      kind: 'unfreeze',
      spec: [-1, -2, -13],
      totalLayers: 12,
      frozen: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      unfrozen: [10, 11],
      applied: true,
    });
    expect(only(warnings).message).toContain('层索引 -13 (实际: -1) 超出范围');
  });

  it('ratio 1.0 with the abbreviated [0...11] list and no unfrozen line', () => {
    const strategy = only(parseFixture('logs/banner_ratio_abbreviated.log').runs).strategy;
    expect(strategy).toEqual({
      kind: 'ratio',
      spec: 1,
      totalLayers: 12,
      frozen: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      unfrozen: [],
      applied: true,
    });
  });

  it('a bad ratio returns early: not applied, with the reason', () => {
    const { events, runs } = parseFixture('logs/banner_bad_ratio.log');
    expect(only(runs).strategy).toMatchObject({ kind: 'ratio', spec: 1.5, applied: false });
    expect(eventsOf(events, 'strategy').at(-1)?.strategy.failureReason).toContain('freeze_vision_ratio=1.5 不在 [0.0, 1.0] 范围内');
  });

  it('vision_model not found (printed twice): one failed strategy, kind from the config summary', () => {
    const { events, runs } = parseFixture('logs/banner_vision_model_not_found.log');
    expect(only(runs).strategy).toEqual({
      kind: 'unfreeze',
      spec: [-1, -2, -3, -4, -5, -6, -7, -8, -9],
      totalLayers: null,
      frozen: [],
      unfrozen: [],
      applied: false,
    });
    const strategies = eventsOf(events, 'strategy');
    expect(strategies.length).toBeGreaterThanOrEqual(1);
    expect(new Set(strategies.map((e) => JSON.stringify(e.strategy))).size).toBe(1);
    expect(strategies[0]?.strategy.failureReason).toBe('无法找到 vision_model，跳过灵活冻结策略');
  });

  it('a handled traceback after "访问 vision_model 时出错" does not crash the run', () => {
    const { events, runs } = parseFixture('logs/banner_access_error.log');
    const run = only(runs);
    expect(run.status).toBe('running');
    expect(run.strategy).toMatchObject({ kind: 'none', applied: false });
    expect(eventsOf(events, 'strategy').at(-1)?.strategy.failureReason).toContain('访问 vision_model 时出错');
    expect(run.epochs).toEqual([{ epoch: 1, trainLoss: 0.8 }]);
  });

  it('the banner printed twice yields one strategy, re-emitted identically at most', () => {
    const { events, runs } = parseFixture('logs/banner_twice.log');
    expect(only(runs).strategy).toEqual({
      kind: 'unfreeze',
      spec: [-1, -2, -3, -4, -5, -6, -7, -8, -9],
      totalLayers: 12,
      frozen: [0, 1, 2],
      unfrozen: [3, 4, 5, 6, 7, 8, 9, 10, 11],
      applied: true,
    });
    const distinct = new Set(eventsOf(events, 'strategy').map((e) => JSON.stringify(e.strategy)));
    expect([...distinct].map((s) => JSON.parse(s) as { applied: boolean }).every((s) => s.applied)).toBe(true);
    expect(eventsOf(events, 'run_started')).toHaveLength(1);
  });

  it('partial freeze of the last N layers', () => {
    const { events, runs } = parseFixture('logs/partial_last_n.log');
    expect(only(runs).strategy).toEqual({
      kind: 'last_n',
      spec: 4,
      totalLayers: 12,
      frozen: [0, 1, 2, 3, 4, 5, 6, 7],
      unfrozen: [8, 9, 10, 11],
      applied: true,
    });
    expect(eventsOf(events, 'strategy').at(-1)?.strategy).toMatchObject({ visionTrainableParams: 29546496, visionTotalParams: 93509376 });
  });

  it('partial freeze with N ≥ total layers ("0--1 (0 layers)")', () => {
    expect(only(parseFixture('logs/partial_too_many.log').runs).strategy).toEqual({
      kind: 'last_n',
      spec: 20,
      totalLayers: 12,
      frozen: [],
      unfrozen: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      applied: true,
    });
  });

  it('partial freeze failure: fallback, N from the init banner', () => {
    const { events, runs } = parseFixture('logs/partial_failed.log');
    expect(only(runs).strategy).toEqual({ kind: 'last_n', spec: 2, totalLayers: null, frozen: [], unfrozen: [], applied: false });
    expect(eventsOf(events, 'strategy').at(-1)?.strategy.failureReason).toBe(
      "Failed to apply partial vision freeze: 'VLAFlowMatching' object has no attribute 'get_vlm_model'",
    );
    expect(only(parseFixture('logs/partial_layers_not_found.log').runs).strategy).toMatchObject({
      kind: 'last_n',
      spec: 4,
      applied: false,
    });
  });

  it('no banner: kind none when the encoder is not frozen, no strategy otherwise', () => {
    expect(only(parseFixture('logs/no_banner_unfrozen.log').runs).strategy).toEqual({
      kind: 'none',
      spec: null,
      totalLayers: null,
      frozen: [],
      unfrozen: [],
      applied: true,
    });
    const frozen = parseFixture('logs/no_banner_frozen.log');
    expect(only(frozen.runs).strategy).toBeNull();
    expect(eventsOf(frozen.events, 'strategy')).toEqual([]);
  });
});

describe('SmolVLA runs', () => {
  it('side lineage: 📊 config block, layerwise LR, minutes line, resume from task, ratio banner twice', () => {
    const { events, runs } = parseFixture('logs/side_lineage.log');
    const run = only(runs);
    expect(run.config).toEqual({ epochs: 2, batchSize: 64, learningRate: 3.5e-5, stepsPerEpoch: 30, totalSteps: 60 });
    expect(run.strategy).toMatchObject({ kind: 'ratio', spec: 0.5, frozen: [0, 1, 2, 3, 4, 5] });
    expect(
      eventsOf(events, 'epoch')
        .filter((e) => e.metrics.durationMinutes !== undefined)
        .map((e) => [e.epoch, e.metrics.durationMinutes]),
    ).toEqual([
      [1, 50.34],
      [2, 49.8],
    ]);
    const info = Object.assign({}, ...eventsOf(events, 'run_info').map((e) => e.info)) as Record<string, unknown>;
    expect(info).toMatchObject({
      loadedFrom: 'task',
      resumeTaskId: 1,
      resumePath: 'outputs/train/task1_moving_grasp/smolvla_sequential/run_20251016_090000/best',
      datasetFrames: 1920,
    });
    expect(run.status).toBe('completed');
  });

  it('NaN and inf losses: NaN/Infinity in events, null in JSON, flagged by warnings', () => {
    const { events, runs, warnings } = parseFixture('logs/nan_inf.log');
    const run = only(runs);
    expect(run.epochs).toEqual([
      { epoch: 1, trainLoss: 0.45 },
      { epoch: 2, trainLoss: null },
    ]);
    expect(run.validations).toEqual([
      { epoch: 1, final: false, taskId: 1, loss: null },
      { epoch: 2, final: false, taskId: 1, loss: null },
    ]);
    expect(eventsOf(events, 'validation').map((e) => e.loss)).toEqual([Infinity, NaN]);
    expect(eventsOf(events, 'epoch').find((e) => e.epoch === 2 && 'trainLoss' in e.metrics)?.metrics.trainLoss).toBeNaN();
    expect(eventsOf(events, 'step').filter((e) => Number.isNaN(e.loss))).toHaveLength(2);
    expect(warnings.map((w) => w.message)).toEqual([
      'non-finite validation loss (Infinity) for task 1 at epoch 1',
      'non-finite step loss (NaN) in epoch 2 (reported once per run)',
      'non-finite training loss (NaN) at epoch 2',
      'non-finite validation loss (NaN) for task 1 at epoch 2',
    ]);
  });

  it('old version: output dir from the completion block, Hydra lines ignored, malformed line warned', () => {
    const { events, runs, warnings } = parseFixture('logs/old_version_hydra.log');
    const run = only(runs);
    expect(run.outputDir).toBe('outputs/train/smolvla_sequential/task1_moving_grasp');
    expect(run.status).toBe('completed');
    expect(run.bestLoss).toBe(0.75);
    expect(warnings).toEqual([{ line: 30, message: 'unparsable epoch loss: Epoch 1 Average Loss: 0.75OO' }]);
    expect(eventsOf(events, 'step').map((e) => [e.step, e.loss, e.procMs, e.elapsedS])).toEqual([
      [1, 0.8, null, 2],
      [2, 0.7, null, 5],
    ]);
    expect(only(eventsOf(events, 'checkpoint'))).toMatchObject({
      kind: 'best_saved',
      epoch: 1,
      loss: 0.75,
      path: 'outputs/train/smolvla_sequential/task1_moving_grasp/best',
    });
  });

  it('CRLF line endings and ANSI colours parse like the plain log', () => {
    const { runs, warnings } = parseFixture('logs/crlf_ansi.log');
    const run = only(runs);
    expect(run.status).toBe('completed');
    expect(run.epochs).toHaveLength(4);
    expect(run.validations).toHaveLength(6);
    expect(run.strategy).toMatchObject({ kind: 'unfreeze', spec: [-1, -2, -3, -4] });
    expect(warnings).toEqual([]);
  });

  it('stdout cut in exact 8 KiB blocks (mid-line) gives the same runs as the unbuffered log', () => {
    const plain = parseFixture('logs/buffered_unbuffered.log');
    const buffered = parseFixture('logs/buffered_8k_blocks.log');
    expect(buffered.runs).toEqual(plain.runs);
    expect(buffered.warnings).toEqual([]);
    const checkpoints = (events: typeof plain.events) =>
      eventsOf(events, 'checkpoint').map(({ kind, epoch, loss, path }) => ({ kind, epoch, loss, path }));
    expect(checkpoints(buffered.events)).toEqual(checkpoints(plain.events));
    const steps = (events: typeof plain.events) => eventsOf(events, 'step').map(({ step, loss }) => [step, loss]);
    expect(steps(buffered.events)).toEqual(steps(plain.events));
  });

  it("two runs in one file; the second run's early tqdm frames belong to it, not to run 1", () => {
    const { events, runs } = parseFixture('logs/two_runs.log');
    expect(runs.map((r) => [r.taskId, r.status, r.epochs.length])).toEqual([
      [1, 'completed', 4],
      [2, 'completed', 4],
    ]);
    const starts = eventsOf(events, 'run_started');
    expect(starts).toHaveLength(2);
    const [first, second] = starts.map((s) => s.runKey);
    const stepsOf = (key: number | undefined) => eventsOf(events, 'step').filter((e) => e.runKey === key);
    expect(stepsOf(first)).toHaveLength(80);
    expect(stepsOf(second)).toHaveLength(80);
    expect(Math.max(...stepsOf(first).map((e) => e.step))).toBe(80);
  });

  it('crash with a traceback: status crashed with the exception line', () => {
    const { events, runs } = parseFixture('logs/crash_traceback.log');
    const run = only(runs);
    expect(run.status).toBe('crashed');
    expect(only(eventsOf(events, 'status')).error).toMatch(/^torch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate 2\.00 GiB/);
    expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2]);
  });

  it('checkpoint lines carry the epoch and the path of the preceding save', () => {
    const { events } = parseFixture('samples/sample_task2_unfreeze4_buffered.log');
    const checkpoints = eventsOf(events, 'checkpoint');
    const dir = 'outputs/train/task2_weighing/smolvla_sequential/run_20251013_101000';
    expect(checkpoints[0]).toMatchObject({ kind: 'best_saved', epoch: 1, loss: 0.7439, path: `${dir}/best` });
    expect(checkpoints.find((c) => c.kind === 'checkpoint_saved')).toMatchObject({ epoch: 5, path: `${dir}/epoch5` });
    expect(checkpoints.at(-1)).toMatchObject({ kind: 'final_saved', epoch: 30, path: dir });
    const retention = eventsOf(events, 'retention');
    expect(retention.at(-1)).toMatchObject({ epoch: 30, final: true, taskId: 1, retention: 'retained', loss: 0.4108 });
  });

  it('per-epoch throughput and tqdm steps', () => {
    const { events } = parseFixture('samples/sample_task1_unfreeze8_overfit.log');
    expect(
      eventsOf(events, 'epoch')
        .filter((e) => e.epoch === 1)
        .map((e) => e.metrics),
    ).toEqual([{ lr: 2.37e-5 }, { trainLoss: 0.8031 }, { msPerBatch: 200.59 }, { samplesPerSec: 217.6 }]);
    expect(eventsOf(events, 'step')[0]).toMatchObject({ step: 5, epoch: 1, loss: 0.7572, lr: 1.32e-5, procMs: 203.5, elapsedS: 5 });
    expect(eventsOf(events, 'step').at(-1)).toMatchObject({ step: 2000, epoch: 50 });
    const info = Object.assign({}, ...eventsOf(events, 'run_info').map((e) => e.info)) as Record<string, unknown>;
    expect(info).toMatchObject({
      stage: 1,
      datasetFps: 10,
      datasetFrames: 2560,
      loadedFrom: 'pretrained',
      pretrainedPath: 'lerobot/smolvla_base',
      frozenParams: 91336704,
    });
  });
});

describe('other trainers', () => {
  it('LeRobot train.py: counts, exact steps behind "1K", eval, checkpoints with paths', () => {
    const { events, runs, warnings } = parseFixture('logs/lerobot_train.log');
    const run = only(runs);
    expect(run).toMatchObject({
      status: 'completed',
      params: { total: 450046176, trainable: 99880992 },
      config: { batchSize: 8, totalSteps: 2000 },
    });
    expect(only(eventsOf(events, 'run_started')).format).toBe('lerobot');
    expect(eventsOf(events, 'step').map((e) => e.step)).toEqual([200, 400, 600, 800, 1000, 1200, 1400, 1600]);
    expect(eventsOf(events, 'step')[0]).toMatchObject({ loss: 0.512, lr: 1e-4, procMs: 312 });
    expect(only(eventsOf(events, 'eval'))).toMatchObject({ step: 1000, reward: 12.346, successRate: 45, evalS: 30.123 });
    expect(eventsOf(events, 'checkpoint').map((c) => [c.step, c.path])).toEqual([
      [1000, 'outputs/train/2025-09-05/14-00-00_smolvla/checkpoints/001000'],
      [2000, 'outputs/train/2025-09-05/14-00-00_smolvla/checkpoints/002000'],
    ]);
    expect(warnings.map((w) => w.line)).toEqual([27, 29]);
  });

  it('generic tqdm trainers: train_policy and the VLA trainer are two runs', () => {
    const { events, runs } = parseFixture('logs/generic_tqdm.log');
    expect(runs).toHaveLength(2);
    expect(eventsOf(events, 'run_started').map((e) => e.format)).toEqual(['generic_tqdm', 'generic_tqdm']);
    const [policy, vla] = runs;
    expect(policy).toMatchObject({ params: { total: 263177034 }, config: { epochs: 2 }, status: 'running' });
    const firstKey = eventsOf(events, 'run_started')[0]?.runKey;
    expect(
      eventsOf(events, 'step')
        .filter((e) => e.runKey === firstKey)
        .map((e) => [e.step, e.loss]),
    ).toEqual([
      [2, 0.48],
      [4, 0.46],
      [6, 0.23],
      [8, 0.21],
    ]);
    expect(vla).toMatchObject({
      taskId: 1,
      taskName: 'moving_grasp',
      outputDir: 'outputs/train/task1_moving_grasp/vla_transformer/run_20251010_101010',
      epochs: [
        { epoch: 1, trainLoss: 0.2 },
        { epoch: 2, trainLoss: 0.1 },
      ],
      status: 'completed',
      bestLoss: 0.1,
    });
  });
});
