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

export type { CommsPolicy, ConditionValue, KindCondition, KindDescriptor, Labels, PointCondition, PointDef, PointType, ZonePoints } from './kind-descriptor.ts';
export { ELEVATOR_DIRECTIONS } from './elevator.ts';
export { FIRE_ZONE_STATES, type FireZoneState } from './fire-panel.ts';
export { DOOR_EVENTS } from './access-door.ts';

export const DEVICE_KINDS = ['elevator', 'fire_panel', 'pump', 'access_door', 'smoke_detector'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const BUILTIN_KINDS: Readonly<Record<DeviceKind, KindDescriptor>> = {
  elevator,
  fire_panel: firePanel,
  pump,
  access_door: accessDoor,
  smoke_detector: smokeDetector,
};

export function kindDescriptor(kind: DeviceKind): KindDescriptor {
  return BUILTIN_KINDS[kind];
}

/** Kinds whose silence or garbage is itself a danger: unreadable data from them is a trouble condition. */
export const LIFE_SAFETY_KINDS: ReadonlySet<DeviceKind> = new Set(DEVICE_KINDS.filter((k) => BUILTIN_KINDS[k].lifeSafety));

/** Name of the state point of fire zone `n` (1-based). */
export function fireZonePoint(n: number): string {
  return (firePanel.zones?.pattern ?? 'zone_{n}_state').replace('{n}', String(n));
}

export interface KindOptions {
  /** Number of detection zones (kinds with zone points). */
  readonly zones?: number;
}

/** The canonical points of one device of `kind` (zone points first, for kinds that have zones). */
export function pointsOf(kind: DeviceKind, options: KindOptions = {}): readonly PointDef[] {
  return pointsOfDescriptor(BUILTIN_KINDS[kind], options);
}

export function pointsOfDescriptor(d: KindDescriptor, options: KindOptions = {}): readonly PointDef[] {
  const z = d.zones;
  if (!z) return d.points;
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
  return [...zones, ...d.points];
}

/** The zone number of a zone point (`zone_3_state` → 3), or undefined. */
export function zoneOfPoint(kind: DeviceKind, point: string): number | undefined {
  const z = BUILTIN_KINDS[kind].zones;
  if (!z) return undefined;
  const [before, after] = z.pattern.split('{n}') as [string, string];
  if (!point.startsWith(before) || !point.endsWith(after)) return undefined;
  const n = Number(point.slice(before.length, point.length - after.length));
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

export function isDeviceKind(value: string): value is DeviceKind {
  return (DEVICE_KINDS as readonly string[]).includes(value);
}
