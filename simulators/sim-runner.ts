/**
 * Start simulators for the devices of a site file, each kind on the protocol its binding names:
 * elevators and pumps behind one Modbus TCP server per Modbus connector (unit id from the binding),
 * fire panels behind one OPC UA server per OPC UA connector, doors and smoke detectors publishing to
 * an MQTT broker, BACnet devices (the demo's air-handling unit) each on the UDP port of its binding's
 * address, Sparkplug-bound devices as a vendor's edge node publishing to the MQTT broker. Library API for tests and the demo; `simulators/cli.ts` wraps it.
 * Servers bind to 127.0.0.1 unless `host` says otherwise; ports come from the site's connectors
 * unless `ports` overrides them per connector id, or per `<connector>/<device>` for a BACnet
 * device (tests and `--free-ports` use free ports).
 */
import type { Logger } from 'pino';
import type { Clock, Timer } from '../gateway/model/clock.ts';
import { DeviceFleet } from './device-fleet.ts';
import type { DeviceModel } from './models/device-model.ts';
import { FirePanelModel } from './models/fire-panel-model.ts';
import { compileTimeline, type FaultInterval } from './scenario/fault-timeline.ts';
import type { Scenario } from './scenario/scenario-schema.ts';
import { scheduleTimeline, type ScheduledTimeline } from './scenario/timeline-schedule.ts';
import type { SimConnector, SimSite } from './site-file.ts';
import { ModbusSimServer, type ModbusUnit } from './transports/modbus-sim-server.ts';
import { MqttPublisher, type PublishedDevice } from './transports/mqtt-publisher.ts';
import { OpcuaSimServer } from './transports/opcua-sim-server.ts';
import { startBacnetDevices } from './transports/bacnet-sim-site.ts';
import { isSparkplugSimulated, startSparkplugNodes } from './transports/sparkplug-sim-site.ts';
import { LAYOUTS } from './transports/register-images.ts';

export interface SimOptions {
  readonly clock: Clock;
  readonly seed?: number;
  /** Broker URL for MQTT-speaking devices. */
  readonly mqttUrl?: string;
  readonly mqttAuth?: { readonly username?: string; readonly password?: string };
  readonly publishIntervalMs?: number;
  /** Address the Modbus and OPC UA servers bind to (default 127.0.0.1). */
  readonly host?: string;
  /** Port per connector id (per `<connector>/<device>` for a BACnet device), overriding the site file's. */
  readonly ports?: Readonly<Record<string, number>>;
  /** How often the models are stepped (default 500 ms). */
  readonly tickMs?: number;
  /** A scenario whose fault timeline is applied from start-up on `clock`. */
  readonly scenario?: Scenario;
  readonly opcuaPkiDir?: string;
  readonly log?: Logger;
}

export interface SimEndpoint {
  readonly connector: string;
  readonly protocol: 'modbus' | 'opcua' | 'mqtt' | 'bacnet' | 'sparkplug';
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly devices: readonly string[];
}

export interface RunningSimulators {
  readonly models: ReadonlyMap<string, DeviceModel>;
  readonly fleet: DeviceFleet;
  /** Devices of the site this build cannot simulate (unknown kind or binding), by id. */
  readonly unsupported: readonly string[];
  readonly endpoints: readonly SimEndpoint[];
  /** The scenario's fault timeline, when a scenario was given (ms from start-up). */
  readonly timeline: readonly FaultInterval[];
  /** Start / end a fault by hand (`offline`, `cavitation`, `zone_fire:3`, ...). */
  begin(deviceId: string, fault: string): void;
  end(deviceId: string, fault: string): void;
  stop(): Promise<void>;
}

function portOf(connector: SimConnector, override: number | undefined): number {
  if (override !== undefined) return override;
  if (typeof connector.port === 'number') return connector.port;
  if (typeof connector.endpoint === 'string') {
    const port = Number(new URL(connector.endpoint.replace(/^opc\.tcp:/, 'http:')).port);
    if (port > 0) return port;
  }
  throw new Error(`connector "${connector.id}" has no port for its simulator`);
}

/** Which transport simulates each device: Modbus units and OPC UA panels per connector, MQTT publishers; the rest unsupported. */
function assignTransports(fleet: DeviceFleet, connectors: ReadonlyMap<string, SimConnector>): { unsupported: string[]; modbusUnits: Map<string, ModbusUnit[]>; opcuaPanels: Map<string, FirePanelModel[]>; mqttDevices: PublishedDevice[] } {
  const unsupported = [...fleet.unsupported];
  const modbusUnits = new Map<string, ModbusUnit[]>();
  const opcuaPanels = new Map<string, FirePanelModel[]>();
  const mqttDevices: PublishedDevice[] = [];
  for (const [id, model] of fleet.models) {
    const device = fleet.devices.get(id);
    const connector = device ? connectors.get(device.connector) : undefined;
    const layout = LAYOUTS[model.kind];
    if (!device || !connector) {
      unsupported.push(id);
    } else if (connector.type === 'modbus' && layout) {
      const unitId = typeof device.binding.unitId === 'number' ? device.binding.unitId : 1;
      modbusUnits.set(connector.id, [...(modbusUnits.get(connector.id) ?? []), { unitId, model, layout }]);
    } else if (connector.type === 'opcua' && model instanceof FirePanelModel) {
      opcuaPanels.set(connector.id, [...(opcuaPanels.get(connector.id) ?? []), model]);
    } else if (connector.type === 'mqtt' && typeof device.binding.topic === 'string') {
      mqttDevices.push({ model, topic: device.binding.topic });
    } else {
      unsupported.push(id);
    }
  }
  return { unsupported, modbusUnits, opcuaPanels, mqttDevices };
}

async function startMqttPublisher(mqttDevices: PublishedDevice[], site: SimSite, options: SimOptions, stops: Array<() => Promise<void>>): Promise<SimEndpoint> {
  if (!options.mqttUrl) throw new Error('MQTT devices to simulate but no mqttUrl given');
  const { clock } = options;
  const publisher = new MqttPublisher(mqttDevices, clock, options.publishIntervalMs ?? 2_000);
  await publisher.start(options.mqttUrl, `sim-${site.siteId}-${process.pid}-${Math.round(clock.monotonic())}`, options.mqttAuth ?? {});
  stops.push(() => publisher.stop());
  const url = new URL(options.mqttUrl);
  return {
    connector: 'mqtt',
    protocol: 'mqtt',
    host: url.hostname,
    port: Number(url.port || 1883),
    url: options.mqttUrl,
    devices: mqttDevices.map((d) => d.model.id),
  };
}

export async function startSimulators(site: SimSite, options: SimOptions): Promise<RunningSimulators> {
  const { clock } = options;
  const host = options.host ?? '127.0.0.1';
  const fleet = new DeviceFleet(site, options.seed ?? 1);
  const connectors = new Map(site.connectors.map((c) => [c.id, c]));
  const assigned = assignTransports(fleet, connectors);
  const { modbusUnits, opcuaPanels, mqttDevices } = assigned;
  const bacnetDevices = site.devices.filter((d) => connectors.get(d.connector)?.type === 'bacnet');
  const sparkplugDevices = site.devices.filter((d) => isSparkplugSimulated(d, connectors));
  const unsupported = assigned.unsupported.filter((id) => !bacnetDevices.some((d) => d.id === id) && !sparkplugDevices.some((d) => d.id === id));

  // an invalid scenario fails before anything listens
  const timeline = options.scenario ? compileTimeline(options.scenario, fleet, options.seed ?? options.scenario.seed) : [];
  const endpoints: SimEndpoint[] = [];
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
    stops.length = 0;
  };
  let ticker: Timer | undefined;
  let scheduled: ScheduledTimeline | undefined;
  try {
    fleet.stepAll(clock.now());
    ticker = clock.setInterval(options.tickMs ?? 500, () => fleet.stepAll(clock.now()));
    for (const [connectorId, units] of modbusUnits) {
      const port = portOf(connectors.get(connectorId) as SimConnector, options.ports?.[connectorId]);
      const server = new ModbusSimServer(units, { host, port, ...(options.log ? { log: options.log } : {}) });
      await server.start();
      stops.push(() => server.stop());
      endpoints.push({ connector: connectorId, protocol: 'modbus', host, port, url: `tcp://${host}:${port}`, devices: units.map((u) => u.model.id) });
    }
    for (const [connectorId, panels] of opcuaPanels) {
      const port = portOf(connectors.get(connectorId) as SimConnector, options.ports?.[connectorId]);
      const server = new OpcuaSimServer(panels, {
        host,
        port,
        now: () => clock.now(),
        ...(options.opcuaPkiDir ? { pkiDir: options.opcuaPkiDir } : {}),
        ...(options.log ? { log: options.log } : {}),
      });
      await server.start();
      stops.push(() => server.stop());
      fleet.onFault((model, key) => {
        if (key === 'offline' && panels.includes(model as FirePanelModel)) {
          server.sync().catch((err: unknown) => options.log?.error({ err }, 'OPC UA simulator restart failed'));
        }
      });
      endpoints.push({ connector: connectorId, protocol: 'opcua', host, port, url: server.endpointUrl, devices: panels.map((p) => p.id) });
    }
    if (mqttDevices.length > 0) endpoints.push(await startMqttPublisher(mqttDevices, site, options, stops));
    if (sparkplugDevices.length > 0) {
      if (!options.mqttUrl) throw new Error('Sparkplug devices to simulate but no mqttUrl given');
      endpoints.push(...(await startSparkplugNodes(sparkplugDevices, connectors, { clock, mqttUrl: options.mqttUrl, ...(options.mqttAuth ? { auth: options.mqttAuth } : {}) }, stops)));
    }
    if (bacnetDevices.length > 0) endpoints.push(...(await startBacnetDevices(bacnetDevices, { clock, host, ...(options.ports ? { ports: options.ports } : {}) }, stops)));
  } catch (err) {
    ticker?.cancel();
    await stopAll();
    throw err;
  }
  if (timeline.length > 0) scheduled = scheduleTimeline(timeline, fleet, clock);

  return {
    models: fleet.models,
    fleet,
    unsupported,
    endpoints,
    timeline,
    begin: (id, fault) => fleet.begin(id, fault, clock.now()),
    end: (id, fault) => fleet.end(id, fault, clock.now()),
    stop: async () => {
      scheduled?.cancel();
      ticker?.cancel();
      await stopAll();
    },
  };
}
