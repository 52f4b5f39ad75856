'use client';
// The runs table. Rendered on the server first; afterwards it keeps itself current: a change event
// for some runs fetches just those rows (`/api/runs?ids=…` with the page's filters) and merges them,
// so a 1,000-run table does not reload for one new line. Sorting and selection happen here; what the
// table shows is lib/views/runs-table.ts, its pieces are in ./runs-table/. The running rows' forecasts
// come after the table has drawn, in one request (./runs-table/use-forecasts.ts).
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import type { RunAnnotationResponse } from '@/lib/api/schemas/annotations';
import type { RunRow, RunSortKey } from '@/lib/api/schemas/runs';
import { sortRuns } from '@/lib/api/sort-runs';
import {
  applyAnnotationChange,
  refetchQuery,
  refetchedRows,
  scalarColumnsOf,
  sortQuery,
  toggled,
  type BulkAnnotationChange,
} from '@/lib/views/runs-table';
import { sendJson } from './annotations';
import { useCoalesced, useLiveChanges } from './live';
import { BulkActions } from './runs-table/bulk-actions';
import { RunsTableHead } from './runs-table/head';
import { RunsTableRow } from './runs-table/row';
import { ColumnChooser } from './runs-table/column-chooser';
import { TableActions } from './runs-table/table-actions';
import { ScrollBox } from './scroll-box';
import { useRunningForecasts } from './runs-table/use-forecasts';

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
  const annotate = async (ids: number[], change: BulkAnnotationChange) => {
    if (ids.length === 0) return;
    const targets = new Set(ids);
    const before = new Map(rows.filter((row) => targets.has(row.id)).map((row) => [row.id, row]));
    setRows((current) => current.map((row) => (targets.has(row.id) ? applyAnnotationChange(row, change) : row)));
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
      const response = await fetch(`/api/runs?${refetchQuery(filterQuery, pageQuery, ids, sort, dir)}`, { cache: 'no-store' });
      if (!response.ok) return;
      const { runs } = (await response.json()) as { runs: RunRow[] };
      setRows((current) => refetchedRows(current, runs, ids, pageQuery));
      setNow(Date.now());
    },
    150,
    500,
  );
  useLiveChanges(refresh);

  const { forecasts, cell } = useRunningForecasts(rows);
  const sorted = useMemo(() => sortRuns(rows, sort, dir, sort === 'forecast' ? forecasts : undefined), [rows, sort, dir, forecasts]);
  const columns = useMemo(() => scalarColumnsOf(query), [query]);
  const columnKeys = useMemo(() => columns.map((c) => c.key), [columns]);

  const sortBy = (key: RunSortKey) => router.replace(`${pathname}?${sortQuery(query, sort, dir, key)}`, { scroll: false });
  const allSelected = sorted.length > 0 && sorted.every((r) => selected.has(r.id));

  return (
    <div>
      <TableActions total={total} shown={sorted.length} selected={selected} filterQuery={filterQuery}>
        <ColumnChooser query={query} chosen={columnKeys} />
      </TableActions>
      {selectedIds.length > 0 && <BulkActions ids={selectedIds} saving={saving} onChange={(change) => annotate(selectedIds, change)} />}
      {error && (
        <p className="error-note" role="alert" data-testid="annotation-error">
          Not saved: {error}
        </p>
      )}
      <ScrollBox label="runs">
        <table className="runs" data-testid="runs-table">
          <RunsTableHead
            sort={sort}
            dir={dir}
            allSelected={allSelected}
            onToggleAll={() => setSelected(allSelected ? new Set() : new Set(sorted.map((r) => r.id)))}
            onSort={sortBy}
            columns={columns}
          />
          <tbody>
            {sorted.map((run) => (
              <RunsTableRow
                key={run.id}
                run={run}
                selected={selected.has(run.id)}
                now={now}
                forecast={cell(run)}
                onToggle={() => setSelected((current) => toggled(current, run.id))}
                onStar={() => void annotate([run.id], { starred: !run.starred })}
                columns={columns}
              />
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </div>
  );
}
