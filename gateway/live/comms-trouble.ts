/**
 * A life-safety device (fire panel, smoke detector, or a site kind marked `lifeSafety`) whose
 * connector reports it comms-lost is a gateway trouble condition at once, cleared by its first good
 * sample: a detector nobody can hear protects no one (GB 25506 allows 100 s to show it).
 */
import type { DeviceInfo } from '../model/device.ts';
import { LIFE_SAFETY_KINDS } from '../model/kinds/index.ts';
import type { TroubleBoard } from '../trouble/trouble-board.ts';
import type { ConditionChange } from './live-view.ts';

export function commsTroubleKey(device: string): string {
  return `device-comms-lost:${device}`;
}

export function raiseCommsTrouble(devices: ReadonlyMap<string, DeviceInfo>, trouble: TroubleBoard): (change: ConditionChange) => void {
  return (change) => {
    const info = devices.get(change.device);
    if (!info || !LIFE_SAFETY_KINDS.has(info.kind)) return;
    const key = commsTroubleKey(change.device);
    if (change.comms === 'lost') trouble.raise(key, info.connector, `${info.name} (${info.id}, ${info.kind}) is comms-lost: its state cannot be seen`, true);
    else trouble.clear(key);
  };
}
