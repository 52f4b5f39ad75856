// Recent alerts with their deliveries, for GET /api/alerts and the /alerts page (database reads only).
import type { Prisma } from '../generated/prisma/client';
import { db } from '../db/client';
import { alertSchema, type AlertsQuery, type AlertView } from '../api/schemas/alerts';

const factsSchema = alertSchema.pick({ run: true, details: true });

export type AlertsFilter = Pick<AlertsQuery, 'limit' | 'backfill'> &
  Partial<Pick<AlertsQuery, 'offset' | 'rule' | 'run' | 'task' | 'since'>>;

function whereOf(options: AlertsFilter): Prisma.AlertWhereInput {
  const and: Prisma.AlertWhereInput[] = [];
  if (!options.backfill) and.push({ live: true });
  if (options.rule?.length) and.push({ rule: { in: options.rule } });
  if (options.run?.length) and.push({ runId: { in: options.run } });
  // The task is part of the facts recorded with the alert (what the message said), not a column.
  if (options.task?.length) and.push({ OR: options.task.map((task) => ({ facts: { path: ['run', 'taskId'], equals: task } })) });
  if (options.since) and.push({ createdAt: { gt: options.since } });
  return { AND: and };
}

/** One page of alerts (newest first), how many match in all, and the newest live alert's time. */
export async function pageAlerts(options: AlertsFilter): Promise<{ alerts: AlertView[]; total: number; newest: string | null }> {
  const where = whereOf(options);
  const [alerts, total, newest] = await Promise.all([
    db().alert.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], skip: options.offset ?? 0, take: options.limit }),
    db().alert.count({ where }),
    db().alert.findFirst({ where: { live: true }, orderBy: { createdAt: 'desc' }, select: { createdAt: true } }),
  ]);
  const deliveries = await db().alertDelivery.findMany({
    where: { alertId: { in: alerts.map((a) => a.id) } },
    orderBy: { channel: 'asc' },
  });
  const views = alerts.map((alert) => {
    const facts = factsSchema.parse(alert.facts);
    return {
      id: alert.id,
      rule: alert.rule,
      live: alert.live,
      createdAt: alert.createdAt.toISOString(),
      message: alert.message,
      run: facts.run,
      details: facts.details,
      deliveries: deliveries
        .filter((d) => d.alertId === alert.id)
        .map((d) => ({
          channel: d.channel,
          status: d.status as 'pending' | 'delivered' | 'failed',
          attempts: d.attempts,
          lastError: d.lastError,
          deliveredAt: d.deliveredAt?.toISOString() ?? null,
          nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
          digest: d.digest,
          throttled: d.status === 'pending' && d.throttled,
        })),
    };
  });
  return { alerts: views, total, newest: newest?.createdAt.toISOString() ?? null };
}
