// The in-app side of alerts, as pure decisions the bell, the /alerts page and the
// browser notifications share: what is unread, which alerts a tab should notify about, how a delivery
// reads, what a notification says. Times are the API's ISO strings (toISOString: fixed width, so they
// compare as strings).
import type { AlertView } from '../api/schemas/alerts';

type Delivery = AlertView['deliveries'][number];

/** Alerts newer than the last one this browser has seen (all of them when it has seen none). */
export function unreadAlerts<T extends Pick<AlertView, 'createdAt'>>(alerts: readonly T[], seenAt: string | null): T[] {
  return alerts.filter((a) => seenAt === null || a.createdAt > seenAt);
}

/** The bell's number: "" for none, "99+" past 99. */
export function unreadLabel(count: number): string {
  return count <= 0 ? '' : count > 99 ? '99+' : String(count);
}

/**
 * The `since` a tab asks the API with: the older of "last seen" (for the unread count) and the
 * tab's baseline (alerts after it are notified), so one request answers both. Null = no `since`.
 */
export function alertsSince(seenAt: string | null, baseline: string | null): string | null {
  if (seenAt === null || baseline === null) return null;
  return seenAt < baseline ? seenAt : baseline;
}

/**
 * The alerts a tab notifies about: created after its baseline (the newest alert when the tab first
 * looked, so opening a page never replays old alerts), not yet notified by any tab, oldest first.
 */
export function alertsToNotify<T extends Pick<AlertView, 'id' | 'createdAt'>>(
  alerts: readonly T[],
  baseline: string | null,
  notified: ReadonlySet<string>,
): T[] {
  return alerts
    .filter((a) => baseline !== null && a.createdAt > baseline && !notified.has(a.id))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/** The later of two ISO instants (null is "never"). */
export function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** Title and body of a browser notification, and the page it opens. */
export function alertNotification(alert: Pick<AlertView, 'id' | 'rule' | 'message' | 'run'>): {
  title: string;
  body: string;
  url: string;
  tag: string;
} {
  const task = alert.run.taskId === null ? '' : ` · task ${alert.run.taskId}${alert.run.taskName ? ` (${alert.run.taskName})` : ''}`;
  const strategy = alert.run.strategy ? ` · ${alert.run.strategy}` : '';
  return {
    title: `Thaw: run #${alert.run.id} ${alert.rule}`,
    body: `${alert.message}${task}${strategy}`.slice(0, 400),
    url: `/runs/${alert.run.id}`,
    tag: `thaw-alert-${alert.id}`,
  };
}

export type DeliveryTone = 'delivered' | 'retrying' | 'sending' | 'failed';

/** How one channel's delivery reads on the /alerts page. */
export function deliveryText(d: Delivery): { tone: DeliveryTone; text: string } {
  const tries = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`;
  if (d.status === 'delivered')
    return {
      tone: 'delivered',
      text: `delivered${d.deliveredAt ? ` ${clock(d.deliveredAt)}` : ''}${d.digest ? ` in a digest of ${d.digest} alerts` : ''}${d.attempts > 1 ? ` after ${tries}` : ''}`,
    };
  if (d.status === 'failed')
    return {
      tone: 'failed',
      text: d.attempts === 0 ? `not sent: ${d.lastError ?? 'failed'}` : `failed after ${tries}${d.lastError ? `: ${d.lastError}` : ''}`,
    };
  if (d.throttled)
    return {
      tone: 'retrying',
      text: `rate limited by the service${d.nextAttemptAt ? `; sending again at ${clock(d.nextAttemptAt)}` : ''}${d.lastError ? ` (${d.lastError})` : ''}`,
    };
  if (d.attempts === 0) return { tone: 'sending', text: 'sending' };
  return {
    tone: 'retrying',
    text: `retrying (${tries} so far${d.lastError ? `, last: ${d.lastError}` : ''})${d.nextAttemptAt ? `, next at ${clock(d.nextAttemptAt)}` : ''}`,
  };
}

/** "18:02:05 UTC" */
function clock(iso: string): string {
  return `${iso.slice(11, 19)} UTC`;
}

/**
 * The rule-specific facts worth a glance next to the message, in reading order, labelled. Long texts
 * the message already says (the error, the checkpoint path) and a verdict that only repeats the rule
 * are left out.
 */
export function alertFacts(details: AlertView['details'], message = '', rule = ''): { label: string; value: string }[] {
  const LABELS: [string, string][] = [
    ['overfitStartEpoch', 'overfitting began at epoch'],
    ['bestEpoch', 'best epoch'],
    ['overfitStartStep', 'overfitting began at step'],
    ['bestStep', 'best step'],
    ['bestValidationLoss', 'best validation'],
    ['checkpoint', 'checkpoint'],
    ['checkpointPath', 'path'],
    ['epoch', 'epoch'],
    ['source', 'source'],
    ['error', 'error'],
    ['staleMinutes', 'minutes without a line'],
    ['verdict', 'verdict'],
  ];
  const out: { label: string; value: string }[] = [];
  for (const [key, label] of LABELS) {
    const value = details[key];
    if (value === null || value === undefined || value === '') continue;
    if (key === 'verdict' && value === rule) continue;
    if (typeof value === 'string' && value.length > 12 && message.includes(value)) continue;
    out.push({ label, value: typeof value === 'number' && !Number.isInteger(value) ? String(Number(value.toFixed(4))) : String(value) });
  }
  return out;
}
