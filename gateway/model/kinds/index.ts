/**
 * The device kinds, one descriptor each (one file per kind beside this one). Adding a kind is a
 * file and one line in BUILTIN_KINDS. Rules, reports, storage and simulators speak of the kinds'
 * canonical points (`pump.discharge_bar`), never of registers or topics.
 */
import { accessDoor } from './access-door.ts';
import { elevator } from './elevator.ts';
import { firePanel } from './fire-panel.ts';
import type { KindDescriptor, PointDef } from './kind-descriptor.ts';
import { pump } from './pump.ts';
import { smokeDetector } from './smoke-detector.ts';

export type { CommandDef, CommsPolicy, ConditionValue, KindCondition, KindDescriptor, Labels, PointCondition, PointDef, PointType, ZonePoints } from './kind-descriptor.ts';
export { ELEVATOR_DIRECTIONS } from './elevator.ts';
export { FIRE_ZONE_STATES, type FireZoneState } from './fire-panel.ts';
export { DOOR_EVENTS } from './access-door.ts';

export const DEVICE_KINDS = ['elevator', 'fire_panel', 'pump', 'access_door', 'smoke_detector'] as const;
/** The kinds this build knows without a site file. */
export type BuiltinKind = (typeof DEVICE_KINDS)[number];
/** A device kind: a built-in one or one a site declares in its `kinds:` section. */
export type DeviceKind = string;

export const BUILTIN_KINDS: Readonly<Record<BuiltinKind, KindDescriptor>> = {
  elevator,
  fire_panel: firePanel,
  pump,
  access_door: accessDoor,
  smoke_detector: smokeDetector,
};

/**
 * The kinds known in this process: the built-in ones, plus those a site file declares (`kinds:`),
 * registered when the file is validated (gateway/config/load-config.ts). A site kind needs no code.
 */
const registry = new Map<string, KindDescriptor>(Object.values(BUILTIN_KINDS).map((d) => [d.kind, d]));

/** Make a site's own kinds known (a kind of the same name declared before is replaced). Built-in kinds cannot be redefined. */
export function registerSiteKinds(kinds: readonly KindDescriptor[]): void {
  for (const d of kinds) {
    if (isBuiltinKind(d.kind)) throw new Error(`kind "${d.kind}" is built in and cannot be redeclared`);
    registry.set(d.kind, d);
  }
}

export function isBuiltinKind(kind: string): kind is BuiltinKind {
  return (DEVICE_KINDS as readonly string[]).includes(kind);
}

/** The descriptor of a known kind (throws for a kind nobody declared: config validation refuses those first). */
export function kindDescriptor(kind: DeviceKind): KindDescriptor {
  const d = registry.get(kind);
  if (!d) throw new Error(`unknown device kind "${kind}" (known: ${[...registry.keys()].join(', ')})`);
  return d;
}

/** Every known kind, built-in ones first. */
export function allKinds(): KindDescriptor[] {
  return [...registry.values()];
}

/** Kinds whose silence or garbage is itself a danger: unreadable data from them is a trouble condition. */
export const LIFE_SAFETY_KINDS: { has(kind: DeviceKind): boolean } = {
  has: (kind) => registry.get(kind)?.lifeSafety === true,
};

/** Name of the state point of fire zone `n` (1-based). */
export function fireZonePoint(n: number): string {
  return (firePanel.zones?.pattern ?? 'zone_{n}_state').replace('{n}', String(n));
}

export interface KindOptions {
  /** Number of detection zones (kinds with zone points). */
  readonly zones?: number;
  /** Vendor points one device declares beside its kind's canonical ones (`devices[].points`). */
  readonly extra?: readonly PointDef[];
}

/** What the points of one device depend on: its kind, its zones, its vendor points. */
export interface DevicePointsSpec {
  readonly kind: DeviceKind;
  readonly zones?: number | undefined;
  readonly extraPoints?: readonly PointDef[] | undefined;
}

/** Every point of one device: zone points, the kind's canonical points, then its vendor points. */
export function pointsOfDevice(d: DevicePointsSpec): readonly PointDef[] {
  return pointsOf(d.kind, { ...(d.zones === undefined ? {} : { zones: d.zones }), ...(d.extraPoints ? { extra: d.extraPoints } : {}) });
}

/** The canonical points of one device of `kind` (zone points first, for kinds that have zones). */
export function pointsOf(kind: DeviceKind, options: KindOptions = {}): readonly PointDef[] {
  return pointsOfDescriptor(kindDescriptor(kind), options);
}

export function pointsOfDescriptor(d: KindDescriptor, options: KindOptions = {}): readonly PointDef[] {
  const z = d.zones;
  if (!z) return options.extra && options.extra.length > 0 ? [...d.points, ...options.extra] : d.points;
  const zones: PointDef[] = [];
  for (let n = 1; n <= (options.zones ?? 0); n++) {
    const sub = (s: string): string => s.replaceAll('{n}', String(n));
    zones.push({
      name: sub(z.pattern),
      type: z.type,
      values: z.values,
      description: sub(z.description),
      label: { en: sub(z.label.en), 'zh-CN': sub(z.label['zh-CN']) },
      ...(z.valueLabels ? { valueLabels: z.valueLabels } : {}),
    });
  }
  return [...zones, ...d.points, ...(options.extra ?? [])];
}

/** The zone number of a zone point (`zone_3_state` → 3), or undefined. */
export function zoneOfPoint(kind: DeviceKind, point: string): number | undefined {
  const z = registry.get(kind)?.zones;
  if (!z) return undefined;
  const [before, after] = z.pattern.split('{n}') as [string, string];
  if (!point.startsWith(before) || !point.endsWith(after)) return undefined;
  const n = Number(point.slice(before.length, point.length - after.length));
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** Whether `value` names a known kind (built in, or declared by a site file loaded in this process). */
export function isDeviceKind(value: string): value is DeviceKind {
  return registry.has(value);
}
