// Which runs may be aggregated together (the compare page's charts, the strategies page's rankings).
// Losses of different tasks (different datasets) are not comparable, and neither are those of one task
// trained on different amounts of data, so by default every task × dataset size is its own FACET (a small
// multiple), and a strategy's mean is taken within a facet only. A run without a task id (LeRobot's own
// trainer) has its dataset as its task: runs on one dataset (`dataset.repo_id`) share a facet, labelled
// with the dataset's name. A run with neither a task id nor a dataset (TensorBoard runs of Keras, Hugging
// Face, Stable-Baselines3, Lightning…) is faceted by its EXPERIMENT FOLDER (`experimentFolder`): the
// parent folder of its run directory (the `dir:` identity of an event-file run), else of its output
// directory, else the folder of its log file; labelled "folder <last two segments>". Unrelated runs never
// share a facet (a PPO loss of 10,185 is not averaged with a classifier's 0.3); runs side by side in one
// experiment folder (runs/run0, runs/run1) do. Only a run with none of these is "task unknown". Pooling is
// an explicit choice (`pool`), and then the view says so.

export interface FacetRun {
  id: number;
  taskId: number | null;
  taskName: string | null;
  /** `📊 Current Task N Dataset: X frames` (the log names no episode range; frames stand for it). */
  datasetFrames: number | null;
  /** LeRobot's dataset.repo_id: the run's task when it has no task id. */
  dataset?: string | null;
  /** The run's experiment folder (`experimentFolder`): its facet when it has neither task id nor dataset. */
  experiment?: string | null;
}

export interface Facet {
  key: string;
  label: string;
  taskId: number | null;
  taskName: string | null;
  datasetFrames: number | null;
  /** The dataset that stands for the task (runs without a task id), else null. */
  dataset: string | null;
  /** The experiment folder that stands for the task (runs with neither task id nor dataset), else null. */
  experiment: string | null;
  runIds: number[];
}

export const POOLED_FACET = 'all';

const frames = (value: number) => `${value.toLocaleString('en-US')} frames`;

/** The dataset that stands for a run's task: its dataset when it has no task id, else null. */
function taskDataset(run: Pick<FacetRun, 'taskId' | 'dataset'>): string | null {
  return run.taskId === null && run.dataset ? run.dataset : null;
}

/** The experiment folder that stands for a run's task: when it has neither task id nor dataset, else null. */
function taskExperiment(run: Pick<FacetRun, 'taskId' | 'dataset' | 'experiment'>): string | null {
  return run.taskId === null && !run.dataset && run.experiment ? run.experiment : null;
}

function trimSlashes(p: string): string {
  return p.replace(/[\\/]+$/, '');
}

/** The folder a path is in ("" → null); both separators, trailing ones ignored. */
function parentFolder(p: string): string | null {
  const trimmed = trimSlashes(p);
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (cut < 0) return null;
  return cut === 0 ? trimmed.slice(0, 1) : trimmed.slice(0, cut);
}

/**
 * A run's experiment folder (module rule): the parent of its run directory (an event-file run's identity
 * `dir:<run directory>`), else of its output directory, else the folder its log file is in; null when
 * none is known.
 */
export function experimentFolder(run: { identity?: string | null; outputDir: string | null; sourcePath: string | null }): string | null {
  if (run.identity?.startsWith('dir:')) return parentFolder(run.identity.slice('dir:'.length));
  if (run.outputDir) return parentFolder(run.outputDir);
  return run.sourcePath ? parentFolder(run.sourcePath) : null;
}

/** "folder huggingface/runs": an experiment folder by its last two segments. */
export function experimentLabel(folder: string): string {
  const parts = trimSlashes(folder)
    .split(/[\\/]/)
    .filter((part) => part !== '');
  return `folder ${parts.slice(-2).join('/') || folder}`;
}

/** The facet key of a run (module rule). */
export function facetKey(run: Pick<FacetRun, 'taskId' | 'datasetFrames' | 'dataset' | 'experiment'>, pool: boolean): string {
  if (pool) return POOLED_FACET;
  const dataset = taskDataset(run);
  const experiment = taskExperiment(run);
  const task = dataset !== null ? `dataset:${dataset}` : experiment !== null ? `folder:${experiment}` : `task${run.taskId ?? '?'}`;
  return `${task}|frames${run.datasetFrames ?? '?'}`;
}

/** The facet label of a run with neither task id, dataset nor experiment folder. */
export const TASK_UNKNOWN = 'task unknown';

/** What a facet's task is called: "task 1 · moving_grasp", the dataset's name, "folder a/b", or "task unknown". */
export function taskLabel(
  taskId: number | null,
  taskName: string | null,
  dataset: string | null,
  experiment: string | null = null,
): string {
  if (taskId !== null) return `task ${taskId}${taskName ? ` · ${taskName}` : ''}`;
  if (dataset !== null) return dataset;
  return experiment === null ? TASK_UNKNOWN : experimentLabel(experiment);
}

const nullsLast = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b);
const namesNullsLast = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

/** The facets of the runs in view, in task order then dataset size (unknown last). */
export function facetRuns(runs: readonly FacetRun[], pool: boolean): Facet[] {
  const byKey = new Map<string, Facet>();
  for (const run of runs) {
    const key = facetKey(run, pool);
    const facet = byKey.get(key);
    if (facet) facet.runIds.push(run.id);
    else
      byKey.set(key, {
        key,
        label: '',
        taskId: pool ? null : run.taskId,
        taskName: pool ? null : run.taskName,
        datasetFrames: pool ? null : run.datasetFrames,
        dataset: pool ? null : taskDataset(run),
        experiment: pool ? null : taskExperiment(run),
        runIds: [run.id],
      });
  }
  const facets = [...byKey.values()].sort(
    (a, b) =>
      nullsLast(a.taskId, b.taskId) ||
      namesNullsLast(a.dataset, b.dataset) ||
      namesNullsLast(a.experiment, b.experiment) ||
      nullsLast(a.datasetFrames, b.datasetFrames),
  );
  // A dataset size is named where one task has several in view (else the task says it all).
  const taskOf = (f: Facet) =>
    f.dataset !== null ? `dataset:${f.dataset}` : f.experiment !== null ? `folder:${f.experiment}` : `task${f.taskId ?? '?'}`;
  const sizesPerTask = new Map<string, number>();
  for (const f of facets) sizesPerTask.set(taskOf(f), (sizesPerTask.get(taskOf(f)) ?? 0) + 1);
  for (const f of facets) {
    if (pool) {
      f.label = 'all tasks pooled';
      continue;
    }
    const task = taskLabel(f.taskId, f.taskName, f.dataset, f.experiment);
    const size = f.datasetFrames === null ? 'dataset size unknown' : frames(f.datasetFrames);
    f.label = (sizesPerTask.get(taskOf(f)) ?? 0) > 1 ? `${task} · ${size}` : task;
  }
  return facets;
}

/** What a pooled view mixes, said plainly (null when it mixes nothing). */
export function poolingNote(runs: readonly FacetRun[]): string | null {
  const split = facetRuns(runs, false);
  if (split.length <= 1) return null;
  const tasks = [...new Set(split.map((f) => f.dataset ?? (f.experiment === null ? f.taskId : experimentLabel(f.experiment))))];
  const what =
    tasks.length > 1
      ? `tasks ${tasks.map((t) => t ?? '?').join(', ')}`
      : `${split.length} dataset sizes of ${typeof tasks[0] === 'string' ? tasks[0] : `task ${tasks[0] ?? '?'}`} (${split.map((f) => (f.datasetFrames === null ? 'unknown' : frames(f.datasetFrames))).join(', ')})`;
  return `Pooled: each strategy's mean mixes ${what}, whose losses are not comparable. Split by task to compare like with like.`;
}
