/**
 * The BACnet devices of a site file as simulators: one `BacnetSimDevice` (an air-handling unit) per
 * device bound to a BACnet connector, on the UDP port of its binding's `address` (or the port given
 * for `<connector>/<device>`), with its `deviceId`. The supply air temperature drifts slowly on the
 * clock (±0.8 °C around 16.5 °C over ten minutes), so the demo shows a living value and COV
 * notifications.
 */
import type { Clock } from '../../gateway/model/clock.ts';
import type { SimDevice } from '../site-file.ts';
import { BacnetSimDevice } from './bacnet-sim-device.ts';

export interface BacnetSiteOptions {
  readonly clock: Clock;
  readonly host: string;
  readonly ports?: Readonly<Record<string, number>>;
}

export interface BacnetEndpoint {
  readonly connector: string;
  readonly protocol: 'bacnet';
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly devices: readonly string[];
}

const DRIFT_EVERY_MS = 10_000;
const DRIFT_PERIOD_MS = 600_000;

function portOf(device: SimDevice, ports: Readonly<Record<string, number>> | undefined): number {
  const given = ports?.[`${device.connector}/${device.id}`];
  if (given !== undefined) return given;
  const address = device.binding.address;
  const m = typeof address === 'string' ? /:(\d{1,5})$/.exec(address) : null;
  if (!m) throw new Error(`BACnet device "${device.id}" has no port in binding.address (host:port)`);
  return Number(m[1]);
}

/** Start every device; each one's stop is pushed to `stops`. */
export async function startBacnetDevices(devices: readonly SimDevice[], options: BacnetSiteOptions, stops: Array<() => Promise<void>>): Promise<BacnetEndpoint[]> {
  const endpoints: BacnetEndpoint[] = [];
  for (const d of devices) {
    const port = portOf(d, options.ports);
    const deviceId = typeof d.binding.deviceId === 'number' ? d.binding.deviceId : 1;
    const sim = new BacnetSimDevice({ host: options.host, port, deviceId });
    await sim.start();
    const drift = options.clock.setInterval(DRIFT_EVERY_MS, () => {
      const phase = (2 * Math.PI * (options.clock.now() % DRIFT_PERIOD_MS)) / DRIFT_PERIOD_MS;
      sim.set(0, 1, Math.round((16.5 + 0.8 * Math.sin(phase)) * 100) / 100);
    });
    stops.push(async () => {
      drift.cancel();
      sim.stop();
    });
    endpoints.push({ connector: d.connector, protocol: 'bacnet', host: options.host, port, url: `bacnet://${options.host}:${port}`, devices: [d.id] });
  }
  return endpoints;
}
