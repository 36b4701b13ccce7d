/**
 * The delivery channels of one recipient (a contractor, an on-call contact): webhook, MQTT topic,
 * e-mail addresses. Shared by `workOrders.contractors[].channels` and `alarms.escalation`.
 */
import { z } from 'zod';

export const channelsSchema = z
  .object({
    webhook: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        /** HMAC key of both signatures (≥ 16 characters; `whsec_<base64>` for Standard Webhooks libraries). */
        secret: z.string().min(16, 'use a secret of at least 16 characters'),
        /** Allow an http:// URL for this webhook (default: `dispatch.webhooks.allowHttp`). */
        allowHttp: z.boolean().optional(),
        /** Allow a loopback, link-local or private address for this webhook (default: `dispatch.webhooks.allowPrivateTargets`). */
        allowPrivateTargets: z.boolean().optional(),
      })
      .optional(),
    mqtt: z.object({ topic: z.string().min(1).regex(/^[^#+]+$/, 'a publish topic must not contain wildcards') }).optional(),
    email: z.object({ to: z.array(z.email()).min(1) }).optional(),
  })
  .refine((c) => c.webhook !== undefined || c.mqtt !== undefined || c.email !== undefined, 'configure at least one channel (webhook, mqtt or email)');

export type ChannelsConfig = z.output<typeof channelsSchema>;
