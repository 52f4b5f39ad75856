'use client';
// The runs table. Rendered on the server first; afterwards it keeps itself current: a change event
// for some runs fetches just those rows (`/api/runs?ids=…` with the page's filters) and merges them,
// so a 1,000-run table does not reload for one new line. Sorting and selection happen here.
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import type { RunAnnotationResponse } from '@/lib/api/schemas/annotations';
import type { RunRow, RunSortKey } from '@/lib/api/schemas/runs';
import { changeTags } from '@/lib/api/tags';
import { StarButton, TagChips, TagInput, sendJson } from './annotations';
import { sortRuns } from '@/lib/api/sort-runs';
import { LayerStrip, StatusDot, StrategyLabel, VerdictBadge } from './badges';
import { fmtAgo, fmtCount, fmtDateTime, fmtLoss, fmtRatio, shortPath } from '@/lib/views/format';
import { useCoalesced, useLiveChanges } from './live';

const COLUMNS: { key: RunSortKey | null; label: string; title?: string; className?: string }[] = [
  { key: null, label: '★', title: 'starred' },
  { key: 'status', label: '', title: 'status' },
  { key: 'id', label: 'Run' },
  { key: 'task', label: 'Task' },
  { key: 'strategy', label: 'Strategy', title: 'vision-encoder layers trained (L0 → L11)' },
  { key: 'epochs', label: 'Epochs', className: 'num' },
  {
    key: 'lastTrainLoss',
    label: 'Last train',
    title: 'last epoch-average training loss (step-based runs: the last step loss)',
    className: 'num',
  },
  { key: 'bestVal', label: 'Best val (epoch)', title: 'lowest own-task validation loss', className: 'num' },
  { key: 'gap', label: 'Final gap', title: 'validation ÷ training loss at the latest validation', className: 'num' },
  { key: 'verdict', label: 'Verdict', title: 'overfitting verdict; hover a badge for the reason' },
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

/** A change to runs' annotations, as the bulk endpoint takes it. */
interface AnnotationChange {
  addTags?: string[];
  removeTags?: string[];
  starred?: boolean;
  hidden?: boolean;
}

/** The change applied to a row locally (the optimistic view; the server's answer replaces it). */
function applyChange(row: RunRow, change: AnnotationChange): RunRow {
  return {
    ...row,
    tags: changeTags(row.tags, { add: change.addTags, remove: change.removeTags }),
    starred: change.starred ?? row.starred,
    hidden: change.hidden ?? row.hidden,
  };
}

export function RunsTable({
  rowsJson,
  total,
  filterQuery,
  pageQuery,
  query,
  sort,
  dir,
  renderedAt,
}: {
  /** This page's rows as JSON text: React serialises and revives one string in one step, not value by value. */
  rowsJson: string;
  /** Runs matching the filters on all pages. */
  total: number;
  filterQuery: string;
  /** `page` and `limit` of this page: a refresh of every row re-reads just this page. */
  pageQuery: string;
  /**
   * The page's whole query string as the server rendered it (sorting changes sort and dir in it). A
   * prop rather than useSearchParams(): that hook needs a Suspense boundary, and React streams a
   * boundary this large after the shell and reveals it up to 300 ms after the first paint.
   */
  query: string;
  sort: RunSortKey;
  dir: 'asc' | 'desc';
  renderedAt: number;
}) {
  const initialRows = useMemo(() => JSON.parse(rowsJson) as RunRow[], [rowsJson]);
  const [rows, setRows] = useState(initialRows);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  // "3 min ago" starts from the server's clock so hydration matches, then follows the browser's.
  const [now, setNow] = useState(renderedAt);
  const router = useRouter();
  const pathname = usePathname();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  /** Optimistic: rows change at once; the server's answer (or a rollback and an error) follows. */
  const annotate = async (ids: number[], change: AnnotationChange) => {
    if (ids.length === 0) return;
    const targets = new Set(ids);
    const before = new Map(rows.filter((row) => targets.has(row.id)).map((row) => [row.id, row]));
    setRows((current) => current.map((row) => (targets.has(row.id) ? applyChange(row, change) : row)));
    setError(null);
    setSaving(true);
    try {
      const { runs } = await sendJson<{ runs: RunAnnotationResponse[] }>('POST', '/api/runs/annotations', { ids, ...change });
      const saved = new Map(runs.map((run) => [run.id, run]));
      setRows((current) => current.map((row) => (saved.has(row.id) ? { ...row, ...saved.get(row.id)!, id: row.id } : row)));
      // The filters (hidden, starred, tag) and their counts follow on the server's next render.
      router.refresh();
    } catch (failure) {
      setRows((current) => current.map((row) => before.get(row.id) ?? row));
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setSaving(false);
    }
  };
  const selectedIds = [...selected].filter((id) => rows.some((row) => row.id === id));

  // New server render (filters changed): start from its rows.
  useEffect(() => setRows(initialRows), [initialRows]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);

  const refresh = useCoalesced(
    async (ids) => {
      const params = new URLSearchParams(filterQuery);
      if (ids !== 'all') params.set('ids', [...ids].join(','));
      else for (const [key, value] of new URLSearchParams(pageQuery)) params.set(key, value);
      params.set('sort', sort);
      params.set('dir', dir);
      const response = await fetch(`/api/runs?${params}`, { cache: 'no-store' });
      if (!response.ok) return;
      const { runs } = (await response.json()) as { runs: RunRow[] };
      // Past the first page, a changed run that is not on this page stays on its own page.
      const firstPage = (new URLSearchParams(pageQuery).get('page') ?? '1') === '1';
      setRows((current) => {
        const shown = new Set(current.map((row) => row.id));
        return mergeRows(current, firstPage || ids === 'all' ? runs : runs.filter((row) => shown.has(row.id)), ids);
      });
      setNow(Date.now());
    },
    150,
    500,
  );
  useLiveChanges(refresh);

  const sorted = useMemo(() => sortRuns(rows, sort, dir), [rows, sort, dir]);

  const sortBy = (key: RunSortKey) => {
    const params = new URLSearchParams(query);
    const nextDir = sort === key && dir === 'desc' ? 'asc' : 'desc';
    params.set('sort', key);
    params.set('dir', nextDir);
    router.replace(`${pathname}?${params}`, { scroll: false });
  };

  const toggle = (id: number) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allSelected = sorted.length > 0 && sorted.every((r) => selected.has(r.id));

  return (
    <div>
      <div className="table-actions">
        <span className="muted" data-testid="run-count">
          {total === sorted.length
            ? `${total.toLocaleString('en-US')} run${total === 1 ? '' : 's'}`
            : `${sorted.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} runs`}
        </span>
        <Link
          className={`button ${selected.size === 0 ? 'disabled' : ''}`}
          aria-disabled={selected.size === 0}
          href={selected.size === 0 ? '/compare' : `/compare?runs=${[...selected].join(',')}`}
          data-testid="compare-selected"
        >
          Compare {selected.size > 0 ? `${selected.size} selected` : 'all'}
        </Link>
        <a className="button secondary" href={`/api/runs?${new URLSearchParams(filterQuery)}&format=csv`} download>
          Export CSV
        </a>
        <a className="button secondary" href={`/api/runs?${filterQuery}`} target="_blank" rel="noreferrer">
          JSON
        </a>
      </div>
      {selectedIds.length > 0 && (
        <div className="bulk-actions" data-testid="bulk-actions">
          <span>
            <strong>{selectedIds.length}</strong> selected:
          </span>
          <TagInput buttonLabel="Add tag" testId="bulk-tag" onAdd={(tags) => void annotate(selectedIds, { addTags: tags })} />
          <TagInput buttonLabel="Remove tag" testId="bulk-untag" onAdd={(tags) => void annotate(selectedIds, { removeTags: tags })} />
          <button type="button" className="button secondary small" onClick={() => void annotate(selectedIds, { starred: true })}>
            ★ Star
          </button>
          <button type="button" className="button secondary small" onClick={() => void annotate(selectedIds, { starred: false })}>
            Unstar
          </button>
          <button
            type="button"
            className="button secondary small"
            onClick={() => void annotate(selectedIds, { hidden: true })}
            data-testid="bulk-hide"
          >
            Hide
          </button>
          <button type="button" className="button secondary small" onClick={() => void annotate(selectedIds, { hidden: false })}>
            Unhide
          </button>
          {saving && <span className="muted small">saving…</span>}
        </div>
      )}
      {error && (
        <p className="error-note" role="alert" data-testid="annotation-error">
          Not saved: {error}
        </p>
      )}
      <div className="table-scroll">
        <table className="runs" data-testid="runs-table">
          <thead>
            <tr>
              <th>
                <input
                  type="checkbox"
                  aria-label="select all"
                  checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(sorted.map((r) => r.id)))}
                />
              </th>
              {COLUMNS.map((column) => (
                <th key={column.title ?? column.label} className={column.className} title={column.title}>
                  {column.key ? (
                    <button
                      type="button"
                      className={`sort ${sort === column.key ? `sorted-${dir}` : ''}`}
                      onClick={() => sortBy(column.key!)}
                    >
                      {column.label || '●'}
                    </button>
                  ) : (
                    column.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sorted.map((run) => (
              <tr
                key={run.id}
                data-run-id={run.id}
                data-testid="run-row"
                className={[selected.has(run.id) ? 'selected' : '', run.hidden ? 'hidden-run' : ''].join(' ').trim() || undefined}
              >
                <td>
                  <input
                    type="checkbox"
                    aria-label={`select run ${run.id}`}
                    checked={selected.has(run.id)}
                    onChange={() => toggle(run.id)}
                  />
                </td>
                <td>
                  <StarButton
                    starred={run.starred}
                    label={`run ${run.id}`}
                    onToggle={() => void annotate([run.id], { starred: !run.starred })}
                  />
                </td>
                <td>
                  <StatusDot status={run.status} />
                </td>
                <td className="run-cell">
                  <Link href={`/runs/${run.id}`}>#{run.id}</Link>
                  {run.name && (
                    <Link href={`/runs/${run.id}`} className="run-name" data-testid="run-name" title={run.note ?? undefined}>
                      {run.name}
                    </Link>
                  )}
                  {run.hidden && <span className="badge hidden-badge">hidden</span>}
                  {run.note && !run.name && (
                    <span className="muted small" title={run.note}>
                      ✎
                    </span>
                  )}
                  <TagChips tags={run.tags} />
                </td>
                <td data-testid="cell-task">
                  {run.taskId === null ? (run.format === 'lerobot' ? 'LeRobot' : '–') : `task${run.taskId}`}{' '}
                  <span className="muted">{run.taskName ?? ''}</span>
                </td>
                <td data-testid="cell-strategy">
                  <div className="strategy-cell">
                    <StrategyLabel strategy={run.strategy} />
                    <LayerStrip strategy={run.strategy} />
                  </div>
                </td>
                <td className="num" data-testid="cell-epochs">
                  {run.epochsDone === 0 && run.epochsTotal === null && run.lastStep !== null ? (
                    <span title="steps done / total (step-based run)">
                      step {fmtCount(run.lastStep)}/{fmtCount(run.totalSteps)}
                    </span>
                  ) : (
                    <>
                      {run.epochsDone}/{run.epochsTotal ?? '?'}
                    </>
                  )}
                </td>
                <td className="num">{fmtLoss(run.lastTrainLoss)}</td>
                <td className="num">
                  {run.bestVal ? (
                    <>
                      {fmtLoss(run.bestVal.loss)} <span className="muted">({run.bestVal.final ? 'final' : run.bestVal.epoch})</span>
                    </>
                  ) : (
                    '–'
                  )}
                </td>
                <td className="num">{fmtRatio(run.finalGap)}</td>
                <td data-testid="cell-verdict">
                  <VerdictBadge verdict={run.verdict} />
                </td>
                <td className="small" title={`started ${run.startedAt}, last line stored ${run.lastSeenAt}`}>
                  {fmtDateTime(run.startedAt)}
                  <br />
                  <span className="muted">{fmtAgo(run.lastSeenAt, now)}</span>
                </td>
                <td className="small mono" title={run.source.path}>
                  {shortPath(run.source.path)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
