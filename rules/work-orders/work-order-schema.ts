/**
 * Configuration of work orders (the `workOrders:` section of the site config): SLAs per priority,
 * contractors and their channels, routing, escalation contacts, preventive maintenance and dispatch.
 */
import { z } from 'zod';
export { channelsSchema } from '../dispatch/index.ts';
import { channelsSchema, webhookUrlProblem } from '../dispatch/index.ts';
import { tlsClientSchema } from '../../gateway/platform/tls-client.ts';
import { duration, identifier } from '../../gateway/platform/config-primitives.ts';
import { kindName } from '../../gateway/model/kinds/kind-name.ts';
import { cronProblem } from './cron-schedule.ts';

const priority = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);

export const slaSchema = z.object({
  /** Time from creation to acknowledgement by the contractor. */
  respond: duration,
  /** Time from creation to resolution by the contractor. */
  fix: duration,
});

const normalSla = { respond: 30 * 60_000, fix: 24 * 3_600_000 };
const lifeSafetySla = { respond: 15 * 60_000, fix: 4 * 3_600_000 };

export const slaTableSchema = z.object({
  1: slaSchema.default(lifeSafetySla),
  2: slaSchema.default(normalSla),
  3: slaSchema.default(normalSla),
  4: slaSchema.default(normalSla),
});

/** scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>, as made by `hashToken()` (rules/work-orders/contractor-token.ts). */
const SCRYPT_HASH = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;

export const contractorSchema = z
  .object({
    id: identifier,
    name: z.string().min(1),
    trades: z.array(identifier).default([]),
    kinds: z.array(kindName).default([]),
    /** Limit to these sites / buildings (empty: everywhere). */
    sites: z.array(identifier).default([]),
    buildings: z.array(identifier).default([]),
    /** API token, hashed with scrypt (preferred) … */
    tokenHash: z.string().regex(SCRYPT_HASH, 'expected scrypt$N$r$p$salt$hash (see hashToken)').optional(),
    /** … or in clear (compared in constant time). */
    token: z.string().min(16, 'use a token of at least 16 characters').optional(),
    channels: channelsSchema,
  })
  .refine((c) => !(c.tokenHash !== undefined && c.token !== undefined), { message: 'give tokenHash or token, not both', path: ['token'] });

export const routeSchema = z
  .object({
    site: identifier.optional(),
    building: identifier.optional(),
    trade: identifier.optional(),
    kind: kindName.optional(),
    contractor: identifier,
  })
  .refine((r) => r.trade !== undefined || r.kind !== undefined || r.site !== undefined || r.building !== undefined, 'a route needs at least one of site, building, trade, kind');

export const escalationContactSchema = z.object({
  id: identifier,
  name: z.string().min(1),
  /** Priorities this contact is escalated for (default: all). */
  priorities: z.array(priority).default([1, 2, 3, 4]),
  channels: channelsSchema,
});

export const cronExpression = z.string().superRefine((expr, ctx) => {
  const why = cronProblem(expr);
  if (why !== undefined) ctx.addIssue({ code: 'custom', message: `invalid cron expression "${expr}" (${why})` });
});

export const maintenanceSchema = z
  .object({
    id: identifier,
    /** cron syntax of cron-schedule.ts (optional seconds field first), evaluated in the site time zone on the gateway clock. */
    cron: cronExpression,
    kind: kindName.optional(),
    devices: z.array(identifier).optional(),
    trade: identifier,
    priority: priority.default(3),
    title: z.string().min(1),
    /** Planned work is not an emergency: its own deadlines instead of the priority's SLA. */
    sla: slaSchema.default({ respond: 24 * 3_600_000, fix: 7 * 24 * 3_600_000 }),
  })
  .refine((m) => m.kind !== undefined || (m.devices !== undefined && m.devices.length > 0), 'give kind or devices');

export const DEFAULT_MAINTENANCE: ReadonlyArray<z.input<typeof maintenanceSchema>> = [
  // cron cannot say "every 15 days"; the 1st and 16th of each month is the usual reading.
  { id: 'elevator-service', cron: '0 9 1,16 * *', kind: 'elevator', trade: 'lift', priority: 3, title: 'Elevator periodic maintenance (every 15 days)' },
  { id: 'fire-alarm-test', cron: '0 10 1 * *', kind: 'fire_panel', trade: 'fire', priority: 2, title: 'Fire alarm system monthly test' },
  { id: 'pump-service', cron: '0 9 1 1,4,7,10 *', kind: 'pump', trade: 'pumps', priority: 3, title: 'Pump quarterly maintenance' },
];

export const dispatchSchema = z.object({
  /** Attempts per delivery before it becomes a dead letter (and is escalated). */
  maxAttempts: z.number().int().min(1).max(100).default(8),
  initialBackoff: duration.default(5_000),
  maxBackoff: duration.default(15 * 60_000),
  /** Share of each backoff drawn at random (below the step: 0.2 = 80–100 %), so contractors are not hit in lockstep. */
  jitter: z.number().min(0).max(1).default(0.2),
  /** HTTP / SMTP / MQTT timeout of one attempt. */
  timeout: duration.default(10_000),
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Where webhooks may go: https only and public addresses only, unless allowed here or per webhook. */
  webhooks: z
    .object({
      allowHttp: z.boolean().default(false),
      allowPrivateTargets: z.boolean().default(false),
    })
    .prefault({}),
});

export const workOrderConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** SQLite file (default: <storage.dataDir>/gateway.db). */
    database: z.string().optional(),
    sla: slaTableSchema.prefault({}),
    contractors: z.array(contractorSchema).default([]),
    routing: z.array(routeSchema).default([]),
    escalation: z
      .object({
        contacts: z.array(escalationContactSchema).default([]),
      })
      .prefault({}),
    maintenance: z.array(maintenanceSchema).prefault(DEFAULT_MAINTENANCE.map((m) => ({ ...m }))),
    dispatch: dispatchSchema.prefault({}),
    /** Broker for MQTT channels: `embedded` (the gateway's broker) or a URL. */
    mqtt: z
      .object({
        url: z.string().default('embedded'),
        clientId: z.string().optional(),
        username: z.string().optional(),
        password: z.string().optional(),
        /** CA and client certificate for an `mqtts://` broker. */
        tls: tlsClientSchema.optional(),
      })
      .prefault({}),
    /** SMTP server for e-mail channels (optional). */
    smtp: z
      .object({
        host: z.string(),
        port: z.number().int().min(1).max(65535).default(25),
        secure: z.boolean().default(false),
        from: z.string().min(3),
        user: z.string().optional(),
        password: z.string().optional(),
        /**
         * Without `secure` (implicit TLS, port 465) the connection must be upgraded with STARTTLS, or
         * nothing is sent. `plain: true` sends in clear text: only when the site says so explicitly.
         */
        plain: z.boolean().default(false),
        /** CA and client certificate for the SMTP server. */
        tls: tlsClientSchema.optional(),
      })
      .optional(),
  })
  .superRefine((wo, ctx) => {
    const ids = new Set<string>();
    wo.contractors.forEach((c, i) => {
      if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['contractors', i, 'id'], message: `duplicate contractor id "${c.id}"` });
      ids.add(c.id);
    });
    wo.routing.forEach((r, i) => {
      if (!ids.has(r.contractor)) {
        ctx.addIssue({ code: 'custom', path: ['routing', i, 'contractor'], message: `unknown contractor "${r.contractor}" (known: ${[...ids].join(', ') || 'none'})` });
      }
    });
    const pm = new Set<string>();
    wo.maintenance.forEach((m, i) => {
      if (pm.has(m.id)) ctx.addIssue({ code: 'custom', path: ['maintenance', i, 'id'], message: `duplicate maintenance id "${m.id}"` });
      pm.add(m.id);
    });
    const hooks = [
      ...wo.contractors.map((c, i) => ({ at: ['contractors', i, 'channels', 'webhook', 'url'], hook: c.channels.webhook })),
      ...wo.escalation.contacts.map((c, i) => ({ at: ['escalation', 'contacts', i, 'channels', 'webhook', 'url'], hook: c.channels.webhook })),
    ];
    for (const { at, hook } of hooks) {
      if (!hook || !/^https?:/i.test(hook.url)) continue; // the url field has its own issue
      const problem = webhookUrlProblem(hook.url, {
        allowHttp: hook.allowHttp ?? wo.dispatch.webhooks.allowHttp,
        allowPrivateTargets: hook.allowPrivateTargets ?? wo.dispatch.webhooks.allowPrivateTargets,
      });
      if (problem) ctx.addIssue({ code: 'custom', path: at, message: problem });
    }
    const needsMail = [...wo.contractors.map((c) => c.channels), ...wo.escalation.contacts.map((c) => c.channels)].some((c) => c.email);
    if (needsMail && !wo.smtp) ctx.addIssue({ code: 'custom', path: ['smtp'], message: 'an e-mail channel is configured but smtp is not' });
  });

export type WorkOrderConfig = z.output<typeof workOrderConfigSchema>;
export type ContractorConfig = WorkOrderConfig['contractors'][number];
export type { ChannelsConfig } from '../dispatch/index.ts';
export type EscalationContact = WorkOrderConfig['escalation']['contacts'][number];
export type MaintenanceSchedule = WorkOrderConfig['maintenance'][number];
export type DispatchConfig = WorkOrderConfig['dispatch'];
export type SlaTable = WorkOrderConfig['sla'];
