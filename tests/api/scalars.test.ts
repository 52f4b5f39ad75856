// GET /api/runs/:id/scalars and the metrics of /api/runs/:id, against the real server on run
// directories of every writer: the team's two step-based runs (tests/fixtures/rundirs-team, whose
// expected.json is this API's answer) and the real event files of Keras, tf.summary, PyTorch,
// Lightning, Stable-Baselines3 and the Hugging Face Trainer (tests/fixtures/tfevents-real). Every tag
// of every writer is there with TensorBoard's point count (testkit/tb-reference.ts, a decoder
// written apart from Thaw's), every value exact in JSON and CSV, as the runs people mean.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../lib/api/respond';
import type { RunDetail } from '../../lib/api/schemas/run';
import type { RunsResponse } from '../../lib/api/schemas/runs';
import type { ScalarPointsResponse, ScalarTagsResponse } from '../../lib/api/schemas/scalars';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { backfillInto, tempDir } from '../helpers/ingest';
import { readRun, type RefPoint } from '../../testkit/tb-reference';
import { copyRealFixtures, copyTeamFixtures, eventFilesIn, TEAM_DIR } from '../helpers/tfevents-fixtures';
import { startThaw, type ThawServer } from '../../testkit/thaw-server';

let database: TestDatabase;
let logs: { dir: string; cleanup(): Promise<void> };
let server: ThawServer;
let runs: RunsResponse['runs'];

const REAL = 'real';
const TEAM = 'team';

interface ExpectedTeamRun {
  outputDir: string;
  metrics: RunDetail['metrics'];
  tags: { dir: string; tag: string; count: number; firstStep: number; lastStep: number; lastValue: number }[];
}

/**
 * The runs the real fixtures make (docs/log-formats.md §7.2), by run directory relative to `real/`,
 * with the folders (relative to it) their files sit in. Not runs: Lightning's transformers-t5
 * version_0 (killed before its first log: hyperparameters and the hp_metric placeholder only),
 * hparam_tuning/ itself (the HParams experiment file), SB3's PPO_7 (a header only).
 */
const KERAS = 'keras/tensorboard_logs';
const REAL_RUNS: Record<string, string[]> = {
  'huggingface/runs/run0': [''],
  'huggingface/runs/run1': [''],
  [`${KERAS}/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/feature_extraction/20210605-165835`]: [
    'train',
    'validation',
  ],
  [`${KERAS}/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/fine_tuning/20210605-170815`]: ['train', 'validation'],
  [`${KERAS}/10_food_multiclass_classification/efficientnet_b0/20210516-193051`]: ['validation'],
  'lightning/fractaldb/lightning_logs/version_0': [''],
  'lightning/weather-predder/lightning_logs/version_1': [''],
  'lightning/weather-predder/lightning_logs/version_11': [''],
  ...Object.fromEntries(
    ['strict', 'lax', 'duplicate_steps'].flatMap((kind) => [1, 2, 3].map((n) => [`pytorch/runs/${kind}/run_${n}`, ['']])),
  ),
  'sb3/logs': [''],
  'sb3/logs/PPO_3': [''],
  ...Object.fromEntries([0, 1, 2, 3].map((n) => [`tf-summary/logs/hparam_tuning/run-${n}`, ['']])),
};

async function get(pathAndQuery: string): Promise<Response> {
  return fetch(`${server.url}${pathAndQuery}`);
}
async function json<T>(pathAndQuery: string): Promise<T> {
  const response = await get(pathAndQuery);
  expect(response.status, `${pathAndQuery}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}
const scalarsUrl = (id: number, tag: string, dir = '', extra = '') =>
  `/api/runs/${id}/scalars?dir=${encodeURIComponent(dir)}&tag=${encodeURIComponent(tag)}${extra}`;

function runAt(relative: string): RunsResponse['runs'][number] {
  const dir = path.join(logs.dir, relative);
  const run = runs.find((r) => r.outputDir === dir || (r.outputDir !== null && dir.endsWith(`/${r.outputDir}`)));
  if (!run) throw new Error(`no run for ${relative}; runs: ${runs.map((r) => r.outputDir).join(', ')}`);
  return run;
}

/** What TensorBoard shows of a run: its folders' files read by the reference decoder, per (dir, tag). */
async function reference(relative: string, dirs: string[]): Promise<Map<string, RefPoint[]>> {
  const out = new Map<string, RefPoint[]>();
  for (const dir of dirs) {
    const files = await eventFilesIn(path.join(logs.dir, REAL, relative, dir));
    for (const [tag, points] of readRun(files.map((f) => f.bytes)).scalars) out.set(`${dir}|${tag}`, points);
  }
  return out;
}

const sameNumber = (a: number | null, b: number) => (a === null ? !Number.isFinite(b) : Object.is(a, b));

beforeAll(async () => {
  database = await createTestDatabase('scalars');
  logs = await tempDir('thaw-scalars-');
  await copyRealFixtures(path.join(logs.dir, REAL));
  await copyTeamFixtures(path.join(logs.dir, TEAM));
  await backfillInto(database.url, [logs.dir]);
  server = await startThaw({ databaseUrl: database.url, logs: logs.dir });
  runs = (await json<RunsResponse>('/api/runs')).runs;
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await logs?.cleanup();
  await database?.drop();
});

describe("the team's step-based trainers (rundirs-team/expected.json)", () => {
  it('lists every tag as expected.json does, names the losses on the step axis, and never calls a step an epoch', async () => {
    const expected = (JSON.parse(await readFile(path.join(TEAM_DIR, 'expected.json'), 'utf8')) as { runs: ExpectedTeamRun[] }).runs;
    for (const want of expected) {
      const run = runAt(path.join(TEAM, want.outputDir));
      const { tags } = await json<ScalarTagsResponse>(`/api/runs/${run.id}/scalars`);
      expect(
        tags.map(({ dir, tag, count, firstStep, lastStep, lastValue }) => ({ dir, tag, count, firstStep, lastStep, lastValue })),
      ).toEqual(want.tags);
      const detail = await json<RunDetail>(`/api/runs/${run.id}`);
      expect({ train: detail.metrics.train, val: detail.metrics.val }).toEqual({ train: want.metrics.train, val: want.metrics.val });
      expect(detail.metrics.trainer).toBe('kuavo_step');
      const last = want.tags.find((t) => t.tag === 'train/loss')!;
      // Not the SmolVLA trainer's, no epoch from a step; progress in steps.
      expect(detail.run.format).toBe('tensorboard');
      expect(detail.progress).toMatchObject({ epochsDone: 0, lastStep: last.lastStep, stepBased: true, axis: 'step' });
      expect(detail.progress.lastTrainLoss).toBe(last.lastValue);
      // The Hydra config joined the same run (max_epoch), still without making steps epochs.
      expect(detail.run.config.epochsTotal).toBe(want.outputDir.includes('diffusion') ? 3 : 4);
      expect(run).toMatchObject({
        format: 'tensorboard',
        axis: 'step',
        epochsDone: 0,
        lastStep: last.lastStep,
        lastTrainLoss: last.lastValue,
      });
    }
  });

  it("one tag's points: every one in step order, exact in JSON and CSV, and a spike-keeping downsample", async () => {
    const relative = path.join(TEAM, 'outputs/train/task_1000_episodes/diffusion_bs64_usedepth_nofuse/run_20251020_150000');
    const run = runAt(relative);
    const [file] = await eventFilesIn(path.join(logs.dir, relative));
    const ref = readRun([file!.bytes]).scalars.get('train/loss')!;
    const all = await json<ScalarPointsResponse>(scalarsUrl(run.id, 'train/loss'));
    expect(all).toMatchObject({ runId: run.id, dir: '', tag: 'train/loss', count: 2100 });
    expect(all.points).toHaveLength(2100);
    all.points.forEach(([step, value, wallTime], i) => {
      expect(step).toBe(ref[i]!.step);
      expect(wallTime).toBe(ref[i]!.wallTime);
      expect(sameNumber(value, ref[i]!.value)).toBe(true);
      // float32 as written: the JSON number reads back as exactly that float32.
      expect(Math.fround(value!)).toBe(value);
    });
    const csv = parseCsv(await (await get(scalarsUrl(run.id, 'train/loss', '', '&format=csv'))).text());
    expect(csv).toHaveLength(2100);
    csv.forEach((row, i) => {
      expect(Number(row['step'])).toBe(ref[i]!.step);
      expect(Number(row['value'])).toBe(ref[i]!.value);
      expect(Number(row['wallTime'])).toBe(ref[i]!.wallTime);
    });
    const few = await json<ScalarPointsResponse>(scalarsUrl(run.id, 'train/loss', '', '&points=100'));
    expect(few.points.length).toBeLessThanOrEqual(100);
    expect(few.points.length).toBeGreaterThan(50);
    const values = ref.map((p) => p.value);
    const kept = few.points.map((p) => p[1]);
    expect(kept).toContain(Math.max(...values));
    expect(kept).toContain(Math.min(...values));
    expect(few.points[0]).toEqual(all.points[0]);
    expect(few.points.at(-1)).toEqual(all.points.at(-1));
    // Every kept point is a stored one, in step order.
    const stored = new Set(all.points.map((p) => JSON.stringify(p)));
    for (const p of few.points) expect(stored.has(JSON.stringify(p))).toBe(true);
    expect(few.points.map((p) => p[0])).toEqual([...few.points.map((p) => p[0])].sort((a, b) => a - b));
  });

  it('an unknown tag is a 404 naming it; bad parameters are 400s naming them', async () => {
    const run = runAt(path.join(TEAM, 'outputs/train/task1_moving_grasp/hierarchical_humanoid_v2/run_20251021_093000'));
    const missing = await get(scalarsUrl(run.id, 'train/no_such_tag'));
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('"train/no_such_tag"');
    const wrongDir = await get(scalarsUrl(run.id, 'train/loss', 'validation'));
    expect(wrongDir.status).toBe(404);
    expect(((await wrongDir.json()) as { error: { message: string } }).error.message).toMatch(/"train\/loss" in "validation"/);
    expect((await get('/api/runs/999999/scalars')).status).toBe(404);
    for (const [query, parameter] of [
      [scalarsUrl(run.id, 'train/loss', '', '&points=3'), 'points'],
      [scalarsUrl(run.id, 'train/loss', '', '&points=x'), 'points'],
      [`/api/runs/${run.id}/scalars?dir=train`, 'tag'],
    ] as const) {
      const response = await get(query);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(new RegExp(`^${parameter}: expected `));
    }
  });
});

describe('real event files of every writer', () => {
  it('make the runs people mean: one per run directory, none of a scalar-free file', () => {
    const real = runs.filter((r) => r.outputDir?.includes(`/${REAL}/`));
    expect(real.map((r) => path.relative(path.join(logs.dir, REAL), r.outputDir!)).sort()).toEqual(Object.keys(REAL_RUNS).sort());
    expect(runs).toHaveLength(Object.keys(REAL_RUNS).length + 2);
  });

  it("show every tag TensorBoard shows, with every point, in each file's folder", async () => {
    for (const [relative, dirs] of Object.entries(REAL_RUNS)) {
      const run = runAt(path.join(REAL, relative));
      const { tags } = await json<ScalarTagsResponse>(`/api/runs/${run.id}/scalars`);
      const ref = await reference(relative, dirs);
      expect(Object.fromEntries(tags.map((t) => [`${t.dir}|${t.tag}`, t.count])), relative).toEqual(
        Object.fromEntries([...ref].map(([key, points]) => [key, points.length])),
      );
      for (const t of tags) {
        const points = ref.get(`${t.dir}|${t.tag}`)!;
        const { points: got } = await json<ScalarPointsResponse>(scalarsUrl(run.id, t.tag, t.dir));
        // Read order: by step; equal steps in file order (a stable sort of the reference's file order).
        const want = points.map((p, i) => ({ ...p, i })).sort((a, b) => a.step - b.step || a.i - b.i);
        expect(
          got.map((p) => p[0]),
          `${relative} ${t.tag}`,
        ).toEqual(want.map((p) => p.step));
        got.forEach(([, value, wallTime], i) => {
          expect(wallTime).toBe(want[i]!.wallTime);
          expect(sameNumber(value, want[i]!.value), `${relative} ${t.tag} point ${i}`).toBe(true);
        });
      }
    }
  });

  it('say what else the files hold (counted per plugin) and take their hyperparameters as the config', async () => {
    const fit = runAt(
      path.join(REAL, `${KERAS}/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/feature_extraction/20210605-165835`),
    );
    expect((await json<ScalarTagsResponse>(`/api/runs/${fit.id}/scalars`)).others).toEqual([
      { dir: 'train', plugin: 'graph_keras_model', count: 1 },
      { dir: 'train', plugin: 'graphs', count: 1 },
    ]);
    const hf = runAt(path.join(REAL, 'huggingface/runs/run0'));
    expect((await json<ScalarTagsResponse>(`/api/runs/${hf.id}/scalars`)).others).toEqual([{ dir: '', plugin: 'text', count: 2 }]);
    const session = await json<RunDetail>(`/api/runs/${runAt(path.join(REAL, 'tf-summary/logs/hparam_tuning/run-1')).id}`);
    expect(Object.keys(session.config?.tree ?? {}).sort()).toEqual(['dropout', 'num_units', 'optimizer']);
    // Lightning: hparams.yaml (the whole mapping) outranks the event file's session info; its second
    // file (a Trainer call that only logged hyperparameters) joined the run beside it.
    const lightning = runAt(path.join(REAL, 'lightning/weather-predder/lightning_logs/version_1'));
    const detail = await json<RunDetail>(`/api/runs/${lightning.id}`);
    expect(Object.keys(detail.config?.tree ?? {})).toHaveLength(20);
    expect(detail.sources.map((s) => s.kind).sort()).toEqual(['hparams_yaml', 'tfevents', 'tfevents']);
    const scalars = await json<ScalarTagsResponse>(`/api/runs/${lightning.id}/scalars`);
    expect(scalars.tags.find((t) => t.tag === 'hp_metric')?.count).toBe(2);
    expect(scalars.others).toEqual([{ dir: '', plugin: 'hparams', count: 6 }]);
  });

  it('name the losses and their axis by the one rule, epochs only from real epoch evidence', async () => {
    const cases: [string, Partial<RunDetail['metrics']>, Partial<RunDetail['progress']>][] = [
      [
        `${KERAS}/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/fine_tuning/20210605-170815`,
        {
          trainer: 'keras',
          train: { dir: 'train', tag: 'epoch_loss', axis: 'epoch' },
          val: { dir: 'validation', tag: 'epoch_loss', axis: 'epoch' },
        },
        { epochsDone: 9, axis: 'epoch' },
      ],
      [
        'huggingface/runs/run0',
        { trainer: 'huggingface', train: { dir: '', tag: 'train/loss', axis: 'step' }, val: { dir: '', tag: 'eval/loss', axis: 'step' } },
        { axis: 'step', lastStep: 1200 },
      ],
      [
        'lightning/fractaldb/lightning_logs/version_0',
        {
          trainer: 'lightning',
          train: { dir: '', tag: 'train_loss_epoch', axis: 'step' },
          val: { dir: '', tag: 'valid_loss_epoch', axis: 'step' },
        },
        { epochsDone: 2, axis: 'step' },
      ],
      [
        'sb3/logs/PPO_3',
        { trainer: 'stable_baselines3', train: { dir: '', tag: 'train/loss', axis: 'step' }, val: null },
        { axis: 'step' },
      ],
      ['pytorch/runs/strict/run_1', { trainer: null, train: null, val: null }, { epochsDone: 0, axis: 'epoch' }],
    ];
    for (const [relative, metrics, progress] of cases) {
      const detail = await json<RunDetail>(`/api/runs/${runAt(path.join(REAL, relative)).id}`);
      expect(detail.metrics, relative).toMatchObject(metrics);
      expect(detail.progress, relative).toMatchObject(progress);
      expect(detail.run.format).toBe('tensorboard');
    }
  });

  it('judge overfitting on the validation curve the metrics rule names, on its axis; the runs table says the same', async () => {
    const cases: [string, 'epoch' | 'step'][] = [
      [`${KERAS}/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/fine_tuning/20210605-170815`, 'epoch'],
      ['huggingface/runs/run0', 'step'],
      ['lightning/fractaldb/lightning_logs/version_0', 'step'],
    ];
    for (const [relative, axis] of cases) {
      const row = runAt(path.join(REAL, relative));
      const detail = await json<RunDetail>(`/api/runs/${row.id}`);
      const val = detail.metrics.val!;
      const { points } = await json<ScalarPointsResponse>(scalarsUrl(row.id, val.tag, val.dir));
      const finite = new Set(points.filter((p) => p[1] !== null).map((p) => p[0]));
      expect(detail.verdict, relative).toMatchObject({ axis, validationPoints: finite.size });
      expect(detail.verdict.reason, relative).not.toContain('no validation loss was recorded');
      expect(detail.verdict.reason, relative).toContain(`${val.dir === '' ? '' : `${val.dir}/`}${val.tag}`);
      expect(detail.verdict.reason, relative).toMatch(new RegExp(`\\b${axis}\\b`));
      expect(row.verdict, relative).toMatchObject({ status: detail.verdict.status, reason: detail.verdict.reason });
    }
  });
});
