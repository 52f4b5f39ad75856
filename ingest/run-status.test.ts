import { describe, expect, it } from 'vitest';
import type { ParseEvent, RunStatus } from './events';
import { statusAfter } from './run-status';
import { planBatch } from './store/plan-batch';
import { summarizeRuns } from './summarize';

// One table: the status a run had, the one reported next, the status it has then.
const CASES: [RunStatus, Exclude<RunStatus, 'running'>, RunStatus][] = [
  ['running', 'completed', 'completed'],
  ['running', 'crashed', 'crashed'],
  ['running', 'stopped', 'stopped'],
  ['completed', 'crashed', 'completed'],
  ['completed', 'stopped', 'completed'],
  ['completed', 'completed', 'completed'],
  ['crashed', 'completed', 'completed'],
  ['crashed', 'stopped', 'stopped'],
  ['stopped', 'crashed', 'crashed'],
];

const statusEvents = (statuses: readonly Exclude<RunStatus, 'running'>[]): ParseEvent[] => [
  { type: 'run_started', runKey: 0, line: 1, format: 'smolvla_sequential' },
  ...statuses.map((status, i): ParseEvent => ({ type: 'status', runKey: 0, line: i + 2, status })),
];

describe('a run’s status when several are reported', () => {
  it.each(CASES)('%s, then %s: %s', (current, reported, expected) => {
    expect(statusAfter(current, reported)).toBe(expected);
    // The store's planner and `thaw parse` fold a batch's status lines by the same rule.
    const events = current === 'running' ? statusEvents([reported]) : statusEvents([current, reported]);
    expect(planBatch(events).runs.get(0)?.status?.status).toBe(expected);
    expect(summarizeRuns(events)[0]?.status).toBe(expected);
  });

  it('keeps the best loss and the error reported earlier when a later status line has none', () => {
    const events: ParseEvent[] = [
      { type: 'run_started', runKey: 0, line: 1, format: 'smolvla_sequential' },
      { type: 'status', runKey: 0, line: 2, status: 'completed', bestLoss: 0.25 },
      { type: 'status', runKey: 0, line: 3, status: 'completed' },
    ];
    expect(planBatch(events).runs.get(0)?.status).toEqual({ status: 'completed', bestLoss: 0.25, error: null });
    expect(summarizeRuns(events)[0]?.bestLoss).toBe(0.25);
  });
});
