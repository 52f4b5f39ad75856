'use client';
// The runs table's forecast cell of a running run: the loss forecast at the planned end
// (its 80% interval on hover) and the verdict badge — "stop: saves ~190 min" in the warning colour,
// "on track · 38%", or a muted "—" with the reason on hover. Words: lib/views/forecast.ts.
import type { ForecastResponse } from '@/lib/api/schemas/forecast';
import { forecastCell } from '@/lib/views/forecast';

/** A running run's forecast as the table has it: fetched, still loading, or not to be had. */
export type RowForecast = ForecastResponse | 'loading' | { failed: string };

export function ForecastCell({ forecast }: { forecast: RowForecast | null }) {
  if (forecast === null) return null;
  if (forecast === 'loading')
    return (
      <span className="muted" title="forecasting…" data-state="loading">
        …
      </span>
    );
  if ('failed' in forecast)
    return (
      <span className="muted" title={`no forecast: ${forecast.failed}`} data-state="failed">
        ?
      </span>
    );
  const view = forecastCell(forecast);
  return (
    <span className="forecast-cell" data-state="ready" data-forecast-verdict={forecast.verdict} data-pbeat={forecast.pBeat ?? ''}>
      {view.value !== null && (
        <span className="num" title={view.valueTitle ?? undefined}>
          {view.value}
        </span>
      )}
      <span className={`badge forecast-${view.badge.tone}`} title={view.badge.title}>
        {view.badge.text}
      </span>
    </span>
  );
}
