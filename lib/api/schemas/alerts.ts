// GET /api/alerts — recent alerts (issue 12) with their delivery status per channel. Channel URLs and
// secrets are never part of it: a channel is named by its `name` from thaw-alerts.yaml.
import { z } from 'zod';

export const alertsQuery = z.object({
  limit: z.coerce.number({ error: 'a whole number from 1 to 500' }).int('a whole number from 1 to 500').min(1).max(500).default(100),
  /** Include transitions recorded during a backfill (never sent). */
  backfill: z
    .enum(['true', 'false'], { error: 'true or false' })
    .default('false')
    .transform((value) => value === 'true'),
});

export const alertDeliverySchema = z.object({
  channel: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
});

export const alertSchema = z.object({
  id: z.string(),
  rule: z.string(),
  live: z.boolean(),
  createdAt: z.string(),
  message: z.string(),
  run: z.object({
    id: z.number().int(),
    taskId: z.number().int().nullable(),
    taskName: z.string().nullable(),
    strategy: z.string().nullable(),
    status: z.string(),
  }),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  deliveries: z.array(alertDeliverySchema),
});
export type AlertView = z.infer<typeof alertSchema>;

export const alertsResponse = z.object({ alerts: z.array(alertSchema) });
export type AlertsResponse = z.infer<typeof alertsResponse>;
