// The runs table's view model: its columns, how a live re-fetch merges into the rows, the optimistic
// view of an annotation change, and the texts and links around the table. Pure;
// app/_components/runs-table.tsx and ./runs-table/ render it.
import { parseScalarColumn, scalarColumnKey, type RunRow, type RunSortKey, type ScalarColumn } from '../api/schemas/runs';
import { changeTags } from '../api/tags';
import { taskLabel } from './facets';

export interface RunsTableColumn {
  key: RunSortKey | null;
  label: string;
  title?: string;
  className?: string;
}

export const RUNS_TABLE_COLUMNS: readonly RunsTableColumn[] = [
  { key: null, label: '★', title: 'starred' },
  { key: 'status', label: '', title: 'status' },
  { key: 'id', label: 'Run' },
  { key: 'task', label: 'Task' },
  { key: 'strategy', label: 'Strategy', title: 'vision-encoder layers trained (L0 → L11)' },
  {
    key: 'epochs',
    label: 'Progress',
    title: 'epochs done / planned, or steps for a step-based run (never a step as an epoch)',
    className: 'num',
  },
  {
    key: 'lastTrainLoss',
    label: 'Last train',
    title: 'last epoch-average training loss (step-based runs: the last step loss)',
    className: 'num',
  },
  { key: 'bestVal', label: 'Best val (epoch)', title: 'lowest own-task validation loss', className: 'num' },
  { key: 'gap', label: 'Final gap', title: 'validation ÷ training loss at the latest validation', className: 'num' },
  { key: 'verdict', label: 'Verdict', title: 'overfitting verdict; hover a badge for the reason' },
  {
    key: 'forecast',
    label: 'Forecast',
    title:
      'running runs: the deciding loss forecast at the planned end (80% interval on hover) and the chance to beat the best finished run of the task and dataset; sorts by that chance',
  },
  { key: 'startedAt', label: 'Started / last seen' },
  { key: 'source', label: 'Source' },
];

/**
 * Applies a re-fetch to the rows: fetched rows replace theirs, changed runs that the filters no
 * longer match drop out, new runs are added. Keyed by id, so a row can never appear twice.
 */
export function mergeRows(current: readonly RunRow[], fetched: readonly RunRow[], ids: Set<number> | 'all'): RunRow[] {
  const byId = new Map<number, RunRow>();
  if (ids !== 'all') for (const row of current) if (!ids.has(row.id)) byId.set(row.id, row);
  for (const row of fetched) byId.set(row.id, row);
  return [...byId.values()];
}

/**
 * The rows a live re-fetch brings into this page: all of them on the first page or a full refresh;
 * past the first page, only runs already shown (a changed run stays on its own page).
 */
export function refetchedRows(
  current: readonly RunRow[],
  fetched: readonly RunRow[],
  ids: Set<number> | 'all',
  pageQuery: string,
): RunRow[] {
  const firstPage = (new URLSearchParams(pageQuery).get('page') ?? '1') === '1';
  const shown = new Set(current.map((row) => row.id));
  return mergeRows(current, firstPage || ids === 'all' ? fetched : fetched.filter((row) => shown.has(row.id)), ids);
}

/** The query of a live re-fetch: the page's filters and sort, and the changed runs (or this page). */
export function refetchQuery(
  filterQuery: string,
  pageQuery: string,
  ids: Set<number> | 'all',
  sort: RunSortKey,
  dir: 'asc' | 'desc',
): string {
  const params = new URLSearchParams(filterQuery);
  if (ids !== 'all') params.set('ids', [...ids].join(','));
  else for (const [key, value] of new URLSearchParams(pageQuery)) params.set(key, value);
  params.set('sort', sort);
  params.set('dir', dir);
  return params.toString();
}

/** The page's query sorted by a column: descending first, then flipping on each click. */
export function sortQuery(query: string, sort: RunSortKey, dir: 'asc' | 'desc', key: RunSortKey): string {
  const params = new URLSearchParams(query);
  params.set('sort', key);
  params.set('dir', sort === key && dir === 'desc' ? 'asc' : 'desc');
  return params.toString();
}

/** A change to runs' annotations, as the bulk endpoint takes it. */
export interface BulkAnnotationChange {
  addTags?: string[];
  removeTags?: string[];
  starred?: boolean;
  hidden?: boolean;
}

/** The change applied to a row locally (the optimistic view; the server's answer replaces it). */
export function applyAnnotationChange(row: RunRow, change: BulkAnnotationChange): RunRow {
  return {
    ...row,
    tags: changeTags(row.tags, { add: change.addTags, remove: change.removeTags }),
    starred: change.starred ?? row.starred,
    hidden: change.hidden ?? row.hidden,
  };
}

/** "12 runs", or "100 of 1,234 runs" when the table shows a page of them. */
export function runCountText(total: number, shown: number): string {
  return total === shown
    ? `${total.toLocaleString('en-US')} run${total === 1 ? '' : 's'}`
    : `${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} runs`;
}

/** The compare page for the selected runs (all runs in view when none is selected). */
export function compareHref(selected: ReadonlySet<number>): string {
  return selected.size === 0 ? '/compare' : `/compare?runs=${[...selected].join(',')}`;
}

/**
 * The task cell: its task ("task2" over its name), else the facet label Compare and Strategies give the run
 * (facets.ts taskLabel: its dataset, else "folder <experiment folder>"), under "LeRobot" for a LeRobot run.
 * `sub` is the grey second line.
 */
export function taskCell(run: Pick<RunRow, 'taskId' | 'taskName' | 'format' | 'dataset' | 'experiment'>): {
  main: string | null;
  sub: string | null;
} {
  if (run.taskId !== null) return { main: `task${run.taskId}`, sub: run.taskName };
  return { main: run.format === 'lerobot' ? 'LeRobot' : null, sub: taskLabel(null, null, run.dataset, run.experiment) };
}

/** A step-based run: its progress is shown in steps (the API's axis: lib/analysis/scalar-metrics.ts runProgress). */
export function showsSteps(run: Pick<RunRow, 'axis'>): boolean {
  return run.axis === 'step';
}

/**
 * The Progress cell: "step 1,200/20,000" on the step axis; "5/20" epochs done of planned; "epoch 5"
 * when no plan is known; "–" where nothing says how far it got (no epoch evidence, no step).
 */
export function progressCellText(run: Pick<RunRow, 'axis' | 'epochsDone' | 'epochsTotal' | 'lastStep' | 'totalSteps'>): string {
  if (showsSteps(run)) {
    if (run.lastStep === null) return '–';
    return `step ${run.lastStep.toLocaleString('en-US')}${run.totalSteps !== null ? `/${run.totalSteps.toLocaleString('en-US')}` : ''}`;
  }
  if (run.epochsTotal !== null) return `${run.epochsDone}/${run.epochsTotal}`;
  return run.epochsDone > 0 ? `epoch ${run.epochsDone}` : '–';
}

/** The scalar columns the page's query asks for (`col`, '|'-separated or repeated), in order, each once. */
export function scalarColumnsOf(query: string): (ScalarColumn & { key: string })[] {
  const keys = new URLSearchParams(query).getAll('col').flatMap((value) => value.split('|'));
  const out: (ScalarColumn & { key: string })[] = [];
  for (const key of keys) {
    const column = parseScalarColumn(key);
    if (column && !out.some((c) => c.key === key)) out.push({ ...column, key });
  }
  return out;
}

/** The page's query with these scalar columns (one `col` parameter; none: removed). */
export function columnsQuery(query: string, keys: readonly string[]): string {
  const params = new URLSearchParams(query);
  params.delete('col');
  if (keys.length > 0) params.set('col', keys.join('|'));
  return params.toString();
}

/** A scalar column's header: its tag, with its folder when not the run's own ("validation · epoch_loss"). */
export function scalarColumnLabel(column: ScalarColumn): string {
  return column.dir === '' ? column.tag : `${column.dir} · ${column.tag}`;
}

/** A run's cell of a scalar column: its last value and at which step (the title says it exactly). */
export function scalarCell(run: Pick<RunRow, 'scalars'>, column: ScalarColumn): { value: number | null; title: string } {
  const cell = run.scalars?.[scalarColumnKey(column)];
  if (!cell || cell.step === null) return { value: null, title: `this run has no ${scalarColumnLabel(column)}` };
  return {
    value: cell.value,
    title: cell.value === null ? `not a finite number at step ${cell.step}` : `${cell.value} at step ${cell.step}`,
  };
}

export function rowClassName(selected: boolean, hidden: boolean): string | undefined {
  return [selected ? 'selected' : '', hidden ? 'hidden-run' : ''].join(' ').trim() || undefined;
}

/** The selection with one run added or removed. */
export function toggled(selection: ReadonlySet<number>, id: number): Set<number> {
  const next = new Set(selection);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}
