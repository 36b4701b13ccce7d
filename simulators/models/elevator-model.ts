import type { SeededRandom } from '../seeded-random.ts';
import type { DeviceModel, SimValue } from './device-model.ts';
import { ELEVATOR_FAULT_CODES, type ElevatorFault } from './elevator-fault-codes.ts';

const FLOOR_TRAVEL_MS = 3_000; // one floor (≈3 m) at 1 m/s
const DOOR_CYCLE_MS = 8_000; // open 2 s, dwell 4 s, close 2 s
const ALARM_PRESSED_AFTER_MS = 15_000; // a trapped passenger presses the alarm button
const MAX_QUEUED_CALLS = 6;
const RATED_PERSON_PCT = 7.5; // one person ≈ 75 kg of a 1000 kg rated car

type Phase = 'idle' | 'moving' | 'doors';

export interface ElevatorOptions {
  /** Served floors bottom to top, e.g. [-1, 1, 2, 3, 4, 5, 6] (no floor 0). */
  readonly stops?: readonly number[];
  /** Offset of local time from UTC in hours, for the traffic profile. */
  readonly utcOffsetHours?: number;
}

/**
 * A passenger lift as an event-driven state machine: landing calls arrive at random (busier in the
 * morning and evening), the car travels floor by floor, cycles its doors at each stop, counts trips,
 * accumulates run hours and reports its load. `step(now)` processes every event up to `now`, so a
 * month can be stepped in coarse increments without losing a trip.
 * Faults (codes in elevator-fault-codes.ts): entrapment, door_lock_fault, overspeed, leveling_error.
 */
export class ElevatorModel implements DeviceModel {
  readonly kind = 'elevator';
  readonly faults: readonly string[] = Object.keys(ELEVATOR_FAULT_CODES).filter((f) => f !== 'none');
  readonly id: string;
  online = true;
  private readonly rng: SeededRandom;
  private readonly stops: readonly number[];
  private readonly utcOffsetMs: number;
  private readonly active: ElevatorFault[] = [];
  private t: number | undefined;
  private phase: Phase = 'idle';
  private phaseEnd = 0;
  private index = 0; // index into stops of the last floor reached
  private target = 0;
  private betweenFloors = false;
  private stoppedAt = 0;
  private nextCallAt = 0;
  private readonly calls: number[] = [];
  private load = 0;
  private trips = 0;
  private runMs = 0;

  constructor(id: string, rng: SeededRandom, options: ElevatorOptions = {}) {
    this.id = id;
    this.rng = rng;
    this.stops = options.stops ?? [-1, 1, 2, 3, 4, 5, 6];
    this.utcOffsetMs = (options.utcOffsetHours ?? 8) * 3_600_000;
    this.index = Math.max(0, this.stops.indexOf(1));
    this.trips = rng.int(20_000, 60_000);
    this.runMs = rng.between(2_000, 6_000) * 3_600_000;
  }

  step(now: number): void {
    if (this.t === undefined) {
      this.t = now;
      this.nextCallAt = now + this.callGap(now);
      return;
    }
    for (;;) {
      const t: number = this.t;
      const outOfService = this.active.length > 0;
      const nextEvent = outOfService ? Infinity : Math.min(this.nextCallAt, this.phase === 'idle' ? Infinity : this.phaseEnd);
      if (nextEvent > now) {
        if (this.phase === 'moving' && !outOfService) this.runMs += now - t;
        this.t = now;
        if (outOfService) this.nextCallAt = Math.max(this.nextCallAt, now); // calls are not answered meanwhile
        return;
      }
      if (this.phase === 'moving') this.runMs += nextEvent - t;
      this.t = nextEvent;
      if (nextEvent === this.nextCallAt) {
        this.call(nextEvent);
        continue;
      }
      this.endPhase(nextEvent);
    }
  }

  report(): Record<string, SimValue> {
    const fault = this.active[0];
    const moving = this.phase === 'moving' && fault === undefined;
    const direction = moving ? (this.target > this.index ? 'up' : 'down') : 'idle';
    const trapped = this.active.includes('entrapment');
    return {
      in_service: fault === undefined,
      moving,
      direction,
      floor: this.stops[this.index] ?? 0,
      door_open: this.phase === 'doors' && fault === undefined,
      fault_code: fault === undefined ? 0 : ELEVATOR_FAULT_CODES[fault],
      alarm_button: trapped && this.t !== undefined && this.t - this.stoppedAt >= ALARM_PRESSED_AFTER_MS,
      load_pct: Math.round(this.load * 10) / 10,
      trip_count: this.trips,
      run_hours: Math.round((this.runMs / 3_600_000) * 1000) / 1000,
    };
  }

  /** True while the car stands between two landings (entrapment, overspeed stop). */
  get isBetweenFloors(): boolean {
    return this.betweenFloors;
  }

  /**
   * `send_home`: the car drops its waiting calls and travels to the main floor (floor 1, else the
   * lowest stop), where it opens its doors; calls made afterwards are served again. Refused (false)
   * while out of service: a car with a fault goes nowhere.
   */
  command(name: string): boolean {
    if (name !== 'send_home' || this.active.length > 0) return false;
    const home = this.homeIndex;
    this.calls.length = 0;
    this.calls.push(home);
    // a moving car stops at the next landing and turns toward home from there; an idle one leaves now
    if (this.phase === 'moving') this.target = this.target > this.index ? this.index + 1 : this.index - 1;
    else if (this.phase === 'idle') this.serveNext(this.t ?? 0);
    return true;
  }

  /** The main floor's index in the stops: floor 1, else the lowest. */
  private get homeIndex(): number {
    return Math.max(0, this.stops.indexOf(1));
  }

  injectFault(fault: string): void {
    if (!isElevatorFault(fault) || fault === 'none' || this.active.includes(fault)) return;
    const wasMoving = this.phase === 'moving' && this.active.length === 0;
    this.active.push(fault);
    this.stoppedAt = this.t ?? 0;
    if (fault === 'entrapment' || fault === 'overspeed') {
      // the car stops where it is: between two landings, with its passenger(s)
      this.betweenFloors = wasMoving || fault === 'entrapment';
      if (fault === 'entrapment') this.load = Math.max(this.load, RATED_PERSON_PCT);
      this.phase = 'moving';
      if (!wasMoving) this.target = this.index < this.stops.length - 1 ? this.index + 1 : this.index - 1;
    } else if (this.phase === 'doors') {
      this.phase = 'idle';
    }
  }

  clearFault(fault: string): void {
    const at = this.active.indexOf(fault as ElevatorFault);
    if (at < 0) return;
    this.active.splice(at, 1);
    if (this.active.length > 0) return;
    const t = this.t ?? 0;
    if (this.betweenFloors || this.phase === 'moving') {
      // rescue / reset: the car relevels to the landing it last passed and opens its doors
      this.betweenFloors = false;
      this.target = this.index;
      this.phase = 'doors';
      this.phaseEnd = t + DOOR_CYCLE_MS;
    }
    this.nextCallAt = Math.max(this.nextCallAt, t);
  }

  private call(t: number): void {
    this.nextCallAt = t + this.callGap(t);
    if (this.calls.length >= MAX_QUEUED_CALLS) return;
    let floor = this.rng.int(0, this.stops.length - 2);
    if (floor >= this.index) floor++; // never the floor the car stands at
    this.calls.push(floor);
    if (this.phase === 'idle') this.serveNext(t);
  }

  private serveNext(t: number): void {
    const next = this.calls.shift();
    if (next === undefined) {
      this.phase = 'idle';
      return;
    }
    this.target = next;
    if (next === this.index) {
      this.phase = 'doors';
      this.phaseEnd = t + DOOR_CYCLE_MS;
      return;
    }
    this.phase = 'moving';
    this.phaseEnd = t + FLOOR_TRAVEL_MS;
  }

  private endPhase(t: number): void {
    if (this.phase === 'moving') {
      this.index += this.target > this.index ? 1 : -1;
      if (this.index === this.target) {
        this.trips++;
        this.phase = 'doors';
        this.phaseEnd = t + DOOR_CYCLE_MS;
      } else {
        this.phaseEnd = t + FLOOR_TRAVEL_MS;
      }
      return;
    }
    // doors closed: passengers got in and out (nobody rides an idle car)
    const people = this.calls.length === 0 ? 0 : this.rng.int(1, this.busy(t) > 0.5 ? 8 : 3);
    this.load = Math.min(100, people * RATED_PERSON_PCT + (people > 0 ? this.rng.between(-3, 3) : 0));
    this.load = Math.max(0, this.load);
    this.serveNext(t);
  }

  /** 0..1 traffic level by local hour: morning and evening peaks, quiet nights. */
  private busy(t: number): number {
    const hour = (((t + this.utcOffsetMs) % 86_400_000) + 86_400_000) % 86_400_000 / 3_600_000;
    if (hour < 6) return 0.05;
    if (hour < 7) return 0.3;
    if (hour < 9) return 1;
    if (hour < 17) return 0.4;
    if (hour < 20) return 0.9;
    if (hour < 23) return 0.3;
    return 0.1;
  }

  private callGap(t: number): number {
    const meanMs = 45_000 / Math.max(0.05, this.busy(t)); // 45 s at the peak, 15 min at night
    return Math.max(1_000, Math.round(-Math.log(1 - this.rng.next()) * meanMs));
  }
}

function isElevatorFault(fault: string): fault is ElevatorFault {
  return Object.hasOwn(ELEVATOR_FAULT_CODES, fault);
}
