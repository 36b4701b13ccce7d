/**
 * The `kinds:` section of a site file: kinds a site adds without code (a chiller, a generator, a
 * water tank), described exactly like the built-in ones (gateway/model/kinds/): points with type,
 * unit, labels and enum labels, in-alarm and fault conditions, uptime defaults, life-safety flag.
 */
import { z } from 'zod';
import { defineKind, type KindDescriptor, type PointDef } from '../model/kinds/kind-descriptor.ts';
import { isBuiltinKind } from '../model/kinds/index.ts';
import { pointPattern } from '../model/kinds/kind-condition.ts';

const name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected lower-case letters, digits and "_", starting with a letter');
const labels = z.strictObject({ en: z.string().min(1), 'zh-CN': z.string().min(1) });
const conditionValue = z.union([z.number(), z.boolean(), z.string()]);
const pointCondition = z
  .strictObject({ point: z.string().min(1), eq: conditionValue.optional(), ne: conditionValue.optional() })
  .refine((c) => (c.eq === undefined) !== (c.ne === undefined), { message: 'give exactly one of "eq" or "ne"' });
const kindCondition = z.union([pointCondition, z.strictObject({ all: z.array(pointCondition).min(2) })]);

/** A point declared in the site file: of a site kind (`kinds[].points`) or a device's vendor point (`devices[].points`). */
export const sitePoint = z
  .strictObject({
    name,
    type: z.enum(['number', 'boolean', 'enum', 'string']),
    unit: z.string().min(1).optional(),
    values: z.array(z.string().min(1)).min(1).optional(),
    description: z.string().optional(),
    label: labels.optional(),
    valueLabels: z.record(z.string(), labels).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.type === 'enum' && p.values === undefined) ctx.addIssue({ code: 'custom', path: ['values'], message: 'an enum point lists its values' });
    if (p.type !== 'enum' && p.values !== undefined) ctx.addIssue({ code: 'custom', path: ['values'], message: 'only enum points have values' });
  });

export const siteKindSchema = z
  .strictObject({
    kind: name,
    label: labels,
    lifeSafety: z.boolean().default(false),
    points: z.array(sitePoint).min(1),
    inAlarm: z.array(kindCondition).default([]),
    fault: z.array(pointCondition).default([]),
    uptime: z.strictObject({ down: z.array(pointCondition).optional(), comms: z.enum(['down', 'separate']).optional() }).optional(),
    rulePack: z.string().min(1).optional(),
    /** Commands operators may send to devices of the kind (each binding maps them to writes). */
    commands: z
      .array(z.strictObject({ name, label: labels, description: z.string().optional(), lifeSafety: z.boolean().optional() }))
      .default([]),
  })
  .superRefine((k, ctx) => {
    const commands = new Set<string>();
    k.commands.forEach((c, i) => {
      if (commands.has(c.name)) ctx.addIssue({ code: 'custom', path: ['commands', i, 'name'], message: `command "${c.name}" is declared twice` });
      commands.add(c.name);
    });
    if (isBuiltinKind(k.kind)) ctx.addIssue({ code: 'custom', path: ['kind'], message: `"${k.kind}" is a built-in kind; give the site's kind its own name` });
    const names = new Set<string>();
    k.points.forEach((p, i) => {
      if (names.has(p.name)) ctx.addIssue({ code: 'custom', path: ['points', i, 'name'], message: `point "${p.name}" is declared twice` });
      names.add(p.name);
    });
    const check = (point: string, path: PropertyKey[]): void => {
      const pattern = pointPattern(point);
      if (![...names].some((n) => (pattern ? pattern.test(n) : n === point))) {
        ctx.addIssue({ code: 'custom', path, message: `${k.kind} has no point "${point}" (declared: ${[...names].join(', ')})` });
      }
    };
    k.inAlarm.forEach((c, i) => ('all' in c ? c.all.forEach((p, j) => check(p.point, ['inAlarm', i, 'all', j, 'point'])) : check(c.point, ['inAlarm', i, 'point'])));
    k.fault.forEach((c, i) => check(c.point, ['fault', i, 'point']));
    k.uptime?.down?.forEach((c, i) => check(c.point, ['uptime', 'down', i, 'point']));
  });

export const siteKindsSchema = z
  .array(siteKindSchema)
  .default([])
  .superRefine((kinds, ctx) => {
    const seen = new Set<string>();
    kinds.forEach((k, i) => {
      if (seen.has(k.kind)) ctx.addIssue({ code: 'custom', path: [i, 'kind'], message: `kind "${k.kind}" is declared twice` });
      seen.add(k.kind);
    });
  });

export type SiteKind = z.output<typeof siteKindSchema>;
export type SitePoint = z.output<typeof sitePoint>;

/** A declared point as the model's PointDef (description defaults to its English label, else its name). */
export function pointDefOf(p: SitePoint): PointDef {
  return Object.fromEntries(Object.entries({ ...p, description: p.description ?? p.label?.en ?? p.name }).filter(([, v]) => v !== undefined)) as unknown as PointDef;
}

/** The vendor points of a raw device entry's `points` (entries that do not parse are left to the schema's own issues). */
export function vendorPointsOf(raw: unknown): PointDef[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((p) => {
    const r = sitePoint.safeParse(p);
    return r.success ? [pointDefOf(r.data)] : [];
  });
}

/** The descriptor of a site-declared kind, shaped like a built-in one. */
export function descriptorOf(k: SiteKind): KindDescriptor {
  const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return defineKind({
    kind: k.kind,
    label: k.label,
    lifeSafety: k.lifeSafety,
    points: k.points.map((p) => clean({ ...p, description: p.description ?? p.label?.en ?? p.name })),
    inAlarm: k.inAlarm.map((c) => ('all' in c ? { all: c.all.map(clean) } : clean(c))),
    fault: k.fault.map(clean),
    ...(k.uptime ? { uptime: clean({ down: k.uptime.down?.map(clean), comms: k.uptime.comms }) } : {}),
    ...(k.rulePack !== undefined ? { rulePack: k.rulePack } : {}),
    ...(k.commands.length > 0 ? { commands: k.commands.map((c) => clean({ ...c, description: c.description ?? c.label.en })) } : {}),
  });
}
