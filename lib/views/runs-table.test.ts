import { describe, expect, it } from 'vitest';
import type { RunRow } from '../api/schemas/runs';
import {
  applyAnnotationChange,
  compareHref,
  mergeRows,
  refetchQuery,
  refetchedRows,
  rowClassName,
  runCountText,
  columnsQuery,
  scalarCell,
  scalarColumnLabel,
  scalarColumnsOf,
  showsSteps,
  progressCellText,
  sortQuery,
  taskCell,
  toggled,
} from './runs-table';

const row = (id: number, extra: Partial<RunRow> = {}) => ({ id, tags: [], starred: false, hidden: false, ...extra }) as unknown as RunRow;

describe('the runs table view model', () => {
  it('merges a live re-fetch: fetched rows replace theirs, changed runs the filters drop go, new runs come in', () => {
    const current = [row(1), row(2), row(3)];
    const merged = mergeRows(current, [row(2, { starred: true }), row(9)], new Set([2, 3, 9]));
    expect(merged.map((r) => [r.id, r.starred])).toEqual([
      [1, false],
      [2, true],
      [9, false],
    ]);
    expect(mergeRows(current, [row(4)], 'all').map((r) => r.id)).toEqual([4]);
  });

  it('past the first page, a changed run not on this page stays on its own page', () => {
    const current = [row(1), row(2)];
    expect(refetchedRows(current, [row(2), row(7)], new Set([2, 7]), 'page=2&limit=2').map((r) => r.id)).toEqual([1, 2]);
    expect(refetchedRows(current, [row(2), row(7)], new Set([2, 7]), 'limit=2').map((r) => r.id)).toEqual([1, 2, 7]);
  });

  it('re-fetches the changed runs with the filters and sort, or this page', () => {
    expect(refetchQuery('task=1', 'page=2&limit=100', new Set([3, 4]), 'id', 'asc')).toBe('task=1&ids=3%2C4&sort=id&dir=asc');
    expect(refetchQuery('task=1', 'page=2&limit=100', 'all', 'id', 'desc')).toBe('task=1&page=2&limit=100&sort=id&dir=desc');
  });

  it('sorts descending first, then flips', () => {
    expect(sortQuery('task=1&sort=id&dir=desc', 'id', 'desc', 'id')).toBe('task=1&sort=id&dir=asc');
    expect(sortQuery('task=1&sort=id&dir=asc', 'id', 'asc', 'id')).toBe('task=1&sort=id&dir=desc');
    expect(sortQuery('', 'id', 'asc', 'gap')).toBe('sort=gap&dir=desc');
  });

  it('shows an annotation change at once, tags by the tag rules', () => {
    const changed = applyAnnotationChange(row(1, { tags: ['a'] }), { addTags: ['B', 'a'], starred: true });
    expect([changed.tags, changed.starred, changed.hidden]).toEqual([['a', 'b'], true, false]);
    expect(applyAnnotationChange(changed, { removeTags: ['a'], hidden: true })).toMatchObject({ tags: ['b'], hidden: true });
  });

  it('says the counts, cells and links around the table', () => {
    expect([runCountText(1, 1), runCountText(12, 12), runCountText(1234, 100)]).toEqual(['1 run', '12 runs', '100 of 1,234 runs']);
    expect([compareHref(new Set()), compareHref(new Set([3, 1]))]).toEqual(['/compare', '/compare?runs=3,1']);
    expect([showsSteps({ axis: 'step' }), showsSteps({ axis: 'epoch' })]).toEqual([true, false]);
    expect([rowClassName(true, true), rowClassName(false, true), rowClassName(false, false)]).toEqual([
      'selected hidden-run',
      'hidden-run',
      undefined,
    ]);
    expect([...toggled(toggled(new Set([1]), 2), 1)]).toEqual([2]);
  });
});

// The Task cell tells runs apart: a run without a task shows the facet label Compare and Strategies give it.
describe('the task cell', () => {
  const none = { taskName: null, dataset: null, experiment: null };
  it.each([
    ['a task and its name', { taskId: 2, taskName: 'weighing', format: 'smolvla_sequential' }, { main: 'task2', sub: 'weighing' }],
    ['a task without a name', { taskId: 3, format: 'smolvla_sequential' }, { main: 'task3', sub: null }],
    ['LeRobot on a dataset', { taskId: null, format: 'lerobot', dataset: 'kuavo/pick' }, { main: 'LeRobot', sub: 'kuavo/pick' }],
    [
      'LeRobot, its log folder',
      { taskId: null, format: 'lerobot', experiment: '/logs/lerobot' },
      { main: 'LeRobot', sub: 'folder logs/lerobot' },
    ],
    [
      'a TensorBoard run: its experiment folder',
      { taskId: null, format: 'tensorboard', experiment: '/x/huggingface/runs' },
      { main: null, sub: 'folder huggingface/runs' },
    ],
    ['a generic tqdm log with nothing known', { taskId: null, format: 'generic_tqdm' }, { main: null, sub: 'task unknown' }],
  ] as const)('%s', (_name, run, cell) => {
    expect(taskCell({ ...none, ...run })).toEqual(cell);
  });
});

describe('scalar columns', () => {
  it('come from the query, each once, and go back into it as one parameter', () => {
    const query = 'task=1&col=%2F%2Ftrain%2Floss%7Cvalidation%2F%2Fepoch_loss&col=%2F%2Ftrain%2Floss&col=nonsense';
    expect(scalarColumnsOf(query)).toEqual([
      { dir: '', tag: 'train/loss', key: '//train/loss' },
      { dir: 'validation', tag: 'epoch_loss', key: 'validation//epoch_loss' },
    ]);
    expect(columnsQuery(query, ['//hierarchical/safety_loss'])).toBe('task=1&col=%2F%2Fhierarchical%2Fsafety_loss');
    expect(columnsQuery('task=1&col=x', [])).toBe('task=1');
    expect(scalarColumnLabel({ dir: 'validation', tag: 'epoch_loss' })).toBe('validation · epoch_loss');
  });

  it("a run's cell: its last value and step, or why there is none", () => {
    const run = { scalars: { '//train/loss': { value: 0.25, step: 2100 }, '//train/lr': { value: null, step: 7 } } };
    expect(scalarCell(run, { dir: '', tag: 'train/loss' })).toEqual({ value: 0.25, title: '0.25 at step 2100' });
    expect(scalarCell(run, { dir: '', tag: 'train/lr' })).toEqual({ value: null, title: 'not a finite number at step 7' });
    expect(scalarCell(run, { dir: 'train', tag: 'x' })).toEqual({ value: null, title: 'this run has no train · x' });
    expect(scalarCell({}, { dir: '', tag: 'x' }).value).toBeNull();
  });
});

describe('the Progress cell: a step is never shown as an epoch, nothing where no evidence exists', () => {
  const cases: [string, Partial<RunRow>, string][] = [
    ['SmolVLA log: epochs of planned', { axis: 'epoch', epochsDone: 5, epochsTotal: 20, lastStep: 600, totalSteps: null }, '5/20'],
    ['step-based run', { axis: 'step', epochsDone: 0, epochsTotal: null, lastStep: 1200, totalSteps: 20000 }, 'step 1,200/20,000'],
    ['step-based, total unknown', { axis: 'step', epochsDone: 0, epochsTotal: null, lastStep: 1200, totalSteps: null }, 'step 1,200'],
    ['step-based, no step yet', { axis: 'step', epochsDone: 0, epochsTotal: null, lastStep: null, totalSteps: null }, '–'],
    ['Keras: real epochs, no plan', { axis: 'epoch', epochsDone: 5, epochsTotal: null, lastStep: null, totalSteps: null }, 'epoch 5'],
    ['event files with no epoch evidence', { axis: 'epoch', epochsDone: 0, epochsTotal: null, lastStep: null, totalSteps: null }, '–'],
    ['a planned run before its first epoch', { axis: 'epoch', epochsDone: 0, epochsTotal: 50, lastStep: 120, totalSteps: null }, '0/50'],
  ];
  it.each(cases)('%s', (_name, extra, text) => expect(progressCellText(row(1, extra))).toBe(text));
});
