import type { SeededRandom } from '../seeded-random.ts';
import type { DeviceModel, SimValue } from './device-model.ts';

const OPEN_MS = 5_000;
const HELD_OPEN_AFTER_MS = 30_000;
const MAX_PENDING_EVENTS = 100; // events nobody takes (direct runs) are dropped oldest first

/**
 * An access-controlled door: badge reads arrive at random (mostly granted), a granted read unlocks
 * and the door opens for a few seconds, then closes and relocks.
 * Faults: forced_open, held_open, reader_offline.
 */
export class AccessDoorModel implements DeviceModel {
  readonly kind = 'access_door';
  readonly faults = ['forced_open', 'held_open', 'reader_offline'] as const;
  readonly id: string;
  online = true;
  private readonly rng: SeededRandom;
  private readonly active = new Set<string>();
  private doorOpen = false;
  private locked = true;
  private openedAt = 0;
  private lastEvent = 'none';
  private lastBadge = '';
  private last: number | undefined;
  private events: Array<Record<string, SimValue>> = [];
  private heartbeat = 0;
  private forcedReported = false;

  constructor(id: string, rng: SeededRandom) {
    this.id = id;
    this.rng = rng;
  }

  step(now: number): void {
    const dt = this.last === undefined ? 0 : now - this.last;
    this.last = now;
    if (this.active.has('forced_open')) {
      if (!this.forcedReported) this.event(now, 'forced_open', '');
      this.forcedReported = true;
      this.doorOpen = true;
      this.locked = true;
      return;
    }
    if (this.active.has('held_open')) {
      if (!this.doorOpen || now - this.openedAt < HELD_OPEN_AFTER_MS) {
        this.doorOpen = true;
        this.locked = false;
        this.openedAt = now - HELD_OPEN_AFTER_MS;
        this.event(now, 'held_open', this.lastBadge);
      }
      return;
    }
    if (this.doorOpen && now - this.openedAt >= OPEN_MS) {
      this.doorOpen = false;
      this.locked = true;
    }
    // about one badge read per two minutes
    if (!this.doorOpen && !this.active.has('reader_offline') && this.rng.chance(Math.min(1, dt / 120_000))) {
      const badge = `B${this.rng.int(10_000, 99_999)}`;
      if (this.rng.chance(0.9)) {
        this.event(now, 'granted', badge);
        this.doorOpen = true;
        this.locked = false;
        this.openedAt = now;
      } else {
        this.event(now, 'denied', badge);
      }
    }
  }

  report(): Record<string, SimValue> {
    this.heartbeat++;
    const heldOpen = this.doorOpen && !this.active.has('forced_open') && this.last !== undefined && this.last - this.openedAt >= HELD_OPEN_AFTER_MS;
    return {
      door_open: this.doorOpen,
      locked: this.locked,
      forced_open: this.active.has('forced_open'),
      held_open: heldOpen,
      reader_online: !this.active.has('reader_offline'),
      last_event: this.lastEvent,
      last_badge: this.lastBadge,
      heartbeat: this.heartbeat,
    };
  }

  /** Access events since the last call (published on the events topic). */
  takeEvents(): Array<Record<string, SimValue>> {
    const out = this.events;
    this.events = [];
    return out;
  }

  injectFault(fault: string): void {
    this.active.add(fault);
  }

  clearFault(fault: string): void {
    this.active.delete(fault);
    if (fault === 'forced_open') this.forcedReported = false;
    if (fault === 'forced_open' || fault === 'held_open') {
      this.doorOpen = false;
      this.locked = true;
    }
  }

  private event(now: number, kind: string, badge: string): void {
    this.lastEvent = kind;
    this.lastBadge = badge;
    this.events.push({ ts: now, event: kind, badge });
    if (this.events.length > MAX_PENDING_EVENTS) this.events.shift();
  }
}
