// Above the runs table: how many runs, compare the selected (or all), and the exports.
import Link from 'next/link';
import type { ReactNode } from 'react';
import { compareHref, runCountText } from '@/lib/views/runs-table';

export function TableActions({
  total,
  shown,
  selected,
  filterQuery,
  children,
}: {
  total: number;
  shown: number;
  selected: ReadonlySet<number>;
  filterQuery: string;
  /** More actions (the column chooser). */
  children?: ReactNode;
}) {
  return (
    <div className="table-actions">
      <span className="muted" data-testid="run-count">
        {runCountText(total, shown)}
      </span>
      <Link
        className={`button ${selected.size === 0 ? 'disabled' : ''}`}
        aria-disabled={selected.size === 0}
        href={compareHref(selected)}
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
      {children}
    </div>
  );
}
