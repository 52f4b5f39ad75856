// The line chart's forecast overlays, kept apart from line-chart.tsx: a cone (a dashed
// central line over a translucent band between lo and hi) becomes three chart.js datasets; reference
// levels (the incumbent's final loss) are drawn by a plugin across the plot, which also reports where
// each one lies so the chart can put its label there as a link, and marks the chart's wrapper once
// drawn: `data-cone` (cone points on the canvas) and `data-references` (levels inside the plot).
import type { Chart, ChartDataset, Plugin, ScatterDataPoint } from 'chart.js';
import type { ChartCone, ChartReference } from '@/lib/views/chart-lines';
import { fmtLoss } from '@/lib/views/format';

function alpha(hex: string, a: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

/** The dataset role line-chart.tsx gives a cone's central line (its tooltip says the interval). */
export const CONE_ROLE = 'forecast';

export type ConeDataset = ChartDataset<'line', ScatterDataPoint[]> & {
  id: string;
  thawRole: 'band' | typeof CONE_ROLE;
  thawCone?: ChartCone['points'];
};

/** A cone as datasets: its band (lo, then hi filled down to lo) and its dashed central line. */
export function coneDatasets(cone: ChartCone): ConeDataset[] {
  const fill = alpha(cone.color, 0.2);
  const band = (k: 2 | 3): ScatterDataPoint[] => cone.points.map((p) => ({ x: p[0], y: p[k] }));
  return [
    {
      id: `${cone.id}:lo`,
      thawRole: 'band',
      label: '',
      data: band(2),
      borderWidth: 0,
      pointRadius: 0,
      backgroundColor: fill,
      fill: false,
      order: 3,
    },
    {
      id: `${cone.id}:hi`,
      thawRole: 'band',
      label: '',
      data: band(3),
      borderWidth: 0,
      pointRadius: 0,
      backgroundColor: fill,
      fill: '-1',
      order: 3,
    },
    {
      id: cone.id,
      thawRole: CONE_ROLE,
      thawCone: cone.points,
      label: cone.label,
      data: cone.points.map(([x, central]) => ({ x, y: central })),
      borderColor: cone.color,
      backgroundColor: cone.color,
      // Finer than a validation line's dashes: a forecast, not a measurement.
      borderWidth: 2,
      borderDash: [2, 3],
      pointRadius: 0,
      pointHoverRadius: 4,
      tension: 0,
      order: 1,
    },
  ];
}

/** The tooltip line of a cone's central line at x: "forecast …: 0.0412 (80%: 0.0361–0.0474)". */
export function coneTooltip(dataset: ConeDataset, x: number): string {
  const points = dataset.thawCone ?? [];
  let nearest = points[0];
  for (const p of points) if (nearest === undefined || Math.abs(p[0] - x) < Math.abs(nearest[0] - x)) nearest = p;
  if (!nearest) return dataset.label ?? '';
  return `${dataset.label}: ${fmtLoss(nearest[1])} (80%: ${fmtLoss(nearest[2])}–${fmtLoss(nearest[3])})`;
}

/** Where a reference level lies on the canvas (CSS pixels), for its label. */
export interface ReferencePlace {
  id: string;
  y: number;
  right: number;
}

/**
 * Draws the reference levels across the plot (dotted, under nothing else) and reports their places;
 * `references` and `onPlaces` are read through getters, so the plugin object lives as long as the chart.
 */
export function overlayPlugin(references: () => readonly ChartReference[], onPlaces: (places: ReferencePlace[]) => void): Plugin<'line'> {
  return {
    id: 'thawForecastOverlays',
    afterDatasetsDraw(chart: Chart<'line'>) {
      const { ctx, chartArea, scales } = chart;
      const y = scales.y;
      if (!y || !chartArea) return;
      const places: ReferencePlace[] = [];
      for (const ref of references()) {
        const py = y.getPixelForValue(ref.y);
        if (!Number.isFinite(py) || py < chartArea.top - 0.5 || py > chartArea.bottom + 0.5) continue;
        ctx.save();
        ctx.strokeStyle = ref.color;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([2, 3]);
        ctx.beginPath();
        ctx.moveTo(chartArea.left, py);
        ctx.lineTo(chartArea.right, py);
        ctx.stroke();
        ctx.restore();
        places.push({ id: ref.id, y: py, right: chart.width - chartArea.right });
      }
      onPlaces(places);
    },
    afterRender(chart: Chart<'line'>) {
      const wrap = chart.canvas.closest('.chart-wrap');
      if (!wrap) return;
      let cone = 0;
      chart.data.datasets.forEach((dataset, index) => {
        if ((dataset as ConeDataset).thawRole === CONE_ROLE && chart.isDatasetVisible(index)) cone += dataset.data.length;
      });
      wrap.setAttribute('data-cone', String(cone));
    },
  };
}

/** Places as a stable string (the label positions are React state: set only when they moved). */
export const placesKey = (places: readonly ReferencePlace[]) =>
  places.map((p) => `${p.id}@${Math.round(p.y)},${Math.round(p.right)}`).join('|');
