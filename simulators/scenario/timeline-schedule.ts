/** Apply a compiled fault timeline to a fleet on a clock (virtual or real), from "now". */
import type { Clock, Timer } from '../../gateway/model/clock.ts';
import type { DeviceFleet } from '../device-fleet.ts';
import type { FaultInterval } from './fault-timeline.ts';

export interface ScheduledTimeline {
  cancel(): void;
}

export function scheduleTimeline(timeline: readonly FaultInterval[], fleet: DeviceFleet, clock: Clock): ScheduledTimeline {
  const timers: Timer[] = [];
  // Starts before ends at the same instant would double-count a back-to-back repeat; schedule every
  // end before every start so timers with equal due times fire ends first (creation order).
  for (const f of timeline) if (f.end > f.start) timers.push(clock.setTimer(f.end, () => fleet.end(f.device, f.fault, clock.now())));
  for (const f of timeline) timers.push(clock.setTimer(f.start, () => fleet.begin(f.device, f.fault, clock.now())));
  return { cancel: () => timers.forEach((t) => t.cancel()) };
}
