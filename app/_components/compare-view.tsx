'use client';
// The compare page's interactive part. Every control writes the URL (router.replace), the server
// page re-renders with the new data, and the chart redraws in place: a URL is a shareable view.
// What each piece shows is decided in lib/views/compare-page.ts; the pieces are in ./compare/.
import { useMemo, useRef } from 'react';
import type { CompareResponse } from '@/lib/api/schemas/compare';
import { compareNotes, facetAxesLine, facetChart } from '@/lib/views/compare-page';
import { useChartUrlState } from './chart-controls';
import { CompareControls } from './compare/controls';
import { ConfigDiffTable } from './compare/config-diff-table';
import { FacetPanel } from './compare/facet-panel';
import { Legend } from './compare/legend';
import { SeriesList } from './compare/series-list';
import { SummaryTable } from './compare/summary-table';
import { legendOf } from './line-chart';

export function CompareView({ json, range }: { json: string; range: { min: number; max: number } | null }) {
  // The server passes the compare response as its JSON text (the page's largest prop by far).
  const data = useMemo(() => JSON.parse(json) as CompareResponse, [json]);
  // Controls answer at once; the data follows when the server has re-rendered the new URL.
  const { pending, navigate, searchParams, smooth, onSmooth, logY, onLogY } = useChartUrlState(data.query);

  const panels = useMemo(() => data.facets.map((facet) => ({ facet, chart: facetChart(data, facet) })), [data]);
  const onRangeChange = (next: { min: number; max: number } | null) =>
    navigate(next ? { xmin: next.min.toPrecision(6), xmax: next.max.toPrecision(6) } : { xmin: null, xmax: null });
  const multiple = panels.length > 1;
  const chartsRef = useRef<HTMLDivElement | null>(null);
  const legends = useMemo(() => new Map(panels.map((p) => [p.facet.key, legendOf(p.chart.lines)])), [panels]);
  const notes = compareNotes(data);
  const charted = panels.filter(({ facet }) => facet.x !== null);
  const uncharted = panels.filter(({ facet }) => facet.x === null);
  const facetPanel = ({ facet, chart }: (typeof panels)[number]) => (
    <FacetPanel key={facet.key} data={data} facet={facet} chart={chart} multiple={multiple} range={range} onRangeChange={onRangeChange} />
  );
  const axesLine = facetAxesLine(data);

  return (
    <div className="compare" data-pending={pending ? '1' : '0'}>
      <CompareControls
        data={data}
        navigate={navigate}
        searchParams={searchParams}
        smooth={smooth}
        onSmooth={onSmooth}
        logY={logY}
        onLogY={onLogY}
        range={range}
        charts={chartsRef}
        legends={legends}
      />

      <Legend data={data} />

      {notes.pooling && (
        <p className="pool-warning" data-testid="pool-warning">
          {notes.pooling}{' '}
          <button type="button" className="link-button" onClick={() => navigate({ pool: null })}>
            Split by task
          </button>
        </p>
      )}

      {axesLine && (
        <p className="muted small" data-testid="facet-axes">
          {axesLine}
        </p>
      )}
      <div
        ref={chartsRef}
        className={`facets ${multiple ? 'multiple' : ''}`}
        data-testid="compare-chart"
        data-facets={panels.length}
        data-datasets={panels.reduce((n, p) => n + p.chart.lines.length, 0)}
        data-points={panels.reduce((n, p) => n + p.chart.lines.reduce((m, line) => m + line.points.length, 0), 0)}
        data-log={data.query.log ? '1' : '0'}
        data-x={data.query.x}
      >
        {charted.map(facetPanel)}
      </div>
      {/* Facets with nothing to draw on any axis: each says why in one line, after the charts. */}
      {uncharted.length > 0 && (
        <div className="facets no-charts" data-testid="compare-no-charts">
          {uncharted.map(facetPanel)}
        </div>
      )}
      <SeriesList series={data.series} />
      {notes.other.length > 0 && (
        <ul className="notes">
          {notes.other.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      <SummaryTable data={data} />
      <ConfigDiffTable data={data} />
    </div>
  );
}
