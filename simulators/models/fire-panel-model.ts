import type { FireZoneState } from '../../gateway/model/device-kinds.ts';
import type { SeededRandom } from '../seeded-random.ts';
import type { DeviceModel, SimValue } from './device-model.ts';

const FLOAT_V = 27.3; // 24 V lead-acid on float charge
const LOW_BATTERY_V = 22.8;
const DISCHARGE_V_PER_H = 0.12;
const RECHARGE_TAU_MS = 2 * 3_600_000;

/** Fault keys that take a zone: `zone_fire:3`, `zone_fault:3`, `zone_disabled:3`. */
export const ZONE_FAULTS = ['zone_fire', 'zone_fault', 'zone_disabled'] as const;

/**
 * A conventional fire alarm control panel with `zones` detection zones: each zone normal, fire,
 * fault or disabled; mains power; a 24 V standby battery that floats at ~27.3 V, discharges on
 * battery and recharges when mains returns; supervisory input; panel fault when any zone is in
 * fault, mains is lost or the battery is low.
 * Faults: zone_fire:N, zone_fault:N, zone_disabled:N, ac_power_loss, low_battery, supervisory.
 */
export class FirePanelModel implements DeviceModel {
  readonly kind = 'fire_panel';
  readonly faults: readonly string[] = [...ZONE_FAULTS, 'ac_power_loss', 'low_battery', 'supervisory'];
  readonly id: string;
  readonly zones: number;
  online = true;
  private readonly rng: SeededRandom;
  private readonly active = new Set<string>();
  private t: number | undefined;
  private battery = FLOAT_V;
  private noise = 0;

  constructor(id: string, rng: SeededRandom, zones: number) {
    this.id = id;
    this.rng = rng;
    this.zones = zones;
  }

  step(now: number): void {
    const dt = this.t === undefined ? 0 : Math.max(0, now - this.t);
    this.t = now;
    if (this.active.has('ac_power_loss')) {
      this.battery = Math.max(20.5, this.battery - (DISCHARGE_V_PER_H * dt) / 3_600_000);
    } else {
      this.battery += (FLOAT_V - this.battery) * (1 - Math.exp(-dt / RECHARGE_TAU_MS));
    }
    this.noise = this.rng.noise(0.03);
  }

  zoneState(zone: number): FireZoneState {
    if (this.active.has(`zone_fire:${zone}`)) return 'fire';
    if (this.active.has(`zone_fault:${zone}`)) return 'fault';
    if (this.active.has(`zone_disabled:${zone}`)) return 'disabled';
    return 'normal';
  }

  report(): Record<string, SimValue> {
    const out: Record<string, SimValue> = {};
    let zoneFault = false;
    for (let n = 1; n <= this.zones; n++) {
      const state = this.zoneState(n);
      out[`zone_${n}_state`] = state;
      if (state === 'fault') zoneFault = true;
    }
    const batteryV = this.active.has('low_battery') ? Math.min(this.battery, 21.6) : this.battery;
    const ac = !this.active.has('ac_power_loss');
    out.panel_fault = zoneFault || !ac || batteryV < LOW_BATTERY_V;
    out.ac_power_ok = ac;
    out.battery_v = Math.round((batteryV + this.noise) * 100) / 100;
    out.supervisory = this.active.has('supervisory');
    return out;
  }

  injectFault(fault: string): void {
    this.active.add(fault);
  }

  clearFault(fault: string): void {
    this.active.delete(fault);
  }
}
