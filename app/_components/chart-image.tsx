'use client';
// Charts as pictures (issue 12, part 4): every chart downloads as a PNG with a white background (the
// canvas is transparent by default, which turns black or checkered in most viewers), and the compare
// page collects its charts' PNGs for the HTML report. Downloads go through a Blob, never a server.
import { Chart, type Plugin } from 'chart.js';
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

/** The PNG of the chart drawn on `canvas`, or null when no chart lives there. */
export function canvasChartPng(canvas: HTMLCanvasElement): string | null {
  const chart = Chart.getChart(canvas);
  return chart ? chartPng(chart) : null;
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

/** The small "PNG" button under a chart. */
export function PngButton({
  chart,
  name,
  testId,
}: {
  chart: RefObject<Chart | null> | (() => string | null);
  name: string;
  testId?: string;
}) {
  const onClick = () => {
    const url = typeof chart === 'function' ? chart() : chart.current ? chartPng(chart.current) : null;
    if (url) downloadBlob(dataUrlToBlob(url), name);
  };
  return (
    <button
      type="button"
      className="link-button png-button"
      onClick={onClick}
      title={`Download this chart as ${name}`}
      data-testid={testId ?? 'chart-png'}
    >
      ⤓ PNG
    </button>
  );
}
