// Real event files of every writer (tests/fixtures/tfevents-real, sources in its README) read by
// TfEventsReader: every scalar TensorBoard shows, exactly, whatever the chunking and wherever a reader
// resumes from a committed offset with its saved state.
//
// How the expectations were obtained, independently of Thaw's reader:
// * EXPECTED (tags and point counts per TensorBoard run, i.e. per folder, and non-scalar values per
//   plugin): printed by testkit/tb-reference.ts, a separate decoder following TensorBoard's own
//   rules (initial metadata per tag, simple_value → scalars), then checked against what each writer
//   documents: Keras writes `epoch_<metric>` once per epoch in train/ and validation/; the HF Trainer
//   logs train/* every `logging_steps` and eval/* every `eval_steps` (12 of each for 1,200 steps, plus
//   its end-of-training summary once, and train/epoch with both); Lightning logs `hp_metric` with its
//   hyperparameters, one point per `log_every_n_steps` (50) for `_step` tags and one per epoch for
//   `_epoch` tags; SB3 one point per `log_interval` of every logger key except the CSV-only ones.
// * The PyTorch files' every point: tensorboard-reducer's generator script (quoted in the fixtures'
//   README) writes `strict/foo` at steps 0, 5, …, 495; `lax/*` at 0…99+10·i; `dup_steps/*` at 0…99
//   and again at 90…199 (so 210 points, steps 90…99 twice, in that order).
// * SB3's own CSV output of the same run (sb3/logs/progress.csv): every value it has for a tag the
//   event file holds, as float32, at step `time/total_timesteps`.
// * Every point (step, wall time, value) of every fixture: equal to the reference decoder's.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ParseEvent } from '../events';
import { TfEventsReader, type TfEventsReaderState } from './readers';
import { readRun, type RefPoint } from '../../testkit/tb-reference';
import { mulberry32 } from '../../testkit/random';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../tests/fixtures/tfevents-real');

/** The Hugging Face Trainer's tags (1,200 steps, logging and evaluation every 100). */
const HF_TAGS: Record<string, number> = {
  'train/loss': 12,
  'train/grad_norm': 12,
  'train/learning_rate': 12,
  'train/epoch': 25,
  'eval/loss': 12,
  'eval/accuracy': 12,
  'eval/runtime': 12,
  'eval/samples_per_second': 12,
  'eval/steps_per_second': 12,
  'train/train_runtime': 1,
  'train/train_samples_per_second': 1,
  'train/train_steps_per_second': 1,
  'train/total_flos': 1,
  'train/train_loss': 1,
};

/** Folder (relative to ROOT) → scalar tag → points; non-scalar values by plugin. */
const EXPECTED: [string, Record<string, number>, Record<string, number>][] = [
  ['huggingface/runs/run0', HF_TAGS, { text: 2 }],
  ['huggingface/runs/run1', HF_TAGS, { text: 2 }],
  [
    'keras/tensorboard_logs/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/feature_extraction/20210605-165835/train',
    { epoch_loss: 5, epoch_f1: 5, epoch_accuracy: 5 },
    { graph_keras_model: 1, graphs: 1 },
  ],
  [
    'keras/tensorboard_logs/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/feature_extraction/20210605-165835/validation',
    { epoch_loss: 5, epoch_f1: 5, epoch_accuracy: 5 },
    {},
  ],
  [
    'keras/tensorboard_logs/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/fine_tuning/20210605-170815/train',
    { epoch_loss: 5, epoch_f1: 5, epoch_accuracy: 5 },
    { graph_keras_model: 1, graphs: 1 },
  ],
  [
    'keras/tensorboard_logs/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/fine_tuning/20210605-170815/validation',
    { epoch_loss: 5, epoch_f1: 5, epoch_accuracy: 5 },
    {},
  ],
  ['keras/tensorboard_logs/10_food_multiclass_classification/efficientnet_b0/20210516-193051/train', {}, {}],
  [
    'keras/tensorboard_logs/10_food_multiclass_classification/efficientnet_b0/20210516-193051/validation',
    { epoch_loss: 10, epoch_f1: 10, epoch_accuracy: 10 },
    {},
  ],
  [
    'lightning/fractaldb/lightning_logs/version_0',
    {
      hp_metric: 2,
      train_loss_step: 78,
      'valid_loss_step/epoch_0': 157,
      valid_loss_epoch: 2,
      epoch: 4,
      train_loss_epoch: 2,
      'valid_loss_step/epoch_1': 157,
    },
    { hparams: 6 },
  ],
  ['lightning/transformers-t5/lightning_logs/version_0', { hp_metric: 1 }, { hparams: 3 }],
  [
    'lightning/weather-predder/lightning_logs/version_1',
    { hp_metric: 2, MAE: 50, RMSE: 50, Loss: 50, RegLoss: 50, epoch: 50 },
    { hparams: 6 },
  ],
  [
    'lightning/weather-predder/lightning_logs/version_11',
    { hp_metric: 2, MAE_val: 48, RMSE_val: 48, Loss_val: 48, RegLoss_val: 48, epoch: 96, MAE: 48, RMSE: 48, Loss: 48, RegLoss: 48 },
    { hparams: 6 },
  ],
  ['pytorch/runs/duplicate_steps/run_1', { 'dup_steps/foo': 210, 'dup_steps/bar': 210 }, {}],
  ['pytorch/runs/duplicate_steps/run_2', { 'dup_steps/foo': 210, 'dup_steps/bar': 210 }, {}],
  ['pytorch/runs/duplicate_steps/run_3', { 'dup_steps/foo': 210, 'dup_steps/bar': 210 }, {}],
  ['pytorch/runs/lax/run_1', { 'lax/foo': 110, 'lax/bar_1': 110, 'lax/bar_2': 110 }, {}],
  ['pytorch/runs/lax/run_2', { 'lax/foo': 120, 'lax/bar_2': 120, 'lax/bar_3': 120 }, {}],
  ['pytorch/runs/lax/run_3', { 'lax/foo': 130, 'lax/bar_3': 130, 'lax/bar_4': 130 }, {}],
  ['pytorch/runs/strict/run_1', { 'strict/foo': 100 }, {}],
  ['pytorch/runs/strict/run_2', { 'strict/foo': 100 }, {}],
  ['pytorch/runs/strict/run_3', { 'strict/foo': 100 }, {}],
  ['sb3/logs', sb3Tags(102), {}],
  ['sb3/logs/PPO_3', sb3Tags(132), {}],
  ['sb3/logs/PPO_7', {}, {}],
  ['tf-summary/logs/hparam_tuning', {}, { hparams: 1 }],
  ['tf-summary/logs/hparam_tuning/run-0', { accuracy: 1 }, { hparams: 3 }],
  ['tf-summary/logs/hparam_tuning/run-1', { accuracy: 1 }, { hparams: 1 }],
  ['tf-summary/logs/hparam_tuning/run-2', { accuracy: 1 }, { hparams: 1 }],
  ['tf-summary/logs/hparam_tuning/run-3', { accuracy: 1 }, { hparams: 1 }],
];

function sb3Tags(n: number): Record<string, number> {
  const keys = [
    'rollout/ep_len_mean',
    'rollout/ep_rew_mean',
    'time/fps',
    'train/approx_kl',
    'train/clip_fraction',
    'train/clip_range',
    'train/entropy_loss',
    'train/explained_variance',
    'train/learning_rate',
    'train/loss',
    'train/policy_gradient_loss',
    'train/value_loss',
  ];
  return Object.fromEntries(keys.map((key) => [key, n]));
}

/** The event files of one fixture folder, in name order (as TensorBoard reads a run), gunzipped. */
function filesOf(folder: string): { file: string; bytes: Uint8Array }[] {
  const dir = path.join(ROOT, folder);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.includes('tfevents'))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const raw = readFileSync(path.join(dir, name));
      return { file: path.join(dir, name.replace(/\.gz$/, '')), bytes: name.endsWith('.gz') ? gunzipSync(raw) : raw };
    });
}

interface Read {
  points: Map<string, RefPoint[]>;
  others: Record<string, number>;
  hparams: Record<string, unknown>;
  dirs: Set<string>;
  warnings: string[];
  /** Files that showed no scalar: they emitted nothing; what they held is in their reader's state. */
  held: TfEventsReaderState[];
  /** Events of any kind from files that showed no scalar (must be none). */
  unstartedEvents: number;
}

/**
 * Reads a file with TfEventsReader in random chunks; at `resumeAt` (a fraction of the file) the
 * reader is dropped and a new one resumes from its committed offset with its saved state (as JSON).
 */
function readFile(file: string, bytes: Uint8Array, rand: () => number, maxChunk: number, into: Read, resumeAt?: number): void {
  let reader = new TfEventsReader(file, { startOffset: 0, startLine: 1 });
  const take = (events: ParseEvent[]) => {
    if (!reader.state.started) into.unstartedEvents += events.length;
    for (const event of events) {
      if (event.type === 'warning') into.warnings.push(event.message);
      if (event.type === 'config' && event.source === 'tensorboard_hparams') Object.assign(into.hparams, event.tree);
      if (event.type !== 'series') continue;
      into.dirs.add(event.dir);
      const { length, tags, tag, step, wallTime, value, others } = event.block;
      expect([tag.length, step.length, wallTime.length, value.length]).toEqual([length, length, length, length]);
      for (let i = 0; i < length; i++) {
        const name = tags[tag[i]!]!;
        let list = into.points.get(name);
        if (!list) into.points.set(name, (list = []));
        list.push({ step: step[i]!, wallTime: wallTime[i]!, value: value[i]! });
      }
      for (const [plugin, n] of Object.entries(others)) into.others[plugin] = (into.others[plugin] ?? 0) + n;
    }
  };
  let resumed = resumeAt === undefined;
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(rand() * maxChunk);
    take(reader.push(bytes.subarray(at, at + size)).events);
    at += size;
    if (!resumed && at >= resumeAt! * bytes.length) {
      resumed = true;
      const state = JSON.parse(JSON.stringify(reader.state)) as TfEventsReaderState;
      at = reader.committedOffset;
      reader = new TfEventsReader(file, { startOffset: at, startLine: reader.committedLine, state });
    }
  }
  take(reader.end().events);
  const state = reader.state;
  if (!state.started) {
    into.held.push(state);
    for (const [plugin, n] of Object.entries(state.pendingOthers ?? {})) into.others[plugin] = (into.others[plugin] ?? 0) + n;
    Object.assign(into.hparams, state.pendingHparams ?? {});
    // Lightning's placeholder points before any scalar: held too (they start no run).
    for (const [name, step, wallTime, value] of state.pendingPoints ?? []) {
      let list = into.points.get(name);
      if (!list) into.points.set(name, (list = []));
      list.push({ step, wallTime, value: Number(value) });
    }
  }
}

function readFolder(folder: string, rand: () => number, maxChunk: number, resumeAt?: number): Read {
  const into: Read = { points: new Map(), others: {}, hparams: {}, dirs: new Set(), warnings: [], held: [], unstartedEvents: 0 };
  for (const { file, bytes } of filesOf(folder)) readFile(file, bytes, rand, maxChunk, into, resumeAt);
  return into;
}

const sameNumber = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('real event files: every scalar TensorBoard shows, exactly', () => {
  it('the fixtures are every folder holding event files', () => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(path.join(dir, entry.name));
        else if (entry.name.includes('tfevents') && !found.includes(path.relative(ROOT, dir))) found.push(path.relative(ROOT, dir));
      }
    };
    walk(ROOT);
    expect(found.sort()).toEqual(EXPECTED.map(([folder]) => folder).sort());
  });

  for (const [i, [folder, tags, others]] of EXPECTED.entries()) {
    it(folder, () => {
      const files = filesOf(folder);
      const reference = readRun(files.map((f) => f.bytes));
      // The reference decoder agrees with the documented expectation…
      expect(Object.fromEntries([...reference.scalars].map(([tag, points]) => [tag, points.length]))).toEqual(tags);
      expect(Object.fromEntries(reference.others)).toEqual(others);
      // …and Thaw's reader gives every point of it, at any chunking, resumed anywhere.
      const rand = mulberry32(31 + i);
      for (const [maxChunk, resumeAt] of [
        [1 << 30, undefined],
        [1, 0.5],
        [97, 0.3],
        [4096, 0.8],
      ] as const) {
        const got = readFolder(folder, rand, maxChunk, resumeAt);
        expect(got.warnings).toEqual([]);
        expect([...got.points.keys()].sort()).toEqual(Object.keys(tags).sort());
        for (const [tag, points] of reference.scalars) {
          const mine = got.points.get(tag)!;
          expect(mine.length).toBe(points.length);
          for (let k = 0; k < points.length; k++) {
            expect(mine[k]!.step).toBe(points[k]!.step);
            expect(mine[k]!.wallTime).toBe(points[k]!.wallTime);
            expect(sameNumber(mine[k]!.value, points[k]!.value)).toBe(true);
          }
        }
        // Other values and hyperparameters: emitted by files with scalars, held (in the state) by the others.
        expect(got.others).toEqual(others);
        expect(got.hparams).toEqual(Object.fromEntries(reference.hparams));
        expect(got.unstartedEvents).toBe(0);
        // Held: files without a scalar of their own (none, or only Lightning's hp_metric placeholder).
        expect(got.held).toHaveLength(files.filter((f) => [...readRun([f.bytes]).scalars.keys()].every((t) => t === 'hp_metric')).length);
      }
    });
  }

  it("keeps each file's folder relative to its run: Keras train/ and validation/ are parts of the fit's run", () => {
    const fit =
      'keras/tensorboard_logs/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/feature_extraction/20210605-165835';
    expect([...readFolder(`${fit}/train`, () => 1, 1 << 30).dirs]).toEqual(['train']);
    expect([...readFolder(`${fit}/validation`, () => 1, 1 << 30).dirs]).toEqual(['validation']);
    expect([...readFolder('pytorch/runs/strict/run_1', () => 1, 1 << 30).dirs]).toEqual(['']);
  });

  it("PyTorch SummaryWriter: every point where tensorboard-reducer's generator wrote it", () => {
    const steps = (folder: string, tag: string) =>
      readFolder(folder, () => 1, 1 << 30)
        .points.get(tag)!
        .map((p) => p.step);
    const range = (from: number, to: number, by = 1) => Array.from({ length: Math.ceil((to - from) / by) }, (_, k) => from + k * by);
    for (const run of [1, 2, 3]) {
      expect(steps(`pytorch/runs/strict/run_${run}`, 'strict/foo')).toEqual(range(0, 500, 5));
      for (const tag of ['lax/foo', `lax/bar_${run}`, `lax/bar_${run + 1}`])
        expect(steps(`pytorch/runs/lax/run_${run}`, tag)).toEqual(range(0, 100 + 10 * run));
      for (const tag of ['dup_steps/foo', 'dup_steps/bar'])
        expect(steps(`pytorch/runs/duplicate_steps/run_${run}`, tag)).toEqual([...range(0, 100), ...range(90, 200)]);
      // torch.rand([]) + idx: every value in [idx, idx + 1), float32.
      for (const points of readFolder(`pytorch/runs/strict/run_${run}`, () => 1, 1 << 30).points.values())
        for (const p of points) expect(p.value >= run && p.value < run + 1 && Math.fround(p.value) === p.value).toBe(true);
    }
  });

  it("Stable-Baselines3: every value its own CSV output has for the event file's tags (float32, at time/total_timesteps)", () => {
    const got = readFolder('sb3/logs', () => 1, 1 << 30).points;
    const [header, ...rows] = readFileSync(path.join(ROOT, 'sb3/logs/progress.csv'), 'utf8').trim().split('\n');
    const columns = header!.split(',');
    const stepColumn = columns.indexOf('time/total_timesteps');
    let compared = 0;
    for (const [c, column] of columns.entries()) {
      const points = got.get(column);
      if (!points) continue;
      expect(points.length).toBe(rows.length);
      for (const [r, row] of rows.entries()) {
        const cells = row.split(',');
        expect(points[r]!.step).toBe(Number(cells[stepColumn]));
        expect(sameNumber(points[r]!.value, Math.fround(Number(cells[c])))).toBe(true);
        compared++;
      }
    }
    expect(compared).toBe(12 * 102);
  });
});
