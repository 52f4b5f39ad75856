'use client';
// One small multiple of the compare page: a facet's caption (its groups with their n) and its chart.
import type { CompareResponse } from '@/lib/api/schemas/compare';
import { facetPngName, facetTitle, type CompareFacet, type FacetChart } from '@/lib/views/compare-page';
import { LineChart } from '../line-chart';
import { Swatch } from '../swatch';

export function FacetPanel({
  data,
  facet,
  chart,
  multiple,
  range,
  onRangeChange,
}: {
  data: CompareResponse;
  facet: CompareFacet;
  chart: FacetChart;
  multiple: boolean;
  range: { min: number; max: number } | null;
  onRangeChange: (next: { min: number; max: number } | null) => void;
}) {
  const { lines, bands, markers, groups } = chart;
  return (
    <figure className="facet" data-testid="compare-facet" data-facet={facet.key} data-task={facet.taskId ?? ''}>
      <figcaption>
        <strong>{facet.label}</strong>
        <span className="muted small">
          {' '}
          · {facet.runIds.length} run{facet.runIds.length === 1 ? '' : 's'}
        </span>
        <span className="facet-groups">
          {groups.map((g) => (
            <span key={g.id} className="facet-group small" data-testid="facet-group" data-group={g.groupKey ?? g.id} data-n={g.n}>
              <Swatch color={g.color} />
              {g.label} <span className="muted">{g.n}</span>
            </span>
          ))}
        </span>
      </figcaption>
      <LineChart
        lines={lines}
        bands={bands}
        markers={markers}
        xAxis={data.query.x}
        logY={data.query.log}
        yLabel="loss"
        height={multiple ? 320 : 440}
        testId="compare-facet-chart"
        range={range}
        onRangeChange={onRangeChange}
        pngName={facetPngName(data, facet)}
        pngTitle={facetTitle(data, facet)}
      />
    </figure>
  );
}
