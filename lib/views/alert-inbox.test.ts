import { describe, expect, it } from 'vitest';
import type { AlertView } from '../api/schemas/alerts';
import {
  alertFacts,
  alertNotification,
  alertsSince,
  alertsToNotify,
  deliveryText,
  laterOf,
  unreadAlerts,
  unreadLabel,
} from './alert-inbox';

const T = (minute: number) => `2026-11-30T18:${String(minute).padStart(2, '0')}:00.000Z`;
const a = (id: string, minute: number) => ({ id, createdAt: T(minute) });

describe('unread and notify decisions', () => {
  it.each([
    { name: 'never seen: all unread', alerts: [a('x', 1), a('y', 2)], seen: null, unread: ['x', 'y'] },
    { name: 'seen up to the first', alerts: [a('x', 1), a('y', 2)], seen: T(1), unread: ['y'] },
    { name: 'seen up to the newest', alerts: [a('x', 1), a('y', 2)], seen: T(2), unread: [] },
    { name: 'nothing', alerts: [], seen: T(2), unread: [] },
  ])('unreadAlerts: $name', ({ alerts, seen, unread }) => expect(unreadAlerts(alerts, seen).map((x) => x.id)).toEqual(unread));

  it.each([
    [0, ''],
    [1, '1'],
    [99, '99'],
    [100, '99+'],
  ])('unreadLabel(%i) = %j', (n, label) => expect(unreadLabel(n)).toBe(label));

  it.each([
    [null, T(3), null],
    [T(3), null, null],
    [T(1), T(3), T(1)],
    [T(4), T(3), T(3)],
  ])('alertsSince(%j, %j) = %j', (seen, baseline, since) => expect(alertsSince(seen, baseline)).toBe(since));

  it.each([
    { name: 'no baseline yet (first look): nothing', alerts: [a('x', 5)], baseline: null, notified: [], out: [] },
    { name: 'after the baseline, oldest first', alerts: [a('z', 7), a('y', 6), a('x', 5)], baseline: T(5), notified: [], out: ['y', 'z'] },
    { name: 'already notified by another tab', alerts: [a('z', 7), a('y', 6)], baseline: T(5), notified: ['y'], out: ['z'] },
    { name: 'empty baseline (there were no alerts): every new one', alerts: [a('x', 1)], baseline: '', notified: [], out: ['x'] },
  ])('alertsToNotify: $name', ({ alerts, baseline, notified, out }) =>
    expect(alertsToNotify(alerts, baseline, new Set(notified)).map((x) => x.id)).toEqual(out),
  );

  it('laterOf', () => {
    expect(laterOf(null, T(1))).toBe(T(1));
    expect(laterOf(T(2), null)).toBe(T(2));
    expect(laterOf(T(2), T(1))).toBe(T(2));
  });
});

describe('how alerts read', () => {
  const delivery = (d: Partial<AlertView['deliveries'][number]>): AlertView['deliveries'][number] => ({
    channel: 'lab',
    status: 'pending',
    attempts: 0,
    lastError: null,
    deliveredAt: null,
    nextAttemptAt: null,
    digest: null,
    throttled: false,
    ...d,
  });
  it.each([
    [delivery({ status: 'delivered', attempts: 1, deliveredAt: T(3) }), 'delivered', 'delivered 18:03:00 UTC'],
    [delivery({ status: 'delivered', attempts: 3, deliveredAt: T(3) }), 'delivered', 'delivered 18:03:00 UTC after 3 attempts'],
    [delivery({ attempts: 0 }), 'sending', 'sending'],
    [
      delivery({ attempts: 2, lastError: 'HTTP 502', nextAttemptAt: T(9) }),
      'retrying',
      'retrying (2 attempts so far, last: HTTP 502), next at 18:09:00 UTC',
    ],
    [delivery({ status: 'failed', attempts: 6, lastError: 'HTTP 500' }), 'failed', 'failed after 6 attempts: HTTP 500'],
    [
      delivery({ status: 'delivered', attempts: 1, deliveredAt: T(3), digest: 25 }),
      'delivered',
      'delivered 18:03:00 UTC in a digest of 25 alerts',
    ],
    [
      delivery({ attempts: 1, throttled: true, nextAttemptAt: T(13), lastError: 'rate limited (HTTP 429); waiting 601 s: rate_limited' }),
      'retrying',
      'rate limited by the service; sending again at 18:13:00 UTC (rate limited (HTTP 429); waiting 601 s: rate_limited)',
    ],
    [
      delivery({ status: 'failed', attempts: 0, lastError: "the alert does not fit wecom's limit" }),
      'failed',
      "not sent: the alert does not fit wecom's limit",
    ],
  ])('deliveryText %#', (d, tone, text) => expect(deliveryText(d)).toEqual({ tone, text }));

  it('a notification names the run, rule, task and strategy and opens the run', () => {
    const n = alertNotification({
      id: 'abc',
      rule: 'overfitting',
      message: 'Overfitting began at epoch 21; best validation 0.1098 at epoch 20.',
      run: { id: 7, taskId: 1, taskName: 'pick', strategy: 'unfreeze last 8', status: 'running' },
    });
    expect(n).toEqual({
      title: 'Thaw: run #7 overfitting',
      body: 'Overfitting began at epoch 21; best validation 0.1098 at epoch 20. · task 1 (pick) · unfreeze last 8',
      url: '/runs/7',
      tag: 'thaw-alert-abc',
    });
  });

  it('alertFacts lists the known facts in reading order, skipping empty ones', () => {
    expect(
      alertFacts({ verdict: 'overfitting', bestEpoch: 20, overfitStartEpoch: 21, bestValidationLoss: 0.109812, checkpoint: null }),
    ).toEqual([
      { label: 'overfitting began at epoch', value: '21' },
      { label: 'best epoch', value: '20' },
      { label: 'best validation', value: '0.1098' },
      { label: 'verdict', value: 'overfitting' },
    ]);
    // In context: the verdict repeats the rule, the path is in the message already.
    const details = { verdict: 'overfitting', bestEpoch: 20, checkpointPath: 'outputs/train/run_1/checkpoints/020000' };
    expect(alertFacts(details, 'Use checkpoint 020000 (outputs/train/run_1/checkpoints/020000).', 'overfitting')).toEqual([
      { label: 'best epoch', value: '20' },
    ]);
    expect(alertFacts({ error: 'CUDA out of memory' }, 'The run crashed: CUDA out of memory.', 'crashed')).toEqual([]);
  });
});
