'use client';
// The runs table's column chooser: any TensorBoard scalar tag the runs have becomes a column of each
// run's last value. The tags are fetched when the chooser opens; the chosen columns live in the URL
// (`col`), so the server renders them and a view can be shared.
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { ScalarCatalog } from '@/lib/api/schemas/scalars';
import { columnsQuery, scalarColumnLabel } from '@/lib/views/runs-table';
import { tagFilter } from '@/lib/views/scalars-section';

/** Shown at most at once (the search narrows the rest). */
const LISTED = 200;

export function ColumnChooser({ query, chosen: rendered }: { query: string; chosen: readonly string[] }) {
  const router = useRouter();
  // A click shows at once; the server's render of the new URL follows.
  const [chosen, setChosen] = useState<readonly string[]>(rendered);
  useEffect(() => setChosen(rendered), [rendered]);
  const pathname = usePathname();
  const [catalog, setCatalog] = useState<ScalarCatalog['tags'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState('');

  const load = () => {
    if (catalog !== null) return;
    fetch('/api/runs/scalar-tags', { cache: 'no-store' })
      .then(async (response) => {
        if (!response.ok) throw new Error(`${response.status}`);
        setCatalog(((await response.json()) as ScalarCatalog).tags);
      })
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  };
  const toggle = (key: string) => {
    const next = chosen.includes(key) ? chosen.filter((k) => k !== key) : [...chosen, key];
    setChosen(next);
    router.replace(`${pathname}?${columnsQuery(query, next)}`, { scroll: false });
  };
  const { test } = tagFilter(search);
  // A tag with '|' cannot be a column ('|' separates columns in the URL).
  const listed = (catalog ?? []).filter((t) => !t.key.includes('|') && test(`${t.dir}/${t.tag}`));

  return (
    <details className="column-chooser" onToggle={(e) => (e.currentTarget.open ? load() : undefined)} data-testid="column-chooser">
      <summary className="button secondary">Columns{chosen.length > 0 ? ` (${chosen.length})` : ''}</summary>
      <div className="column-chooser-panel">
        <p className="muted small">Add a column with each run&apos;s last value of a TensorBoard scalar.</p>
        <input
          type="search"
          placeholder="Search tags (regular expression)"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="column-search"
        />
        {error && <p className="error-note small">Could not list the tags: {error}</p>}
        {catalog === null && !error && <p className="muted small">Loading…</p>}
        {catalog !== null && catalog.length === 0 && <p className="muted small">No run has TensorBoard scalars.</p>}
        <ul>
          {listed.slice(0, LISTED).map((t) => (
            <li key={t.key}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(t.key)}
                  onChange={() => toggle(t.key)}
                  data-testid="column-option"
                  data-key={t.key}
                />
                <span className="mono small">{scalarColumnLabel(t)}</span> <span className="muted small">{t.runs} runs</span>
              </label>
            </li>
          ))}
        </ul>
        {listed.length > LISTED && <p className="muted small">{listed.length - LISTED} more: narrow the search.</p>}
      </div>
    </details>
  );
}
