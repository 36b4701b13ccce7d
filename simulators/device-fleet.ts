/**
 * The simulated devices of a site: one model per device of a kind we simulate, each with its own
 * seeded random stream, plus the fault control every scenario and test goes through.
 */
import type { DeviceModel } from './models/device-model.ts';
import { AccessDoorModel } from './models/access-door-model.ts';
import { ElevatorModel } from './models/elevator-model.ts';
import { FaultControl, faultProblem } from './models/fault-control.ts';
import { FirePanelModel } from './models/fire-panel-model.ts';
import { PumpModel } from './models/pump-model.ts';
import { SmokeDetectorModel } from './models/smoke-detector-model.ts';
import { SeededRandom } from './seeded-random.ts';
import type { SimDevice, SimSite } from './site-file.ts';

export type FaultListener = (model: DeviceModel, key: string, active: boolean) => void;

/**
 * Floor numbers a lift serves, from the building's floor ids: `B2`/`B1` → -2/-1, `F1`..`F6` → 1..6
 * (Chinese and European style, no floor 0), anything else numbered upward. Undefined when unknown.
 */
export function liftStops(floorIds: readonly string[] | undefined): number[] | undefined {
  if (!floorIds || floorIds.length < 2) return undefined;
  const stops = floorIds.map((id, i) => {
    const m = /^([BF])(\d+)$/i.exec(id);
    if (!m) return i + 1;
    return (m[1]?.toUpperCase() === 'B' ? -1 : 1) * Number(m[2]);
  });
  const sorted = [...new Set(stops)].sort((a, b) => a - b);
  return sorted.length >= 2 ? sorted : undefined;
}

function makeModel(device: SimDevice, rng: SeededRandom, floors: SimSite['floors']): DeviceModel | undefined {
  switch (device.kind) {
    case 'elevator': {
      const stops = liftStops(floors?.[device.building]);
      return new ElevatorModel(device.id, rng, stops ? { stops } : {});
    }
    case 'pump':
      return new PumpModel(device.id, rng);
    case 'fire_panel':
      return new FirePanelModel(device.id, rng, device.zones ?? 1);
    case 'access_door':
      return new AccessDoorModel(device.id, rng);
    case 'smoke_detector':
      return new SmokeDetectorModel(device.id, rng);
    default:
      return undefined;
  }
}

export class DeviceFleet {
  readonly models = new Map<string, DeviceModel>();
  readonly devices = new Map<string, SimDevice>();
  /** Devices of the site whose kind is not simulated. */
  readonly unsupported: string[] = [];
  private readonly control = new FaultControl();
  private readonly listeners: FaultListener[] = [];

  constructor(site: SimSite, seed: number) {
    const rng = new SeededRandom(seed);
    for (const device of site.devices) {
      const model = makeModel(device, rng.fork(device.id), site.floors);
      if (!model) {
        this.unsupported.push(device.id);
        continue;
      }
      this.models.set(device.id, model);
      this.devices.set(device.id, device);
    }
  }

  model(id: string): DeviceModel {
    const model = this.models.get(id);
    if (!model) throw new Error(`no simulated device "${id}" (known: ${[...this.models.keys()].join(', ')})`);
    return model;
  }

  /** Why fault `key` cannot be applied to device `id`, or undefined. */
  problem(id: string, key: string): string | undefined {
    const model = this.models.get(id);
    if (!model) return `no simulated device "${id}"`;
    return faultProblem(model, key);
  }

  onFault(listener: FaultListener): void {
    this.listeners.push(listener);
  }

  /** Start one interval of fault `key` (`offline`, `cavitation`, `zone_fire:3`, ...) on device `id` at `now`. */
  begin(id: string, key: string, now: number): void {
    const problem = this.problem(id, key);
    if (problem) throw new Error(problem);
    const model = this.model(id);
    this.control.begin(model, key, now);
    for (const l of this.listeners) l(model, key, true);
  }

  end(id: string, key: string, now: number): void {
    const model = this.model(id);
    this.control.end(model, key, now);
    for (const l of this.listeners) l(model, key, false);
  }

  activeFaults(id: string): string[] {
    return this.control.activeOn(id);
  }

  stepAll(now: number): void {
    for (const model of this.models.values()) model.step(now);
  }
}
