'use client';
// A running run's forecast on its page: fetched from GET /api/runs/:id/forecast after the
// page has drawn (the first forecast after a start pays the calibration, seconds), again when a live
// update concerns the run; and the panel under the loss chart: the verdict, the one sentence as the
// API words it, the incumbent (a link), the overfitting note and, when the interval is calibrated on
// Thaw's built-in curves, that it is. What it says is lib/views/forecast.ts.
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { ForecastResponse } from '@/lib/api/schemas/forecast';
import { forecastPanel } from '@/lib/views/forecast';
import { useCoalesced, useLiveChanges } from './live';

export type ForecastState =
  | { kind: 'off' }
  | { kind: 'loading' }
  | { kind: 'ready'; forecast: ForecastResponse }
  | { kind: 'failed'; message: string; forecast: ForecastResponse | null };

/** At most one forecast request per this many ms while the run is being written. */
const LIVE_INTERVAL_MS = 3_000;

async function fetchForecast(runId: number, signal?: AbortSignal): Promise<ForecastResponse> {
  const response = await fetch(`/api/runs/${runId}/forecast`, { cache: 'no-store', signal });
  const body = (await response.json().catch(() => null)) as (ForecastResponse & { error?: { message: string } }) | null;
  if (!response.ok || body === null) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
  return body;
}

/** The run's forecast, kept current while it runs; `enabled` false (a finished run): none is fetched. */
export function useRunForecast(runId: number, enabled: boolean): ForecastState {
  const [state, setState] = useState<ForecastState>(enabled ? { kind: 'loading' } : { kind: 'off' });

  const load = async (signal?: AbortSignal) => {
    try {
      const forecast = await fetchForecast(runId, signal);
      if (!signal?.aborted) setState({ kind: 'ready', forecast });
    } catch (error) {
      if (signal?.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      // A failed refresh keeps the forecast already shown.
      setState((current) => ({ kind: 'failed', message, forecast: current.kind === 'ready' ? current.forecast : null }));
    }
  };

  useEffect(() => {
    if (!enabled) {
      setState({ kind: 'off' });
      return;
    }
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
    // Once per run: live updates refresh it below.
  }, [runId, enabled]);

  const refresh = useCoalesced(
    async (ids) => {
      if (enabled && (ids === 'all' || ids.has(runId))) await load();
    },
    300,
    LIVE_INTERVAL_MS,
  );
  useLiveChanges(refresh);
  return state;
}

/** The forecast shown (the last good one while a refresh failed). */
export function shownForecast(state: ForecastState): ForecastResponse | null {
  return state.kind === 'ready' ? state.forecast : state.kind === 'failed' ? state.forecast : null;
}

export function ForecastPanel({ state, note }: { state: ForecastState; note: string | null }) {
  if (state.kind === 'off') return null;
  const forecast = shownForecast(state);
  if (!forecast) {
    return (
      <div className="forecast-panel" data-testid="run-forecast" data-state={state.kind}>
        <span className="muted small">
          {state.kind === 'loading'
            ? 'Forecasting where this run will end…'
            : `No forecast: ${state.kind === 'failed' ? state.message : ''}`}
        </span>
      </div>
    );
  }
  const view = forecastPanel(forecast);
  return (
    <div className="forecast-panel" data-testid="run-forecast" data-state="ready" data-verdict={forecast.verdict}>
      <div className="forecast-head">
        <strong>Forecast</strong>
        <span className={`badge forecast-${view.verdict.tone}`} title={view.verdict.title} data-testid="forecast-verdict">
          {view.verdict.text}
        </span>
        {view.incumbent && (
          <span className="small">
            against the best finished run: <Link href={view.incumbent.href}>{view.incumbent.text}</Link>
          </span>
        )}
      </div>
      <p className="forecast-sentence" title={view.method} data-testid="forecast-sentence">
        {view.sentence}
      </p>
      {view.overfitting && (
        <p className="forecast-overfitting small" data-testid="forecast-overfitting">
          <span className="badge verdict-overfitting">overfitting</span> {view.overfitting}
        </p>
      )}
      {view.calibration && (
        <p className="muted small" data-testid="forecast-calibration">
          {view.calibration}
        </p>
      )}
      {note && <p className="muted small">{note}</p>}
      {state.kind === 'failed' && <p className="muted small">Could not refresh the forecast: {state.message}</p>}
    </div>
  );
}
