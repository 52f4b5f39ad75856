// What a chart says in words and in a table, for people who cannot see it and for people who want the
// numbers: its title, its axes, each line with its latest and best value, the markers on it, and the
// data as rows of x by line. Pure; app/_components/chart-text.tsx renders it under every chart.
import type { ChartLine, ChartMarker } from './chart-lines';
import { fmtDuration } from './format';

/** `time`: seconds since the start (a duration); `wall`: seconds since the epoch (a clock, UTC). */
export type ChartXAxis = 'epoch' | 'step' | 'time' | 'wall';

/** Which value of a line is its best: the lowest (a loss), the highest (a success rate), or none (lr). */
export type BestValue = 'min' | 'max' | null;

export function xAxisTitle(axis: ChartXAxis): string {
  return axis === 'epoch' ? 'epoch' : axis === 'step' ? 'step' : axis === 'wall' ? 'wall time (UTC)' : 'training time (h:mm:ss)';
}

/** An x value in full (the axis ticks abbreviate steps; words and tables do not). */
export function fmtX(axis: ChartXAxis, x: number): string {
  if (axis === 'time') return fmtDuration(x);
  if (axis === 'wall') return Number.isFinite(x) ? `${new Date(x * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC` : '';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return axis === 'epoch' ? x.toFixed(2) : x.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/** A y value: 4 decimals for losses, fewer for larger numbers (success %), exponent for tiny ones (lr). */
export function fmtY(y: number): string {
  if (Number.isNaN(y)) return 'NaN';
  if (!Number.isFinite(y)) return y > 0 ? 'inf' : '-inf';
  const a = Math.abs(y);
  if (a !== 0 && a < 0.001) return y.toExponential(2);
  if (a < 10) return y.toFixed(4);
  if (a < 1000) return y.toFixed(2);
  return Math.round(y).toLocaleString('en-US');
}

/** The lines a reader is told about: the drawn ones, once each (the faint raw series under a smoothed one are left out). */
export function describedLines<L extends Pick<ChartLine, 'id' | 'label' | 'faint'>>(lines: readonly L[]): L[] {
  const seen = new Set<string>();
  return lines.filter((line) => {
    if (line.faint || seen.has(line.id)) return false;
    seen.add(line.id);
    return true;
  });
}

export interface LineFacts {
  label: string;
  points: number;
  latest: { x: number; y: number } | null;
  best: { x: number; y: number } | null;
}

/** A line's latest finite point and its best one (the first of equals). */
export function lineFacts(line: Pick<ChartLine, 'label' | 'points'>, best: BestValue): LineFacts {
  let latest: LineFacts['latest'] = null;
  let top: LineFacts['best'] = null;
  let count = 0;
  for (const [x, y] of line.points) {
    if (y === null || !Number.isFinite(y)) continue;
    count++;
    latest = { x, y };
    if (best !== null && (top === null || (best === 'min' ? y < top.y : y > top.y))) top = { x, y };
  }
  return { label: line.label, points: count, latest, best: top };
}

export interface ChartTextInput {
  /** What the chart shows (for which run, task or view). */
  title: string;
  xAxis: ChartXAxis;
  yLabel: string;
  logY?: boolean;
  lines: readonly ChartLine[];
  markers?: readonly Pick<ChartMarker, 'label'>[];
  best?: BestValue;
}

export interface ChartText {
  /** One sentence: the title, the kind of chart, its axes and how many lines. */
  label: string;
  /** One sentence per line (latest and best), then one per marker. */
  details: string[];
}

/** The chart's text alternative. */
export function chartText({ title, xAxis, yLabel, logY = false, lines, markers = [], best = 'min' }: ChartTextInput): ChartText {
  const drawn = describedLines(lines);
  const x = xAxisTitle(xAxis);
  const xName = xAxis === 'time' ? 'training time' : xAxis === 'wall' ? 'wall time' : xAxis;
  const y = logY ? `${yLabel} (log scale)` : yLabel;
  const count = drawn.length === 1 ? '1 line' : `${drawn.length} lines`;
  const label = `${title}: line chart of ${y} against ${x}, ${drawn.length === 0 ? 'no data yet' : count}.`;
  const details = drawn.map((line) => {
    const facts = lineFacts(line, best);
    if (!facts.latest) return `${facts.label}: no values yet.`;
    const at = (p: { x: number; y: number }) => `${fmtY(p.y)} at ${xName} ${fmtX(xAxis, p.x)}`;
    const parts = [`latest ${at(facts.latest)}`];
    if (facts.best) parts.push(`${best === 'max' ? 'highest' : 'lowest'} ${at(facts.best)}`);
    parts.push(facts.points === 1 ? '1 point' : `${facts.points.toLocaleString('en-US')} points`);
    return `${facts.label}: ${parts.join(', ')}.`;
  });
  for (const marker of markers) details.push(`Marker: ${marker.label}.`);
  return { label, details };
}

export interface ChartTable {
  columns: string[];
  rows: { x: number; values: (number | null)[] }[];
  /** How many x values the lines have in all (rows may be fewer: see `chartTable`). */
  total: number;
}

/**
 * The chart's data as rows: one per x, one column per drawn line (empty where a line has no point at
 * that x). Past `maxRows` xs it keeps an even spread of them plus every line's first, latest and best
 * x, so the table stays readable and still holds what the text alternative names.
 */
export function chartTable(lines: readonly ChartLine[], options: { maxRows?: number; best?: BestValue } = {}): ChartTable {
  const { maxRows = 400, best = 'min' } = options;
  const drawn = describedLines(lines);
  const byLine = drawn.map((line) => {
    const values = new Map<number, number | null>();
    for (const [x, y] of line.points) values.set(x, y);
    return values;
  });
  const xs = [...new Set(drawn.flatMap((line) => line.points.map(([x]) => x)))].sort((a, b) => a - b);
  let kept = xs;
  if (xs.length > maxRows) {
    const keep = new Set<number>();
    const step = (xs.length - 1) / Math.max(1, maxRows - 1);
    for (let i = 0; i < maxRows; i++) keep.add(xs[Math.round(i * step)]!);
    for (const line of drawn) {
      const facts = lineFacts(line, best);
      if (line.points[0]) keep.add(line.points[0][0]);
      if (facts.latest) keep.add(facts.latest.x);
      if (facts.best) keep.add(facts.best.x);
    }
    kept = [...keep].sort((a, b) => a - b);
  }
  return {
    columns: drawn.map((line) => line.label),
    rows: kept.map((x) => ({ x, values: byLine.map((values) => values.get(x) ?? null) })),
    total: xs.length,
  };
}

export interface PointsTextInput {
  title: string;
  xLabel: string;
  yLabel: string;
  /** One entry per point: who it is, where it is, and what else to say about it. */
  points: readonly { label: string; x: string; y: string; note?: string }[];
}

/** The text alternative of a chart of labelled points (a scatter, such as cost vs quality). */
export function pointsText({ title, xLabel, yLabel, points }: PointsTextInput): ChartText {
  const count = points.length === 1 ? '1 point' : `${points.length} points`;
  return {
    label: `${title}: chart of ${yLabel} against ${xLabel}, ${points.length === 0 ? 'no data yet' : count}.`,
    details: points.map((p) => `${p.label}: ${yLabel} ${p.y}, ${xLabel} ${p.x}${p.note ? `, ${p.note}` : ''}.`),
  };
}
