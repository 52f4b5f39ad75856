'use client';
// A chart.js line chart for loss curves (react-chartjs-2), registering only what it uses. The zoom
// plugin touches `window` when imported, so it is loaded in an effect. Datasets keep stable ids and
// animation is off, so new data (live updates) redraws in place without flicker.
import {
  Chart,
  Filler,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
  type ChartOptions,
  type ScatterDataPoint,
} from 'chart.js';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Line } from 'react-chartjs-2';
import type { ChartPoint } from '@/lib/api/schemas/common';
import { fmtDuration, fmtLoss } from './format';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Filler);

export type XAxisKind = 'epoch' | 'step' | 'time';

export interface ChartLine {
  id: string;
  label: string;
  color: string;
  points: ChartPoint[];
  dashed?: boolean;
  /** The raw series under a smoothed one: thin and translucent, not in tooltips. */
  faint?: boolean;
  width?: number;
  /** Draw the points (sparse series such as epoch validations). */
  dots?: boolean;
}

export interface ChartBand {
  id: string;
  color: string;
  band: [number, number, number][];
}

export interface ChartMarker {
  id: string;
  kind: 'best' | 'overfit';
  x: number;
  y: number;
  color: string;
  label: string;
}

export interface LineChartProps {
  lines: ChartLine[];
  bands?: ChartBand[];
  markers?: ChartMarker[];
  xAxis: XAxisKind;
  logY?: boolean;
  yLabel: string;
  height?: number;
  testId?: string;
  /** Zoomed x range (from the URL), and where to report a new one (null = reset). */
  range?: { min: number; max: number } | null;
  onRangeChange?: (range: { min: number; max: number } | null) => void;
}

type LineDataset = ChartDataset<'line', ScatterDataPoint[]> & { id: string; thawRole: 'line' | 'faint' | 'band' | 'marker' };

function alpha(hex: string, a: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

const toData = (points: readonly ChartPoint[]): ScatterDataPoint[] => points.map(([x, y]) => ({ x, y: y as number })); // null y is a gap (spanGaps is off)

function xTitle(axis: XAxisKind): string {
  return axis === 'epoch' ? 'epoch' : axis === 'step' ? 'step' : 'training time (h:mm:ss)';
}

function xTick(axis: XAxisKind, value: number): string {
  if (axis === 'time') return fmtDuration(value);
  if (axis === 'step' && Math.abs(value) >= 10_000) return `${Math.round(value / 1000)}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function buildDatasets(lines: readonly ChartLine[], bands: readonly ChartBand[], markers: readonly ChartMarker[]): LineDataset[] {
  const out: LineDataset[] = [];
  for (const band of bands) {
    out.push({
      id: `${band.id}:min`,
      thawRole: 'band',
      label: '',
      data: band.band.map(([x, min]) => ({ x, y: min })),
      borderWidth: 0,
      pointRadius: 0,
      backgroundColor: alpha(band.color, 0.14),
      fill: false,
      order: 3,
    });
    out.push({
      id: `${band.id}:max`,
      thawRole: 'band',
      label: '',
      data: band.band.map(([x, , max]) => ({ x, y: max })),
      borderWidth: 0,
      pointRadius: 0,
      backgroundColor: alpha(band.color, 0.14),
      fill: '-1',
      order: 3,
    });
  }
  for (const line of lines) {
    out.push({
      id: line.id,
      thawRole: line.faint ? 'faint' : 'line',
      label: line.label,
      data: toData(line.points),
      borderColor: line.faint ? alpha(line.color, 0.28) : line.color,
      backgroundColor: line.color,
      borderWidth: line.width ?? (line.faint ? 1 : 2),
      borderDash: line.dashed ? [6, 4] : undefined,
      pointRadius: line.dots ? 2.5 : 0,
      pointHoverRadius: line.faint ? 0 : 4,
      spanGaps: false,
      tension: 0,
      order: line.faint ? 2 : 1,
    });
  }
  for (const marker of markers) {
    out.push({
      id: marker.id,
      thawRole: 'marker',
      label: marker.label,
      data: [{ x: marker.x, y: marker.y }],
      showLine: false,
      pointStyle: marker.kind === 'best' ? 'rectRot' : 'triangle',
      pointRadius: marker.kind === 'best' ? 7 : 7,
      pointHoverRadius: 9,
      borderColor: marker.kind === 'best' ? '#1d2330' : '#ffffff',
      backgroundColor: marker.kind === 'best' ? marker.color : '#d64545',
      borderWidth: 1.5,
      order: 0,
    });
  }
  return out;
}

export function LineChart({
  lines,
  bands = [],
  markers = [],
  xAxis,
  logY = false,
  yLabel,
  height = 380,
  testId,
  range,
  onRangeChange,
}: LineChartProps) {
  const chartRef = useRef<Chart<'line', ScatterDataPoint[]> | null>(null);
  const [zoomReady, setZoomReady] = useState(false);
  const rangeCallback = useRef(onRangeChange);
  rangeCallback.current = onRangeChange;

  useEffect(() => {
    let alive = true;
    import('chartjs-plugin-zoom')
      .then((module) => {
        Chart.register(module.default);
        if (alive) setZoomReady(true);
      })
      .catch(() => {}); // without the plugin the chart still works, just without zoom
    return () => {
      alive = false;
    };
  }, []);

  const datasets = useMemo(() => buildDatasets(lines, bands, markers), [lines, bands, markers]);

  const options = useMemo<ChartOptions<'line'>>(() => {
    const report = ({ chart }: { chart: Chart }) => {
      const scale = chart.scales.x;
      if (scale) rangeCallback.current?.({ min: scale.min, max: scale.max });
    };
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: xTitle(xAxis) },
          min: range?.min,
          max: range?.max,
          ticks: { callback: (value) => xTick(xAxis, Number(value)), maxTicksLimit: 12 },
        },
        y: {
          type: logY ? 'logarithmic' : 'linear',
          title: { display: true, text: logY ? `${yLabel} (log)` : yLabel },
          ticks: { callback: (value) => fmtLoss(Number(value)).replace(/0+$/, '').replace(/\.$/, '') },
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          filter: (item) => {
            const role = (item.dataset as LineDataset).thawRole;
            return role === 'line' || role === 'marker';
          },
          callbacks: {
            title: (items) => (items[0] ? `${xTitle(xAxis)} ${xTick(xAxis, items[0].parsed.x ?? 0)}` : ''),
            label: (item) =>
              (item.dataset as LineDataset).thawRole === 'marker'
                ? (item.dataset.label ?? '')
                : `${item.dataset.label}: ${fmtLoss(item.parsed.y)}`,
          },
        },
        ...(zoomReady
          ? {
              zoom: {
                zoom: {
                  drag: { enabled: true, backgroundColor: 'rgba(47,111,237,0.12)', borderColor: 'rgba(47,111,237,0.5)', borderWidth: 1 },
                  wheel: { enabled: true, modifierKey: 'ctrl' as const },
                  mode: 'x' as const,
                  onZoomComplete: report,
                },
                pan: { enabled: true, mode: 'x' as const, modifierKey: 'shift' as const, onPanComplete: report },
              },
            }
          : {}),
      },
    };
  }, [xAxis, logY, yLabel, range?.min, range?.max, zoomReady]);

  const resetZoom = () => {
    (chartRef.current as unknown as { resetZoom?: () => void } | null)?.resetZoom?.();
    rangeCallback.current?.(null);
  };

  return (
    <div
      className="chart-wrap"
      data-testid={testId}
      data-datasets={datasets.filter((d) => d.thawRole === 'line' || d.thawRole === 'faint').length}
      data-points={lines.reduce((n, line) => n + line.points.length, 0)}
      data-log={logY ? '1' : '0'}
      data-x={xAxis}
    >
      <div style={{ height }} onDoubleClick={resetZoom}>
        <Line ref={chartRef} data={{ datasets }} options={options} datasetIdKey="id" updateMode="none" />
      </div>
      <div className="chart-hint muted small">
        drag to zoom · shift-drag to pan · ctrl-wheel to zoom · double-click to reset
        {range ? (
          <button type="button" className="link-button" onClick={resetZoom}>
            reset zoom
          </button>
        ) : null}
      </div>
    </div>
  );
}
