/**
 * Start simulators for the devices of a site file, each on the protocol its binding names.
 * Library API for tests and the demo; `simulators/cli.ts` wraps it for the command line.
 */
import type { Clock } from '../gateway/model/clock.ts';
import { AccessDoorModel } from './models/access-door-model.ts';
import type { DeviceModel } from './models/device-model.ts';
import { SmokeDetectorModel } from './models/smoke-detector-model.ts';
import { SeededRandom } from './seeded-random.ts';
import type { SimSite } from './site-file.ts';
import { MqttPublisher, type PublishedDevice } from './transports/mqtt-publisher.ts';

export interface SimOptions {
  readonly clock: Clock;
  readonly seed?: number;
  /** Broker URL for MQTT-speaking devices. */
  readonly mqttUrl?: string;
  readonly publishIntervalMs?: number;
}

export interface RunningSimulators {
  readonly models: ReadonlyMap<string, DeviceModel>;
  /** Devices of the site this build cannot simulate yet, by id. */
  readonly unsupported: readonly string[];
  stop(): Promise<void>;
}

const MQTT_KINDS: Record<string, (id: string, rng: SeededRandom) => DeviceModel> = {
  smoke_detector: (id, rng) => new SmokeDetectorModel(id, rng),
  access_door: (id, rng) => new AccessDoorModel(id, rng),
};

export async function startSimulators(site: SimSite, options: SimOptions): Promise<RunningSimulators> {
  const rng = new SeededRandom(options.seed ?? 1);
  const models = new Map<string, DeviceModel>();
  const mqttDevices: PublishedDevice[] = [];
  const unsupported: string[] = [];
  const types = new Map(site.connectors.map((c) => [c.id, c.type]));
  for (const device of site.devices) {
    const type = types.get(device.connector);
    const make = MQTT_KINDS[device.kind];
    if (type === 'mqtt' && make && typeof device.binding.topic === 'string') {
      const model = make(device.id, rng.fork(device.id));
      models.set(device.id, model);
      mqttDevices.push({ model, topic: device.binding.topic });
    } else {
      unsupported.push(device.id);
    }
  }
  const publisher = new MqttPublisher(mqttDevices, options.clock, options.publishIntervalMs ?? 2_000);
  if (mqttDevices.length > 0) {
    if (!options.mqttUrl) throw new Error('MQTT devices to simulate but no mqttUrl given');
    await publisher.start(options.mqttUrl, `sim-${site.siteId}-${process.pid}`);
  }
  return {
    models,
    unsupported,
    stop: () => publisher.stop(),
  };
}
