'use client';
// The compare page's interactive part. Every control writes the URL (router.replace), the server
// page re-renders with the new data, and the chart redraws in place: a URL is a shareable view.
import Link from 'next/link';
import { useMemo, useRef, useState, type RefObject } from 'react';
import { compareReportHtml, fileName, type CompareReportInput } from '@/lib/views/report';
import { summaryTable } from '@/lib/views/summary-table';
import { UNKNOWN_STRATEGY_COLOR } from '@/lib/views/strategy-colors';
import { Chart } from 'chart.js';
import { downloadBlob, framedChartPng } from './chart-image';
import { LogYToggle, SmoothingSlider, useChartUrlState, XAxisButtons } from './chart-controls';
import type { CompareResponse } from '@/lib/api/schemas/compare';
import { RUN_FILTERS } from '@/lib/api/schemas/run-filters';
import { VerdictBadge } from './badges';
import { fmtLoss, fmtPct, fmtRatio } from './format';
import { LineChart, legendOf, type AggregateStat, type ChartBand, type ChartLine, type ChartMarker } from './line-chart';

type Facet = CompareResponse['facets'][number];
type Series = CompareResponse['series'][number];

export function CompareView({ json, range }: { json: string; range: { min: number; max: number } | null }) {
  // The server passes the compare response as its JSON text (the page's largest prop by far).
  const data = useMemo(() => JSON.parse(json) as CompareResponse, [json]);
  // Controls answer at once; the data follows when the server has re-rendered the new URL.
  const { pending, navigate, searchParams, smooth, onSmooth, logY, onLogY } = useChartUrlState(data.query);

  const panels = useMemo(() => data.facets.map((facet) => ({ facet, ...chartParts(data, facet) })), [data]);
  const apiQuery = searchParams.toString();
  const onRangeChange = (next: { min: number; max: number } | null) =>
    navigate(next ? { xmin: next.min.toPrecision(6), xmax: next.max.toPrecision(6) } : { xmin: null, xmax: null });
  const multiple = panels.length > 1;
  const chartsRef = useRef<HTMLDivElement | null>(null);
  const context = compareContext(data);
  const legends = useMemo(() => new Map(panels.map((p) => [p.facet.key, legendOf(p.lines)])), [panels]);
  // The pooling note has its own warning above the charts; the other notes are listed below them.
  const otherNotes = data.notes.filter((note) => note !== data.poolingNote);

  return (
    <div className="compare" data-pending={pending ? '1' : '0'}>
      <div className="controls" data-testid="compare-controls">
        <div className="segmented" role="group" aria-label="grouping">
          {(['group', 'runs'] as const).map((mode) => (
            <button
              key={mode}
              type="button"
              aria-pressed={data.query.mode === mode}
              onClick={() => navigate({ mode })}
              data-testid={`mode-${mode}`}
            >
              {mode === 'group' ? 'By strategy (mean ± range)' : 'Individual runs'}
            </button>
          ))}
        </div>
        <div className="segmented" role="group" aria-label="tasks">
          <button
            type="button"
            aria-pressed={!data.query.pool}
            onClick={() => navigate({ pool: null })}
            data-testid="pool-split"
            title="one chart per task (and dataset size): losses of different datasets are not comparable"
          >
            Per task
          </button>
          <button
            type="button"
            aria-pressed={data.query.pool}
            onClick={() => navigate({ pool: '1' })}
            data-testid="pool-all"
            title="one mean per strategy over every task in view (the view says what it mixes)"
          >
            Pool tasks
          </button>
        </div>
        <XAxisButtons value={data.query.x} onChange={(x) => navigate({ x, xmin: null, xmax: null })} />
        <SmoothingSlider value={smooth} onChange={onSmooth} />
        <LogYToggle value={logY} onChange={onLogY} />
        <span className="spacer" />
        <a className="button secondary" href={`/api/compare?${apiQuery}&format=csv&table=series`} download>
          Series CSV
        </a>
        <a className="button secondary" href={`/api/compare?${apiQuery}&format=csv&table=summary`} download>
          Summary CSV
        </a>
        <a className="button secondary" href={`/api/compare?${apiQuery}`} target="_blank" rel="noreferrer">
          JSON
        </a>
        <ReportButton data={data} searchParams={searchParams} range={range} charts={chartsRef} legends={legends} />
      </div>

      <Legend data={data} />

      {data.query.pool && data.poolingNote && (
        <p className="pool-warning" data-testid="pool-warning">
          {data.poolingNote}{' '}
          <button type="button" className="link-button" onClick={() => navigate({ pool: null })}>
            Split by task
          </button>
        </p>
      )}

      <div
        ref={chartsRef}
        className={`facets ${multiple ? 'multiple' : ''}`}
        data-testid="compare-chart"
        data-facets={panels.length}
        data-datasets={panels.reduce((n, p) => n + p.lines.length, 0)}
        data-points={panels.reduce((n, p) => n + p.lines.reduce((m, line) => m + line.points.length, 0), 0)}
        data-log={data.query.log ? '1' : '0'}
        data-x={data.query.x}
      >
        {panels.map(({ facet, lines, bands, markers, groups }) => (
          <figure key={facet.key} className="facet" data-testid="compare-facet" data-facet={facet.key} data-task={facet.taskId ?? ''}>
            <figcaption>
              <strong>{facet.label}</strong>
              <span className="muted small">
                {' '}
                · {facet.runIds.length} run{facet.runIds.length === 1 ? '' : 's'}
              </span>
              <span className="facet-groups">
                {groups.map((g) => (
                  <span key={g.id} className="facet-group small" data-testid="facet-group" data-group={g.groupKey ?? g.id} data-n={g.n}>
                    <span className="swatch" style={{ background: g.color }} />
                    {g.label} <span className="muted">{g.n}</span>
                  </span>
                ))}
              </span>
            </figcaption>
            <LineChart
              lines={lines}
              bands={bands}
              markers={markers}
              xAxis={data.query.x}
              logY={data.query.log}
              yLabel="loss"
              height={multiple ? 320 : 440}
              testId="compare-facet-chart"
              range={range}
              onRangeChange={onRangeChange}
              pngName={fileName(['thaw-compare', context, multiple ? facet.label : null], 'png')}
              pngTitle={facetTitle(data, facet)}
            />
          </figure>
        ))}
      </div>
      <ul className="sr-only" data-testid="series-list">
        {data.series.map((s) => (
          <li
            key={s.id}
            data-series-id={s.id}
            data-kind={s.kind}
            data-strategy={s.strategyKey}
            data-facet={s.facet}
            data-task={s.taskId ?? ''}
            data-runs={s.runIds.join(',')}
            data-n={s.band ? nText(s.band.map((b) => b[3] ?? 0)) : ''}
            data-points={s.points.length}
            data-smoothed={s.smoothed ? s.smoothed.length : 0}
          >
            {s.label}
          </li>
        ))}
      </ul>
      {otherNotes.length > 0 && (
        <ul className="notes">
          {otherNotes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      <SummaryTable data={data} />
      <ConfigDiffTable data={data} />
    </div>
  );
}

/** What a file name says about the view: "runs-1-2-3", or "12-runs" when there are many. */
function compareContext(data: CompareResponse): string {
  const ids = data.runs.map((r) => r.id);
  return ids.length <= 6 ? `runs-${ids.join('-')}` : `${ids.length}-runs`;
}

/** "task 1 · pick · 3 runs · mean ± min–max per strategy": a facet's chart title in files. */
function facetTitle(data: CompareResponse, facet: Facet): string {
  const n = facet.runIds.length;
  return `${facet.label} · ${n} run${n === 1 ? '' : 's'} · ${data.query.mode === 'group' ? 'loss, mean ± min–max per strategy' : 'loss per run'}`;
}

/** The report's title: the strategies compared (named when few), and the tasks. */
function reportTitle(data: CompareResponse): string {
  const names = data.strategies.map((s) => s.label);
  const what = names.length === 0 ? 'no runs' : names.length <= 3 ? names.join(' vs ') : `${names.length} freeze strategies`;
  const tasks = [...new Set(data.runs.map((r) => r.taskId).filter((t) => t !== null))].sort((a, b) => a - b);
  return `Thaw comparison: ${what}${tasks.length > 0 ? ` on task${tasks.length === 1 ? '' : 's'} ${tasks.join(', ')}` : ''}`;
}

/** The view as label/value pairs for the report header: which runs, which filters, which settings. */
function reportFilters(
  data: CompareResponse,
  searchParams: URLSearchParams,
  range: { min: number; max: number } | null,
): CompareReportInput['filters'] {
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
    value: `x: ${data.query.x}${range ? ` ${range.min.toPrecision(4)}–${range.max.toPrecision(4)}` : ''} · y: loss${data.query.log ? ' (log)' : ''} · smoothing ${data.query.smooth}`,
  });
  return out;
}

/** Builds the self-contained HTML report from the charts on the page and downloads it. */
function ReportButton({
  data,
  searchParams,
  range,
  charts,
  legends,
}: {
  legends: Map<string, ReturnType<typeof legendOf>>;
  data: CompareResponse;
  searchParams: URLSearchParams;
  range: { min: number; max: number } | null;
  charts: RefObject<HTMLDivElement | null>;
}) {
  const [error, setError] = useState<string | null>(null);
  const onClick = () => {
    try {
      const figures = [...(charts.current?.querySelectorAll<HTMLElement>('[data-testid="compare-facet"]') ?? [])];
      const images = figures.flatMap((figure) => {
        const canvas = figure.querySelector('canvas');
        const chart = canvas ? Chart.getChart(canvas) : undefined;
        const facet = data.facets.find((f) => f.key === figure.dataset.facet);
        const url = chart ? framedChartPng(chart, { legend: legends.get(figure.dataset.facet ?? '') ?? [] }) : null;
        return url ? [{ title: facet ? facetTitle(data, facet) : 'loss', dataUrl: url }] : [];
      });
      const now = new Date().toISOString();
      const html = compareReportHtml({
        title: reportTitle(data),
        generatedAt: now,
        filters: reportFilters(data, searchParams, range),
        data,
        charts: images,
      });
      downloadBlob(
        new Blob([html], { type: 'text/html;charset=utf-8' }),
        fileName(['thaw-compare-report', compareContext(data), now.slice(0, 10)], 'html'),
      );
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <>
      <button
        type="button"
        className="button secondary"
        onClick={onClick}
        data-testid="compare-report"
        title="Download this view as one HTML file (charts as images, summary, verdicts, config diff) that opens offline"
      >
        HTML report
      </button>
      {error && <span className="error-text small">report failed: {error}</span>}
    </>
  );
}

/** "n=3", or "n=1–3" where the number of runs behind an aggregate changes along it. */
function nText(ns: readonly number[]): string {
  if (ns.length === 0) return 'n=0';
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  return lo === hi ? `n=${hi}` : `n=${lo}–${hi}`;
}

/** An aggregate's basis at each of its points: [x, min, max, n, mean]. */
function statsOf(s: Series): AggregateStat[] | undefined {
  if (!s.band) return undefined;
  const mean = new Map(s.points.map(([x, y]) => [x, y]));
  return s.band.map(([x, min, max, n]) => [x, min, max, n ?? 0, mean.get(x) ?? null]);
}

function ConfigDiffTable({ data }: { data: CompareResponse }) {
  const diff = data.configDiff;
  if (diff.runIds.length < 2) return null;
  return (
    <section className="config-diff" data-testid="config-diff">
      <h3>Config differences</h3>
      {diff.warning && (
        <p className="error-note" role="alert" data-testid="confounder-warning">
          ⚠ {diff.warning}.
        </p>
      )}
      {diff.rows.length === 0 ? (
        <p className="muted small">The runs in view share every config key Thaw knows of.</p>
      ) : (
        <div className="table-scroll limited">
          <table className="compact">
            <thead>
              <tr>
                <th>Key</th>
                {diff.runIds.map((id) => (
                  <th key={id} className="num">
                    <a href={`/runs/${id}`}>#{id}</a>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {diff.rows.map((row) => (
                <tr key={row.key} className={row.confounder ? 'confounder' : undefined}>
                  <td className="mono small">
                    {row.key}
                    {row.confounder && <span className="error-text small"> · changes the loss</span>}
                  </td>
                  {row.values.map((value, i) => (
                    <td key={diff.runIds[i]} className="mono small num">
                      {value ?? '–'}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function chartParts(
  data: CompareResponse,
  facet: Facet,
): {
  lines: ChartLine[];
  bands: ChartBand[];
  markers: ChartMarker[];
  groups: { id: string; groupKey: string | null; label: string; color: string; n: string }[];
} {
  const lines: ChartLine[] = [];
  const bands: ChartBand[] = [];
  const groups: { id: string; groupKey: string | null; label: string; color: string; n: string }[] = [];
  const strategyLabel = new Map(data.strategies.map((s) => [s.key, s.label]));
  for (const s of data.series) {
    if (s.facet !== facet.key) continue;
    const dashed = s.kind === 'val';
    const sparse = s.points.length <= 80;
    const stats = statsOf(s);
    // The panel names the facet; on the chart a group is its strategy and kind (the API label says all).
    const label = s.runId === null ? `${strategyLabel.get(s.strategyKey) ?? s.strategyKey} ${dashed ? 'validation' : 'train'}` : s.label;
    if (s.band) bands.push({ id: `band-${s.id}`, color: s.color, band: s.band });
    if (s.smoothed) {
      lines.push({ id: `${s.id}:raw`, label: `${label} (raw)`, color: s.color, points: s.points, dashed, faint: true });
      lines.push({ id: s.id, label, color: s.color, points: s.smoothed, dashed, stats });
    } else {
      lines.push({ id: s.id, label, color: s.color, points: s.points, dashed, dots: dashed && sparse, stats });
    }
    if (s.kind === 'val' || s.runId !== null) {
      const label = s.runId === null ? (strategyLabel.get(s.strategyKey) ?? s.strategyKey) : `#${s.runId}`;
      const n =
        s.runId === null
          ? `train ${nText(trainOf(data, s)?.band?.map((b) => b[3] ?? 0) ?? [])} · val ${nText(s.band?.map((b) => b[3] ?? 0) ?? [])}`
          : '';
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

/** The training series of the same group as a validation series. */
function trainOf(data: CompareResponse, val: Series): Series | undefined {
  return data.series.find((s) => s.kind === 'train' && s.groupKey === val.groupKey && s.runId === val.runId);
}

function Legend({ data }: { data: CompareResponse }) {
  return (
    <div className="legend" data-testid="compare-legend">
      {data.strategies.map((s) => (
        <span key={s.key} className="legend-item" data-strategy-key={s.key}>
          <span className="swatch" style={{ background: s.color }} />
          {s.label}
          <span className="muted small"> n={s.runIds.length}</span>
        </span>
      ))}
      <span className="legend-key muted small">
        <svg width="28" height="8" aria-hidden>
          <line x1="0" y1="4" x2="28" y2="4" stroke="currentColor" strokeWidth="2" />
        </svg>{' '}
        train
        <svg width="28" height="8" aria-hidden style={{ marginLeft: 10 }}>
          <line x1="0" y1="4" x2="28" y2="4" stroke="currentColor" strokeWidth="2" strokeDasharray="6 4" />
        </svg>{' '}
        validation ◆ best validation ▲ overfitting began
      </span>
    </div>
  );
}

function SummaryTable({ data }: { data: CompareResponse }) {
  // Rows by facet (task, dataset size), then strategy; the winner is marked within its facet only.
  const { rows, facetLabel, isWinner } = summaryTable(data);
  return (
    <div className="table-scroll">
      <table className="summary" data-testid="compare-summary">
        <thead>
          <tr>
            <th title="runs are aggregated within one task and dataset size unless tasks are pooled">Task</th>
            <th>Strategy</th>
            <th className="num">n</th>
            <th
              className="num"
              title="mean of each run's lowest own-task validation (min–max over runs); epoch where the mean curve is lowest"
            >
              Best val (epoch)
            </th>
            <th className="num">Final train</th>
            <th className="num">Final val</th>
            <th className="num" title="validation ÷ training loss at the end">
              Gap
            </th>
            <th>Verdicts</th>
            <th className="num" title="mean forgetting F of the sequential chains ending at these runs (loss increase on earlier tasks)">
              Forgetting
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.groupKey} data-strategy-key={s.strategyKey} data-group-key={s.groupKey} data-task={s.taskId ?? ''}>
              <td data-testid="summary-task">
                {data.query.pool ? <span className="muted">pooled</span> : (facetLabel.get(s.facet) ?? '–')}
              </td>
              <td>
                <span className="swatch" style={{ background: s.color }} /> {s.label}
                {s.notApplied > 0 && <span className="muted small"> ({s.notApplied} not applied)</span>}
              </td>
              <td className="num" title={`runs ${s.runIds.map((id) => `#${id}`).join(', ')}`}>
                {s.n}
              </td>
              <td className={`num ${isWinner(s) ? 'winner' : ''}`}>
                {fmtLoss(s.bestVal.mean)}
                {s.bestVal.count > 1 && (
                  <span className="muted small">
                    {' '}
                    [{fmtLoss(s.bestVal.min)}–{fmtLoss(s.bestVal.max)}]
                  </span>
                )}{' '}
                <span className="muted">({s.bestValEpoch ?? 'final'})</span>
              </td>
              <td className="num">{fmtLoss(s.finalTrain)}</td>
              <td className="num">{fmtLoss(s.finalVal)}</td>
              <td className="num">{fmtRatio(s.gap)}</td>
              <td>
                {Object.entries(s.verdicts)
                  .filter(([, count]) => count > 0)
                  .map(([verdict, count]) => (
                    <span key={verdict} className="verdict-count">
                      <VerdictBadge verdict={{ status: verdict as never, reason: `${count} of ${s.n} runs` }} /> ×{count}
                    </span>
                  ))}
              </td>
              <td className="num">
                {s.forgetting.count === 0 ? '–' : fmtLoss(s.forgetting.mean)}
                {s.forgetting.count > 0 && <span className="muted small"> (n={s.forgetting.count})</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Runs:{' '}
        {data.runs.map((r, i) => (
          <span key={r.id}>
            {i > 0 ? ', ' : ''}
            <Link href={`/runs/${r.id}`}>#{r.id}</Link>
          </span>
        ))}
        . Share of overfitting runs:{' '}
        {rows
          .map((s) => `${s.label}${data.facets.length > 1 ? ` (${facetLabel.get(s.facet) ?? ''})` : ''} ${fmtPct(s.overfittingShare)}`)
          .join(' · ')}
        .
      </p>
    </div>
  );
}
