/**
 * The five device kinds and their canonical points. Rules, reports, storage and simulators speak
 * of these names (`pump.discharge_bar`), never of registers or topics.
 */

export const DEVICE_KINDS = ['elevator', 'fire_panel', 'pump', 'access_door', 'smoke_detector'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Kinds whose silence or garbage is itself a danger: unreadable data from them is a trouble condition. */
export const LIFE_SAFETY_KINDS: ReadonlySet<DeviceKind> = new Set<DeviceKind>(['fire_panel', 'smoke_detector']);

export type PointType = 'number' | 'boolean' | 'enum' | 'string';

export interface PointDef {
  readonly name: string;
  readonly type: PointType;
  readonly unit?: string;
  /** Allowed values for `enum` points. */
  readonly values?: readonly string[];
  readonly description: string;
}

export const FIRE_ZONE_STATES = ['normal', 'fire', 'fault', 'disabled'] as const;
export type FireZoneState = (typeof FIRE_ZONE_STATES)[number];

export const ELEVATOR_DIRECTIONS = ['idle', 'up', 'down'] as const;
export const DOOR_EVENTS = ['none', 'granted', 'denied', 'forced_open', 'held_open'] as const;

const num = (name: string, unit: string | undefined, description: string): PointDef =>
  unit === undefined ? { name, type: 'number', description } : { name, type: 'number', unit, description };
const bool = (name: string, description: string): PointDef => ({ name, type: 'boolean', description });
const oneOf = (name: string, values: readonly string[], description: string): PointDef => ({
  name,
  type: 'enum',
  values,
  description,
});

const PROFILES: Record<DeviceKind, readonly PointDef[]> = {
  elevator: [
    bool('in_service', 'Car available for passenger service'),
    bool('moving', 'Car is travelling'),
    oneOf('direction', ELEVATOR_DIRECTIONS, 'Travel direction'),
    num('floor', undefined, 'Current floor number (negative below ground)'),
    bool('door_open', 'Car door open'),
    num('fault_code', undefined, 'Controller fault code, 0 = none (see simulators/elevator fault table)'),
    bool('alarm_button', 'Passenger alarm button pressed'),
    num('load_pct', '%', 'Car load as a share of rated load'),
    num('trip_count', undefined, 'Trips since commissioning (counter)'),
    num('run_hours', 'h', 'Motor run hours (counter)'),
  ],
  fire_panel: [
    bool('panel_fault', 'Panel general fault'),
    bool('ac_power_ok', 'Mains supply present'),
    num('battery_v', 'V', 'Standby battery voltage'),
    bool('supervisory', 'Supervisory condition active'),
  ],
  pump: [
    bool('running', 'Motor running'),
    bool('tripped', 'Motor protection tripped'),
    num('discharge_bar', 'bar', 'Discharge pressure'),
    num('suction_bar', 'bar', 'Suction pressure'),
    num('flow_m3h', 'm3/h', 'Flow rate'),
    num('motor_current_a', 'A', 'Motor current'),
    num('vibration_mm_s', 'mm/s', 'Vibration velocity (RMS)'),
    num('bearing_temp_c', '°C', 'Bearing temperature'),
    num('run_hours', 'h', 'Run hours (counter)'),
  ],
  access_door: [
    bool('door_open', 'Door contact open'),
    bool('locked', 'Lock engaged'),
    bool('forced_open', 'Door opened without a valid access grant'),
    bool('held_open', 'Door held open past its allowed time'),
    bool('reader_online', 'Card reader online'),
    oneOf('last_event', DOOR_EVENTS, 'Last access event'),
    { name: 'last_badge', type: 'string', description: 'Badge id of the last access event' },
  ],
  smoke_detector: [
    num('obscuration_pct_m', '%/m', 'Smoke obscuration'),
    bool('alarm', 'Detector in alarm'),
    num('battery_pct', '%', 'Battery charge'),
    bool('tamper', 'Detector removed from base / tampered'),
    num('heartbeat', undefined, 'Heartbeat counter, increments on every report'),
  ],
};

/** Name of the state point of fire zone `n` (1-based). */
export function fireZonePoint(n: number): string {
  return `zone_${n}_state`;
}

export interface KindOptions {
  /** Number of detection zones (fire panels only). */
  readonly zones?: number;
}

/** The canonical points of one device of `kind`. */
export function pointsOf(kind: DeviceKind, options: KindOptions = {}): readonly PointDef[] {
  const base = PROFILES[kind];
  if (kind !== 'fire_panel') return base;
  const zones: PointDef[] = [];
  for (let n = 1; n <= (options.zones ?? 0); n++) {
    zones.push(oneOf(fireZonePoint(n), FIRE_ZONE_STATES, `Detection zone ${n} state`));
  }
  return [...zones, ...base];
}

export function isDeviceKind(value: string): value is DeviceKind {
  return (DEVICE_KINDS as readonly string[]).includes(value);
}
