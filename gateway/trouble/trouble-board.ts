/**
 * Gateway trouble conditions: things an operator must know about the gateway itself (an unreadable
 * payload on a life-safety topic, a misconfigured telemetry sink, a silent subscription). A
 * condition is raised once and stays until cleared; raising it again only updates it.
 */
import type { Clock } from '../model/clock.ts';

export interface TroubleCondition {
  readonly key: string;
  readonly source: string;
  readonly message: string;
  readonly since: number;
  readonly lastSeen: number;
  readonly count: number;
  readonly lifeSafety: boolean;
}

export type TroubleListener = (event: 'raised' | 'cleared', condition: TroubleCondition) => void;

export class TroubleBoard {
  private readonly active = new Map<string, TroubleCondition>();
  private readonly listeners: TroubleListener[] = [];
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  raise(key: string, source: string, message: string, lifeSafety = false): void {
    const now = this.clock.now();
    const prev = this.active.get(key);
    const next: TroubleCondition = {
      key,
      source,
      message,
      since: prev?.since ?? now,
      lastSeen: now,
      count: (prev?.count ?? 0) + 1,
      lifeSafety,
    };
    this.active.set(key, next);
    if (!prev) for (const l of this.listeners) l('raised', next);
  }

  clear(key: string): void {
    const prev = this.active.get(key);
    if (!prev) return;
    this.active.delete(key);
    for (const l of this.listeners) l('cleared', prev);
  }

  list(): TroubleCondition[] {
    return [...this.active.values()];
  }

  onChange(listener: TroubleListener): void {
    this.listeners.push(listener);
  }
}
