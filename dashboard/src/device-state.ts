import type { DeviceView } from './api-client.ts';

export type DeviceCondition = 'inService' | 'fault' | 'maintenance' | 'offline';

/** A glance state from live values (the uptime ledger is the authority; this is the live picture). */
export function deviceCondition(d: DeviceView): DeviceCondition {
  if (!d.online) return 'offline';
  const v = (p: string): unknown => d.points[p]?.value;
  switch (d.kind) {
    case 'elevator':
      return v('in_service') === false || (typeof v('fault_code') === 'number' && v('fault_code') !== 0) ? 'fault' : 'inService';
    case 'pump':
      return v('tripped') === true ? 'fault' : 'inService';
    case 'fire_panel':
      return v('panel_fault') === true || Object.entries(d.points).some(([k, p]) => k.startsWith('zone_') && p.value === 'fault') ? 'fault' : 'inService';
    case 'access_door':
      return v('reader_online') === false ? 'fault' : 'inService';
    case 'smoke_detector':
      return v('tamper') === true ? 'fault' : 'inService';
    default:
      return 'inService';
  }
}
