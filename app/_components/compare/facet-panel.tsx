'use client';
// One small multiple of the compare page: a facet's caption (its groups with their n) and its chart.
import type { CompareResponse } from '@/lib/api/schemas/compare';
import { facetPngName, facetTitle, yQuantity, type CompareFacet, type FacetChart } from '@/lib/views/compare-page';
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
  // A facet is drawn on its own axis (lib/views/facet-axis.ts): the page's, else the one its runs have.
  const x = facet.x;
  const onPageAxis = x === data.query.x;
  return (
    <figure
      className={`facet${x === null ? ' no-chart' : ''}`}
      data-testid="compare-facet"
      data-facet={facet.key}
      data-task={facet.taskId ?? ''}
      data-x={x ?? ''}
    >
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
      {x === null ? (
        <p className="facet-note small" data-testid="facet-no-chart">
          {facet.note}
        </p>
      ) : (
        <>
          <LineChart
            lines={lines}
            bands={bands}
            markers={markers}
            xAxis={x}
            logY={data.query.log}
            yLabel={yQuantity(data)}
            height={multiple ? 320 : 440}
            testId="compare-facet-chart"
            range={onPageAxis ? range : null}
            onRangeChange={onPageAxis ? onRangeChange : undefined}
            pngName={facetPngName(data, facet)}
            pngTitle={facetTitle(data, facet)}
            lazy
          />
          {facet.note && (
            <p className="facet-note muted small" data-testid="facet-note">
              {facet.note}
            </p>
          )}
        </>
      )}
    </figure>
  );
}
