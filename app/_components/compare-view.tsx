'use client';
// The compare page's interactive part. Every control writes the URL (router.replace), the server
// page re-renders with the new data, and the chart redraws in place: a URL is a shareable view.
import Link from 'next/link';
import { useMemo } from 'react';
import { LogYToggle, SmoothingSlider, useChartUrlState, XAxisButtons } from './chart-controls';
import type { CompareResponse } from '@/lib/api/schemas/compare';
import { VerdictBadge } from './badges';
import { fmtLoss, fmtPct, fmtRatio } from './format';
import { LineChart, type ChartBand, type ChartLine, type ChartMarker } from './line-chart';

export function CompareView({ data, range }: { data: CompareResponse; range: { min: number; max: number } | null }) {
  // Controls answer at once; the data follows when the server has re-rendered the new URL.
  const { pending, navigate, searchParams, smooth, onSmooth, logY, onLogY } = useChartUrlState(data.query);

  const { lines, bands, markers } = useMemo(() => chartParts(data), [data]);
  const apiQuery = searchParams.toString();

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
      </div>

      <Legend data={data} />

      <LineChart
        lines={lines}
        bands={bands}
        markers={markers}
        xAxis={data.query.x}
        logY={data.query.log}
        yLabel="loss"
        height={440}
        testId="compare-chart"
        range={range}
        onRangeChange={(next) =>
          navigate(next ? { xmin: next.min.toPrecision(6), xmax: next.max.toPrecision(6) } : { xmin: null, xmax: null })
        }
      />
      <ul className="sr-only" data-testid="series-list">
        {data.series.map((s) => (
          <li
            key={s.id}
            data-series-id={s.id}
            data-kind={s.kind}
            data-strategy={s.strategyKey}
            data-points={s.points.length}
            data-smoothed={s.smoothed ? s.smoothed.length : 0}
          >
            {s.label}
          </li>
        ))}
      </ul>
      {data.notes.length > 0 && (
        <ul className="notes">
          {data.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      <SummaryTable data={data} />
      <ConfigDiffTable data={data} />
    </div>
  );
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

function chartParts(data: CompareResponse): { lines: ChartLine[]; bands: ChartBand[]; markers: ChartMarker[] } {
  const lines: ChartLine[] = [];
  const bands: ChartBand[] = [];
  for (const s of data.series) {
    const dashed = s.kind === 'val';
    const sparse = s.points.length <= 80;
    if (s.band) bands.push({ id: `band-${s.id}`, color: s.color, band: s.band });
    if (s.smoothed) {
      lines.push({ id: `${s.id}:raw`, label: `${s.label} (raw)`, color: s.color, points: s.points, dashed, faint: true });
      lines.push({ id: s.id, label: s.label, color: s.color, points: s.smoothed, dashed });
    } else {
      lines.push({ id: s.id, label: s.label, color: s.color, points: s.points, dashed, dots: dashed && sparse });
    }
  }
  const colorOf = new Map(data.strategies.map((s) => [s.key, s.color]));
  const markers = data.markers.map((m, i) => ({
    id: `marker-${m.kind}-${m.strategyKey}-${m.runId ?? 'mean'}-${i}`,
    kind: m.kind,
    x: m.x,
    y: m.y,
    label: m.label,
    color: colorOf.get(m.strategyKey) ?? '#888',
  }));
  return { lines, bands, markers };
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
  const best = Math.min(...data.summary.map((s) => s.bestVal.mean ?? Infinity));
  return (
    <div className="table-scroll">
      <table className="summary" data-testid="compare-summary">
        <thead>
          <tr>
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
          {data.summary.map((s) => (
            <tr key={s.strategyKey} data-strategy-key={s.strategyKey}>
              <td>
                <span className="swatch" style={{ background: s.color }} /> {s.label}
                {s.notApplied > 0 && <span className="muted small"> ({s.notApplied} not applied)</span>}
              </td>
              <td className="num">{s.n}</td>
              <td className={`num ${s.bestVal.mean === best ? 'winner' : ''}`}>
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
        . Share of overfitting runs: {data.summary.map((s) => `${s.label} ${fmtPct(s.overfittingShare)}`).join(' · ')}.
      </p>
    </div>
  );
}
