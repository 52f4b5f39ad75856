// Recent alerts with their deliveries, for GET /api/alerts (database reads only).
import { db } from '../db/client';
import { alertSchema, type AlertView } from '../api/schemas/alerts';

const factsSchema = alertSchema.pick({ run: true, details: true });

export async function listAlerts(options: { limit: number; backfill: boolean }): Promise<AlertView[]> {
  const alerts = await db().alert.findMany({
    where: options.backfill ? {} : { live: true },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    take: options.limit,
  });
  const deliveries = await db().alertDelivery.findMany({
    where: { alertId: { in: alerts.map((a) => a.id) } },
    orderBy: { channel: 'asc' },
  });
  return alerts.map((alert) => {
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
        })),
    };
  });
}
