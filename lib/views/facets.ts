// Which runs may be aggregated together on the compare page. Losses of different tasks (different
// datasets) are not comparable, and neither are those of one task trained on different amounts of data,
// so by default every task × dataset size is its own FACET (a small multiple), and a strategy's mean is
// taken within a facet only. Pooling is an explicit choice (`pool`), and then the view says so.

export interface FacetRun {
  id: number;
  taskId: number | null;
  taskName: string | null;
  /** `📊 Current Task N Dataset: X frames` (the log names no episode range; frames stand for it). */
  datasetFrames: number | null;
}

export interface Facet {
  key: string;
  label: string;
  taskId: number | null;
  taskName: string | null;
  datasetFrames: number | null;
  runIds: number[];
}

export const POOLED_FACET = 'all';

const frames = (value: number) => `${value.toLocaleString('en-US')} frames`;

/** The facet key of a run (module rule). */
export function facetKey(run: Pick<FacetRun, 'taskId' | 'datasetFrames'>, pool: boolean): string {
  if (pool) return POOLED_FACET;
  return `task${run.taskId ?? '?'}|frames${run.datasetFrames ?? '?'}`;
}

const nullsLast = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b);

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
        runIds: [run.id],
      });
  }
  const facets = [...byKey.values()].sort((a, b) => nullsLast(a.taskId, b.taskId) || nullsLast(a.datasetFrames, b.datasetFrames));
  // A dataset size is named where one task has several in view (else the task says it all).
  const sizesPerTask = new Map<number | null, number>();
  for (const f of facets) sizesPerTask.set(f.taskId, (sizesPerTask.get(f.taskId) ?? 0) + 1);
  for (const f of facets) {
    if (pool) {
      f.label = 'all tasks pooled';
      continue;
    }
    const task = f.taskId === null ? 'task unknown' : `task ${f.taskId}${f.taskName ? ` · ${f.taskName}` : ''}`;
    const size = f.datasetFrames === null ? 'dataset size unknown' : frames(f.datasetFrames);
    f.label = (sizesPerTask.get(f.taskId) ?? 0) > 1 ? `${task} · ${size}` : task;
  }
  return facets;
}

/** What a pooled view mixes, said plainly (null when it mixes nothing). */
export function poolingNote(runs: readonly FacetRun[]): string | null {
  const split = facetRuns(runs, false);
  if (split.length <= 1) return null;
  const tasks = [...new Set(split.map((f) => f.taskId))];
  const what =
    tasks.length > 1
      ? `tasks ${tasks.map((t) => t ?? '?').join(', ')}`
      : `${split.length} dataset sizes of task ${tasks[0] ?? '?'} (${split.map((f) => (f.datasetFrames === null ? 'unknown' : frames(f.datasetFrames))).join(', ')})`;
  return `Pooled: each strategy's mean mixes ${what}, whose losses are not comparable. Split by task to compare like with like.`;
}
