// The change notifications between the writers and the live hub: ingest's store (after every
// committed batch, and when runs go stale) and the annotation writes NOTIFY on one PostgreSQL
// channel; lib/live/hub.ts LISTENs on it and turns each payload back into a change. Both ends of the
// protocol are here.
//
// A payload is the comma-separated ids of the runs a transaction touched, 'stale' when runs were
// marked stale, or 'all'. NOTIFY payloads are capped at 8000 bytes, so past MAX_IDS_PER_NOTIFICATION
// runs a writer says 'all' instead of a partial list; a list that long, or one the hub cannot read,
// becomes "everything may have changed".

export const CHANGE_CHANNEL = 'thaw_changes';
/** A writer sends at most this many ids in one notification. */
export const MAX_IDS_PER_NOTIFICATION = 200;
/** The payload of a sweep that marked runs stale. */
export const STALE_PAYLOAD = 'stale';

export type Change = { kind: 'runs'; runIds: number[] } | { kind: 'all'; reason: string };

/** What a writer sends for the runs it changed. */
export function changePayload(runIds: readonly number[]): string {
  return runIds.length > MAX_IDS_PER_NOTIFICATION ? 'all' : runIds.join(',');
}

/** What the hub makes of a payload. */
export function parseNotification(payload: string | undefined): Change {
  if (payload === undefined || payload === '' || payload === STALE_PAYLOAD)
    return { kind: 'all', reason: payload === STALE_PAYLOAD ? 'stale runs' : 'change' };
  const ids = payload
    .split(',')
    .map(Number)
    .filter((id) => Number.isInteger(id) && id > 0);
  if (ids.length === 0) return { kind: 'all', reason: 'change' };
  if (ids.length >= MAX_IDS_PER_NOTIFICATION) return { kind: 'all', reason: 'many runs changed' };
  return { kind: 'runs', runIds: ids };
}
