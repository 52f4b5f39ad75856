// The compare page's view model: what each facet's chart draws (lines, bands, markers, the group
// chips of its caption), the names the downloads carry, and the HTML report's title and header. Pure;
// app/_components/compare-view.tsx and its pieces render it.
import type { CompareResponse } from '../api/schemas/compare';
import { RUN_FILTERS } from '../api/schemas/run-filters';
import type { AggregateStat, ChartBand, ChartLine, ChartMarker } from './chart-lines';
import { fileName } from './report';
import { UNKNOWN_STRATEGY_COLOR } from './strategy-colors';

export type CompareFacet = CompareResponse['facets'][number];
type Series = CompareResponse['series'][number];

/** A group chip of a facet's caption: a strategy (group mode) or a run, with its n. */
export interface FacetGroup {
  id: string;
  groupKey: string | null;
  label: string;
  color: string;
  n: string;
}

export interface FacetChart {
  lines: ChartLine[];
  bands: ChartBand[];
  markers: ChartMarker[];
  groups: FacetGroup[];
}

/** The pooling warning (shown above the charts) and the other notes (listed below them). */
export function compareNotes(data: Pick<CompareResponse, 'notes' | 'poolingNote' | 'query'>): { pooling: string | null; other: string[] } {
  return {
    pooling: data.query.pool ? data.poolingNote : null,
    other: data.notes.filter((note) => note !== data.poolingNote),
  };
}

/**
 * One line over the charts when they are not all on the page's axis (facet-axis.ts): how many are on
 * each axis and how many have no chart (listed after the charts). Null when every facet is on `query.x`.
 */
export function facetAxesLine(data: Pick<CompareResponse, 'facets' | 'query'>): string | null {
  if (data.facets.every((f) => f.x === data.query.x)) return null;
  const count = (x: CompareFacet['x']) => data.facets.filter((f) => f.x === x).length;
  const parts = (['epoch', 'step', 'time'] as const).flatMap((x) => {
    const n = count(x);
    return n === 0 ? [] : [`${n} by ${x === 'time' ? 'wall time' : x}`];
  });
  const none = count(null);
  const charts = data.facets.length - none;
  const drawn = charts === 0 ? 'No chart' : `${charts} chart${charts === 1 ? '' : 's'}: ${parts.join(', ')}`;
  return `${drawn}${none > 0 ? `; ${none} facet${none === 1 ? '' : 's'} with no loss to chart, listed after the charts` : ''}. Each chart is on the axis its runs have.`;
}

/** What a file name says about the view: "runs-1-2-3", or "12-runs" when there are many. */
export function compareContext(data: Pick<CompareResponse, 'runs'>): string {
  const ids = data.runs.map((r) => r.id);
  return ids.length <= 6 ? `runs-${ids.join('-')}` : `${ids.length}-runs`;
}

/** What the charts' y axis shows: the loss, or the scalar tag in view ("validation/epoch_accuracy"). */
export function yQuantity(data: Pick<CompareResponse, 'query'>): string {
  const scalar = data.query.scalar;
  return scalar ? (scalar.dir === '' ? scalar.tag : `${scalar.dir}/${scalar.tag}`) : 'loss';
}

/** "task 1 · pick · 3 runs · mean ± min–max per strategy": a facet's chart title in files. */
export function facetTitle(data: Pick<CompareResponse, 'query'>, facet: CompareFacet): string {
  const n = facet.runIds.length;
  const y = yQuantity(data);
  return `${facet.label} · ${n} run${n === 1 ? '' : 's'} · ${data.query.mode === 'group' ? `${y}, mean ± min–max per strategy` : `${y} per run`}`;
}

/** The scalar chooser's value for a tag ('' for the losses): `<dir>//<tag>`, as a runs-table column. */
export function scalarChoice(ref: { dir: string; tag: string } | null | undefined): string {
  return ref ? `${ref.dir}//${ref.tag}` : '';
}

/** The URL change a scalar choice makes (the losses: both parameters removed). */
export function scalarChoiceChange(choice: string): Record<string, string | null> {
  const at = choice.indexOf('//');
  if (choice === '' || at < 0) return { scalar: null, scalarDir: null };
  const dir = choice.slice(0, at);
  return { scalar: choice.slice(at + 2), scalarDir: dir === '' ? null : dir };
}

/** The PNG file name of a facet's chart. */
export function facetPngName(data: Pick<CompareResponse, 'runs' | 'facets'>, facet: CompareFacet): string {
  return fileName(['thaw-compare', compareContext(data), data.facets.length > 1 ? facet.label : null], 'png');
}

/** The report's title: the strategies compared (named when few), and the tasks. */
export function reportTitle(data: Pick<CompareResponse, 'strategies' | 'runs'>): string {
  const names = data.strategies.map((s) => s.label);
  const what = names.length === 0 ? 'no runs' : names.length <= 3 ? names.join(' vs ') : `${names.length} freeze strategies`;
  const tasks = [...new Set(data.runs.map((r) => r.taskId).filter((t) => t !== null))].sort((a, b) => a - b);
  return `Thaw comparison: ${what}${tasks.length > 0 ? ` on task${tasks.length === 1 ? '' : 's'} ${tasks.join(', ')}` : ''}`;
}

/** The report's file name on a given day (YYYY-MM-DD). */
export function reportFileName(data: Pick<CompareResponse, 'runs'>, day: string): string {
  return fileName(['thaw-compare-report', compareContext(data), day], 'html');
}

/** The view as label/value pairs for the report header: which runs, which filters, which settings. */
export function reportFilters(
  data: Pick<CompareResponse, 'runs' | 'query'>,
  searchParams: URLSearchParams,
  range: { min: number; max: number } | null,
): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  out.push({
    label: searchParams.get('runs') ? 'Runs (selected)' : 'Runs (matching the filters)',
    value: data.runs.map((r) => `#${r.id}`).join(', '),
  });
  for (const [key, { label, text }] of Object.entries(RUN_FILTERS)) {
    const values = searchParams.getAll(key).filter(Boolean);
    if (values.length > 0) out.push({ label, value: values.map((value) => (text ? text(value) : value)).join(' | ') });
  }
  out.push({ label: 'Grouping', value: data.query.mode === 'group' ? 'by strategy (mean ± min–max)' : 'individual runs' });
  out.push({ label: 'Charts', value: data.query.pool ? 'tasks pooled into one chart' : 'one chart per task (and dataset size)' });
  out.push({
    label: 'Axes',
    value: `x: ${data.query.x}${range ? ` ${range.min.toPrecision(4)}–${range.max.toPrecision(4)}` : ''} · y: ${yQuantity(data)}${data.query.log ? ' (log)' : ''} · smoothing ${data.query.smooth}`,
  });
  return out;
}

/** "n=3", or "n=1–3" where the number of runs behind an aggregate changes along it. */
export function nText(ns: readonly number[]): string {
  if (ns.length === 0) return 'n=0';
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  return lo === hi ? `n=${hi}` : `n=${lo}–${hi}`;
}

const bandNText = (band: Series['band'] | undefined) => nText(band?.map((b) => b[3] ?? 0) ?? []);

/** The n behind the points of an aggregate series ('' for a single run's). */
export function seriesNText(s: Pick<Series, 'band'>): string {
  return s.band ? bandNText(s.band) : '';
}

/** An aggregate's basis at each of its points: [x, min, max, n, mean]. */
function statsOf(s: Series): AggregateStat[] | undefined {
  if (!s.band) return undefined;
  const mean = new Map(s.points.map(([x, y]) => [x, y]));
  return s.band.map(([x, min, max, n]) => [x, min, max, n ?? 0, mean.get(x) ?? null]);
}

/** The training series of the same group as a validation series. */
function trainOf(data: Pick<CompareResponse, 'series'>, val: Series): Series | undefined {
  return data.series.find((s) => s.kind === 'train' && s.groupKey === val.groupKey && s.runId === val.runId);
}

/** What one facet's chart draws, and the group chips of its caption. */
export function facetChart(data: Pick<CompareResponse, 'series' | 'strategies' | 'markers'>, facet: CompareFacet): FacetChart {
  const lines: ChartLine[] = [];
  const bands: ChartBand[] = [];
  const groups: FacetGroup[] = [];
  const strategyLabel = new Map(data.strategies.map((s) => [s.key, s.label]));
  for (const s of data.series) {
    if (s.facet !== facet.key) continue;
    const dashed = s.kind === 'val';
    const sparse = s.points.length <= 80;
    const stats = statsOf(s);
    // The panel names the facet; on the chart a group is its strategy and kind (the API label says all).
    const kindText = s.kind === 'scalar' ? 'mean' : dashed ? 'validation' : 'train';
    const label = s.runId === null ? `${strategyLabel.get(s.strategyKey) ?? s.strategyKey} ${kindText}` : s.label;
    if (s.band) bands.push({ id: `band-${s.id}`, color: s.color, band: s.band });
    if (s.smoothed) {
      lines.push({ id: `${s.id}:raw`, label: `${label} (raw)`, color: s.color, points: s.points, dashed, faint: true });
      lines.push({ id: s.id, label, color: s.color, points: s.smoothed, dashed, stats });
    } else {
      lines.push({ id: s.id, label, color: s.color, points: s.points, dashed, dots: dashed && sparse, stats });
    }
    if (s.kind === 'val' || s.kind === 'scalar' || s.runId !== null) {
      const label = s.runId === null ? (strategyLabel.get(s.strategyKey) ?? s.strategyKey) : `#${s.runId}`;
      const n =
        s.runId !== null
          ? ''
          : s.kind === 'scalar'
            ? bandNText(s.band)
            : `train ${bandNText(trainOf(data, s)?.band)} · val ${bandNText(s.band)}`;
      if (!groups.some((g) => g.label === label)) groups.push({ id: s.id, groupKey: s.groupKey, label, color: s.color, n });
    }
  }
  const colorOf = new Map(data.strategies.map((s) => [s.key, s.color]));
  const markers = data.markers
    .filter((m) => m.facet === facet.key)
    .map((m, i) => ({
      id: `marker-${m.kind}-${m.strategyKey}-${m.runId ?? 'mean'}-${i}`,
      kind: m.kind,
      x: m.x,
      y: m.y,
      label: m.label,
      color: colorOf.get(m.strategyKey) ?? UNKNOWN_STRATEGY_COLOR,
    }));
  return { lines, bands, markers, groups };
}

/** The most runs the config-differences table puts side by side (a column each: more is unreadable). */
export const CONFIG_DIFF_COLUMNS = 8;

/**
 * The config-differences table as the page (and the HTML report) shows it: the first
 * CONFIG_DIFF_COLUMNS runs of the diff, in the order of the view's runs (the "Runs:" list), and only
 * the keys that differ among THOSE runs and that at least one of them sets (a key only an unshown run
 * has would read "–" in every column); `caption` says how many runs it compares of how many.
 */
export function configDiffView(
  diff: CompareResponse['configDiff'],
  maxRuns: number = CONFIG_DIFF_COLUMNS,
): {
  runIds: number[];
  rows: CompareResponse['configDiff']['rows'];
  caption: string;
} {
  const shown = Math.min(diff.runIds.length, maxRuns);
  const runIds = diff.runIds.slice(0, shown);
  const rows = diff.rows
    .map((row) => ({ ...row, values: row.values.slice(0, shown) }))
    .filter((row) => row.values.some((v) => v !== null) && new Set(row.values).size > 1);
  const caption =
    shown === diff.runIds.length
      ? `All ${shown} runs in view.`
      : `${shown} of ${diff.runIds.length} runs in view: the first ${shown} in the list of runs above; select runs to compare others.`;
  return { runIds, rows, caption };
}
