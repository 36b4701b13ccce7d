/**
 * The `alarms.escalation` config section: per priority, how long an alarm may stay unacknowledged
 * before the on-call list is told, and how often the next level is told after that.
 */
import { z } from 'zod';
import { duration as ruleDuration } from '../../gateway/platform/config-primitives.ts';
import { channelsSchema } from '../dispatch/index.ts';

const robotUrl = z.url({ protocol: /^https?$/ });

/** The work-order channels (webhook, mqtt, email) plus the WeCom and DingTalk group-robot webhooks. */
export const escalationChannelsSchema = z
  .object({
    ...channelsSchema.shape,
    /** WeCom (企业微信) group robot: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`. */
    wecom: z.object({ url: robotUrl, allowHttp: z.boolean().optional(), allowPrivateTargets: z.boolean().optional() }).optional(),
    /** DingTalk (钉钉) group robot: `https://oapi.dingtalk.com/robot/send?access_token=…`; `secret` for the 加签 mode. */
    dingtalk: z
      .object({ url: robotUrl, secret: z.string().min(1).optional(), allowHttp: z.boolean().optional(), allowPrivateTargets: z.boolean().optional() })
      .optional(),
  })
  .refine(
    (c) => c.webhook !== undefined || c.mqtt !== undefined || c.email !== undefined || c.wecom !== undefined || c.dingtalk !== undefined,
    'configure at least one channel (webhook, wecom, dingtalk, mqtt or email)',
  );

export const onCallLevelSchema = z.object({
  /** Stable id (journal, outbox recipient). */
  id: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
  name: z.string().min(1),
  channels: escalationChannelsSchema,
});

const stepSchema = z.object({
  /** Unacknowledged this long → the first level is told. */
  after: ruleDuration,
  /** Then every `repeat` the next level (the last level again once reached); default: `after`. */
  repeat: ruleDuration.optional(),
});

export const escalationSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Per priority; a priority left out (4 by default) is not escalated. Defaults: P1 2 min, P2 15 min, P3 60 min. */
    priorities: z
      .partialRecord(z.enum(['1', '2', '3', '4']), stepSchema)
      .default({ '1': { after: 2 * 60_000 }, '2': { after: 15 * 60_000 }, '3': { after: 60 * 60_000 } }),
    /** The on-call list in order: step 1 tells `levels[0]`, step 2 `levels[1]`, … */
    levels: z.array(onCallLevelSchema).default([]),
  })
  .refine((e) => !e.enabled || e.levels.length > 0, { message: 'enabled escalation needs at least one on-call level', path: ['levels'] })
  .refine((e) => new Set(e.levels.map((l) => l.id)).size === e.levels.length, { message: 'on-call level ids must be unique', path: ['levels'] });

export type EscalationConfig = z.output<typeof escalationSchema>;
export type OnCallLevel = EscalationConfig['levels'][number];
export type EscalationChannels = OnCallLevel['channels'];
export const ESCALATION_CHANNELS = ['webhook', 'wecom', 'dingtalk', 'mqtt', 'email'] as const;
export type EscalationChannel = (typeof ESCALATION_CHANNELS)[number];
