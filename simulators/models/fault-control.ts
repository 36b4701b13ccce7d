/**
 * Turning faults on and off on models, the same way for every kind. `offline` (the device drops off
 * the network) is known to every kind; the rest come from each model's catalogue. Overlapping
 * intervals of the same fault on the same device are counted, so the fault ends with the last one.
 */
import type { DeviceModel } from './device-model.ts';

export const OFFLINE = 'offline';

/** The key a fault is tracked under: `cavitation`, or `zone_fire:3` for zone faults. */
export function faultKey(fault: string, zone?: number): string {
  return zone === undefined ? fault : `${fault}:${zone}`;
}

/** Why `key` is not a fault of `model`, or undefined when it is one. */
export function faultProblem(model: DeviceModel & { zones?: number }, key: string): string | undefined {
  if (key === OFFLINE) return undefined;
  const [name = '', zoneText] = key.split(':');
  if (!model.faults.includes(name)) {
    return `device "${model.id}" (${model.kind}) has no fault "${name}" (known: ${[...model.faults, OFFLINE].join(', ')})`;
  }
  if (name.startsWith('zone_')) {
    const zone = Number(zoneText);
    if (zoneText === undefined) return `fault "${name}" of device "${model.id}" needs a zone`;
    if (!Number.isInteger(zone) || zone < 1 || zone > (model.zones ?? 0)) {
      return `device "${model.id}" has no zone ${zoneText} (zones 1..${model.zones ?? 0})`;
    }
  } else if (zoneText !== undefined) {
    return `fault "${name}" takes no zone`;
  }
  return undefined;
}

export class FaultControl {
  private readonly counts = new Map<string, number>();

  /** Start one interval of `key` on `model`; the model is stepped to `now` first. */
  begin(model: DeviceModel, key: string, now: number): void {
    const id = `${model.id}\u0000${key}`;
    const n = this.counts.get(id) ?? 0;
    this.counts.set(id, n + 1);
    if (n > 0) return;
    model.step(now);
    if (key === OFFLINE) model.online = false;
    else model.injectFault(key);
  }

  /** End one interval of `key`; the fault clears when no interval of it remains. */
  end(model: DeviceModel, key: string, now: number): void {
    const id = `${model.id}\u0000${key}`;
    const n = this.counts.get(id) ?? 0;
    if (n === 0) return;
    if (n > 1) {
      this.counts.set(id, n - 1);
      return;
    }
    this.counts.delete(id);
    model.step(now);
    if (key === OFFLINE) model.online = true;
    else model.clearFault(key);
  }

  /** Active fault keys of a device. */
  activeOn(deviceId: string): string[] {
    const prefix = `${deviceId}\u0000`;
    return [...this.counts.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }
}
