// Sorting of runs-table rows, shared by the server (initial render, API) and the client table (after
// live updates merge rows). Pure. Missing values sort last in both directions, like spreadsheets.
//
// `forecast`: running runs first, those with a chance to beat the best finished run (pBeat, from the
// forecasts the table fetched after drawing) in its order, then running runs without one, then the
// rest; newest first among equals. The server has no forecasts (they come later, off the first
// paint): it orders running runs first, newest first — what this gives without forecasts.
import type { RunRow, RunSortKey } from './schemas/runs';

/** What sorting by forecast needs of a run's forecast. */
export type ForecastSortInput = ReadonlyMap<number, { pBeat: number | null }>;

const VERDICT_ORDER = { diverged: 0, overfitting: 1, watch: 2, insufficient: 3, ok: 4 } as const;
const STATUS_ORDER: Record<string, number> = { running: 0, stale: 1, crashed: 2, completed: 3 };

type SortValue = number | string | null;

function sortValue(run: RunRow, key: RunSortKey): SortValue {
  switch (key) {
    case 'id':
      return run.id;
    case 'task':
      return run.taskId;
    case 'strategy':
      return run.strategy.trainableLayers === null ? null : run.strategy.trainableLayers * 1000 + (run.strategy.unfrozen[0] ?? 0);
    case 'status':
      return STATUS_ORDER[run.status] ?? 9;
    case 'epochs':
      return run.epochsDone;
    case 'lastTrainLoss':
      // As PostgreSQL orders them (lib/queries/runs.ts): NaN above +inf above every number.
      return run.lastTrainLossNonFinite === 'nan'
        ? Infinity
        : run.lastTrainLossNonFinite === 'inf'
          ? Number.MAX_VALUE
          : run.lastTrainLossNonFinite === '-inf'
            ? -Infinity
            : run.lastTrainLoss;
    case 'bestVal':
      return run.bestVal?.loss ?? null;
    case 'gap':
      return run.finalGap;
    case 'verdict':
      return VERDICT_ORDER[run.verdict.status];
    case 'startedAt':
      return run.startedAt;
    case 'lastSeenAt':
      return run.lastSeenAt;
    case 'source':
      return run.source.path;
    case 'forecast':
      return run.status === 'running' ? 0 : null;
  }
}

/** 0: running with a pBeat, 1: running without one (yet), 2: not running. */
function forecastRank(run: RunRow, forecasts: ForecastSortInput): number {
  if (run.status !== 'running') return 2;
  return (forecasts.get(run.id)?.pBeat ?? null) === null ? 1 : 0;
}

export function sortRuns(
  runs: readonly RunRow[],
  key: RunSortKey,
  dir: 'asc' | 'desc',
  forecasts: ForecastSortInput = new Map(),
): RunRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  if (key === 'forecast')
    return [...runs].sort((a, b) => {
      const ra = forecastRank(a, forecasts);
      const rb = forecastRank(b, forecasts);
      if (ra !== rb) return ra - rb;
      const pa = ra === 0 ? forecasts.get(a.id)!.pBeat! : 0;
      const pb = rb === 0 ? forecasts.get(b.id)!.pBeat! : 0;
      return pa !== pb ? (pa < pb ? -1 : 1) * sign : b.id - a.id;
    });
  return [...runs].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) {
      return (x < y ? -1 : 1) * sign;
    }
    return b.id - a.id; // newest first among equals: stable across refreshes
  });
}
