'use client';
// A chart.js line chart for loss curves (react-chartjs-2), registering only what it uses. The zoom
// plugin touches `window` when imported, so it is loaded in an effect. Datasets keep stable ids and
// animation is off, so new data (live updates) redraws in place without flicker.
// Every chart is accessible without asking: the canvas is named and described in words
// (title, axes, each line's latest and best value: lib/views/chart-text.ts), a "table" toggle shows its
// data, lines in a strategy's colour carry that strategy's marker (lib/views/strategy-colors.ts), and
// the focused chart zooms, pans and resets from the keyboard.
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
  type Plugin,
  type ScatterDataPoint,
} from 'chart.js';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Line } from 'react-chartjs-2';
import type { BandPoint, ChartPoint } from '@/lib/api/schemas/common';
import type { AggregateStat, ChartBand, ChartCone, ChartLine, ChartMarker, ChartReference } from '@/lib/views/chart-lines';
import { framedChartPng, PngButton, whiteBackground } from './chart-image';
import { CONE_ROLE, coneDatasets, coneTooltip, overlayPlugin, placesKey, type ConeDataset, type ReferencePlace } from './chart-overlays';
import { fmtLoss } from '@/lib/views/format';
import { chartTable, chartText, fmtX, fmtY, xAxisTitle, type BestValue } from '@/lib/views/chart-text';
import { xTickLabels, yTickLabels } from '@/lib/views/chart-ticks';
import { markerOf, type StrategyMarker } from '@/lib/views/strategy-colors';
import { chartA11yProps, ChartDataTable, ChartDescription, TableToggle, useTableToggle } from './chart-text';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Filler);

/**
 * Marks the chart's wrapper with the number of points chart.js has drawn (`data-drawn`), after every
 * render: the server-rendered page already holds an empty canvas, so this is how a test or the bench
 * knows the lines are on it.
 */
const drawnMarker: Plugin<'line'> = {
  id: 'thawDrawnMarker',
  afterRender(chart) {
    const points = chart.data.datasets.reduce((n, dataset) => n + dataset.data.length, 0);
    chart.canvas.closest('.chart-wrap')?.setAttribute('data-drawn', String(points));
  },
};

/**
 * The zoom plugin touches `window` when imported, so it is loaded on the client only, as soon as this
 * module runs there (before hydration makes the charts, as a rule).
 */
let zoomLoaded = false;
const zoomPlugin: Promise<void> =
  typeof window === 'undefined'
    ? new Promise<void>(() => {})
    : import('chartjs-plugin-zoom').then((module) => {
        Chart.register(module.default);
        zoomLoaded = true;
      });
zoomPlugin.catch(() => {});

/** `time`: seconds since the start (a duration); `wall`: seconds since the epoch (a clock, UTC). */
export type XAxisKind = 'epoch' | 'step' | 'time' | 'wall';

/**
 * Drawing on demand (`lazy` charts, the compare page's small multiples): a chart is made when it comes
 * near the viewport, and the others one per idle moment afterwards, so the charts in view are drawn
 * first and a page of 30 charts never blocks the first one behind the rest. A chart that must be drawn
 * now (its PNG button, the HTML report) gets the DRAW_NOW event on its wrapper.
 */
export const DRAW_NOW = 'thaw:draw-now';

const idleQueue: (() => void)[] = [];
let idleScheduled = false;

const whenIdle = (callback: () => void) =>
  typeof window.requestIdleCallback === 'function'
    ? window.requestIdleCallback(callback, { timeout: 400 })
    : window.setTimeout(callback, 16);

/** Runs one queued draw per idle moment (each draw's render and paint happen in between). */
function drainIdleQueue(): void {
  const next = idleQueue.shift();
  next?.();
  if (idleQueue.length > 0) whenIdle(drainIdleQueue);
  else idleScheduled = false;
}

function queueWhenIdle(draw: () => void): () => void {
  idleQueue.push(draw);
  if (!idleScheduled) {
    idleScheduled = true;
    whenIdle(drainIdleQueue);
  }
  return () => {
    const at = idleQueue.indexOf(draw);
    if (at >= 0) idleQueue.splice(at, 1);
  };
}

/** Asks these charts (their `.chart-wrap`s) to draw now; resolves once each has drawn (or after `timeoutMs`). */
export async function drawCharts(wraps: readonly HTMLElement[], timeoutMs = 15_000): Promise<void> {
  for (const wrap of wraps) if (wrap.dataset.lazy === 'waiting') wrap.dispatchEvent(new Event(DRAW_NOW));
  const deadline = performance.now() + timeoutMs;
  while (wraps.some((wrap) => wrap.dataset.drawn === undefined) && performance.now() < deadline)
    await new Promise((resolve) => requestAnimationFrame(resolve));
}

/** Every chart under `root`, drawn now (the HTML report takes them all). */
export const drawAllCharts = (root: ParentNode, timeoutMs?: number) =>
  drawCharts([...root.querySelectorAll<HTMLElement>('.chart-wrap')], timeoutMs);

/** The zoom plugin's methods on a chart (present once the plugin is registered). */
type ZoomableChart = Chart & { zoom?: (amount: { x: number }) => void; pan: (delta: { x: number }) => void };

export interface LineChartProps {
  lines: ChartLine[];
  bands?: ChartBand[];
  markers?: ChartMarker[];
  /** Forecast cones (./chart-overlays.ts). */
  cones?: ChartCone[];
  /** Horizontal levels across the chart, labelled (a link when they have an href). */
  references?: ChartReference[];
  xAxis: XAxisKind;
  logY?: boolean;
  yLabel: string;
  height?: number;
  testId?: string;
  /** Zoomed x range (from the URL), and where to report a new one (null = reset). */
  range?: { min: number; max: number } | null;
  onRangeChange?: (range: { min: number; max: number } | null) => void;
  /** File name of the PNG download (with its run or compare context); no button without it. */
  pngName?: string;
  /** Title written above the chart in the PNG (its legend is drawn from the lines). */
  pngTitle?: string;
  /** Say how to zoom and pan under the chart (default); small multiples leave it out. */
  hint?: boolean;
  /** Draw when near the viewport, else when the browser is idle (see DRAW_NOW); default: at once. */
  lazy?: boolean;
  /** What the chart shows, for its text alternative and table caption (default: pngTitle, else the y label). */
  title?: string;
  /** Which value of a line the text alternative calls its best: lowest (losses, the default), highest, or none. */
  best?: BestValue;
}

type LineDataset = ChartDataset<'line', ScatterDataPoint[]> & {
  id: string;
  thawRole: 'line' | 'faint' | 'band' | 'marker' | 'strategy-marker' | typeof CONE_ROLE;
  thawStats?: AggregateStat[];
  thawCone?: ConeDataset['thawCone'];
};

function alpha(hex: string, a: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

const toData = (points: readonly ChartPoint[]): ScatterDataPoint[] => points.map(([x, y]) => ({ x, y: y as number })); // null y is a gap (spanGaps is off)

const xTitle = xAxisTitle;

/** The n of a band point (a 3-element point from an older payload counts as 2). */
const nOf = (p: BandPoint): number => p[3] ?? 2;

/**
 * A band cut where n changes: each stretch of constant n is its own fill, more opaque the more runs
 * it rests on; stretches with n < 2 (min = max, nothing to show) are left out — the band fades away.
 * Neighbouring stretches share their boundary x, so the fill has no seams.
 */
export function bandStretches(band: readonly BandPoint[]): { n: number; points: BandPoint[] }[] {
  const out: { n: number; points: BandPoint[] }[] = [];
  let current: { n: number; points: BandPoint[] } | null = null;
  for (let i = 0; i < band.length; i++) {
    const p = band[i]!;
    const n = nOf(p);
    if (current === null || current.n !== n) {
      const previous = band[i - 1];
      current = { n, points: previous && nOf(previous) >= 2 && n >= 2 ? [previous] : [] };
      out.push(current);
    }
    current.points.push(p);
  }
  return out.filter((s) => s.n >= 2 && s.points.length > 1);
}

/** The point nearest x (x-ascending points). */
function statAt<P extends readonly [number, ...unknown[]]>(stats: readonly P[], x: number): P | undefined {
  let lo = 0;
  let hi = stats.length - 1;
  if (hi < 0) return undefined;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (stats[mid]![0] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(stats[lo]![0] - x) <= Math.abs(stats[hi]![0] - x) ? stats[lo] : stats[hi];
}

/** About this many markers along a line that does not draw all its points. */
const MARKERS_PER_LINE = 8;

const markerStyle = (marker: StrategyMarker, color: string, radius: number): Partial<LineDataset> => ({
  pointStyle: marker.shape,
  pointRotation: marker.rotation,
  pointBackgroundColor: marker.filled ? color : '#ffffff',
  pointBorderColor: color,
  pointBorderWidth: marker.shape === 'cross' || marker.shape === 'crossRot' || marker.shape === 'line' ? 2 : 1.5,
  pointRadius: radius,
  pointHoverRadius: radius,
});

/**
 * A strategy's marker (lib/views/strategy-colors.ts) along a line that does not draw its points: a
 * points-only dataset of about MARKERS_PER_LINE of them spread along it (and its last), shifted per
 * line so that lines lying on each other still show both markers. Its own dataset, with plain options:
 * a scriptable radius on the line itself would make chart.js resolve options for every point.
 */
function markerDataset(line: ChartLine, marker: StrategyMarker, index: number): LineDataset {
  const finite = line.points.filter(([, y]) => y !== null);
  const every = Math.max(1, Math.ceil(finite.length / MARKERS_PER_LINE));
  const offset = Math.floor(((index * 0.37) % 1) * every);
  const picked = finite.filter((_, i) => i % every === offset || i === finite.length - 1);
  return {
    id: `${line.id}:marker`,
    thawRole: 'strategy-marker',
    label: line.label,
    data: toData(picked),
    showLine: false,
    ...markerStyle(marker, line.color, 4),
    order: 1,
  };
}

function buildDatasets(
  lines: readonly ChartLine[],
  bands: readonly ChartBand[],
  markers: readonly ChartMarker[],
  cones: readonly ChartCone[],
): LineDataset[] {
  const out: LineDataset[] = [];
  for (const band of bands) {
    const most = Math.max(2, ...band.band.map(nOf));
    bandStretches(band.band).forEach((stretch, k) => {
      const fill = alpha(band.color, 0.05 + 0.13 * (stretch.n / most));
      out.push({
        id: `${band.id}:${k}:min`,
        thawRole: 'band',
        label: '',
        data: stretch.points.map(([x, min]) => ({ x, y: min })),
        borderWidth: 0,
        pointRadius: 0,
        backgroundColor: fill,
        fill: false,
        order: 3,
      });
      out.push({
        id: `${band.id}:${k}:max`,
        thawRole: 'band',
        label: '',
        data: stretch.points.map(([x, , max]) => ({ x, y: max })),
        borderWidth: 0,
        pointRadius: 0,
        backgroundColor: fill,
        fill: '-1',
        order: 3,
      });
    });
  }
  lines.forEach((line, lineIndex) => {
    const stats = line.stats;
    const marker = line.faint ? null : markerOf(line.color);
    let most = 0;
    let least = Infinity;
    for (const p of stats ?? []) {
      most = Math.max(most, p[3]);
      least = Math.min(least, p[3]);
    }
    const strong = line.faint ? alpha(line.color, 0.28) : line.color;
    const fainter = new Map<number, string>();
    out.push({
      id: line.id,
      thawRole: line.faint ? 'faint' : 'line',
      thawStats: stats,
      // Where fewer runs are behind the mean than at its most, the line is drawn fainter. Chart.js
      // calls a segment style once per segment, so a line whose n never drops has none.
      segment:
        stats && most > 1 && least < most && !line.faint
          ? {
              borderColor: (ctx) => {
                const a = statAt(stats, ctx.p0.parsed.x ?? 0);
                const b = statAt(stats, ctx.p1.parsed.x ?? 0);
                const n = Math.min(a ? a[3] : most, b ? b[3] : most);
                if (n >= most) return strong;
                let color = fainter.get(n);
                if (color === undefined) fainter.set(n, (color = alpha(line.color, 0.3 + 0.6 * (n / most))));
                return color;
              },
            }
          : undefined,
      label: line.label,
      data: toData(line.points),
      borderColor: line.faint ? alpha(line.color, 0.28) : line.color,
      backgroundColor: line.color,
      borderWidth: line.width ?? (line.faint ? 1 : 2),
      borderDash: line.dashed ? [6, 4] : undefined,
      pointRadius: line.dots ? 2.5 : 0,
      pointHoverRadius: line.faint ? 0 : 4,
      ...(marker && line.dots ? markerStyle(marker, line.color, 3) : {}),
      spanGaps: false,
      tension: 0,
      order: line.faint ? 2 : 1,
    });
    if (marker && !line.dots) out.push(markerDataset(line, marker, lineIndex));
  });
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
  for (const cone of cones) out.push(...coneDatasets(cone));
  return out;
}

/** The PNG's legend: each drawn line once (the faint raw series under a smoothed one are left out), then cones and levels. */
export function legendOf(
  lines: readonly ChartLine[],
  overlays: readonly (ChartCone | ChartReference)[] = [],
): { label: string; color: string; dashed?: boolean }[] {
  const seen = new Set<string>();
  const out: { label: string; color: string; dashed?: boolean }[] = [];
  for (const line of [...lines, ...overlays.map((o) => ({ label: o.label, color: o.color, dashed: true, faint: false }))]) {
    if (line.faint || seen.has(line.label)) continue;
    seen.add(line.label);
    out.push({ label: line.label, color: line.color, dashed: line.dashed });
  }
  return out;
}

export function LineChart({
  lines,
  bands = [],
  markers = [],
  cones = [],
  references = [],
  xAxis,
  logY = false,
  yLabel,
  height = 380,
  testId,
  range,
  onRangeChange,
  pngName,
  pngTitle,
  hint = true,
  lazy = false,
  title,
  best = 'min',
}: LineChartProps) {
  const chartRef = useRef<Chart<'line', ScatterDataPoint[]> | null>(null);
  const wrapRef = useRef<HTMLDivElement | null>(null);
  const [zoomReady, setZoomReady] = useState(zoomLoaded);
  /** Zoomed or panned since the last reset (the URL's range is the other way to be zoomed). */
  const [zoomed, setZoomed] = useState(false);
  const rangeCallback = useRef(onRangeChange);
  rangeCallback.current = onRangeChange;
  const table = useTableToggle();
  const name = title ?? pngTitle ?? yLabel;
  const text = useMemo(
    () => chartText({ title: name, xAxis, yLabel, logY, lines, markers, best }),
    [name, xAxis, yLabel, logY, lines, markers, best],
  );
  const [shown, setShown] = useState(!lazy);
  // Reference levels: drawn by the overlay plugin, labelled here (as links) where it reports them.
  const referencesRef = useRef(references);
  referencesRef.current = references;
  const [places, setPlaces] = useState<ReferencePlace[]>([]);
  const overlays = useMemo(
    () =>
      overlayPlugin(
        () => referencesRef.current,
        (next) => setPlaces((current) => (placesKey(current) === placesKey(next) ? current : next)),
      ),
    [],
  );

  useEffect(() => {
    const wrap = wrapRef.current;
    if (shown || !wrap) return;
    const show = () => setShown(true);
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && show(), { rootMargin: '200px 0px' });
    observer.observe(wrap);
    const unqueue = queueWhenIdle(show);
    wrap.addEventListener(DRAW_NOW, show);
    return () => {
      observer.disconnect();
      unqueue();
      wrap.removeEventListener(DRAW_NOW, show);
    };
  }, [shown]);

  useEffect(() => {
    // Usually loaded before the chart is made (it starts loading with this module), so the chart is
    // drawn once, with zoom; when it comes later, the chart takes it on by one update.
    let alive = true;
    if (zoomReady) return;
    zoomPlugin
      .then(() => {
        if (alive) setZoomReady(true);
      })
      .catch(() => {}); // without the plugin the chart still works, just without zoom
    return () => {
      alive = false;
    };
  }, [zoomReady]);

  // The server renders an empty canvas: the datasets are built in the browser only.
  const datasets = useMemo(
    () => (typeof window === 'undefined' ? [] : buildDatasets(lines, bands, markers, cones)),
    [lines, bands, markers, cones],
  );
  const referenceKey = references.map((r) => r.y).join(',');

  const options = useMemo<ChartOptions<'line'>>(() => {
    const report = ({ chart }: { chart: Chart }) => {
      const scale = chart.scales.x;
      setZoomed(true);
      if (scale) rangeCallback.current?.({ min: scale.min, max: scale.max });
    };
    return {
      animation: false,
      // Every dataset's xs ascend (the server sorts them): chart.js skips its own checks.
      normalized: true,
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
          // every tick is labelled knowing its neighbours: the precision comes from their spacing
          ticks: {
            callback: (_value, index, ticks) =>
              xTickLabels(
                xAxis,
                ticks.map((t) => t.value),
              )[index] ?? '',
            maxTicksLimit: 12,
          },
        },
        y: {
          type: logY ? 'logarithmic' : 'linear',
          // The reference levels stay in view (an incumbent below every point of this run).
          suggestedMin: referenceKey === '' ? undefined : Math.min(...referenceKey.split(',').map(Number)),
          suggestedMax: referenceKey === '' ? undefined : Math.max(...referenceKey.split(',').map(Number)),
          title: { display: true, text: logY ? `${yLabel} (log)` : yLabel },
          ticks: {
            callback: (_value, index, ticks) =>
              yTickLabels(
                ticks.map((t) => t.value),
                { log: logY },
              )[index] ?? '',
          },
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          filter: (item) => {
            const role = (item.dataset as LineDataset).thawRole;
            return role === 'line' || role === 'marker' || role === CONE_ROLE;
          },
          callbacks: {
            title: (items) => (items[0] ? `${xTitle(xAxis)} ${fmtX(xAxis, items[0].parsed.x ?? 0)}` : ''),
            label: (item) => {
              const dataset = item.dataset as LineDataset;
              if (dataset.thawRole === 'marker') return dataset.label ?? '';
              if (dataset.thawRole === CONE_ROLE) return coneTooltip(dataset as ConeDataset, item.parsed.x ?? 0);
              const stat = dataset.thawStats ? statAt(dataset.thawStats, item.parsed.x ?? 0) : undefined;
              if (!stat) return `${dataset.label}: ${fmtLoss(item.parsed.y)}`;
              const [, min, max, n, mean] = stat;
              const smoothed = mean === null || Math.abs(mean - (item.parsed.y ?? 0)) > 1e-9 ? `${fmtLoss(item.parsed.y)} smoothed · ` : '';
              return `${dataset.label}: ${smoothed}mean ${fmtLoss(mean)} · n=${n} · min ${fmtLoss(min)} · max ${fmtLoss(max)}`;
            },
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
  }, [xAxis, logY, yLabel, range?.min, range?.max, zoomReady, referenceKey]);

  const resetZoom = () => {
    (chartRef.current as unknown as { resetZoom?: () => void } | null)?.resetZoom?.();
    setZoomed(false);
    rangeCallback.current?.(null);
  };

  /** The chart's PNG, drawn first if it was still waiting (a PNG asked for before it came into view). */
  const png = async (): Promise<string | null> => {
    if (wrapRef.current) await drawCharts([wrapRef.current], 5_000);
    return chartRef.current
      ? framedChartPng(chartRef.current, { title: pngTitle, legend: legendOf(lines, [...cones, ...references]) })
      : null;
  };
  // The keyboard's zoom: + and − zoom the x axis about its middle, ← and → pan, Escape or 0 resets.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const chart = chartRef.current as unknown as ZoomableChart | null;
    if (!chart?.zoom || event.altKey || event.ctrlKey || event.metaKey) return;
    const scale = chart.scales.x;
    const step = scale ? (scale.right - scale.left) * 0.1 : 40;
    const actions: Record<string, () => void> = {
      '+': () => chart.zoom({ x: 1.25 }),
      '=': () => chart.zoom({ x: 1.25 }),
      '-': () => chart.zoom({ x: 0.8 }),
      ArrowLeft: () => chart.pan({ x: step }),
      ArrowRight: () => chart.pan({ x: -step }),
    };
    if (event.key === 'Escape' || event.key === '0') {
      if (!zoomed && !range) return;
      event.preventDefault();
      resetZoom();
      return;
    }
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
    const x = chart.scales.x;
    setZoomed(true);
    if (x) rangeCallback.current?.({ min: x.min, max: x.max });
  };
  const tableData = useMemo(() => (table.open ? chartTable(lines, { best }) : null), [table.open, lines, best]);

  return (
    <div
      ref={wrapRef}
      className="chart-wrap"
      data-lazy={lazy ? (shown ? 'shown' : 'waiting') : undefined}
      data-testid={testId}
      data-datasets={lines.length /* one line or faint dataset per line */}
      data-points={lines.reduce((n, line) => n + line.points.length, 0)}
      data-log={logY ? '1' : '0'}
      data-x={xAxis}
      data-references={places.length}
    >
      <div
        style={{ height }}
        onDoubleClick={resetZoom}
        className="chart-canvas chart-area"
        {...chartA11yProps(text, table.descriptionId)}
        tabIndex={0}
        aria-keyshortcuts="+ - ArrowLeft ArrowRight Escape"
        onKeyDown={onKeyDown}
      >
        {shown && (
          <Line
            ref={chartRef}
            data={{ datasets }}
            options={options}
            plugins={[whiteBackground, drawnMarker, overlays]}
            datasetIdKey="id"
            updateMode="none"
            role="presentation"
            aria-hidden
          />
        )}
        {places.map((place) => {
          const ref = references.find((r) => r.id === place.id);
          if (!ref) return null;
          const style = { top: Math.max(0, place.y - 19), right: place.right + 4, color: ref.color };
          return ref.href ? (
            <a key={ref.id} className="chart-reference" style={style} href={ref.href} data-testid={`reference-${ref.id}`}>
              {ref.label}
            </a>
          ) : (
            <span key={ref.id} className="chart-reference" style={style} data-testid={`reference-${ref.id}`}>
              {ref.label}
            </span>
          );
        })}
      </div>
      <ChartDescription id={table.descriptionId} text={text} />
      <div className="chart-hint muted small">
        {hint ? 'drag or + − zooms · shift-drag or ← → pans · double-click or Esc resets' : null}
        {range || zoomed ? (
          <button type="button" className="link-button" onClick={resetZoom} data-testid="reset-zoom">
            reset zoom
          </button>
        ) : null}
        <TableToggle open={table.open} onToggle={table.toggle} controls={table.tableId} />
        {pngName ? <PngButton chart={png} name={pngName} /> : null}
      </div>
      <div id={table.tableId}>
        {tableData ? (
          <ChartDataTable
            caption={`${name}: ${logY ? `${yLabel} (log scale)` : yLabel} by ${xTitle(xAxis)}`}
            note={tableData.rows.length < tableData.total ? `${tableData.rows.length} of ${tableData.total} x values, evenly spread` : null}
            columns={[xTitle(xAxis), ...tableData.columns]}
            rows={tableData.rows.map((row) => ({
              key: row.x,
              cells: [fmtX(xAxis, row.x), ...row.values.map((v) => (v === null ? '' : fmtY(v)))],
            }))}
          />
        ) : null}
      </div>
    </div>
  );
}
