/**
 * Rule configuration (zod): the `rules:`, `rulePacks:` and `alarms:` sections of the site file and
 * the files under config/rule-packs/. Conditions are data; nothing here is evaluated as code.
 */
import { z } from 'zod';
import { kindName } from '../../../gateway/model/kinds/kind-name.ts';
import { tlsClientSchema } from '../../../gateway/platform/tls-client.ts';
import { parseDuration } from '../../../gateway/platform/duration.ts';
import { escalationSchema } from '../escalation-schema.ts';
import { procedureSchema } from './procedure-schema.ts';
import { handoverSchema } from './handover-schema.ts';

/** `30s`, `5m`, or milliseconds; yields milliseconds. */
export const ruleDuration = z
  .union([z.string(), z.number().nonnegative()])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 500ms, 30s, 15m or 2h, got "${value}"` });
      return z.NEVER;
    }
    return ms;
  });

export const ruleId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected letters, digits, "_", "." or "-" (starting with a letter or digit)');

/** A point name, or a pattern with one `*` (`zone_*_state`) matching several points of the device. */
const pointRef = z
  .string()
  .regex(/^[a-z0-9_]*\*?[a-z0-9_]*$/, 'expected a point name such as discharge_bar, or a pattern with one "*" such as zone_*_state');

const scalar = z.union([z.number(), z.boolean(), z.string()]);

export const thresholdCondition = z
  .object({
    type: z.literal('threshold'),
    point: pointRef,
    /** Active while value > above. */
    above: z.number().optional(),
    /** Active while value < below. */
    below: z.number().optional(),
    /** Active while value is outside [min, max]. */
    outside: z.tuple([z.number(), z.number()]).optional(),
    /** Hysteresis: once active, the value must come back inside by this much to clear. */
    deadband: z.number().nonnegative().default(0),
  })
  .superRefine((c, ctx) => {
    const set = [c.above, c.below, c.outside].filter((v) => v !== undefined).length;
    if (set !== 1) ctx.addIssue({ code: 'custom', message: 'a threshold needs exactly one of above, below or outside', path: ['above'] });
    if (c.outside && c.outside[0] > c.outside[1]) ctx.addIssue({ code: 'custom', message: 'outside: [min, max] with min <= max', path: ['outside'] });
  });

export const stateCondition = z
  .object({
    type: z.literal('state'),
    point: pointRef,
    /** Active while the value equals this. */
    equals: scalar.optional(),
    /** Active while the value is one of these. */
    in: z.array(scalar).min(1).optional(),
    /** Active while the value is not this. */
    not: scalar.optional(),
  })
  .superRefine((c, ctx) => {
    const set = [c.equals, c.in, c.not].filter((v) => v !== undefined).length;
    if (set !== 1) ctx.addIssue({ code: 'custom', message: 'a state condition needs exactly one of equals, in or not', path: ['equals'] });
  });

export const rateCondition = z
  .object({
    type: z.literal('rate'),
    point: pointRef,
    /** Samples older than this are forgotten; the rate is (newest - oldest) / elapsed within it. */
    window: ruleDuration,
    /** Active while the rate, in units per minute, is above this. */
    abovePerMinute: z.number().optional(),
    /** Active while the rate, in units per minute, is below this (a fall: use a negative number). */
    belowPerMinute: z.number().optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.abovePerMinute === undefined) === (c.belowPerMinute === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a rate condition needs exactly one of abovePerMinute or belowPerMinute', path: ['abovePerMinute'] });
    }
  });

export const counterCondition = z.object({
  type: z.literal('counter'),
  point: pointRef,
  window: ruleDuration,
  /** Active while the counter rose by at least this within the window (a counter reset counts from 0). */
  increaseBy: z.number().positive(),
});

export const staleCondition = z.object({
  type: z.literal('stale'),
  /** Point to watch; without it, any point of the device (comms lost). */
  point: pointRef.optional(),
  /** Active when no good-quality sample arrived for this long. */
  after: ruleDuration,
});

export type ThresholdCondition = z.output<typeof thresholdCondition>;
export type StateCondition = z.output<typeof stateCondition>;
export type RateCondition = z.output<typeof rateCondition>;
export type CounterCondition = z.output<typeof counterCondition>;
export type StaleCondition = z.output<typeof staleCondition>;
export type LeafCondition = ThresholdCondition | StateCondition | RateCondition | CounterCondition | StaleCondition;
export interface AllCondition {
  type: 'all';
  of: Condition[];
}
export interface AnyCondition {
  type: 'any';
  of: Condition[];
}
export type Condition = LeafCondition | AllCondition | AnyCondition;

export const conditionSchema: z.ZodType<Condition, unknown> = z.lazy(() =>
  z.discriminatedUnion('type', [
    thresholdCondition,
    stateCondition,
    rateCondition,
    counterCondition,
    staleCondition,
    z.object({ type: z.literal('all'), of: z.array(conditionSchema).min(1) }),
    z.object({ type: z.literal('any'), of: z.array(conditionSchema).min(1) }),
  ]),
) as z.ZodType<Condition, unknown>;

/**
 * `confirm` (top level of a rule only): N of the independent sources in one area raised by the
 * listed rules within `window` → this rule's alarm for the area (GB 50116 §4.1.6: fire linkage on
 * two independent detectors). The single-source alarms still show at once; this one follows.
 */
export const confirmCondition = z.object({
  type: z.literal('confirm'),
  /** Rule ids (as written; a perPoint rule counts each of its points) whose condition is an alarm signal. */
  rules: z.array(ruleId).min(1),
  /** Independent sources needed (GB 50116: 2). */
  count: z.number().int().min(2).default(2),
  /** The sources' alarm signals must start within this span of each other. */
  window: ruleDuration,
  /** What is independent: a device, or each zone (point) of a device (a fire panel's zones). */
  independent: z.enum(['device', 'zone']).default('device'),
  /** The area the sources must share (the alarm's subject): a building or a floor. */
  area: z.enum(['building', 'floor']).default('building'),
});
export type ConfirmCondition = z.output<typeof confirmCondition>;

/** A rule's `when`: a condition, or `confirm` (top level only). One discriminated union, so errors name the field. */
const whenSchema = z.lazy(() =>
  z.discriminatedUnion('type', [
    confirmCondition,
    thresholdCondition,
    stateCondition,
    rateCondition,
    counterCondition,
    staleCondition,
    z.object({ type: z.literal('all'), of: z.array(conditionSchema).min(1) }),
    z.object({ type: z.literal('any'), of: z.array(conditionSchema).min(1) }),
  ]),
) as unknown as z.ZodType<Condition | ConfirmCondition, unknown>;

export const scopeSchema = z
  .object({
    kind: kindName.optional(),
    /** Every kind (comms loss for every device). */
    allKinds: z.boolean().optional(),
    devices: z.array(ruleId).min(1).optional(),
    building: ruleId.optional(),
    floor: ruleId.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.kind === undefined && s.devices === undefined && s.allKinds !== true) {
      ctx.addIssue({ code: 'custom', message: 'a scope needs a kind, a device list, or allKinds: true', path: ['kind'] });
    }
  });

export const workOrderHintSchema = z.object({
  trade: z.string().min(1),
  priority: z.number().int().min(1).max(4),
});

export const ruleSchema = z.object({
  id: ruleId,
  /** Title shown to operators; `{match}` is replaced by the zone number of an expanded point. */
  title: z.string().min(1),
  enabled: z.boolean().default(true),
  scope: scopeSchema,
  /** A condition on the device's points, or `confirm` over other rules' alarm signals. */
  when: whenSchema,
  /** For a pattern point (`zone_*_state`): one alarm per matching point instead of one per device. */
  perPoint: z.boolean().default(false),
  onDelay: ruleDuration.default(0),
  offDelay: ruleDuration.default(0),
  priority: z.number().int().min(1).max(4),
  /** Life-safety alarms stay until acknowledged and reset by an operator. */
  latching: z.boolean().default(false),
  /**
   * A life-safety alarm (fire, smoke, entrapment): shelved only under `alarms.shelving.lifeSafety`
   * (by default only by an admin, with a reason, for at most 30 min), and shown in the console's
   * strip while shelved or suppressed.
   */
  lifeSafety: z.boolean().default(false),
  /**
   * Consequential alarm (ISA-18.2 parent-child suppression): while an alarm of one of these rules
   * (ids as written, e.g. `elevator.entrapment`) is active on the same device, this one is grouped
   * under it (`parent`), recorded but not announced, and its work order is the parent's.
   */
  groupUnder: z.array(ruleId).default([]),
  workOrder: workOrderHintSchema.optional(),
  /** Response procedure: cause, consequence, the operator's steps and whom to call (zh-CN and English). */
  procedure: procedureSchema.optional(),
});

export type RuleConfig = z.output<typeof ruleSchema>;
export type RuleConfigInput = z.input<typeof ruleSchema>;

export const rulePackFileSchema = z.object({
  pack: ruleId,
  description: z.string().optional(),
  rules: z.array(ruleSchema).min(1),
});
export type RulePackFile = z.output<typeof rulePackFileSchema>;

/** Who may shelve an alarm (operators and admins; admins only; nobody) and for how long at most. */
export const shelvePolicySchema = z.object({
  who: z.enum(['operator', 'admin', 'nobody']),
  /** Longest shelf under this policy (default `alarms.maxShelve`). */
  max: ruleDuration.optional(),
});
export type ShelvePolicy = z.output<typeof shelvePolicySchema>;

export const alarmSettingsSchema = z.object({
  /** Meaning of each priority, shown with every alarm. */
  priorities: z
    .object({ 1: z.string(), 2: z.string(), 3: z.string(), 4: z.string() })
    .default({
      1: 'Emergency: life safety, respond immediately',
      2: 'High: respond within 15 minutes',
      3: 'Medium: respond within the shift',
      4: 'Low: plan in maintenance',
    }),
  chatter: z
    .object({ transitions: z.number().int().min(2).default(3), window: ruleDuration.default(60_000) })
    .prefault({}),
  /** Alarm flood: more than `alarms` started within `window`, counted per building and per site. */
  flood: z
    .object({ alarms: z.number().int().min(1).default(10), window: ruleDuration.default(600_000) })
    .prefault({}),
  /** Longest shelf an operator may set (alarms not covered by `shelving`). */
  maxShelve: ruleDuration.default(7 * 86_400_000),
  /**
   * Who may shelve what, for how long. The first that applies wins: `rules[<rule id>]`, then
   * `lifeSafety` (for rules marked `lifeSafety`), then `priorities[<priority>]`, then anyone who
   * acts on alarms for at most `maxShelve`.
   */
  shelving: z
    .object({
      lifeSafety: shelvePolicySchema.default({ who: 'admin', max: 30 * 60_000 }),
      priorities: z.partialRecord(z.enum(['1', '2', '3', '4']), shelvePolicySchema).default({ '1': { who: 'admin', max: 30 * 60_000 } }),
      rules: z.record(ruleId, shelvePolicySchema).default({}),
    })
    .prefault({}),
  /**
   * Connection alarms: when every device behind one connector (with at least `minDevices`) is comms
   * lost, one alarm for the connector; its devices' comms alarms are grouped under it.
   */
  connections: z
    .object({
      enabled: z.boolean().default(true),
      minDevices: z.number().int().min(2).default(2),
      priority: z.number().int().min(1).max(4).default(2),
      workOrder: workOrderHintSchema.default({ trade: 'network', priority: 2 }),
    })
    .prefault({}),
  /**
   * Space reserved on disk for alarms and work orders (MiB): a file beside gateway.db, released
   * when a write fails with SQLITE_FULL and written back when the disk has room. 0: none.
   */
  storageReserveMb: z.number().min(0).max(1024).default(4),
  /** Escalation of unacknowledged alarms to an on-call list (rules/alarms/escalation-service.ts). */
  escalation: escalationSchema.prefault({}),
  /** Shift handover: shifts in the site's time zone, how long signed reports are kept (rules/handover/). */
  handover: handoverSchema.prefault({}),
  /** Optional northbound MQTT publication of every alarm event (`<topic>/<site>/<building>/<device>/<type>`). */
  northbound: z
    .object({
      /** Broker URL, or `embedded` for the gateway's own broker. */
      url: z.string().default('embedded'),
      topic: z.string().min(1).default('alarms'),
      username: z.string().optional(),
      password: z.string().optional(),
      /** CA and client certificate for an `mqtts://` broker. */
      tls: tlsClientSchema.optional(),
    })
    .optional(),
});
export type AlarmSettings = z.output<typeof alarmSettingsSchema>;

/** Names of pack files under config/rule-packs/ (without `.yaml`). */
export const rulePacksSchema = z.array(ruleId).default([]);
