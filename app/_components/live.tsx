'use client';
// The browser side of live updates: ONE EventSource on /api/live per tab, shared through context.
// Components subscribe to `change` events and re-fetch only what concerns them; after a dropped
// connection (EventSource reconnects by itself) they are told "everything may have changed".
import { useRouter } from 'next/navigation';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

export type Change = { kind: 'runs'; runIds: number[] } | { kind: 'all'; reason: string };
type Listener = (change: Change) => void;
type Status = 'connecting' | 'live' | 'offline';

interface LiveHub {
  subscribe(listener: Listener): () => void;
  status: Status;
}

const LiveContext = createContext<LiveHub | null>(null);

export function LiveProvider({ children }: { children: ReactNode }) {
  const listeners = useRef(new Set<Listener>());
  const [status, setStatus] = useState<Status>('connecting');

  useEffect(() => {
    const source = new EventSource('/api/live');
    let wasLive = false;
    const emit = (change: Change) => listeners.current.forEach((listener) => listener(change));
    source.addEventListener('ready', (event) => {
      const { listening } = JSON.parse((event as MessageEvent<string>).data) as { listening: boolean };
      setStatus(listening ? 'live' : 'offline');
      // Reconnected: events may have been missed while the stream was down.
      if (wasLive) emit({ kind: 'all', reason: 'reconnected' });
      wasLive = true;
    });
    source.addEventListener('change', (event) => emit(JSON.parse((event as MessageEvent<string>).data) as Change));
    source.addEventListener('error', () => setStatus(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting'));
    return () => source.close();
  }, []);

  const hub: LiveHub = {
    status,
    subscribe(listener) {
      listeners.current.add(listener);
      return () => listeners.current.delete(listener);
    },
  };
  return <LiveContext.Provider value={hub}>{children}</LiveContext.Provider>;
}

/** Calls `onChange` for every change event (the latest callback, without re-subscribing). */
export function useLiveChanges(onChange: Listener): void {
  const hub = useContext(LiveContext);
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => hub?.subscribe((change) => latest.current(change)), [hub]);
}

export function LiveIndicator() {
  const hub = useContext(LiveContext);
  const status = hub?.status ?? 'offline';
  const text = { connecting: 'connecting…', live: 'live', offline: 'offline' }[status];
  return (
    <span
      className={`live-indicator live-${status}`}
      data-testid="live-indicator"
      data-status={status}
      title="Live updates from the ingest daemon"
    >
      <span className="dot" /> {text}
    </span>
  );
}

/**
 * Coalesces bursts of changes: runs `work` `delayMs` after the first change of a burst, at most once
 * per `minIntervalMs`, never two at once. A run logging every second then costs one re-fetch per
 * interval instead of one per committed line.
 */
export function useCoalesced(work: (ids: Set<number> | 'all') => Promise<void> | void, delayMs = 150, minIntervalMs = 0) {
  const pending = useRef<Set<number> | 'all' | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const running = useRef(false);
  const lastRun = useRef(0);
  const latest = useRef(work);
  latest.current = work;

  const flush = async () => {
    timer.current = null;
    const wait = lastRun.current + minIntervalMs - Date.now();
    if (running.current || wait > 0) {
      timer.current = setTimeout(() => void flush(), Math.max(delayMs, wait));
      return;
    }
    const batch = pending.current;
    pending.current = null;
    if (batch === null) return;
    running.current = true;
    lastRun.current = Date.now();
    try {
      await latest.current(batch);
    } finally {
      running.current = false;
    }
  };

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  return (change: Change) => {
    if (change.kind === 'all' || pending.current === 'all') pending.current = 'all';
    else {
      pending.current ??= new Set();
      for (const id of change.runIds) pending.current.add(id);
    }
    timer.current ??= setTimeout(() => void flush(), delayMs);
  };
}

/**
 * Re-renders the current page's server components (router.refresh) when runs it shows change, or
 * when runs appear that it might show (`watch: 'any'`). React reconciles the new props into the
 * existing charts and tables, so nothing flickers and scroll/zoom state is kept.
 */
export function LiveRefresh({ runIds, watch = 'listed' }: { runIds?: number[]; watch?: 'listed' | 'any' }) {
  const router = useRouter();
  const shown = new Set(runIds ?? []);
  // A page refresh re-runs the page's queries: at most one a second (well inside the 2 s budget).
  const schedule = useCoalesced(
    (ids) => {
      if (watch === 'any' || ids === 'all' || [...ids].some((id) => shown.has(id))) router.refresh();
    },
    150,
    1000,
  );
  useLiveChanges(schedule);
  return null;
}
