// The run page's "Scalars" section, as TensorBoard's scalars dashboard shows a run: every tag, grouped
// by its prefix up to the first '/' (a tag without one is a group of its own), filtered by a regular
// expression, one small chart per tag with the tag's folders overlaid (Keras' `train/` and
// `validation/` on one chart, as TensorBoard draws its two runs), smoothed by TensorBoard's debiased
// EMA, on the tag's own axis (its steps, or its epochs numbered from 1 for a tag logged per epoch:
// lib/analysis/scalar-metrics.ts tagAxis and axisX, as the verdict and Compare number them), relative
// time or wall time; collapsed groups and every setting in the URL.
// Pure; app/runs/[id]/scalars-section.tsx renders it and fetches each chart's points when it is seen.
import { axisX, type ScalarAxis } from '../analysis/scalar-metrics';
import { smoothEma } from '../analysis/series';
import type { ChartPoint } from '../api/schemas/common';
import type { ScalarTag, ScalarTagsResponse } from '../api/schemas/scalars';
import type { ChartLine } from './chart-lines';
import { fileName } from './report';
import type { ScalarPoint } from './scalar-points';

/** `step`: each tag on its own axis (its steps, or its epochs: ScalarChartView.axis); the URL keeps the name. */
export const SCALAR_AXES = ['step', 'relative', 'wall'] as const;
export type ScalarAxisMode = (typeof SCALAR_AXES)[number];

/** What the section shows, as its URL says (lib/api/schemas/scalars.ts scalarsViewQuery). */
export interface ScalarsViewState {
  /** A regular expression a tag must match (TensorBoard's tag filter); '' shows every tag. */
  filter: string;
  /** Groups the user collapsed. */
  closed: readonly string[];
  axis: ScalarAxisMode;
  smooth: number;
  log: boolean;
}

/** TensorBoard's colours for a run's folders: the run itself first, then its parts in name order. */
const DIR_COLORS = ['#2f6fed', '#e8710a', '#1e8e3e', '#d93025', '#9334e6', '#12b5cb', '#b06000', '#5f6368'];

export interface ScalarSeriesView {
  dir: string;
  /** "train", "validation", or the run ("run") for the run directory itself. */
  label: string;
  color: string;
  summary: ScalarTag;
  /** The API URL of its points (downsampled for the chart) and of its CSV (every point, exact). */
  pointsUrl: string;
  csvUrl: string;
}

export interface ScalarChartView {
  tag: string;
  /** What its steps count: `epoch` when every folder's tag is logged per epoch (drawn at epoch step + 1), else `step`. */
  axis: ScalarAxis;
  series: ScalarSeriesView[];
  pngName: string;
}

export interface ScalarGroupView {
  name: string;
  charts: ScalarChartView[];
  closed: boolean;
}

export interface ScalarsSectionView {
  groups: ScalarGroupView[];
  /** Tags shown (after the filter) and in all. */
  shown: number;
  total: number;
  /** Why the filter was not applied (not a valid regular expression), else null. */
  filterError: string | null;
  /** "Not shown: 1 graph, 2 text values (args, model_config)…" — what the files hold besides scalars; null when nothing. */
  notShown: string | null;
  /** Seconds since the epoch where the relative axis starts: the run's earliest point. */
  startWallTime: number | null;
  /** The first axis button: its label and tooltip, by what the tags' steps count (ownAxisButton). */
  ownAxis: { label: string; title: string };
}

/**
 * The first axis button, by what the run's tags count: "Epoch" when every tag is logged per epoch
 * (Keras' `epoch_*`, the SmolVLA trainer), "Step" when none is, "Epoch / step" when both are (each
 * chart then says its own axis under it).
 */
export function ownAxisButton(axes: readonly ScalarAxis[]): { label: string; title: string } {
  const epochs = axes.filter((a) => a === 'epoch').length;
  if (epochs > 0 && epochs === axes.length)
    return { label: 'Epoch', title: 'the epoch each value was logged at (numbered from 1: the event file’s step 0 is epoch 1)' };
  if (epochs > 0)
    return {
      label: 'Epoch / step',
      title: 'each tag on its own axis: epochs (numbered from 1) for the tags logged per epoch, steps for the others',
    };
  return { label: 'Step', title: 'the step each value was logged at' };
}

/** Points each chart asks for (TensorBoard samples 1,000 per tag too); the CSV has them all. */
export const SCALAR_CHART_POINTS = 1000;

/** The group a tag belongs to: its prefix up to the first '/', or the tag itself. */
export function tagGroup(tag: string): string {
  const at = tag.indexOf('/');
  return at <= 0 ? tag : tag.slice(0, at);
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The filter as a RegExp (case-insensitive, like TensorBoard's), or why it is not one. */
export function tagFilter(filter: string): { test: (tag: string) => boolean; error: string | null } {
  if (filter.trim() === '') return { test: () => true, error: null };
  try {
    const re = new RegExp(filter, 'i');
    return { test: (tag) => re.test(tag), error: null };
  } catch (error) {
    return {
      test: () => true,
      error: `not a regular expression (${error instanceof Error ? error.message : String(error)}): showing every tag`,
    };
  }
}

export function scalarsSection(
  runId: number,
  data: Pick<ScalarTagsResponse, 'tags' | 'others'>,
  state: ScalarsViewState,
): ScalarsSectionView {
  const { test, error } = tagFilter(state.filter);
  const dirs = [...new Set(data.tags.map((t) => t.dir))].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : byCodePoint(a, b)));
  const colorOf = (dir: string) => DIR_COLORS[dirs.indexOf(dir) % DIR_COLORS.length]!;
  const charts = new Map<string, ScalarChartView>();
  for (const summary of data.tags) {
    if (!test(summary.tag)) continue;
    let chart = charts.get(summary.tag);
    if (!chart) {
      chart = { tag: summary.tag, axis: 'epoch', series: [], pngName: '' };
      charts.set(summary.tag, chart);
    }
    const query = `dir=${encodeURIComponent(summary.dir)}&tag=${encodeURIComponent(summary.tag)}`;
    if (summary.axis !== 'epoch') chart.axis = 'step';
    chart.series.push({
      dir: summary.dir,
      label: summary.dir === '' ? 'run' : summary.dir,
      color: colorOf(summary.dir),
      summary,
      pointsUrl: `/api/runs/${runId}/scalars?${query}&points=${SCALAR_CHART_POINTS}`,
      csvUrl: `/api/runs/${runId}/scalars?${query}&format=csv`,
    });
  }
  const groups = new Map<string, ScalarGroupView>();
  for (const chart of [...charts.values()].sort((a, b) => byCodePoint(a.tag, b.tag))) {
    chart.series.sort((a, b) => dirs.indexOf(a.dir) - dirs.indexOf(b.dir));
    chart.pngName = fileName([`thaw-run-${runId}`, chart.tag, state.axis === 'step' ? chart.axis : state.axis], 'png');
    const name = tagGroup(chart.tag);
    let group = groups.get(name);
    if (!group) groups.set(name, (group = { name, charts: [], closed: state.closed.includes(name) }));
    group.charts.push(chart);
  }
  const starts = data.tags.map((t) => t.firstWallTime).filter(Number.isFinite);
  return {
    groups: [...groups.values()].sort((a, b) => byCodePoint(a.name, b.name)),
    shown: charts.size,
    total: new Set(data.tags.map((t) => t.tag)).size,
    filterError: error,
    notShown: notShownText(data.others),
    startWallTime: starts.length > 0 ? Math.min(...starts) : null,
    ownAxis: ownAxisButton(data.tags.map((t) => t.axis)),
  };
}

/** What a plugin's values are called on the page. */
const PLUGIN_NAMES: Record<string, [string, string]> = {
  graphs: ['graph', 'graphs'],
  graph_keras_model: ['Keras model graph', 'Keras model graphs'],
  graph_run_metadata: ['run metadata record', 'run metadata records'],
  images: ['image', 'images'],
  histograms: ['histogram', 'histograms'],
  distributions: ['distribution', 'distributions'],
  audio: ['audio clip', 'audio clips'],
  text: ['text value', 'text values'],
  hparams: ['hyperparameter record', 'hyperparameter records'],
  pr_curves: ['PR curve', 'PR curves'],
  mesh: ['mesh', 'meshes'],
  '': ['value of no plugin', 'values of no plugin'],
};

/** "Not shown: 1 graph and 1 Keras model graph (train/), 2 text values": the non-scalar values, counted; null when none. */
export function notShownText(others: ScalarTagsResponse['others']): string | null {
  if (others.length === 0) return null;
  const byDir = new Map<string, string[]>();
  for (const { dir, plugin, count } of others) {
    const [one, many] = PLUGIN_NAMES[plugin] ?? [`${plugin} value`, `${plugin} values`];
    const list = byDir.get(dir) ?? [];
    list.push(`${count.toLocaleString('en-US')} ${count === 1 ? one : many}`);
    byDir.set(dir, list);
  }
  const parts = [...byDir.entries()].map(([dir, list]) => `${list.join(', ')}${dir === '' ? '' : ` (${dir}/)`}`);
  return `Not shown: ${parts.join('; ')} — only scalars are charted.`;
}

/** A point's x: on the tag's own axis (axisX), seconds since the run's first point, or seconds since the epoch. */
function xOf(point: ScalarPoint, mode: ScalarAxisMode, own: ScalarAxis, start: number): number {
  return mode === 'step' ? axisX(own, point[0]) : mode === 'relative' ? point[2] - start : point[2];
}

/** The chart axis LineChart draws for a mode and the tag's own axis (relative time as a duration, wall time as a clock). */
export function chartAxisOf(mode: ScalarAxisMode, own: ScalarAxis = 'step'): ScalarAxis | 'time' | 'wall' {
  return mode === 'step' ? own : mode === 'relative' ? 'time' : 'wall';
}

/**
 * A chart's lines from its series' points ([step, value, wall] in step order): on the tag's own axis
 * (`own`: steps as they come, or epochs numbered from 1, axisX); on a time axis sorted by time. With smoothing, the smoothed line over the raw one (faint), as
 * TensorBoard draws them; without, the raw line.
 */
export function scalarChartLines(
  series: readonly { view: Pick<ScalarSeriesView, 'dir' | 'label' | 'color'>; points: readonly ScalarPoint[] }[],
  state: Pick<ScalarsViewState, 'axis' | 'smooth'>,
  startWallTime: number | null,
  own: ScalarAxis = 'step',
): ChartLine[] {
  const start = startWallTime ?? 0;
  const lines: ChartLine[] = [];
  for (const { view, points } of series) {
    let xy: ChartPoint[] = points.map((p) => [xOf(p, state.axis, own, start), p[1]]);
    if (state.axis !== 'step') xy = [...xy].sort((a, b) => a[0] - b[0]);
    const id = `scalar:${view.dir}`;
    const sparse = xy.length <= 60;
    // Every point at one x (Lightning's hp_metric placeholder, a value logged once per run twice): a line
    // of no length, invisible, and nothing to smooth: its points are drawn.
    const oneX = xy.every((p) => p[0] === xy[0]![0]);
    if (state.smooth > 0 && xy.length > 1 && !oneX) {
      const smoothed = smoothEma(
        xy.map(([x, y]) => ({ x, y })),
        state.smooth,
      ).map((p): ChartPoint => [p.x, p.smoothed !== null && Number.isFinite(p.smoothed) ? p.smoothed : null]);
      lines.push({ id: `${id}:raw`, label: `${view.label} (raw)`, color: view.color, points: xy, faint: true });
      lines.push({ id, label: view.label, color: view.color, points: smoothed, width: 1.5 });
    } else {
      lines.push({ id, label: view.label, color: view.color, points: xy, width: 1.5, dots: sparse || oneX });
    }
  }
  return lines;
}

/**
 * A series' summary line under its chart: "run: 2,100 points · steps 1–2,100 · last 0.6659", or for a
 * tag logged per epoch "validation: 5 points · epochs 1–5 · last 2.562" (numbered as its chart: axisX).
 */
export function seriesSummaryText(
  series: Pick<ScalarSeriesView, 'label' | 'summary'>,
  fmt: (value: number | null) => string,
  /** The chart's axis (ScalarChartView.axis): a folder's tag is numbered as the chart draws it. */
  axis: ScalarAxis = series.summary.axis,
): string {
  const s = series.summary;
  const [one, many] = axis === 'epoch' ? ['epoch', 'epochs'] : ['step', 'steps'];
  const first = axisX(axis, s.firstStep).toLocaleString('en-US');
  const last = axisX(axis, s.lastStep).toLocaleString('en-US');
  const steps = s.firstStep === s.lastStep ? `${one} ${last}` : `${many} ${first}–${last}`;
  return `${series.label}: ${s.count.toLocaleString('en-US')} point${s.count === 1 ? '' : 's'} · ${steps} · last ${fmt(s.lastValue)}`;
}

/** The URL query after a change of the section's state (its own keys only; the page's others kept). */
export function scalarsStateQuery(query: string, change: Partial<ScalarsViewState>): string {
  const params = new URLSearchParams(query);
  const set = (key: string, value: string | null) => (value === null ? params.delete(key) : params.set(key, value));
  if (change.filter !== undefined) set('sfilter', change.filter === '' ? null : change.filter);
  if (change.closed !== undefined) set('sclosed', change.closed.length === 0 ? null : change.closed.join('|'));
  if (change.axis !== undefined) set('sx', change.axis === 'step' ? null : change.axis);
  if (change.smooth !== undefined) set('ssmooth', String(change.smooth));
  if (change.log !== undefined) set('slog', change.log ? '1' : null);
  return params.toString();
}

/** The collapsed groups with one group toggled. */
export function toggledGroup(closed: readonly string[], name: string): string[] {
  return closed.includes(name) ? closed.filter((g) => g !== name) : [...closed, name];
}
