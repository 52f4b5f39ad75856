'use client';
// The forecasts of the table's running rows: ONE request for all of them
// (GET /api/forecasts?ids=…), made after the table has drawn — never in the way of its first paint —
// again when the set of running rows changes, and when a live update concerns a running row
// (coalesced: at most one request per LIVE_INTERVAL_MS while runs log).
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ForecastResponse, ForecastsResponse } from '@/lib/api/schemas/forecast';
import type { RunRow } from '@/lib/api/schemas/runs';
import { useCoalesced, useLiveChanges } from '../live';
import type { RowForecast } from './forecast-cell';

const LIVE_INTERVAL_MS = 5_000;

export function useRunningForecasts(rows: readonly RunRow[]): {
  forecasts: ReadonlyMap<number, ForecastResponse>;
  /** A running row's cell: its forecast, 'loading', or why there is none. */
  cell: (run: RunRow) => RowForecast | null;
} {
  const running = useMemo(
    () =>
      rows
        .filter((row) => row.status === 'running')
        .map((row) => row.id)
        .sort((a, b) => a - b),
    [rows],
  );
  const runningKey = running.join(',');
  const runningRef = useRef(running);
  runningRef.current = running;
  const [forecasts, setForecasts] = useState<ReadonlyMap<number, ForecastResponse>>(new Map());
  const [failed, setFailed] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const requests = useRef(0);

  const load = async () => {
    const ids = runningRef.current;
    if (ids.length === 0) return;
    const request = ++requests.current;
    try {
      const response = await fetch(`/api/forecasts?ids=${ids.join(',')}`, { cache: 'no-store' });
      const body = (await response.json().catch(() => null)) as (ForecastsResponse & { error?: { message: string } }) | null;
      if (!response.ok || body === null) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
      if (request !== requests.current) return; // a later request answers for a newer set of rows
      setForecasts(new Map(body.forecasts.map((f) => [f.runId, f])));
      setFailed(null);
    } catch (error) {
      if (request === requests.current) setFailed(error instanceof Error ? error.message : String(error));
    } finally {
      if (request === requests.current) setLoaded(true);
    }
  };

  useEffect(() => {
    void load();
    // The running rows as a set: once per page load, again when runs start or finish.
  }, [runningKey]);

  const refresh = useCoalesced(
    async (ids) => {
      const shown = new Set(runningRef.current);
      if (ids === 'all' || [...ids].some((id) => shown.has(id))) await load();
    },
    1_000,
    LIVE_INTERVAL_MS,
  );
  useLiveChanges(refresh);

  const cell = (run: RunRow): RowForecast | null => {
    if (run.status !== 'running') return null;
    const forecast = forecasts.get(run.id);
    if (forecast) return forecast;
    if (failed !== null) return { failed };
    return loaded ? { failed: 'not forecast yet' } : 'loading';
  };
  return { forecasts, cell };
}
