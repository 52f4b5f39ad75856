// Which runs may be aggregated together (the compare page's charts, the strategies page's rankings).
// Losses of different tasks (different datasets) are not comparable, and neither are those of one task
// trained on different amounts of data, so by default every task × dataset size is its own FACET (a small
// multiple), and a strategy's mean is taken within a facet only. A run without a task id (LeRobot's own
// trainer) has its dataset as its task: runs on one dataset (`dataset.repo_id`) share a facet, labelled
// with the dataset's name; only a run with neither is "task unknown". Pooling is an explicit choice
// (`pool`), and then the view says so.

export interface FacetRun {
  id: number;
  taskId: number | null;
  taskName: string | null;
  /** `📊 Current Task N Dataset: X frames` (the log names no episode range; frames stand for it). */
  datasetFrames: number | null;
  /** LeRobot's dataset.repo_id: the run's task when it has no task id. */
  dataset?: string | null;
}

export interface Facet {
  key: string;
  label: string;
  taskId: number | null;
  taskName: string | null;
  datasetFrames: number | null;
  /** The dataset that stands for the task (runs without a task id), else null. */
  dataset: string | null;
  runIds: number[];
}

export const POOLED_FACET = 'all';

const frames = (value: number) => `${value.toLocaleString('en-US')} frames`;

/** The dataset that stands for a run's task: its dataset when it has no task id, else null. */
function taskDataset(run: Pick<FacetRun, 'taskId' | 'dataset'>): string | null {
  return run.taskId === null && run.dataset ? run.dataset : null;
}

/** The facet key of a run (module rule). */
export function facetKey(run: Pick<FacetRun, 'taskId' | 'datasetFrames' | 'dataset'>, pool: boolean): string {
  if (pool) return POOLED_FACET;
  const dataset = taskDataset(run);
  const task = dataset === null ? `task${run.taskId ?? '?'}` : `dataset:${dataset}`;
  return `${task}|frames${run.datasetFrames ?? '?'}`;
}

/** What a facet's task is called: "task 1 · moving_grasp", the dataset's name, or "task unknown". */
export function taskLabel(taskId: number | null, taskName: string | null, dataset: string | null): string {
  if (taskId !== null) return `task ${taskId}${taskName ? ` · ${taskName}` : ''}`;
  return dataset ?? 'task unknown';
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
        runIds: [run.id],
      });
  }
  const facets = [...byKey.values()].sort(
    (a, b) => nullsLast(a.taskId, b.taskId) || namesNullsLast(a.dataset, b.dataset) || nullsLast(a.datasetFrames, b.datasetFrames),
  );
  // A dataset size is named where one task has several in view (else the task says it all).
  const taskOf = (f: Facet) => (f.dataset === null ? `task${f.taskId ?? '?'}` : `dataset:${f.dataset}`);
  const sizesPerTask = new Map<string, number>();
  for (const f of facets) sizesPerTask.set(taskOf(f), (sizesPerTask.get(taskOf(f)) ?? 0) + 1);
  for (const f of facets) {
    if (pool) {
      f.label = 'all tasks pooled';
      continue;
    }
    const task = taskLabel(f.taskId, f.taskName, f.dataset);
    const size = f.datasetFrames === null ? 'dataset size unknown' : frames(f.datasetFrames);
    f.label = (sizesPerTask.get(taskOf(f)) ?? 0) > 1 ? `${task} · ${size}` : task;
  }
  return facets;
}

/** What a pooled view mixes, said plainly (null when it mixes nothing). */
export function poolingNote(runs: readonly FacetRun[]): string | null {
  const split = facetRuns(runs, false);
  if (split.length <= 1) return null;
  const tasks = [...new Set(split.map((f) => f.dataset ?? f.taskId))];
  const what =
    tasks.length > 1
      ? `tasks ${tasks.map((t) => t ?? '?').join(', ')}`
      : `${split.length} dataset sizes of ${typeof tasks[0] === 'string' ? tasks[0] : `task ${tasks[0] ?? '?'}`} (${split.map((f) => (f.datasetFrames === null ? 'unknown' : frames(f.datasetFrames))).join(', ')})`;
  return `Pooled: each strategy's mean mixes ${what}, whose losses are not comparable. Split by task to compare like with like.`;
}
