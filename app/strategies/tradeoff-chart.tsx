'use client';
// Best validation (with its 95% interval) against training time, one point per strategy, the Pareto
// front drawn as a line through its members (which are drawn larger, as stars). The interval of each
// strategy is a vertical line dataset (lo → hi) in its colour: plain chart.js, no error-bar plugin.
import { Chart, LineController, LineElement, LinearScale, PointElement, ScatterController, Tooltip, type ChartDataset } from 'chart.js';
import { useRef } from 'react';
import { Scatter } from 'react-chartjs-2';
import { PngButton, whiteBackground } from '../_components/chart-image';
import { fmtLoss } from '@/lib/views/format';
import type { TradeoffPoint } from '@/lib/views/strategies-page';

Chart.register(ScatterController, LineController, LineElement, PointElement, LinearScale, Tooltip);

type Dataset = ChartDataset<'scatter', { x: number; y: number }[]>;

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
    datasets.push({
      label: `${p.label}${p.pareto ? ' (Pareto front)' : ''}`,
      data: [{ x: p.minutes, y: p.mean }],
      backgroundColor: p.pareto ? p.color : '#ffffff',
      borderColor: p.color,
      borderWidth: 2,
      pointStyle: p.pareto ? 'star' : 'circle',
      pointRadius: p.pareto ? 10 : 6,
      pointHoverRadius: p.pareto ? 12 : 8,
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
      >
        <Scatter
          ref={chartRef}
          plugins={[whiteBackground]}
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
                    const range = p.lo === null || p.hi === null ? 'no interval' : `${fmtLoss(p.lo)}–${fmtLoss(p.hi)}`;
                    return `${p.label}: ${fmtLoss(p.mean)} (95% ${range}${p.method === 'single_run_noise' ? ', one run' : ''}), ${p.minutes.toFixed(1)} min${p.pareto ? ', on the front' : ''}`;
                  },
                },
              },
            },
            scales: {
              x: {
                type: 'linear',
                min: xMin,
                max: xMax,
                title: { display: true, text: 'training time per run (minutes, excl. validation and saving)' },
              },
              y: { type: 'linear', title: { display: true, text: 'best validation loss (lower is better)' } },
            },
          }}
        />
      </div>
      {pngName ? (
        <div className="chart-hint small">
          <PngButton
            chart={chartRef}
            name={pngName}
            frame={{
              title: pngTitle,
              legend: points.map((p) => ({ label: `${p.label}${p.pareto ? ' ★ Pareto front' : ''}`, color: p.color })),
            }}
          />
        </div>
      ) : null}
    </>
  );
}
