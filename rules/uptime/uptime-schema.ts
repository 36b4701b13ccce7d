/**
 * The `uptime:` section of the site config: what makes each kind "down", how comms-lost time
 * counts, the availability targets, the ledger's heartbeat and retention, the monthly report.
 * Every field has a default, so a site file without `uptime:` gets the contract's 98 % rules.
 */
import { z } from 'zod';
import { BUILTIN_KINDS, DEVICE_KINDS, kindDescriptor, pointsOf, type BuiltinKind, type DeviceKind } from '../../gateway/model/kinds/index.ts';
import { duration } from '../../gateway/platform/config-primitives.ts';

const conditionValue = z.union([z.number(), z.boolean(), z.string()]);

/** One "down" condition on the latest value of a point: `{ point: fault_code, ne: 0 }`. */
export const downConditionSchema = z
  .object({
    /** Canonical point name; fire panels may write `zone_*_state` for "any zone". */
    point: z.string().min(1),
    eq: conditionValue.optional(),
    ne: conditionValue.optional(),
  })
  .strict()
  .refine((c) => (c.eq === undefined) !== (c.ne === undefined), { message: 'give exactly one of "eq" or "ne"' });

export type DownCondition = z.output<typeof downConditionSchema>;

/**
 * `down`: comms-lost (and gateway-down) time counts as unplanned downtime.
 * `separate`: it is reported on its own and left out of the availability period.
 */
export const COMMS_POLICIES = ['down', 'separate'] as const;
export type CommsPolicy = (typeof COMMS_POLICIES)[number];

const percent = z.number().min(0).max(100);

interface KindDefaults {
  readonly down: readonly DownCondition[];
  readonly comms: CommsPolicy;
}

/** The defaults come from the kind descriptors (gateway/model/kinds/), documented in rules/uptime/README.md. */
export const KIND_DEFAULTS: Record<BuiltinKind, KindDefaults> = Object.fromEntries(
  DEVICE_KINDS.map((k) => [k, { down: BUILTIN_KINDS[k].uptime.down, comms: BUILTIN_KINDS[k].uptime.comms }]),
) as Record<BuiltinKind, KindDefaults>;

const ZONE_POINT = /^zone_(\d+|\*)_state$/;

/** Whether `point` names a canonical point of `kind` (fire-panel zones by pattern). */
export function isKnownPoint(kind: DeviceKind, point: string): boolean {
  if (kind === 'fire_panel' && ZONE_POINT.test(point)) return true;
  return pointsOf(kind).some((p) => p.name === point);
}

function kindPolicySchema(kind: BuiltinKind) {
  const defaults = KIND_DEFAULTS[kind];
  return z
    .object({
      down: z.array(downConditionSchema).default(() => defaults.down.map((c) => ({ ...c }))),
      comms: z.enum(COMMS_POLICIES).default(defaults.comms),
      /** Availability target for this kind, in percent (default: `targets.defaultPct`). */
      targetPct: percent.optional(),
    })
    .strict()
    .superRefine((policy, ctx) => {
      policy.down.forEach((c, i) => {
        if (!isKnownPoint(kind, c.point)) {
          const known = pointsOf(kind).map((p) => p.name);
          if (kind === 'fire_panel') known.unshift('zone_<n>_state', 'zone_*_state');
          ctx.addIssue({ code: 'custom', path: ['down', i, 'point'], message: `${kind} has no point "${c.point}" (known: ${known.join(', ')})` });
        }
      });
    })
    .prefault({});
}

const kindsShape = Object.fromEntries(DEVICE_KINDS.map((k) => [k, kindPolicySchema(k)])) as {
  [K in BuiltinKind]: ReturnType<typeof kindPolicySchema>;
};

export const uptimeSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Per kind: the down conditions, the comms-lost policy, an optional target. */
    kinds: z.object(kindsShape).strict().prefault({}),
    targets: z
      .object({
        /** Availability every device must reach unless its kind or itself says otherwise. */
        defaultPct: percent.default(98),
        /** Share of devices in good order right now that the fleet must reach. */
        fleetPct: percent.default(95),
      })
      .strict()
      .prefault({}),
    /** Per-device overrides: `{ elev-b1-1: { targetPct: 99 } }`. */
    devices: z
      .record(z.string(), z.object({ targetPct: percent.optional(), comms: z.enum(COMMS_POLICIES).optional() }).strict())
      .default({}),
    /** How often the ledger records "the gateway is alive" (bounds the unknown gap after a crash). */
    heartbeatEvery: duration.default(30_000),
    /** How long intervals and generated reports are kept (service records: at least 5 years). */
    retentionYears: z.number().int().min(1).max(100).default(5),
    /** How often retention pruning runs. */
    pruneEvery: duration.default(86_400_000),
    monthlyReport: z
      .object({
        enabled: z.boolean().default(true),
        /** Generate this long after local midnight on the 1st (the month just ended). */
        after: duration.default(600_000),
        formats: z.array(z.enum(['json', 'csv', 'html'])).min(1).default(['json', 'csv', 'html']),
        /** Languages of the HTML report. */
        languages: z.array(z.enum(['en', 'zh-CN'])).min(1).default(['zh-CN', 'en']),
        /** Worst offenders listed. */
        top: z.number().int().min(1).max(100).default(5),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type UptimeConfig = z.output<typeof uptimeSchema>;
export type UptimeConfigInput = z.input<typeof uptimeSchema>;
export type KindPolicy = UptimeConfig['kinds'][BuiltinKind];

/** The uptime policy of a kind: the `uptime.kinds` entry of a built-in kind, a site kind's own descriptor defaults. */
export function kindPolicyOf(config: UptimeConfig, kind: DeviceKind): KindPolicy {
  const own = (config.kinds as Partial<Record<string, KindPolicy>>)[kind];
  if (own) return own;
  const d = kindDescriptor(kind);
  return { down: d.uptime.down.map((c) => ({ ...c })), comms: d.uptime.comms };
}

/** Problems with references from `uptime` to devices (checked once the device list is known). */
export function uptimeReferenceIssues(config: UptimeConfig, deviceIds: readonly string[]): Array<{ path: string; message: string }> {
  const known = new Set(deviceIds);
  return Object.keys(config.devices)
    .filter((id) => !known.has(id))
    .map((id) => ({ path: `uptime.devices.${id}`, message: `no device "${id}" is declared in devices` }));
}
