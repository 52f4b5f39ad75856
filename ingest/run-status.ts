// A run's status when more than one is reported: the one rule, for the run manager (ingest/parse.ts),
// the batch planner (ingest/store/plan-batch.ts, which `thaw parse` folds through too) and the store's
// SQL (a status line of a later batch, and two runs found to be one).
//
// A completion block outranks whatever is reported after it: a traceback in the trainer's teardown,
// a KeyboardInterrupt while it exits, a failed model upload. Otherwise the latest report decides.
import type { RunStatus } from './events';

/** The status after `reported` arrives for a run that had `current`. */
export function statusAfter(current: RunStatus, reported: RunStatus): RunStatus {
  return current === 'completed' ? current : reported;
}

/** statusAfter in SQL, over two text expressions (`reported` may be NULL: no report, `current` stays). */
export function statusAfterSql(current: string, reported: string): string {
  return `CASE WHEN ${current} = 'completed' THEN ${current} ELSE COALESCE(${reported}, ${current}) END`;
}

/**
 * Two rows found to be one run (their run directory was learnt late): completed if either completed
 * (as statusAfter: completion outranks), else crashed if either crashed, else running if either still
 * runs, else the kept row's.
 */
export function mergedStatusSql(kept: string, gone: string): string {
  return `CASE WHEN 'completed' IN (${kept}, ${gone}) THEN 'completed' WHEN 'crashed' IN (${kept}, ${gone}) THEN 'crashed'
                     WHEN 'running' IN (${kept}, ${gone}) THEN 'running' ELSE ${kept} END`;
}
