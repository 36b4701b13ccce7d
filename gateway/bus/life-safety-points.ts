/**
 * Which samples take the bus's priority lane: the life-safety points of each device kind (fire
 * zones and panel fault, smoke alarm and tamper, elevator alarm button / entrapment) and every
 * point read by a rule of priority 1 ("Emergency: life safety").
 */
import type { DeviceInfo } from '../model/device.ts';
import type { Sample } from '../model/sample.ts';

const ZONE_STATE = /^zone_\d+_state$/;

/** Whether `point` of a device of `kind` is a life-safety point by the kind's definition. */
export function isLifeSafetyPoint(kind: DeviceInfo['kind'], point: string): boolean {
  switch (kind) {
    case 'fire_panel':
      return point === 'panel_fault' || ZONE_STATE.test(point);
    case 'smoke_detector':
      return point === 'alarm' || point === 'tamper';
    case 'elevator':
      return point === 'alarm_button';
    default:
      return false;
  }
}

export class LifeSafetyPoints {
  private readonly kinds = new Map<string, DeviceInfo['kind']>();
  /** device → points marked by rules; nested, so a lookup per sample builds no key string */
  private readonly extra = new Map<string, Set<string>>();

  constructor(devices: readonly DeviceInfo[]) {
    for (const d of devices) this.kinds.set(d.id, d.kind);
  }

  /** Points marked life-safety by rules (priority 1). */
  add(points: Iterable<{ readonly device: string; readonly point: string }>): void {
    for (const p of points) {
      const marked = this.extra.get(p.device);
      if (marked) marked.add(p.point);
      else this.extra.set(p.device, new Set([p.point]));
    }
  }

  has(s: Pick<Sample, 'device' | 'point'>): boolean {
    const kind = this.kinds.get(s.device);
    if (kind !== undefined && isLifeSafetyPoint(kind, s.point)) return true;
    return this.extra.get(s.device)?.has(s.point) === true;
  }
}
