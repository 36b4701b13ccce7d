import { isDeviceKind, pointsOf } from '../../gateway/model/device-kinds.ts';
import type { Sample } from '../../gateway/model/sample.ts';
import type { DeviceModel } from './device-model.ts';

/**
 * The samples a gateway would derive from one report of `model` at `ts`: the canonical points of
 * its kind only (extra payload fields such as a door's heartbeat are not points).
 */
export function modelSamples(model: DeviceModel & { zones?: number }, ts: number): Sample[] {
  const report = model.report();
  const out: Sample[] = [];
  if (!isDeviceKind(model.kind)) return out;
  for (const def of pointsOf(model.kind, { zones: model.zones ?? 0 })) {
    const value = report[def.name];
    if (value !== undefined) out.push({ device: model.id, point: def.name, value, ts, quality: 'good' });
  }
  return out;
}
