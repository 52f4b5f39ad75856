import { Suspense } from 'react';
import { z } from 'zod';
import { parseQueryOrDefault } from '@/lib/api/params';
import { jsonText } from '@/lib/api/payload';
import { X_AXES } from '@/lib/api/schemas/common';
import { compareQuery } from '@/lib/api/schemas/compare';
import { compareRuns } from '@/lib/queries/compare';
import { CompareView } from '../_components/compare-view';
import { HiddenToggle } from '../_components/hidden-toggle';
import { LiveRefresh } from '../_components/live';

export const dynamic = 'force-dynamic';

/** The page URL = the API query plus the zoomed x range (a view-only setting). */
const pageQuery = compareQuery.extend({
  /** Left out: the axis that has data (steps for step-based runs such as LeRobot). */
  x: z.enum(X_AXES, { error: 'one of epoch, step, time' }).optional(),
  xmin: z.coerce.number({ error: 'a number' }).optional(),
  xmax: z.coerce.number({ error: 'a number' }).optional(),
});

export default async function ComparePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const { value: query, error } = parseQueryOrDefault(pageQuery, params);
  const { format: _format, table: _table, xmin, xmax, ...options } = query;
  const data = await compareRuns(options);
  const range = xmin !== undefined && xmax !== undefined && xmax > xmin ? { min: xmin, max: xmax } : null;
  return (
    <section className="panel">
      <div className="page-head">
        <h1>Compare strategies</h1>
        <p className="muted">
          Training loss solid, validation dashed; one colour and marker per strategy; one chart per task (and dataset size), because losses
          on different datasets are not comparable. A strategy&apos;s line is the mean over the runs covering each x (each run interpolated
          between its own points, never past its last one); the band is their min–max, fainter where fewer runs are behind it. Validation
          runs on a subset of the training episodes in the stock trainer, so it is optimistic.
        </p>
      </div>
      {error && <p className="error-note">Ignored a bad parameter: {error}</p>}
      <HiddenToggle params={params} leftOut={data.hiddenLeftOut} included={options.hidden === 'include'} />
      {data.runs.length === 0 ? (
        <p data-testid="compare-empty">
          No runs match. Select runs on the <a href="/">runs page</a>.
        </p>
      ) : (
        <Suspense>
          {/* One JSON string, not a tree of props: React serialises and revives a string in one step,
              where a 1.6 MB tree of arrays costs it hundreds of milliseconds on each side. Cached curves
              are written from their memoised JSON (lib/api/payload.ts). */}
          <CompareView json={jsonText(data)} range={range} />
        </Suspense>
      )}
      <LiveRefresh runIds={data.runs.map((r) => r.id)} watch={options.runs ? 'listed' : 'any'} />
    </section>
  );
}
