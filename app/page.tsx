import Link from 'next/link';
import { parseQueryOrDefault, queryObject } from '@/lib/api/params';
import { runsQuery } from '@/lib/api/schemas/runs';
import { getOverview } from '@/lib/queries/overview';
import { filterOptions, listRunsPage } from '@/lib/queries/runs';
import { RunFilters } from './_components/filters';
import { LiveRefresh } from './_components/live';
import { RunsTable } from './_components/runs-table';

export const dynamic = 'force-dynamic';

/** Rows per page of the runs table (`?limit=` overrides, up to 1,000). */
const RUNS_PAGE_SIZE = 100;

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function RunsPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { value: query, error } = parseQueryOrDefault(runsQuery, params);
  const { format: _format, sort, dir, page, limit, ...filters } = query;
  const pageSize = limit ?? RUNS_PAGE_SIZE;
  // Both at once: the listing does not wait for the counts of runs and sources (an empty database
  // lists nothing, quickly).
  const [overview, listing] = await Promise.all([getOverview(), listRunsPage({ ...filters, sort, dir, page, limit: pageSize })]);
  if (overview.runCount === 0) {
    return (
      <>
        <EmptyState watching={overview.watching} sources={overview.sourceCount} />
        {/* The first run to appear replaces this page. */}
        <LiveRefresh watch="any" />
      </>
    );
  }
  const pages = Math.max(1, Math.ceil(listing.total / pageSize));
  const filterQuery = new URLSearchParams(
    queryObject(Object.fromEntries(Object.entries(params).filter(([key]) => !['sort', 'dir', 'page', 'limit'].includes(key)))),
  ).toString();
  const pageHref = (n: number) => {
    const next = new URLSearchParams(queryObject(Object.fromEntries(Object.entries(params).filter(([key]) => key !== 'page'))));
    if (n > 1) next.set('page', String(n));
    const text = next.toString();
    return text === '' ? '/' : `/?${text}`;
  };
  // The query string exactly as requested (repeated keys kept), for the table's sort links.
  const rawQuery = new URLSearchParams(
    Object.entries(params).flatMap(([key, value]) => (value === undefined ? [] : [value].flat().map((v) => [key, v]))),
  ).toString();
  const options = filterOptions(listing.counts);
  return (
    <section className="panel">
      <div className="page-head">
        <h1>Runs</h1>
        <p className="muted">
          {overview.runCount} runs from {overview.sourceCount} log file{overview.sourceCount === 1 ? '' : 's'}. Select runs to compare their
          strategies; hover a verdict for its reason.
        </p>
      </div>
      {error && <p className="error-note">Ignored a bad filter: {error}</p>}
      <RunFilters
        action="/"
        options={{
          ...options,
          statusCounts: Object.fromEntries(listing.counts.status.map((c) => [c.value, c.count])),
          verdictCounts: Object.fromEntries(listing.counts.verdict.map((c) => [c.value, c.count])),
          tagCounts: listing.counts.tag,
          starredCounts: {
            starred: listing.counts.starred.find((c) => c.value)?.count ?? 0,
            unstarred: listing.counts.starred.find((c) => !c.value)?.count ?? 0,
          },
          hiddenCount: listing.counts.hidden.find((c) => c.value)?.count ?? 0,
        }}
        values={filters}
        extra={{
          ...(sort !== 'lastSeenAt' || dir !== 'desc' ? { sort, dir } : {}),
          ...(filters.col ? { col: filters.col.join('|') } : {}),
        }}
      />
      <RunsTable
        rowsJson={JSON.stringify(listing.runs)}
        total={listing.total}
        filterQuery={filterQuery}
        pageQuery={new URLSearchParams({ page: String(page), limit: String(pageSize) }).toString()}
        query={rawQuery}
        sort={sort}
        dir={dir}
        renderedAt={Date.now()}
      />
      {pages > 1 && (
        <nav className="pager" aria-label="pages" data-testid="pager">
          {page > 1 ? <Link href={pageHref(1)}>« first</Link> : <span className="muted">« first</span>}
          {page > 1 ? <Link href={pageHref(page - 1)}>‹ previous</Link> : <span className="muted">‹ previous</span>}
          <span data-testid="page-of">
            page {page.toLocaleString('en-US')} of {pages.toLocaleString('en-US')} · runs{' '}
            {((page - 1) * pageSize + 1).toLocaleString('en-US')}–{Math.min(listing.total, page * pageSize).toLocaleString('en-US')} of{' '}
            {listing.total.toLocaleString('en-US')}
          </span>
          {page < pages ? <Link href={pageHref(page + 1)}>next ›</Link> : <span className="muted">next ›</span>}
          {page < pages ? <Link href={pageHref(pages)}>last »</Link> : <span className="muted">last »</span>}
        </nav>
      )}
    </section>
  );
}

function EmptyState({ watching, sources }: { watching: string[]; sources: number }) {
  return (
    <section className="panel empty" data-testid="empty-state">
      <h1>No training runs yet</h1>
      <p>
        Thaw is watching <strong>{watching.join(', ')}</strong> for training logs (<code>*.log</code>, <code>*.txt</code>,{' '}
        <code>*.out</code>){sources > 0 ? `; ${sources} file(s) seen so far contain no recognisable run` : ''}.
      </p>
      <p>Point it at the folder your trainer writes to, for example:</p>
      <pre>{`python kuavo_train/train_smolvla_sequential.py ... 2>&1 | tee logs/task1.log
npx thaw start --logs ./logs /data/old-runs`}</pre>
      <p className="muted">Runs appear here within a second of their first line reaching the log.</p>
    </section>
  );
}
