'use client';
// Charts as pictures: every chart downloads as a PNG with a white background (the
// canvas is transparent by default, which turns black or checkered in most viewers), and the compare
// page collects its charts' PNGs for the HTML report. Downloads go through a Blob, never a server.
import { type Chart, type Plugin } from 'chart.js';
import { drawPoint } from 'chart.js/helpers';
import { markerOf } from '@/lib/views/strategy-colors';
import type { RefObject } from 'react';

/** Paints the canvas white under everything chart.js draws (on screen too: the panels are white). */
export const whiteBackground: Plugin = {
  id: 'thawWhiteBackground',
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** A chart's PNG (white background) as a data URI. */
export function chartPng(chart: Chart): string {
  chart.draw(); // the background plugin runs on every draw; make sure the last frame has it
  return chart.toBase64Image('image/png', 1);
}

export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function dataUrlToBlob(dataUrl: string): Blob {
  const [head = '', body = ''] = dataUrl.split(',', 2);
  const type = /^data:([^;,]+)/.exec(head)?.[1] ?? 'application/octet-stream';
  const bytes = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type });
}

export interface PngFrame {
  /** A line above the chart (what it shows, for which run or view). */
  title?: string;
  /** Swatches under the chart (the page's legend is HTML, not part of the canvas). */
  legend?: readonly { label: string; color: string; dashed?: boolean }[];
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

/**
 * The chart's canvas framed for a file: white, with its title above and its legend below, at the
 * canvas's own resolution. Without title and legend it is the chart's own PNG.
 */
export function framedChartPng(chart: Chart, frame: PngFrame = {}): string {
  const plain = chartPng(chart);
  const legend = frame.legend ?? [];
  if (!frame.title && legend.length === 0) return plain;
  const source = chart.canvas;
  const ratio = source.width / Math.max(1, chart.width); // device pixels per CSS pixel
  const width = source.width;
  const pad = 10 * ratio;
  const line = 18 * ratio;
  // Lay the legend out in rows first, to know the height.
  const measure = document.createElement('canvas').getContext('2d');
  if (!measure) return plain;
  measure.font = `${12 * ratio}px ${FONT}`;
  const rows: { label: string; color: string; dashed?: boolean; x: number }[][] = [[]];
  let x = pad;
  for (const item of legend) {
    const w = 26 * ratio + measure.measureText(item.label).width + 14 * ratio;
    if (x + w > width - pad && rows.at(-1)!.length > 0) {
      rows.push([]);
      x = pad;
    }
    rows.at(-1)!.push({ ...item, x });
    x += w;
  }
  const legendRows = legend.length === 0 ? 0 : rows.length;
  const top = frame.title ? pad + line + 4 * ratio : pad;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = top + source.height + legendRows * line + pad;
  const ctx = canvas.getContext('2d');
  if (!ctx) return plain;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.textBaseline = 'middle';
  if (frame.title) {
    ctx.fillStyle = '#1d2330';
    ctx.font = `600 ${14 * ratio}px ${FONT}`;
    ctx.fillText(frame.title, pad, pad + line / 2, width - 2 * pad);
  }
  ctx.drawImage(source, 0, top);
  ctx.font = `${12 * ratio}px ${FONT}`;
  rows.forEach((row, k) => {
    const y = top + source.height + line * k + line / 2;
    for (const item of row) {
      ctx.strokeStyle = item.color;
      ctx.lineWidth = 2.5 * ratio;
      ctx.setLineDash(item.dashed ? [5 * ratio, 3 * ratio] : []);
      ctx.beginPath();
      ctx.moveTo(item.x, y);
      ctx.lineTo(item.x + 20 * ratio, y);
      ctx.stroke();
      // A strategy's marker on its key, as on its line (colour is never the only channel).
      const marker = markerOf(item.color);
      if (marker) {
        ctx.setLineDash([]);
        ctx.lineWidth = 1.5 * ratio;
        ctx.fillStyle = marker.filled ? item.color : '#ffffff';
        drawPoint(
          ctx,
          { pointStyle: marker.shape, rotation: marker.rotation, radius: 4 * ratio, borderWidth: 1.5 * ratio },
          item.x + 10 * ratio,
          y,
        );
      }
      ctx.fillStyle = '#1d2330';
      ctx.fillText(item.label, item.x + 26 * ratio, y);
    }
  });
  return canvas.toDataURL('image/png');
}

/** The small "PNG" button under a chart. */
export function PngButton({
  chart,
  name,
  frame,
  testId,
}: {
  /** The chart, or what makes its PNG (a data URI; a promise when the chart may have to be drawn first). */
  chart: RefObject<Chart | null> | (() => string | null | Promise<string | null>);
  name: string;
  frame?: PngFrame;
  testId?: string;
}) {
  const onClick = async () => {
    const url = typeof chart === 'function' ? await chart() : chart.current ? framedChartPng(chart.current, frame) : null;
    if (url) downloadBlob(dataUrlToBlob(url), name);
  };
  return (
    <button
      type="button"
      className="link-button png-button"
      onClick={() => void onClick()}
      title={`Download this chart as ${name}`}
      data-testid={testId ?? 'chart-png'}
    >
      ⤓ PNG
    </button>
  );
}
