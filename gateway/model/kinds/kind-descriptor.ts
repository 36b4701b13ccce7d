/**
 * What a device kind is, as data: its canonical points (type, unit, labels in both languages, enum
 * labels), the conditions that make a device of the kind "in alarm" or "faulted", how comms loss
 * counts for uptime, whether it is life-safety equipment and which rule pack it starts with.
 * Everything that speaks of a kind (config checks, device condition, uptime, reports, the
 * dashboard via GET /api/site) reads these descriptors; nothing else says what "faulted" means.
 * Imports nothing of ours.
 */

export type PointType = 'number' | 'boolean' | 'enum' | 'string';

/** A text in both languages the site staff read. */
export interface Labels {
  readonly en: string;
  readonly 'zh-CN': string;
}

export interface PointDef {
  readonly name: string;
  readonly type: PointType;
  readonly unit?: string;
  /** Allowed values for `enum` points. */
  readonly values?: readonly string[];
  readonly description: string;
  /** Display name of the point. */
  readonly label?: Labels;
  /** Display names of `enum` values (and of `true`/`false` for booleans when they say more than yes/no). */
  readonly valueLabels?: Readonly<Record<string, Labels>>;
}

export type ConditionValue = number | boolean | string;

/**
 * One condition on the latest value of a point: `{ point: fault_code, ne: 0 }`. `point` may hold
 * `*` for one name segment (`zone_*_state`: any zone).
 */
export interface PointCondition {
  readonly point: string;
  readonly eq?: ConditionValue;
  readonly ne?: ConditionValue;
}

/** A point condition, or `{ all: [...] }` when several must hold at once (entrapment). */
export type KindCondition = PointCondition | { readonly all: readonly PointCondition[] };

export type CommsPolicy = 'down' | 'separate';

/** Points repeated per detection zone (fire panels): `zone_<n>_state`. */
export interface ZonePoints {
  /** Point name with `{n}` for the 1-based zone number. */
  readonly pattern: string;
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly description: string;
  readonly label: Labels;
  readonly valueLabels?: Readonly<Record<string, Labels>>;
}

/**
 * An action an operator may send to a device of the kind (reset a pump trip, silence a panel's
 * sounder, send a lift home). The kind names it and says what it means; each device binding maps
 * it to a protocol write (Modbus coil or register, OPC UA write or method call). Commands on
 * life-safety devices, or marked `lifeSafety`, are refused unless the site allows them.
 */
export interface CommandDef {
  readonly name: string;
  readonly label: Labels;
  readonly description: string;
  /** Affects life-safety equipment even on a kind that is not (refused unless the site allows it). */
  readonly lifeSafety?: boolean;
}

export interface KindDescriptor {
  readonly kind: string;
  readonly label: Labels;
  /** Silence or garbage from it is itself a danger (fire, smoke): comms loss raises trouble, counts as down. */
  readonly lifeSafety: boolean;
  readonly points: readonly PointDef[];
  readonly zones?: ZonePoints;
  /** Any of these holding: the device signals an emergency (fire, smoke, entrapment). */
  readonly inAlarm: readonly KindCondition[];
  /** Any of these holding: the device is faulted (unplanned down). */
  readonly fault: readonly PointCondition[];
  /** Uptime defaults: what counts as down (default: `fault`) and how comms-lost time counts. */
  readonly uptime: { readonly down: readonly PointCondition[]; readonly comms: CommsPolicy };
  /** Default rule pack (file name under config/rule-packs/ without .yaml), if any. */
  readonly rulePack?: string;
  /** What an operator may command devices of this kind to do (mapped to writes by each binding). */
  readonly commands?: readonly CommandDef[];
}

/** The descriptor of a kind, for modules to declare: `uptime.down` defaults to the fault conditions. */
export function defineKind(d: Omit<KindDescriptor, 'uptime'> & { uptime?: Partial<KindDescriptor['uptime']> }): KindDescriptor {
  return {
    ...d,
    uptime: { down: d.uptime?.down ?? d.fault, comms: d.uptime?.comms ?? (d.lifeSafety ? 'down' : 'separate') },
  };
}

export const l = (en: string, zh: string): Labels => ({ en, 'zh-CN': zh });
