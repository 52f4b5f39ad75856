// Which run a file belongs to, and what kind of run-directory file it is. One rule for every source:
// a run is its run directory, named by its last three components
// `task{k}_{name}/{method}/run_{timestamp}` (the trainer's `outputs/train/<task>/<method>/run_<ts>`).
// The console log prints that directory ("📁 Output Directory: …", relative to the trainer's cwd),
// the event file and training_results.json live in it, and Hydra's folder
// `train_hydra_save/{method}/{timestamp}/.hydra/` names the timestamp, its config the task.
import path from 'node:path';

export type SourceKind = 'log' | 'tfevents' | 'results_json' | 'hydra_config';

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

/** Identity of a run-directory file (event file, results JSON): its directory, or the absolute directory when it has no trainer layout. */
export function identityForRunFile(file: string): string {
  const dir = path.dirname(path.resolve(file));
  return identityFromRunDir(dir) ?? `dir:${dir}`;
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
