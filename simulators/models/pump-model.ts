import type { SeededRandom } from '../seeded-random.ts';
import type { DeviceModel, SimValue } from './device-model.ts';

const RATED_FLOW = 30; // m3/h
const SHUTOFF_HEAD_BAR = 5.2;
const MAINS_BAR = 1.5;
const AMBIENT_C = 24;
const BEARING_TAU_MS = 30 * 60_000;
const CAVITATION_PERIOD_MS = 4_000;

export interface PumpOptions {
  /** Offset of local time from UTC in hours, for the demand profile. */
  readonly utcOffsetHours?: number;
}

/**
 * A domestic water booster pump on a variable demand: flow follows a daily profile (morning and
 * evening peaks), discharge pressure is suction plus the pump's head at that flow (falling with
 * flow squared), motor current and vibration rise with load, the bearing temperature relaxes toward
 * a load-dependent level, run hours accumulate while running. The pump stops at night when demand
 * falls below its cut-out and starts again above its cut-in.
 * Faults: trip, cavitation, dry_run, bearing_overheat.
 */
export class PumpModel implements DeviceModel {
  readonly kind = 'pump';
  readonly faults: readonly string[] = ['trip', 'cavitation', 'dry_run', 'bearing_overheat'];
  readonly id: string;
  online = true;
  private readonly rng: SeededRandom;
  private readonly utcOffsetMs: number;
  private readonly active = new Set<string>();
  private readonly scale: number;
  private t: number | undefined;
  private running = true;
  private bearing = AMBIENT_C + 20;
  private runMs: number;
  private values: Record<string, SimValue> = {};

  constructor(id: string, rng: SeededRandom, options: PumpOptions = {}) {
    this.id = id;
    this.rng = rng;
    this.utcOffsetMs = (options.utcOffsetHours ?? 8) * 3_600_000;
    this.scale = rng.between(0.9, 1.1);
    this.runMs = rng.between(5_000, 20_000) * 3_600_000;
  }

  step(now: number): void {
    const dt = this.t === undefined ? 0 : Math.max(0, now - this.t);
    this.t = now;
    const rng = this.rng;
    const demand = this.demand(now);
    const tripped = this.active.has('trip');
    if (tripped) this.running = false;
    else if (this.running && demand < 0.08) this.running = false;
    else if (!this.running && demand > 0.12) this.running = true;
    if (this.running) this.runMs += dt;

    const dry = this.active.has('dry_run');
    const cavitating = this.active.has('cavitation');
    let suction = (dry ? 0.05 : MAINS_BAR) + rng.noise(dry ? 0.01 : 0.03);
    let flow = 0;
    let discharge = suction + 0.2 + rng.noise(0.02); // check valve holds a little
    let current = 0;
    let vibration = 0.05 + Math.abs(rng.noise(0.02));
    let bearingTarget = AMBIENT_C;
    if (this.running) {
      const share = Math.max(0, demand + rng.noise(0.03));
      flow = RATED_FLOW * this.scale * share;
      if (dry) flow = 0.3 + Math.abs(rng.noise(0.1));
      if (cavitating) flow *= 0.7;
      const q = flow / (RATED_FLOW * this.scale);
      const head = SHUTOFF_HEAD_BAR - 1.5 * q * q;
      discharge = suction + head + rng.noise(0.05);
      current = 8 + 14 * q + rng.noise(0.2);
      vibration = 1.8 + 0.6 * q + rng.noise(0.1);
      bearingTarget = AMBIENT_C + 18 + 10 * q;
      if (cavitating) {
        // vapour bubbles collapse: pressure oscillates, vibration high, current hunts
        discharge = suction + head * 0.75 + 0.8 * Math.sin((2 * Math.PI * now) / CAVITATION_PERIOD_MS) + rng.noise(0.25);
        vibration = 9 + Math.abs(rng.noise(1.5));
        current += rng.noise(1.5);
      }
      if (dry) {
        discharge = suction + 0.3 + rng.noise(0.05);
        current = 5.5 + rng.noise(0.2);
        vibration = 4 + Math.abs(rng.noise(0.5));
        bearingTarget = 85;
      }
    }
    if (this.active.has('bearing_overheat')) {
      bearingTarget = Math.max(bearingTarget, 98);
      if (this.running) vibration += 2.5 + Math.abs(rng.noise(0.4));
    }
    this.bearing += (bearingTarget - this.bearing) * (1 - Math.exp(-dt / BEARING_TAU_MS));
    suction = Math.max(0, suction);
    this.values = {
      running: this.running,
      tripped,
      discharge_bar: round(Math.max(0, discharge), 3),
      suction_bar: round(suction, 3),
      flow_m3h: round(Math.max(0, flow), 2),
      motor_current_a: round(Math.max(0, current), 2),
      vibration_mm_s: round(Math.max(0, vibration), 2),
      bearing_temp_c: round(this.bearing + rng.noise(0.1), 2),
      run_hours: round(this.runMs / 3_600_000, 3),
    };
  }

  report(): Record<string, SimValue> {
    return { ...this.values };
  }

  injectFault(fault: string): void {
    if (this.faults.includes(fault)) this.active.add(fault);
  }

  clearFault(fault: string): void {
    this.active.delete(fault);
  }

  /** 0..1 share of rated flow by local hour. */
  private demand(t: number): number {
    const hour = (((t + this.utcOffsetMs) % 86_400_000) + 86_400_000) % 86_400_000 / 3_600_000;
    const morning = Math.exp(-((hour - 7.5) ** 2) / 1.5);
    const evening = Math.exp(-((hour - 19.5) ** 2) / 3);
    const day = hour >= 6 && hour < 23 ? 0.3 : 0.04;
    return Math.min(1, day + 0.6 * morning + 0.55 * evening);
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
