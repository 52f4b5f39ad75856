import { Suspense } from 'react';
import { parseQueryOrDefault, queryObject } from '@/lib/api/params';
import { runsQuery } from '@/lib/api/schemas/runs';
import { getOverview } from '@/lib/queries/overview';
import { filterOptions, listRuns } from '@/lib/queries/runs';
import { RunFilters } from './_components/filters';
import { LiveRefresh } from './_components/live';
import { RunsTable } from './_components/runs-table';

export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function RunsPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const overview = await getOverview();
  if (overview.runCount === 0) {
    return (
      <>
        <EmptyState watching={overview.watching} sources={overview.sourceCount} />
        {/* The first run to appear replaces this page. */}
        <LiveRefresh watch="any" />
      </>
    );
  }
  const { value: query, error } = parseQueryOrDefault(runsQuery, params);
  const { format: _format, sort, dir, ...filters } = query;
  const [rows, all] = await Promise.all([listRuns({ ...filters, sort, dir }), listRuns({ sort, dir })]);
  const filterQuery = new URLSearchParams(
    queryObject(Object.fromEntries(Object.entries(params).filter(([key]) => !['sort', 'dir'].includes(key)))),
  ).toString();
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
        options={filterOptions(all)}
        values={filters}
        extra={sort !== 'lastSeenAt' || dir !== 'desc' ? { sort, dir } : {}}
      />
      <Suspense>
        <RunsTable initialRows={rows} filterQuery={filterQuery} sort={sort} dir={dir} renderedAt={Date.now()} />
      </Suspense>
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
