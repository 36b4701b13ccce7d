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
import { compileConditions, pointConditions, pointPattern, type PointValues } from '../model/kinds/kind-condition.ts';
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
  readonly points: Readonly<Record<string, { readonly value: PointValue | null; readonly quality: Quality; readonly reason?: string }>>;
  /** Operator-set mode (`in_service` when absent). */
  readonly mode?: string;
  /** Names of every canonical point of the device (zones expanded). */
  readonly pointNames: readonly string[];
}

export type ConditionRule = (input: ConditionInput) => DeviceCondition;

/** Compile the condition rule of one kind once; call it per device and update. */
export function compileDeviceCondition(kind: KindDescriptor): ConditionRule {
  const inAlarm = compileConditions(kind.inAlarm);
  const fault = compileConditions(kind.fault);
  const watched = pointConditions([...kind.inAlarm, ...kind.fault]).map((c) => ({ name: c.point, pattern: pointPattern(c.point) }));
  return (input) => {
    const readable = new Map<string, PointValue | null>();
    for (const [name, p] of Object.entries(input.points)) readable.set(name, p.quality === 'bad' ? null : p.value);
    const values: PointValues = readable;
    const alarm = inAlarm(values);
    if (alarm) return { condition: 'in_alarm', reason: alarm };
    const mode = input.mode ?? 'in_service';
    if (mode !== 'in_service') return { condition: 'maintenance', reason: mode.replaceAll('_', ' ') };
    if (input.comms === 'lost') return { condition: 'comms_lost', reason: 'comms lost' };
    const faulted = fault(values);
    if (faulted) return { condition: 'fault', reason: faulted };
    if (input.comms === 'unknown') return { condition: 'unknown', reason: 'nothing read yet' };
    const untrusted = input.pointNames
      .filter((n) => watched.some((w) => (w.pattern ? w.pattern.test(n) : w.name === n)))
      .filter((n) => {
        const p = input.points[n];
        return p === undefined || p.value === null || p.quality !== 'good';
      });
    if (untrusted.length > 0) {
      const first = untrusted[0] as string;
      const p = input.points[first];
      const why = p === undefined || p.value === null ? (p?.reason ?? 'not yet read') : `${p.quality}${p.reason ? `: ${p.reason}` : ''}`;
      return { condition: 'unknown', reason: `${first} ${why}${untrusted.length > 1 ? ` (+${untrusted.length - 1} more)` : ''}` };
    }
    return { condition: 'normal', reason: 'normal' };
  };
}
