'use client';
// Best validation (with its 95% interval) against training time, one point per strategy in its colour
// and marker (lib/views/strategy-colors.ts), the Pareto front drawn as a dashed line through its members
// (drawn larger, filled and outlined in dark). The interval of each strategy is a vertical line dataset
// (lo → hi) in its colour: plain chart.js, no error-bar plugin. Like every chart, it is named and
// described in words and shows its data as a table on request (./_components/chart-text.tsx).
import { Chart, LineController, LineElement, LinearScale, PointElement, ScatterController, Tooltip, type ChartDataset } from 'chart.js';
import { useMemo, useRef } from 'react';
import { Scatter } from 'react-chartjs-2';
import { PngButton, whiteBackground } from '../_components/chart-image';
import { chartA11yProps, ChartDataTable, ChartDescription, TableToggle, useTableToggle } from '../_components/chart-text';
import { Swatch } from '../_components/swatch';
import { pointsText } from '@/lib/views/chart-text';
import { fmtLoss } from '@/lib/views/format';
import { markerOf } from '@/lib/views/strategy-colors';
import type { TradeoffPoint } from '@/lib/views/strategies-page';

Chart.register(ScatterController, LineController, LineElement, PointElement, LinearScale, Tooltip);

type Dataset = ChartDataset<'scatter', { x: number; y: number }[]>;

const X_TITLE = 'training time per run (minutes, excl. validation and saving)';
const Y_TITLE = 'best validation loss (lower is better)';

const intervalText = (p: TradeoffPoint) =>
  p.lo === null || p.hi === null
    ? 'no interval'
    : `95% ${fmtLoss(p.lo)}–${fmtLoss(p.hi)}${p.method === 'single_run_noise' ? ', one run' : ''}`;

export function TradeoffChart({
  points,
  testId,
  pngName,
  pngTitle,
}: {
  points: TradeoffPoint[];
  testId?: string;
  pngName?: string;
  pngTitle?: string;
}) {
  const chartRef = useRef<Chart<'scatter', { x: number; y: number }[]> | null>(null);
  const table = useTableToggle();
  const title = pngTitle ?? 'Cost vs quality';
  const text = useMemo(
    () =>
      pointsText({
        title,
        xLabel: 'training minutes per run',
        yLabel: 'best validation loss',
        points: points.map((p) => ({
          label: p.label,
          x: p.minutes.toFixed(1),
          y: fmtLoss(p.mean),
          note: `${intervalText(p)}${p.pareto ? ', on the Pareto front' : ''}`,
        })),
      }),
    [title, points],
  );
  const datasets: Dataset[] = [];
  const front = points.filter((p) => p.pareto).sort((a, b) => a.minutes - b.minutes || a.mean - b.mean);
  if (front.length > 1) {
    datasets.push({
      label: 'Pareto front',
      data: front.map((p) => ({ x: p.minutes, y: p.mean })),
      showLine: true,
      borderColor: '#64748b',
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 0,
      pointHoverRadius: 0,
    });
  }
  for (const p of points) {
    if (p.lo !== null && p.hi !== null) {
      datasets.push({
        label: `${p.label} 95% interval`,
        data: [
          { x: p.minutes, y: p.lo },
          { x: p.minutes, y: p.hi },
        ],
        showLine: true,
        borderColor: p.color,
        borderWidth: 2,
        borderDash: p.method === 'single_run_noise' ? [3, 3] : [],
        pointStyle: 'line',
        pointRadius: 6,
        pointBorderColor: p.color,
        pointHoverRadius: 0,
      });
    }
    // The strategy's own marker; on the front: larger, filled, outlined in dark (stroke-only marks keep their colour).
    const marker = markerOf(p.color) ?? { shape: 'circle', filled: true, rotation: 0 };
    const stroked = marker.shape === 'cross' || marker.shape === 'crossRot' || marker.shape === 'star' || marker.shape === 'line';
    datasets.push({
      label: `${p.label}${p.pareto ? ' (Pareto front)' : ''}`,
      data: [{ x: p.minutes, y: p.mean }],
      backgroundColor: p.pareto || marker.filled ? p.color : '#ffffff',
      borderColor: p.pareto && !stroked ? '#1d2330' : p.color,
      borderWidth: stroked ? 3 : 2,
      pointStyle: marker.shape,
      pointRotation: marker.rotation,
      pointRadius: p.pareto ? 10 : 7,
      pointHoverRadius: p.pareto ? 12 : 9,
    });
  }
  // pad the x range so points at the extremes are not drawn on the axis
  const xs = points.map((p) => p.minutes);
  const span = Math.max(...xs) - Math.min(...xs);
  const pad = span > 0 ? span * 0.12 : Math.max(1, Math.min(...xs) * 0.2);
  const xMin = Math.max(0, Math.floor(Math.min(...xs) - pad));
  const xMax = Math.ceil(Math.max(...xs) + pad);
  return (
    <>
      <div
        className="chart-box tradeoff-chart"
        data-testid={testId ?? 'tradeoff-chart'}
        data-points={points.length}
        data-front={front.length}
        {...chartA11yProps(text, table.descriptionId)}
      >
        <Scatter
          ref={chartRef}
          plugins={[whiteBackground]}
          role="presentation"
          aria-hidden
          data={{ datasets }}
          options={{
            animation: false,
            maintainAspectRatio: false,
            plugins: {
              legend: { display: false },
              tooltip: {
                filter: (item) => !String(item.dataset.label ?? '').endsWith('interval') && item.dataset.label !== 'Pareto front',
                callbacks: {
                  label: (item) => {
                    const p = points.find((q) => item.dataset.label?.startsWith(q.label));
                    if (!p) return '';
                    return `${p.label}: ${fmtLoss(p.mean)} (${intervalText(p)}), ${p.minutes.toFixed(1)} min${p.pareto ? ', on the front' : ''}`;
                  },
                },
              },
            },
            scales: {
              x: {
                type: 'linear',
                min: xMin,
                max: xMax,
                title: { display: true, text: X_TITLE },
              },
              y: { type: 'linear', title: { display: true, text: Y_TITLE } },
            },
          }}
        />
      </div>
      <ChartDescription id={table.descriptionId} text={text} />
      <div className="chart-hint small">
        <span className="legend tradeoff-legend" data-testid="tradeoff-legend">
          {points.map((p) => (
            <span key={p.key} className="legend-item">
              <Swatch color={p.color} />
              {p.label}
              {p.pareto ? <span className="muted"> (front)</span> : null}
            </span>
          ))}
        </span>
        <TableToggle open={table.open} onToggle={table.toggle} controls={table.tableId} />
        {pngName ? (
          <PngButton
            chart={chartRef}
            name={pngName}
            frame={{
              title: pngTitle,
              legend: points.map((p) => ({ label: `${p.label}${p.pareto ? ' ★ Pareto front' : ''}`, color: p.color })),
            }}
          />
        ) : null}
      </div>
      <div id={table.tableId}>
        {table.open ? (
          <ChartDataTable
            caption={`${title}: best validation loss against training time`}
            columns={['strategy', 'training minutes per run', 'best validation loss', '95% interval', 'Pareto front']}
            rows={points.map((p) => ({
              key: p.key,
              cells: [
                p.label,
                p.minutes.toFixed(1),
                fmtLoss(p.mean),
                p.lo === null || p.hi === null
                  ? '–'
                  : `${fmtLoss(p.lo)}–${fmtLoss(p.hi)}${p.method === 'single_run_noise' ? ' (one run)' : ''}`,
                p.pareto ? 'yes' : 'no',
              ],
            }))}
          />
        ) : null}
      </div>
    </>
  );
}
