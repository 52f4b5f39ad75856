// GET /api/alerts — recent alerts with their delivery status per channel. Channel URLs and
// secrets are never part of it: a channel is named by its `name` from thaw-alerts.yaml.
import { z } from 'zod';
import { ALERT_RULES } from '../../analysis/alerts';
import { enumList, idList } from './common';

export const alertsQuery = z.object({
  limit: z.coerce.number({ error: 'a whole number from 1 to 500' }).int('a whole number from 1 to 500').min(1).max(500).default(100),
  /** Skip this many (newest first): paging with `limit`. */
  offset: z.coerce
    .number({ error: 'a whole number from 0 to 1000000' })
    .int('a whole number from 0 to 1000000')
    .min(0, 'a whole number from 0 to 1000000')
    .max(1_000_000, 'a whole number from 0 to 1000000')
    .default(0),
  /** Include transitions recorded during a backfill (never sent). */
  backfill: z
    .enum(['true', 'false'], { error: 'true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  /** Only these rules. */
  rule: enumList(ALERT_RULES).optional(),
  /** Only alerts about these runs. */
  run: idList.optional(),
  /** Only alerts about runs of these tasks. */
  task: idList.optional(),
  /** Only alerts created after this instant (ISO 8601; exclusive): "what is new since I last looked". */
  since: z.iso
    .datetime({ offset: true, error: 'an ISO 8601 date-time such as 2026-11-30T18:00:00.000Z' })
    .transform((value) => new Date(value))
    .optional(),
});
export type AlertsQuery = z.infer<typeof alertsQuery>;

export const alertDeliverySchema = z.object({
  channel: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  /** Requests that carried this alert to the channel (a throttled one counts). */
  attempts: z.number().int(),
  /** The reason of the last failed request, redacted (no URL, token or secret) before it was cut. */
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  /** Delivered inside a digest of this many alerts (a burst larger than the channel's rate budget); null: on its own. */
  digest: z.number().int().nullable(),
  /** Pending because the service rate-limited the channel (not a failure): sent again at `nextAttemptAt`. */
  throttled: z.boolean(),
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

export const alertsResponse = z.object({
  alerts: z.array(alertSchema),
  /** How many alerts match the filters in all (`alerts` is one page of them). */
  total: z.number().int(),
  /** createdAt of the newest live alert, whatever the filters (null when there is none): "mark all read" up to it. */
  newest: z.string().nullable(),
});
export type AlertsResponse = z.infer<typeof alertsResponse>;
