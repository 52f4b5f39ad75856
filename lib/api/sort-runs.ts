// Sorting of runs-table rows, shared by the server (initial render, API) and the client table (after
// live updates merge rows). Pure. Missing values sort last in both directions, like spreadsheets.
import type { RunRow, RunSortKey } from './schemas/runs';

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
  }
}

export function sortRuns(runs: readonly RunRow[], key: RunSortKey, dir: 'asc' | 'desc'): RunRow[] {
  const sign = dir === 'asc' ? 1 : -1;
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
