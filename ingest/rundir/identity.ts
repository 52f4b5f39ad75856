// Which run a file belongs to, and what kind of run-directory file it is. One rule for every source:
// a run is its run directory, named by its last three components
// `task{k}_{name}/{method}/run_{timestamp}` (the trainer's `outputs/train/<task>/<method>/run_<ts>`).
// The console log prints that directory ("📁 Output Directory: …", relative to the trainer's cwd),
// the event file and training_results.json live in it, and Hydra's folder
// `train_hydra_save/{method}/{timestamp}/.hydra/` names the timestamp, its config the task.
import path from 'node:path';

export type SourceKind = 'log' | 'tfevents' | 'results_json' | 'hydra_config' | 'train_config' | 'hparams_yaml';

const RUN_DIR = /^run_(\d{8}_\d{6})$/;
const TIMESTAMP = /^\d{8}_\d{6}$/;

function parts(dir: string): string[] {
  return dir
    .replace(/\\/g, '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.');
}

/** "…/task1_x/smolvla_sequential/run_20251120_080000" → "task1_x/smolvla_sequential/run_20251120_080000". */
export function identityFromRunDir(dir: string): string | null {
  const tail = parts(dir).slice(-3);
  if (tail.length < 3 || !RUN_DIR.test(tail[2]!)) return null;
  return tail.join('/');
}

/**
 * The identity a printed output directory names: the trainer's run directory when it has that layout,
 * else (LeRobot: `Output dir: outputs/train/2025-06-01/12-00-00_smolvla`) the directory as printed,
 * which is also the `output_dir` of the run's checkpoints' train_config.json.
 */
export function identityFromOutputDir(dir: string): string | null {
  const runDir = identityFromRunDir(dir);
  if (runDir !== null) return runDir;
  const normalized = parts(dir).join('/');
  if (normalized === '') return null;
  return `out:${dir.replace(/\\/g, '/').startsWith('/') ? '/' : ''}${normalized}`;
}

const CHECKPOINT_STEP = /^\d+$/;

/**
 * LeRobot's `<output_dir>/checkpoints/<step>/pretrained_model/train_config.json`: its output dir and
 * step, or null. `checkpoints/last` is a symlink to the newest step: not a file of its own.
 */
export function lerobotCheckpointOf(file: string): { outputDir: string; step: number } | null {
  const all = parts(path.resolve(file));
  const n = all.length;
  if (n < 5 || all[n - 1] !== 'train_config.json' || all[n - 2] !== 'pretrained_model' || all[n - 4] !== 'checkpoints') return null;
  if (!CHECKPOINT_STEP.test(all[n - 3]!)) return null;
  return { outputDir: `/${all.slice(0, n - 4).join('/')}`, step: Number(all[n - 3]) };
}

/**
 * Folders that are a part of the run above them, not runs: Keras' `fit` writes its TensorBoard logs to
 * `<log_dir>/train/` and `<log_dir>/validation/`, TF Estimator its evaluations to `<model_dir>/eval/`.
 */
const RUN_PART_DIRS = new Set(['train', 'validation', 'eval']);

/**
 * The run directory a run-directory file belongs to by its path alone, and its folder relative to it
 * ('' when the file sits in it): the file's folder, or the folder above a Keras `train/`/`validation/`
 * (Estimator `eval/`) folder. Which scalar-free files join a run beside or above them is decided with
 * the other files in view (./run-layout.ts).
 */
export function runDirOfFile(file: string): { runDir: string; dir: string } {
  const folder = path.dirname(path.resolve(file));
  const base = path.basename(folder);
  const parent = path.dirname(folder);
  if (RUN_PART_DIRS.has(base) && parent !== folder) return { runDir: parent, dir: base };
  return { runDir: folder, dir: '' };
}

/** Identity of a run directory: the trainer's `task/method/run_<ts>`, else `dir:` and its absolute path. */
export function identityOfRunDir(runDir: string): string {
  return identityFromRunDir(runDir) ?? `dir:${path.resolve(runDir)}`;
}

/** Hydra: `task: tasks/task2_weighing`, `method: smolvla_sequential`, folder `20251121_080000`. */
export function identityFromHydra(task: string | null, method: string | null, timestamp: string | null): string | null {
  if (task === null || method === null || timestamp === null || !TIMESTAMP.test(timestamp)) return null;
  const taskDir = parts(task).at(-1);
  const methodDir = parts(method).at(-1);
  if (!taskDir || !methodDir) return null;
  return `${taskDir}/${methodDir}/run_${timestamp}`;
}

/** What the identity says about the run: task id and name from `task{k}_{name}`, the timestamp. */
export function describeIdentity(identity: string): { taskId?: number; taskName?: string; timestamp?: string } {
  const [task, , run] = identity.split('/');
  const out: { taskId?: number; taskName?: string; timestamp?: string } = {};
  const taskMatch = task ? /^task(\d+)_(.+)$/.exec(task) : null;
  if (taskMatch) {
    out.taskId = Number(taskMatch[1]);
    out.taskName = taskMatch[2]!;
  }
  const runMatch = run ? RUN_DIR.exec(run) : null;
  if (runMatch) out.timestamp = runMatch[1]!;
  return out;
}

/** The trainer-relative output directory ("outputs/train/…/run_<ts>") of an absolute run directory. */
export function outputDirOf(dir: string): string {
  const normalized = dir.replace(/\\/g, '/');
  const at = normalized.lastIndexOf('/outputs/');
  return at >= 0 ? normalized.slice(at + 1) : normalized;
}

/** The kind of an ingestible file, or null. Hydra's overrides.yaml and hydra.yaml are read with config.yaml. */
export function runFileKind(file: string): Exclude<SourceKind, 'log'> | null {
  const base = path.basename(file);
  if (base.startsWith('events.out.tfevents.')) return 'tfevents';
  if (base === 'training_results.json') return 'results_json';
  if (base === 'config.yaml' && path.basename(path.dirname(file)) === '.hydra') return 'hydra_config';
  if (base === 'train_config.json' && lerobotCheckpointOf(file) !== null) return 'train_config';
  // Lightning's, beside its event files in lightning_logs/version_N/: it only ever joins the run of its folder.
  if (base === 'hparams.yaml') return 'hparams_yaml';
  return null;
}

/** The source a changed file feeds: Hydra's overrides.yaml/hydra.yaml → its config.yaml; others → themselves. */
export function sourcePathFor(file: string): string {
  const base = path.basename(file);
  if ((base === 'overrides.yaml' || base === 'hydra.yaml') && path.basename(path.dirname(file)) === '.hydra') {
    return path.join(path.dirname(file), 'config.yaml');
  }
  return file;
}
