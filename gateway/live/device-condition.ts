/**
 * The one definition of a device's condition, computed by the gateway from the kind descriptor,
 * the latest point values with their quality, the connector's comms state and the operator-set
 * mode. The API and the live stream serve it; the dashboard only draws it.
 *
 * Order (the first that holds wins):
 * 1. `in_alarm`: a kind's in-alarm condition holds on a value that was read (a zone in fire, a
 *    smoke alarm, a possible entrapment). An active fire is never drawn as anything else.
 * 2. `maintenance`: an operator put the device in maintenance or out of service.
 * 3. `comms_lost`: the connector lost the device (a `comms lost` sample).
 * 4. `fault`: a kind's fault condition holds.
 * 5. `unknown`: nothing read yet, or a point the conditions read has no trustworthy value (null,
 *    uncertain or bad): the gateway cannot say the device is normal.
 * 6. `normal`.
 */
import { compileConditions, pointConditions, pointPattern } from '../model/kinds/kind-condition.ts';
import type { KindDescriptor } from '../model/kinds/index.ts';
import type { PointValue, Quality } from '../model/sample.ts';

export const DEVICE_CONDITIONS = ['in_alarm', 'fault', 'comms_lost', 'maintenance', 'normal', 'unknown'] as const;
export type DeviceConditionName = (typeof DEVICE_CONDITIONS)[number];

export interface DeviceCondition {
  readonly condition: DeviceConditionName;
  /** Why: `zone_3_state=fire`, `comms lost`, `zone_2_state not yet read`, ... */
  readonly reason: string;
}

/** The connector's view of the device: unknown before any sample, lost on a `comms lost` sample, ok on a good one. */
export type CommsState = 'unknown' | 'ok' | 'lost';

export interface ConditionInput {
  readonly comms: CommsState;
  /** The latest state of each point read (the live view's own map: the rule only reads it). */
  readonly points: ReadonlyMap<string, ConditionPoint>;
  /** Operator-set mode (`in_service` when absent). */
  readonly mode?: string;
  /** Names of every canonical point of the device (zones expanded). */
  readonly pointNames: readonly string[];
}

export interface ConditionPoint {
  readonly value: PointValue | null;
  readonly quality: Quality;
  readonly reason?: string;
}

export type ConditionRule = (input: ConditionInput) => DeviceCondition;

/**
 * The values the kind's conditions may trust, read through from the point map: a bad-quality
 * value counts as no value. A view, not a copy: the rule runs for every device a batch touches,
 * and copying each device's points into an object and then a map per batch was about half of the
 * live view's 14 % of the main thread at 10,000 msg/s (#20, perf).
 */
class ReadableValues {
  points: ReadonlyMap<string, ConditionPoint> = new Map();

  get(name: string): PointValue | null | undefined {
    const p = this.points.get(name);
    return p === undefined ? undefined : p.quality === 'bad' ? null : p.value;
  }

  *entries(): IterableIterator<[string, PointValue | null]> {
    for (const [name, p] of this.points) yield [name, p.quality === 'bad' ? null : p.value];
  }
}

/** Compile the condition rule of one kind once; call it per device and update. */
export function compileDeviceCondition(kind: KindDescriptor): ConditionRule {
  const inAlarm = compileConditions(kind.inAlarm);
  const fault = compileConditions(kind.fault);
  const watched = pointConditions([...kind.inAlarm, ...kind.fault]).map((c) => ({ name: c.point, pattern: pointPattern(c.point) }));
  // the watched points of a device, by its list of point names (the same array on every call)
  const watchedOf = new WeakMap<readonly string[], readonly string[]>();
  const values = new ReadableValues();
  return (input) => {
    values.points = input.points;
    const alarm = inAlarm(values);
    if (alarm) return { condition: 'in_alarm', reason: alarm };
    const mode = input.mode ?? 'in_service';
    if (mode !== 'in_service') return { condition: 'maintenance', reason: mode.replaceAll('_', ' ') };
    if (input.comms === 'lost') return { condition: 'comms_lost', reason: 'comms lost' };
    const faulted = fault(values);
    if (faulted) return { condition: 'fault', reason: faulted };
    if (input.comms === 'unknown') return { condition: 'unknown', reason: 'nothing read yet' };
    let watchedNames = watchedOf.get(input.pointNames);
    if (watchedNames === undefined) {
      watchedNames = input.pointNames.filter((n) => watched.some((w) => (w.pattern ? w.pattern.test(n) : w.name === n)));
      watchedOf.set(input.pointNames, watchedNames);
    }
    const untrusted = watchedNames.filter((n) => {
      const p = input.points.get(n);
      return p === undefined || p.value === null || p.quality !== 'good';
    });
    if (untrusted.length > 0) {
      const first = untrusted[0] as string;
      const p = input.points.get(first);
      const why = p === undefined || p.value === null ? (p?.reason ?? 'not yet read') : `${p.quality}${p.reason ? `: ${p.reason}` : ''}`;
      return { condition: 'unknown', reason: `${first} ${why}${untrusted.length > 1 ? ` (+${untrusted.length - 1} more)` : ''}` };
    }
    return { condition: 'normal', reason: 'normal' };
  };
}
