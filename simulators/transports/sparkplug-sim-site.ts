/**
 * The Sparkplug-bound devices of a site file as one vendor edge node each (`SparkplugSimNode`): for
 * every connector of type `sparkplug`, the devices bound to it are grouped by `binding.edgeNode`,
 * and each becomes a Sparkplug device (`binding.device`) whose metrics are named as its binding
 * names them. Values come from the device kind's simulated state by point name (an air-handling
 * unit here: the kinds with a fleet model are simulated on their own protocols); the supply air
 * temperature drifts slowly on the clock and goes out as DDATA.
 */
import type { Clock } from '../../gateway/model/clock.ts';
import type { SimConnector, SimDevice } from '../site-file.ts';
import { SparkplugSimNode, type SimMetric } from './sparkplug-sim-node.ts';

export interface SparkplugSiteOptions {
  readonly clock: Clock;
  readonly mqttUrl: string;
  readonly auth?: { readonly username?: string; readonly password?: string };
}

export interface SparkplugEndpoint {
  readonly connector: string;
  readonly protocol: 'sparkplug';
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly devices: readonly string[];
}

/** An air-handling unit's values by point name (the BACnet simulator's unit reads the same). */
const AHU_VALUES: Readonly<Record<string, number | boolean>> = {
  supply_air_temp_c: 17.0,
  return_air_temp_c: 23.5,
  fan_running: true,
  filter_dirty: false,
  fan_speed_pct: 65,
};
const DRIFT_EVERY_MS = 10_000;
const DRIFT_PERIOD_MS = 600_000;

const metricName = (m: unknown): string | undefined => (typeof m === 'string' ? m : typeof m === 'object' && m !== null && typeof (m as { name?: unknown }).name === 'string' ? (m as { name: string }).name : undefined);

function metricsOf(device: SimDevice): SimMetric[] {
  const bound = (device.binding.metrics ?? {}) as Record<string, unknown>;
  return Object.entries(bound).flatMap(([point, m]) => {
    const name = metricName(m);
    const value = AHU_VALUES[point];
    if (name === undefined || value === undefined) return [];
    return [{ name, type: typeof value === 'boolean' ? 'Boolean' : 'Double', value } satisfies SimMetric];
  });
}

/** Whether this transport can simulate `device` (bound to a Sparkplug connector, with metrics it knows). */
export function isSparkplugSimulated(device: SimDevice, connectors: ReadonlyMap<string, SimConnector>): boolean {
  return connectors.get(device.connector)?.type === 'sparkplug' && typeof device.binding.edgeNode === 'string' && typeof device.binding.device === 'string' && metricsOf(device).length > 0;
}

/** Start one edge node per (connector, edge node); each one's stop is pushed to `stops`. */
export async function startSparkplugNodes(devices: readonly SimDevice[], connectors: ReadonlyMap<string, SimConnector>, options: SparkplugSiteOptions, stops: Array<() => Promise<void>>): Promise<SparkplugEndpoint[]> {
  const groups = new Map<string, SimDevice[]>();
  for (const d of devices) {
    const key = `${d.connector}\u0000${String(d.binding.edgeNode)}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  const url = new URL(options.mqttUrl);
  const endpoints: SparkplugEndpoint[] = [];
  for (const members of groups.values()) {
    const first = members[0] as SimDevice;
    const groupId = String(connectors.get(first.connector)?.groupId);
    const edgeNodeId = String(first.binding.edgeNode);
    const node = new SparkplugSimNode({
      url: options.mqttUrl,
      groupId,
      edgeNodeId,
      devices: Object.fromEntries(members.map((d) => [String(d.binding.device), metricsOf(d)])),
      clientId: `sim-sparkplug-${edgeNodeId}-${process.pid}-${Math.round(options.clock.monotonic())}`,
      ...(options.auth?.username !== undefined ? { username: options.auth.username } : {}),
      ...(options.auth?.password !== undefined ? { password: options.auth.password } : {}),
    });
    await node.start();
    const drift = options.clock.setInterval(DRIFT_EVERY_MS, () => {
      const phase = (2 * Math.PI * (options.clock.now() % DRIFT_PERIOD_MS)) / DRIFT_PERIOD_MS;
      const value = Math.round(((AHU_VALUES.supply_air_temp_c as number) + 0.6 * Math.sin(phase)) * 100) / 100;
      for (const d of members) {
        const name = metricName((d.binding.metrics as Record<string, unknown>).supply_air_temp_c);
        if (name !== undefined) node.set(String(d.binding.device), name, value).catch(() => undefined); // not connected: the next birth carries it
      }
    });
    stops.push(async () => {
      drift.cancel();
      await node.stop();
    });
    endpoints.push({ connector: first.connector, protocol: 'sparkplug', host: url.hostname, port: Number(url.port || 1883), url: `${options.mqttUrl} spBv1.0/${groupId}/+/${edgeNodeId}`, devices: members.map((d) => d.id) });
  }
  return endpoints;
}
