'use client';
// The runs table's header: select all, and a sort button per sortable column.
import { Fragment } from 'react';
import type { RunSortKey } from '@/lib/api/schemas/runs';
import type { ScalarColumn } from '@/lib/api/schemas/runs';
import { RUNS_TABLE_COLUMNS, scalarColumnLabel } from '@/lib/views/runs-table';

/** A tag name that may wrap after each "/" (never inside a word): "train/<wbr>loss". */
function BreakAfterSlashes({ text }: { text: string }) {
  const parts = text.split('/');
  return parts.map((part, i) => (
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 ? (
        <>
          /<wbr />
        </>
      ) : null}
    </Fragment>
  ));
}

export function RunsTableHead({
  sort,
  dir,
  allSelected,
  onToggleAll,
  onSort,
  columns = [],
}: {
  /** Scalar columns asked for (their last values; not sortable). */
  columns?: readonly (ScalarColumn & { key: string })[];
  sort: RunSortKey;
  dir: 'asc' | 'desc';
  allSelected: boolean;
  onToggleAll: () => void;
  onSort: (key: RunSortKey) => void;
}) {
  return (
    <thead>
      <tr>
        <th>
          <input type="checkbox" aria-label="select all" checked={allSelected} onChange={onToggleAll} />
        </th>
        {RUNS_TABLE_COLUMNS.map((column) => (
          <th key={column.title ?? column.label} className={column.className} title={column.title}>
            {column.key ? (
              <button type="button" className={`sort ${sort === column.key ? `sorted-${dir}` : ''}`} onClick={() => onSort(column.key!)}>
                {column.label || '●'}
              </button>
            ) : (
              column.label
            )}
          </th>
        ))}
        {columns.map((column) => (
          <th
            key={column.key}
            className="num scalar-column"
            title={`last value of ${scalarColumnLabel(column)}`}
            data-testid="scalar-column"
          >
            <BreakAfterSlashes text={scalarColumnLabel(column)} />
          </th>
        ))}
      </tr>
    </thead>
  );
}
