'use client';
// Alerts in the app: the bell in the header, the /alerts table, and browser
// notifications. Read state is per browser (localStorage: "seen up to" the newest alert's time), so
// nothing is written to the server. The bell refreshes on the live stream's change events (alerts are
// created in the transaction that commits the data, which notifies) — no polling loop of its own.
// A notification is shown once per alert across all tabs of this browser: the tabs claim its id in
// IndexedDB (one read-write transaction at a time across tabs), and the notification's tag lets the
// browser fold duplicates as well.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { alertsResponse, type AlertView } from '@/lib/api/schemas/alerts';
import {
  alertFacts,
  alertNotification,
  alertsSince,
  alertsToNotify,
  deliveryText,
  laterOf,
  unreadAlerts,
  unreadLabel,
} from '@/lib/views/alert-inbox';
import { fmtDateTime } from '@/lib/views/format';
import { useCoalesced, useLiveChanges } from './live';
import { ScrollBox } from './scroll-box';

const SEEN_KEY = 'thaw.alerts.seenAt';
const NOTIFY_KEY = 'thaw.alerts.notify';
const NOTIFIED_KEY = 'thaw.alerts.notified';
const SEEN_EVENT = 'thaw:alerts-seen';
const NOTIFY_EVENT = 'thaw:alerts-notify';
const NOTIFIED_KEEP = 500;

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null; // storage disabled: nothing is remembered, nothing breaks
  }
}

export function readSeen(): string | null {
  return storage()?.getItem(SEEN_KEY) ?? null;
}

/** Marks every alert up to `newest` read in this browser (never moves backwards). */
export function markSeen(newest: string | null): void {
  const store = storage();
  if (!store || newest === null) return;
  const current = store.getItem(SEEN_KEY);
  if (current !== null && current >= newest) return;
  store.setItem(SEEN_KEY, newest);
  window.dispatchEvent(new Event(SEEN_EVENT)); // other tabs get a `storage` event
}

/** The "seen up to" time, following changes from this tab and others. */
function useSeenAt(): string | null | undefined {
  const [seen, setSeen] = useState<string | null | undefined>(undefined); // undefined until mounted
  useEffect(() => {
    const update = () => setSeen(readSeen());
    update();
    const onStorage = (event: StorageEvent) => {
      if (event.key === SEEN_KEY || event.key === null) update();
    };
    window.addEventListener(SEEN_EVENT, update);
    window.addEventListener('storage', onStorage);
    return () => {
      window.removeEventListener(SEEN_EVENT, update);
      window.removeEventListener('storage', onStorage);
    };
  }, []);
  return seen;
}

type Permission = 'unsupported' | NotificationPermission;

function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

/**
 * The notification permission. The Permissions API is asked first (it is the standard's source of
 * truth and follows changes); `Notification.permission` where it is missing. The two agree in desktop
 * browsers; headless Chromium answers only the former.
 */
async function notificationPermission(): Promise<Permission> {
  if (!notificationsSupported()) return 'unsupported';
  try {
    const status = await navigator.permissions.query({ name: 'notifications' });
    return status.state === 'prompt' ? 'default' : status.state;
  } catch {
    return Notification.permission;
  }
}

async function notificationsWanted(): Promise<boolean> {
  return storage()?.getItem(NOTIFY_KEY) === '1' && (await notificationPermission()) === 'granted';
}

/** Adds an alert id to this browser's list of notified ids (localStorage: what `notifiedIds` reads). */
function rememberNotified(store: Storage, id: string): boolean {
  let ids: string[] = [];
  try {
    const parsed: unknown = JSON.parse(store.getItem(NOTIFIED_KEY) ?? '[]');
    if (Array.isArray(parsed)) ids = parsed.filter((x): x is string => typeof x === 'string');
  } catch {
    ids = [];
  }
  if (ids.includes(id)) return false;
  ids.push(id);
  store.setItem(NOTIFIED_KEY, JSON.stringify(ids.slice(-NOTIFIED_KEEP)));
  return true;
}

const CLAIMS_DB = 'thaw-alerts';
const CLAIMS_STORE = 'notified';
/** Claims older than this are forgotten once the store holds more than NOTIFIED_KEEP of them. */
const CLAIM_KEEP_MS = 7 * 24 * 3600 * 1000;

/**
 * Claims an alert id in IndexedDB: read-write transactions on one store run one at a time across every
 * tab of the browser, and each sees what the one before it wrote. (localStorage is no such claim: a tab in
 * another renderer process may see another tab's write late, so two tabs could both notify.) Null when
 * IndexedDB is unavailable.
 */
async function claimInDatabase(id: string): Promise<boolean | null> {
  if (typeof indexedDB === 'undefined') return null;
  let db: IDBDatabase;
  try {
    db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(CLAIMS_DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(CLAIMS_STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'));
      request.onblocked = () => reject(new Error('blocked'));
    });
  } catch {
    return null;
  }
  try {
    return await new Promise<boolean>((resolve, reject) => {
      const tx = db.transaction(CLAIMS_STORE, 'readwrite');
      const store = tx.objectStore(CLAIMS_STORE);
      let claimed = false;
      const known = store.get(id);
      known.onsuccess = () => {
        if (known.result !== undefined) return;
        claimed = true;
        store.put(Date.now(), id);
        const count = store.count();
        count.onsuccess = () => {
          if (count.result <= NOTIFIED_KEEP) return;
          const cursor = store.openCursor();
          cursor.onsuccess = () => {
            const at = cursor.result;
            if (!at) return;
            if (typeof at.value !== 'number' || at.value < Date.now() - CLAIM_KEEP_MS) at.delete();
            at.continue();
          };
        };
      };
      tx.oncomplete = () => resolve(claimed);
      tx.onerror = () => reject(tx.error ?? new Error('claim transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('claim transaction aborted'));
    });
  } catch {
    return null;
  } finally {
    db.close();
  }
}

/** Claims an alert for notification in this browser: true for exactly one tab per alert id. */
async function claimNotification(id: string): Promise<boolean> {
  const store = storage();
  const claimed = await claimInDatabase(id);
  if (claimed !== null) {
    if (claimed && store) rememberNotified(store, id);
    return claimed;
  }
  // Without IndexedDB: the ids in localStorage under a Web Lock (exact within one renderer process).
  const claim = () => (store ? rememberNotified(store, id) : true);
  if (typeof navigator !== 'undefined' && navigator.locks) return navigator.locks.request('thaw-alert-notify', claim);
  return claim();
}

function notifiedIds(): Set<string> {
  try {
    const parsed: unknown = JSON.parse(storage()?.getItem(NOTIFIED_KEY) ?? '[]');
    return new Set(Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

async function fetchAlerts(query: string): Promise<{ alerts: AlertView[]; total: number; newest: string | null } | null> {
  try {
    const response = await fetch(`/api/alerts?${query}`, { cache: 'no-store' });
    if (!response.ok) return null;
    return alertsResponse.parse(await response.json());
  } catch {
    return null; // offline or restarting: the next change event tries again
  }
}

/** The bell in the header: unread count, a short list, "mark all read", notifications. */
export function AlertsBell() {
  const router = useRouter();
  const seenAt = useSeenAt();
  const [alerts, setAlerts] = useState<AlertView[]>([]);
  const [newest, setNewest] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  /** Alerts after this were created while this tab was open: those are notified. */
  const baseline = useRef<string | null | undefined>(undefined);
  const seenRef = useRef(seenAt);
  seenRef.current = seenAt;
  const boxRef = useRef<HTMLDivElement | null>(null);

  const refresh = useCallback(async () => {
    const seen = seenRef.current ?? null;
    const since = baseline.current === undefined ? seen : alertsSince(seen, baseline.current);
    const query = new URLSearchParams({ limit: '100' });
    if (since !== null) query.set('since', since);
    const data = await fetchAlerts(query.toString());
    if (!data) return;
    setAlerts(data.alerts);
    setNewest(data.newest);
    if (baseline.current === undefined) {
      baseline.current = data.newest ?? '';
      return;
    }
    if (await notificationsWanted()) {
      for (const alert of alertsToNotify(data.alerts, baseline.current, notifiedIds())) {
        if (!(await claimNotification(alert.id))) continue;
        const n = alertNotification(alert);
        try {
          const notification = new Notification(n.title, { body: n.body, tag: n.tag });
          notification.onclick = () => {
            window.focus();
            router.push(n.url);
            notification.close();
          };
        } catch {
          // some browsers only allow notifications from a service worker: the bell still counts it
        }
      }
    }
    baseline.current = laterOf(baseline.current, data.newest);
  }, [router]);

  useEffect(() => {
    if (seenAt !== undefined && baseline.current === undefined) void refresh();
  }, [seenAt, refresh]);
  // After the page's own refresh (150 ms), at most one request per 2 s: the count is not latency-critical.
  useLiveChanges(useCoalesced(() => refresh(), 700, 2000));

  useEffect(() => {
    if (!open) return;
    const onDown = (event: MouseEvent) => {
      if (boxRef.current && !boxRef.current.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const unread = seenAt === undefined ? [] : unreadAlerts(alerts, seenAt);
  const label = unreadLabel(unread.length);
  return (
    <div className="alerts-bell" ref={boxRef}>
      <button
        type="button"
        className={`bell-button ${label ? 'has-unread' : ''}`}
        onClick={() => setOpen(!open)}
        aria-label={label ? `${label} unread alerts` : 'alerts'}
        aria-expanded={open}
        title={label ? `${label} unread alert${unread.length === 1 ? '' : 's'}` : 'no unread alerts'}
        data-testid="alerts-bell"
        data-unread={unread.length}
      >
        <svg
          width="18"
          height="18"
          viewBox="0 0 24 24"
          aria-hidden
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
        >
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {label && (
          <span className="bell-count" data-testid="alerts-bell-count">
            {label}
          </span>
        )}
      </button>
      {open && (
        <div className="bell-menu panel" role="dialog" aria-label="alerts" data-testid="alerts-menu">
          <div className="bell-menu-head">
            <strong>{unread.length > 0 ? `${label} unread` : 'No unread alerts'}</strong>
            <span className="spacer" />
            {unread.length > 0 && (
              <button type="button" className="link-button" onClick={() => markSeen(newest)} data-testid="alerts-mark-read">
                Mark all read
              </button>
            )}
          </div>
          <ul className="bell-list">
            {unread.slice(0, 6).map((alert) => (
              <li key={alert.id}>
                <span className={`badge alert-rule rule-${alert.rule}`}>{alert.rule}</span>{' '}
                <Link href={`/runs/${alert.run.id}`} onClick={() => setOpen(false)}>
                  run #{alert.run.id}
                </Link>
                <span className="muted small"> {fmtDateTime(alert.createdAt)}</span>
                <div className="small bell-message">{alert.message}</div>
              </li>
            ))}
          </ul>
          <div className="bell-menu-foot">
            <Link href="/alerts" onClick={() => setOpen(false)} data-testid="alerts-open-page">
              All alerts →
            </Link>
            <span className="spacer" />
            <NotificationToggle compact />
          </div>
        </div>
      )}
    </div>
  );
}

/** "Notify me" — asks the browser for permission only when clicked, never on page load. */
export function NotificationToggle({ compact = false }: { compact?: boolean }) {
  const [permission, setPermission] = useState<Permission | null>(null);
  const [enabled, setEnabled] = useState(false);
  useEffect(() => {
    let alive = true;
    const update = () => {
      void notificationPermission().then((p) => alive && setPermission(p));
      setEnabled(storage()?.getItem(NOTIFY_KEY) === '1');
    };
    update();
    const onStorage = (event: StorageEvent) => event.key === NOTIFY_KEY && update();
    window.addEventListener(NOTIFY_EVENT, update);
    window.addEventListener('storage', onStorage);
    // The user may change the permission in the browser's site settings while the page is open.
    let status: PermissionStatus | null = null;
    navigator.permissions
      ?.query({ name: 'notifications' })
      .then((s) => {
        status = s;
        s.addEventListener('change', update);
      })
      .catch(() => {});
    return () => {
      alive = false;
      window.removeEventListener(NOTIFY_EVENT, update);
      window.removeEventListener('storage', onStorage);
      status?.removeEventListener('change', update);
    };
  }, []);
  if (permission === null) return null;
  const set = (on: boolean) => {
    if (on) storage()?.setItem(NOTIFY_KEY, '1');
    else storage()?.removeItem(NOTIFY_KEY);
    window.dispatchEvent(new Event(NOTIFY_EVENT));
  };
  const enable = async () => {
    const current = await notificationPermission();
    const result = current === 'default' ? await Notification.requestPermission() : current;
    setPermission(result);
    set(result === 'granted');
  };
  if (permission === 'unsupported') return <span className="muted small">This browser has no notifications.</span>;
  if (permission === 'denied')
    return (
      <span className="muted small" data-testid="notifications-state" data-state="denied">
        Notifications are blocked for this site in the browser&apos;s settings.
      </span>
    );
  if (permission === 'granted' && enabled)
    return (
      <span className="small" data-testid="notifications-state" data-state="on">
        Notifications on{compact ? '' : ' in this browser while a Thaw page is open'}{' '}
        <button type="button" className="link-button" onClick={() => set(false)} data-testid="notifications-off">
          turn off
        </button>
      </span>
    );
  return (
    <button type="button" className="button secondary small" onClick={() => void enable()} data-testid="notifications-enable">
      Enable browser notifications
    </button>
  );
}

/** The /alerts table; opening the page marks everything read (rows new since the last visit stay marked). */
export function AlertsTable({ alerts, newest }: { alerts: AlertView[]; newest: string | null }) {
  const [previous, setPrevious] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    setPrevious((p) => (p === undefined ? readSeen() : p));
    markSeen(newest);
  }, [newest]);
  return (
    <ScrollBox label="alerts">
      <table className="alerts-table" data-testid="alerts-table">
        <thead>
          <tr>
            <th>Time (UTC)</th>
            <th>Rule</th>
            <th>Run</th>
            <th>Task</th>
            <th>Strategy</th>
            <th>What happened</th>
            <th>Delivery</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => {
            const isNew = previous !== undefined && (previous === null || alert.createdAt > previous);
            return (
              <tr
                key={alert.id}
                className={isNew ? 'unread' : undefined}
                data-alert-id={alert.id}
                data-rule={alert.rule}
                data-run={alert.run.id}
                data-new={isNew ? '1' : '0'}
              >
                <td className="nowrap small">
                  {fmtDateTime(alert.createdAt)}
                  {isNew && <span className="badge new-badge">new</span>}
                </td>
                <td>
                  <span className={`badge alert-rule rule-${alert.rule}`}>{alert.rule}</span>
                  {!alert.live && <div className="muted small">backfill</div>}
                </td>
                <td className="nowrap">
                  <Link href={`/runs/${alert.run.id}`}>#{alert.run.id}</Link> <span className="muted small">{alert.run.status}</span>
                </td>
                <td className="nowrap">
                  {alert.run.taskId === null ? '–' : `task ${alert.run.taskId}${alert.run.taskName ? ` (${alert.run.taskName})` : ''}`}
                </td>
                <td>{alert.run.strategy ?? '–'}</td>
                <td className="alert-message">
                  <div>{alert.message}</div>
                  <div className="alert-facts small muted">
                    {alertFacts(alert.details, alert.message, alert.rule).map((f) => (
                      <span key={f.label}>
                        {f.label} <strong className="mono">{f.value}</strong>
                      </span>
                    ))}
                  </div>
                </td>
                <td className="small" data-testid="alert-deliveries">
                  {alert.deliveries.length === 0 ? (
                    <span className="muted">{alert.live ? 'no channel takes this rule' : 'recorded during a backfill: never sent'}</span>
                  ) : (
                    alert.deliveries.map((d) => {
                      const { tone, text } = deliveryText(d);
                      return (
                        <div key={d.channel} className={`delivery delivery-${tone}`} data-channel={d.channel} data-status={tone}>
                          <strong>{d.channel}</strong> {text}
                        </div>
                      );
                    })
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollBox>
  );
}
