// The PostgreSQL channel the store NOTIFYs after every transaction that changes runs
// (./commit-batch.ts, ./stale-runs.ts); lib/live/hub.ts LISTENs on it.
export const CHANGE_CHANNEL = 'thaw_changes';
