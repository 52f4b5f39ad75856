// Which TensorBoard event files form which run, as people mean runs (docs/log-formats.md, "Run
// directories"). One pure rule over the files found, each with what it holds:
//
// 1. By path (./identity.ts runDirOfFile): the files of one folder are one run, as TensorBoard merges
//    them (Lightning's `lightning_logs/version_N/`, a `SummaryWriter` folder, the trainer's
//    `outputs/train/<task>/<method>/run_<ts>/`); Keras' `train/` and `validation/` folders (Estimator
//    `eval/`) are parts of the run above them.
// 2. A file with scalars makes its run directory a run.
// 3. An HParams session file (hyperparameters plus one value per metric: TF's `hp.hparams` run,
//    PyTorch `add_hparams` with metrics) joins a run beside or above it; else it is a run of its own.
// 4. A file without scalars — hyperparameters only (Hugging Face's `<time>/` sub-folder, a Lightning
//    run killed before its first log), or only a header (`…profile-empty`, a run killed before its
//    first log) — never makes a run: it joins the nearest run beside or above it (or a run directory
//    other sources name, `knownRunDirs`), else it belongs to no run (and says so: `unattached`).
// Each file keeps `dir`: its folder relative to its run directory ('' when it sits in it).
//
// Pure (paths and contents in, layout out; no filesystem).
import path from 'node:path';
import { identityOfRunDir, runDirOfFile } from './identity';

/**
 * What an event file holds, for grouping: `scalars` (a run's data), `session` (HParams session start
 * info with at most one value per metric), `hparams` (hyperparameters, no metric value), `empty`
 * (no scalar and no hyperparameter: a header only, or only other plugins' values).
 */
export type EventFileContent = 'scalars' | 'session' | 'hparams' | 'empty';

/** Lightning writes this placeholder scalar (−1) with its hyperparameters; it is not a run's data. */
const HPARAMS_PLACEHOLDER = 'hp_metric';

/** The content class of an event file from its scalar tags (with their point counts) and whether it has HParams data. */
export function eventFileContent(input: { tags: Iterable<{ tag: string; count: number }>; hparams: boolean }): EventFileContent {
  let metrics = 0;
  let series = false;
  for (const { tag, count } of input.tags) {
    if (tag === HPARAMS_PLACEHOLDER || count === 0) continue;
    metrics++;
    if (count > 1) series = true;
  }
  if (input.hparams && !series) return metrics > 0 ? 'session' : 'hparams';
  if (metrics > 0) return 'scalars';
  return input.hparams ? 'hparams' : 'empty';
}

export interface FoundEventFile {
  path: string;
  content: EventFileContent;
}

export interface RunFile {
  path: string;
  content: EventFileContent;
  /** The file's folder relative to the run directory, '/'-separated; '' when it sits in it. */
  dir: string;
}

export interface RunOfFiles {
  runDir: string;
  /** As every source of the run names it (./identity.ts identityOfRunDir). */
  identity: string;
  files: RunFile[];
}

export interface RunLayout {
  /** In order of run directory. */
  runs: RunOfFiles[];
  /** Files that belong to no run (scalar-free with no run beside or above them), in path order. */
  unattached: FoundEventFile[];
}

/**
 * Groups event files into runs (rules in the header). `knownRunDirs`: run directories other sources
 * already make runs of (a console log's output directory, Hydra's, training_results.json's): a
 * scalar-free file there joins that run instead of belonging to none.
 */
export function groupEventFiles(files: readonly FoundEventFile[], knownRunDirs: readonly string[] = []): RunLayout {
  const placed = files.map((file) => ({ file, ...runDirOfFile(file.path) }));
  const runs = new Map<string, RunFile[]>();
  const join = (runDir: string, file: FoundEventFile, dir: string) => {
    let list = runs.get(runDir);
    if (!list) runs.set(runDir, (list = []));
    list.push({ path: file.path, content: file.content, dir });
  };
  const scalarRuns = new Set(placed.filter((p) => p.file.content === 'scalars').map((p) => p.runDir));
  for (const p of placed) if (p.file.content === 'scalars') join(p.runDir, p.file, p.dir);

  // Sessions: with a run beside or above, else runs of their own.
  const sessionRuns = new Set<string>();
  const pendingSessions: typeof placed = [];
  for (const p of placed) {
    if (p.file.content !== 'session') continue;
    const target = nearestRun(p.runDir, scalarRuns);
    if (target === null) {
      sessionRuns.add(p.runDir);
      pendingSessions.push(p);
    } else join(target, p.file, relativeDir(target, p));
  }
  for (const p of pendingSessions) join(p.runDir, p.file, p.dir);

  // Scalar-free files: the nearest run beside or above, a run directory other sources name, or none.
  const targets = new Set([...scalarRuns, ...sessionRuns, ...knownRunDirs.map((dir) => path.resolve(dir))]);
  const unattached: FoundEventFile[] = [];
  for (const p of placed) {
    if (p.file.content !== 'hparams' && p.file.content !== 'empty') continue;
    const target = nearestRun(p.runDir, targets);
    if (target === null) unattached.push(p.file);
    else join(target, p.file, relativeDir(target, p));
  }

  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const ordered = [...runs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    runs: ordered.map(([runDir, list]) => ({
      runDir,
      identity: identityOfRunDir(runDir),
      files: list.sort(byPath),
    })),
    unattached: unattached.sort(byPath),
  };
}

/** `runDir` itself or its nearest ancestor that is in `runs`; null when none is. */
function nearestRun(runDir: string, runs: ReadonlySet<string>): string | null {
  for (let dir = runDir; ; dir = path.dirname(dir)) {
    if (runs.has(dir)) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

/** A file's folder relative to the run it joins: by path when it is its own run directory, else the path between. */
function relativeDir(target: string, placed: { file: FoundEventFile; runDir: string; dir: string }): string {
  if (target === placed.runDir) return placed.dir;
  return path
    .relative(target, path.dirname(path.resolve(placed.file.path)))
    .split(path.sep)
    .join('/');
}
