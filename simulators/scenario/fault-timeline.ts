/**
 * Compile a scenario into the concrete list of fault intervals it applies: scripted events with
 * their repeats expanded, random faults drawn from the seed. The same scenario, site and seed give
 * the same timeline; tests use it to hand-compute expected availability.
 */
import type { DeviceFleet } from '../device-fleet.ts';
import { faultKey } from '../models/fault-control.ts';
import { SeededRandom } from '../seeded-random.ts';
import type { SimDevice } from '../site-file.ts';
import { ScenarioError } from './scenario-file.ts';
import type { DeviceSelector, Scenario } from './scenario-schema.ts';

export interface FaultInterval {
  readonly device: string;
  /** Fault key: `cavitation`, `offline`, `zone_fire:3`. */
  readonly fault: string;
  /** Milliseconds from the scenario start. */
  readonly start: number;
  /** Milliseconds from the scenario start (clipped to the scenario's duration). */
  readonly end: number;
  /** Where it came from: `events[2]` or `random[0]`. */
  readonly source: string;
}

export function selectDevices(devices: Iterable<SimDevice>, s: DeviceSelector): SimDevice[] {
  const ids = s.device === undefined ? undefined : Array.isArray(s.device) ? s.device : [s.device];
  return [...devices].filter(
    (d) =>
      (ids === undefined || ids.includes(d.id)) &&
      (s.kind === undefined || d.kind === s.kind) &&
      (s.building === undefined || d.building === s.building) &&
      (s.floor === undefined || d.floor === s.floor),
  );
}

/** The fault intervals of `scenario` on `fleet`, ordered by start, then device, then fault. */
export function compileTimeline(scenario: Scenario, fleet: DeviceFleet, seed = scenario.seed): FaultInterval[] {
  const issues: string[] = [];
  const out: FaultInterval[] = [];
  const devices = [...fleet.devices.values()];
  const end = scenario.duration;

  const targets = (where: string, s: DeviceSelector & { fault: string; zone?: number | undefined }): Array<[SimDevice, string]> => {
    const ids = s.device === undefined ? [] : Array.isArray(s.device) ? s.device : [s.device];
    for (const id of ids) if (!fleet.devices.has(id)) issues.push(`${where}.device: no simulated device "${id}"`);
    const matched = selectDevices(devices, s);
    if (matched.length === 0 && ids.every((id) => fleet.devices.has(id))) issues.push(`${where}: the selector matches no device`);
    const key = faultKey(s.fault, s.zone);
    const result: Array<[SimDevice, string]> = [];
    for (const d of matched) {
      const problem = fleet.problem(d.id, key);
      if (problem) issues.push(`${where}.fault: ${problem}`);
      else result.push([d, key]);
    }
    return result;
  };

  scenario.events.forEach((e, i) => {
    const where = `events[${i}]`;
    const times = e.repeat?.times ?? 1;
    const every = e.repeat?.every ?? 0;
    if (e.repeat && e.for !== undefined && e.for > every) issues.push(`${where}.repeat.every: shorter than "for"; occurrences would overlap`);
    for (const [d, key] of targets(where, e)) {
      for (let n = 0; n < times; n++) {
        const start = e.at + n * every;
        if (start >= end) break;
        out.push({ device: d.id, fault: key, start, end: Math.min(end, e.for === undefined ? end : start + e.for), source: where });
      }
    }
  });

  const rng = new SeededRandom(seed);
  scenario.random.forEach((r, i) => {
    const where = `random[${i}]`;
    for (const [d, key] of targets(where, r)) {
      const stream = rng.fork(`${where}/${d.id}`);
      const draw = (mean: number) => Math.max(1, Math.round(-Math.log(1 - stream.next()) * mean));
      let t = draw(r.mtbf);
      while (t < end) {
        const stop = Math.min(end, t + draw(r.mttr));
        out.push({ device: d.id, fault: key, start: t, end: stop, source: where });
        t = stop + draw(r.mtbf);
      }
    }
  });

  if (issues.length > 0) throw new ScenarioError(`scenario "${scenario.name}"`, issues);
  return out.sort((a, b) => a.start - b.start || a.device.localeCompare(b.device) || a.fault.localeCompare(b.fault));
}
