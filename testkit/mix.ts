// The realistic mix: what one Thaw watches in a lab that trains SmolVLA both ways and keeps
// older TensorBoard work around — about 60 runs of every kind Thaw reads, in one directory:
//
// * SmolVLA trainer console logs: sequential chains task1 → task4 of three freeze strategies (each stage
//   resumes the previous one's best checkpoint), single-task repeats with other seeds, one crashed stage,
//   and the three sample logs (tests/fixtures/samples);
// * LeRobot console logs of several versions (every real fixture of tests/fixtures/lerobot and
//   tests/fixtures/logs/lerobot_train.log), and three runs on one Kuavo dataset, frozen and unfrozen,
//   from the real printed-config log (testkit/synthetic/lerobot-log.ts);
// * LeRobot runs known only from their checkpoint folders (`checkpoints/<step>/pretrained_model/
//   train_config.json` and `last`): one that reached its configured steps, one still short of them;
// * TensorBoard run directories: the team trainer's (tests/fixtures/rundirs, rundirs-team: event files,
//   results JSON, Hydra configs) and one of each real writer (tests/fixtures/tfevents-real: Keras,
//   tf.summary with HParams, PyTorch SummaryWriter, Lightning, Stable-Baselines3, the Hugging Face Trainer).
//
// Deterministic: the synthetic logs come from fixed seeds and the rest are real files copied as they are
// (gzipped event files unpacked to their original bytes). The browser tests, the web bench and the
// screenshots run on it; `MIX_PAGES` names the pages a newcomer would open on it.
import { copyFile, cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { demoHistory } from '../cli/demo/writers';
import type { Page } from 'playwright-core';
import type { RunsResponse } from '../lib/api/schemas/runs';
import { copySamples } from './samples';
import { lerobotConfigLog } from './synthetic/lerobot-log';
import { generateSmolvlaLog, type SmolvlaLogOptions } from './synthetic/smolvla-log';

const FIXTURES = path.resolve(import.meta.dirname, '../tests/fixtures');
const unzip = promisify(gunzip);

/** The kinds of source a run of the mix is known from. */
export type MixKind = 'smolvla-log' | 'lerobot-log' | 'lerobot-checkpoints' | 'team-rundir' | 'tfevents';

export interface MixEntry {
  kind: MixKind;
  /** Where it is, relative to the mix's directory (a log file, or a run's folder). */
  path: string;
  /** The writer of an event-file run directory (keras, tf-summary, pytorch, lightning, sb3, huggingface). */
  writer?: string;
}

/** The real event-file folders of the mix, by writer: each folder the writer made for one run (or session). */
const TFEVENTS: Record<string, string[]> = {
  keras: [
    'keras/tensorboard_logs/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/feature_extraction/20210605-165835',
    'keras/tensorboard_logs/101_food_multiclass_classification/resnet50v2_fine_tune_10_percent/fine_tuning/20210605-170815',
  ],
  'tf-summary': ['tf-summary/logs/hparam_tuning'],
  pytorch: ['pytorch/runs/strict'],
  lightning: ['lightning/fractaldb/lightning_logs/version_0', 'lightning/weather-predder/lightning_logs/version_11'],
  sb3: ['sb3/logs/PPO_3'],
  huggingface: ['huggingface/runs/run0', 'huggingface/runs/run1'],
};

/** A third strategy's chain (unfreeze 6) next to the demo's two, on other days. */
function unfreeze6Chain(): { file: string; options: SmolvlaLogOptions }[] {
  return [1, 2, 3, 4].map((taskId) => ({
    file: `chains/unfreeze6/task${taskId}.log`,
    options: {
      seed: 600 + taskId,
      taskId,
      unfreezeLast: 6,
      timestamp: `20251110_${String(8 + taskId).padStart(2, '0')}0000`,
      epochs: 24,
      epochsTotal: 24,
      stepsPerEpoch: 40,
      validationEvery: 2,
      saveEvery: 6,
      forgetting: 0.1,
      resumeFrom:
        taskId === 1
          ? null
          : {
              taskId: taskId - 1,
              path: `outputs/train/task${taskId - 1}_x/smolvla_sequential/run_20251110_${String(7 + taskId).padStart(2, '0')}0000/best`,
            },
    },
  }));
}

/** Task 1 on a larger dataset (more frames: more steps per epoch), another facet of the same task. */
const biggerDataset = {
  file: 'task1-unfreeze4-bigger-dataset.log',
  options: {
    seed: 799,
    taskId: 1,
    unfreezeLast: 4,
    timestamp: '20251111_210000',
    epochs: 20,
    epochsTotal: 20,
    stepsPerEpoch: 60,
    validationEvery: 2,
  } satisfies SmolvlaLogOptions,
};

/** Writes a LeRobot checkpoint folder (the real train_config.json, edited to be this run's) for each step. */
async function writeCheckpoints(
  dir: string,
  run: { name: string; dataset: string; steps: number; checkpoints: number[]; frozen: boolean },
): Promise<string> {
  const output = `outputs/train/${run.name}`;
  type TrainConfig = Record<string, unknown> & { dataset: Record<string, unknown>; policy: Record<string, unknown> };
  const base = JSON.parse(await readFile(path.join(FIXTURES, 'lerobot-checkpoints/020000.train_config.json'), 'utf8')) as TrainConfig;
  for (const step of run.checkpoints) {
    const config: TrainConfig = {
      ...base,
      output_dir: output,
      job_name: run.name,
      steps: run.steps,
      save_freq: run.checkpoints[0]!,
      dataset: { ...base.dataset, repo_id: run.dataset },
      policy: { ...base.policy, freeze_vision_encoder: run.frozen, train_expert_only: run.frozen },
    };
    const folder = path.join(dir, output, 'checkpoints', String(step).padStart(6, '0'), 'pretrained_model');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'train_config.json'), JSON.stringify(config, null, 4));
  }
  await symlink(String(run.checkpoints.at(-1)!).padStart(6, '0'), path.join(dir, output, 'checkpoints', 'last'));
  return output;
}

/** Copies a fixture folder, unpacking gzipped files to their original bytes. */
async function copyUnpacked(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
  for (const entry of await readdir(to, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.gz')) continue;
    const file = path.join(entry.parentPath, entry.name);
    await writeFile(file.slice(0, -'.gz'.length), await unzip(await readFile(file)));
    await rm(file);
  }
}

/** Writes the mix into `dir` (empty) and says what it wrote. */
export async function writeRealisticMix(dir: string): Promise<MixEntry[]> {
  const entries: MixEntry[] = [];

  // SmolVLA trainer logs
  const smolvla = path.join(dir, 'smolvla');
  for (const run of [...demoHistory(), ...unfreeze6Chain(), biggerDataset]) {
    const file = path.join(smolvla, run.file);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, generateSmolvlaLog(run.options));
    entries.push({ kind: 'smolvla-log', path: path.relative(dir, file) });
  }
  await mkdir(path.join(smolvla, 'samples'), { recursive: true });
  for (const file of await copySamples(path.join(smolvla, 'samples')))
    entries.push({ kind: 'smolvla-log', path: path.relative(dir, file) });

  // LeRobot console logs
  const lerobot = path.join(dir, 'lerobot');
  await mkdir(lerobot, { recursive: true });
  const fixtureLogs = (await readdir(path.join(FIXTURES, 'lerobot'))).filter((name) => name.endsWith('.log')).sort();
  for (const name of fixtureLogs) {
    await copyFile(path.join(FIXTURES, 'lerobot', name), path.join(lerobot, name));
    entries.push({ kind: 'lerobot-log', path: `lerobot/${name}` });
  }
  await copyFile(path.join(FIXTURES, 'logs/lerobot_train.log'), path.join(lerobot, 'lerobot_train.log'));
  entries.push({ kind: 'lerobot-log', path: 'lerobot/lerobot_train.log' });
  const weighing = [
    { name: 'smolvla_weighing_unfrozen', frozen: false, evalLoss: undefined },
    {
      name: 'smolvla_weighing_unfrozen_v06',
      frozen: false,
      evalLoss: (step: number) => 0.05 + 0.5 / Math.sqrt(step / 200) + 0.002 * Math.sin(step),
    },
    {
      name: 'smolvla_weighing_frozen_v06',
      frozen: true,
      evalLoss: (step: number) => 0.09 + 0.5 / Math.sqrt(step / 200) + 0.002 * Math.cos(step),
    },
  ];
  for (const run of weighing) {
    await writeFile(path.join(lerobot, `${run.name}.log`), await lerobotConfigLog(run));
    entries.push({ kind: 'lerobot-log', path: `lerobot/${run.name}.log` });
  }

  // LeRobot checkpoint folders alone
  const checkpoints = path.join(dir, 'lerobot-checkpoints');
  for (const run of [
    {
      name: 'smolvla_grasp_ckpt_done',
      dataset: 'kuavo/task1_moving_grasp_lerobot',
      steps: 20000,
      checkpoints: [10000, 20000],
      frozen: true,
    },
    {
      name: 'smolvla_sorting_ckpt_partway',
      dataset: 'kuavo/task4_sorting_lerobot',
      steps: 30000,
      checkpoints: [5000, 10000],
      frozen: false,
    },
  ]) {
    const output = await writeCheckpoints(checkpoints, run);
    entries.push({ kind: 'lerobot-checkpoints', path: path.relative(dir, path.join(checkpoints, output)) });
  }

  // TensorBoard run directories: the team trainer's, then one or two of each real writer
  for (const team of ['rundirs', 'rundirs-team']) {
    await cp(path.join(FIXTURES, team), path.join(dir, team), { recursive: true, filter: (source) => !source.endsWith('expected.json') });
    entries.push({ kind: 'team-rundir', path: team });
  }
  for (const [writer, folders] of Object.entries(TFEVENTS)) {
    for (const folder of folders) {
      await copyUnpacked(path.join(FIXTURES, 'tfevents-real', folder), path.join(dir, 'tensorboard', folder));
      entries.push({ kind: 'tfevents', path: `tensorboard/${folder}`, writer });
    }
  }
  return entries;
}

/** How many runs the mix makes once ingested (the browser test checks it). */
export const MIX_RUN_COUNT = 60;

/** A page a newcomer opens on the mix: a name for reports, and its path. */
export interface MixPage {
  name: string;
  path: string;
}

/** The run pages worth a look: one run of each format, found by where its main source sits in the mix. */
const RUN_PAGES: [name: string, source: string][] = [
  ['run: SmolVLA trainer log (chain stage)', '/smolvla/unfreeze9/task2.log'],
  ['run: SmolVLA sample log (final validation only)', '/smolvla/samples/sample_task3_ratio50_final_only.log'],
  ['run: LeRobot console log', '/lerobot/j_smolvla_30k_push403.log'],
  ['run: LeRobot log with its config and eval_loss', '/lerobot/smolvla_weighing_unfrozen_v06.log'],
  ['run: LeRobot checkpoint folders only', '/lerobot-checkpoints/outputs/train/smolvla_grasp_ckpt_done/'],
  ['run: team trainer run dir (event file, results JSON, Hydra config)', '/rundirs/outputs/train/task2_weighing/'],
  ['run: team step-based run dir', '/rundirs-team/outputs/train/task1_moving_grasp/hierarchical_humanoid_v2/'],
  ['run: Keras event files', '/tensorboard/keras/'],
  ['run: tf.summary + HParams event files', '/tensorboard/tf-summary/'],
  ['run: PyTorch SummaryWriter event file', '/tensorboard/pytorch/'],
  ['run: PyTorch Lightning event files', '/tensorboard/lightning/'],
  ['run: Stable-Baselines3 event file', '/tensorboard/sb3/'],
  ['run: Hugging Face Trainer event file', '/tensorboard/huggingface/'],
];

/**
 * Every page a newcomer would open on the mix: the runs, Compare, Strategies, the multi-task
 * matrix, alerts, login, and a run page of each format. The sideways-scroll test and the accessibility
 * test visit this one list. `runs` is /api/runs of the server holding the mix.
 */
export function mixPages(runs: readonly { id: number; source: { path: string } }[]): MixPage[] {
  const runPages = RUN_PAGES.map(([name, source]) => {
    const run = runs.find((r) => r.source.path.includes(source));
    if (!run) throw new Error(`mixPages: no run of the mix comes from …${source}`);
    return { name, path: `/runs/${run.id}` };
  });
  return [
    { name: 'runs', path: '/' },
    { name: 'compare', path: '/compare' },
    { name: 'strategies', path: '/strategies' },
    { name: 'multi-task', path: '/tasks' },
    { name: 'alerts', path: '/alerts' },
    { name: 'login', path: '/login' },
    ...runPages,
  ];
}

/**
 * Waits until a server watching the mix has ingested it: all MIX_RUN_COUNT runs, and the runs listing
 * unchanged over three polls a second apart (the daemon reads files in parallel; a run appears before
 * its last file is read). Returns the runs.
 */
export async function mixIngested(url: string, timeoutMs = 120_000): Promise<RunsResponse['runs']> {
  let last = '';
  let same = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${url}/api/runs?sort=id&dir=asc`).catch(() => null);
    if (response?.ok) {
      const { runs } = (await response.json()) as RunsResponse;
      const state = JSON.stringify(runs.map((r) => [r.id, r.status, r.epochsDone, r.lastStep, r.lastTrainLoss]));
      same = runs.length === MIX_RUN_COUNT && state === last ? same + 1 : 0;
      last = state;
      if (same >= 3) return runs;
    }
    if (Date.now() > deadline) throw new Error(`the mix was not ingested within ${timeoutMs} ms (last: ${last.slice(0, 200)})`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** What a compare facet shows once the page is scrolled through (facetsShown). */
export interface FacetShown {
  facet: string;
  /** The axis it is drawn on; '' when it has no chart. */
  x: string;
  /** Points its chart has drawn (`data-drawn`, set by chart.js's afterRender): 0 while not drawn. */
  drawn: number;
  /** Its one line when it has no chart; '' otherwise. */
  reason: string;
}

/**
 * Scrolls the open compare page through, facet after facet, until every facet is drawn or says why it
 * has no chart (or `timeoutMs` passed), as a reader scrolling down would; returns what each shows. The
 * browser test and the web bench (compare_all_charts_drawn_mixed) share it.
 */
export function facetsShown(page: Page, timeoutMs = 30_000): Promise<FacetShown[]> {
  // No named functions inside: the bench runs under tsx, whose esbuild wraps them in a `__name` helper
  // the page does not have.
  return page.evaluate(async (timeout) => {
    const deadline = performance.now() + timeout;
    for (;;) {
      const figures = [...document.querySelectorAll<HTMLElement>('[data-testid="compare-facet"]')];
      const facets = figures.map((figure) => ({
        facet: figure.dataset.facet ?? '',
        x: figure.dataset.x ?? '',
        drawn: Number(figure.querySelector<HTMLElement>('.chart-wrap')?.dataset.drawn ?? 0),
        reason: figure.querySelector('[data-testid="facet-no-chart"]')?.textContent ?? '',
      }));
      const waiting = figures.filter((_, i) => facets[i]!.drawn === 0 && facets[i]!.reason === '');
      if ((facets.length > 0 && waiting.length === 0) || performance.now() > deadline) return facets;
      waiting[0]?.scrollIntoView({ block: 'center' });
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  }, timeoutMs);
}
