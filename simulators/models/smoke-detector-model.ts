import type { SeededRandom } from '../seeded-random.ts';
import type { DeviceModel, SimValue } from './device-model.ts';

const ALARM_THRESHOLD = 4; // %/m, typical photoelectric alarm level
const BATTERY_DECAY_PER_DAY = 0.05; // %

/**
 * A photoelectric smoke detector: clean-air obscuration near 0.1 %/m drifting slowly upward as the
 * chamber gets dirty, a battery that decays, a heartbeat counter on every report.
 * Faults: alarm, dirty_chamber, low_battery, tamper, silence.
 */
export class SmokeDetectorModel implements DeviceModel {
  readonly kind = 'smoke_detector';
  readonly faults = ['alarm', 'dirty_chamber', 'low_battery', 'tamper', 'silence'] as const;
  readonly id: string;
  online = true;
  private readonly rng: SeededRandom;
  private obscuration: number;
  private drift = 0;
  private battery: number;
  private heartbeat = 0;
  private last: number | undefined;
  private readonly active = new Set<string>();

  constructor(id: string, rng: SeededRandom) {
    this.id = id;
    this.rng = rng;
    this.obscuration = rng.between(0.05, 0.2);
    this.battery = rng.between(85, 100);
  }

  step(now: number): void {
    const dtDays = this.last === undefined ? 0 : (now - this.last) / 86_400_000;
    this.last = now;
    this.battery = Math.max(0, this.battery - BATTERY_DECAY_PER_DAY * dtDays);
    this.drift += (this.active.has('dirty_chamber') ? 0.5 : 0.002) * dtDays;
    const base = 0.1 + this.drift + this.rng.noise(0.02);
    this.obscuration = this.active.has('alarm') ? Math.max(this.obscuration, 6 + this.rng.noise(0.5)) : Math.max(0, base);
  }

  report(): Record<string, SimValue> {
    this.heartbeat++;
    return {
      obscuration_pct_m: Math.round(this.obscuration * 1000) / 1000,
      alarm: this.obscuration >= ALARM_THRESHOLD,
      battery_pct: Math.round((this.active.has('low_battery') ? Math.min(this.battery, 8) : this.battery) * 10) / 10,
      tamper: this.active.has('tamper'),
      heartbeat: this.heartbeat,
    };
  }

  /** True while the detector should not publish (silence fault or off the network). */
  get silent(): boolean {
    return this.active.has('silence') || !this.online;
  }

  injectFault(fault: string): void {
    this.active.add(fault);
    if (fault === 'alarm') this.obscuration = Math.max(this.obscuration, 6); // smoke enters the chamber at once
  }

  clearFault(fault: string): void {
    this.active.delete(fault);
    if (fault === 'alarm') this.obscuration = 0.1 + this.drift;
  }
}
