/** Demo mode: the built-in simulators for every device of the site, next to the gateway. */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { readSiteFile } from '../simulators/site-file.ts';
import { startSimulators } from '../simulators/sim-runner.ts';
import type { SiteConfig } from './config/site-schema.ts';
import type { DemoFaults } from './demo/demo-faults.ts';
import type { RunningGateway } from './gateway.ts';


/**
 * Ports for `--free-ports` come from below the OS's ephemeral range (Linux: 32768–60999), picked at
 * random and tried: a port the OS picks (`listen(0)`) and releases is an ephemeral one, which an
 * outgoing connection of any process may take as its source port before the simulator binds it
 * (seen as EADDRINUSE on a busy machine). Below the range only another such pick can collide.
 */
const LOW = 20_000;
const HIGH = 32_767;

function bindsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function bindsUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

async function unusedLowPort(binds: (port: number) => Promise<boolean>, what: string): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (await binds(port)) return port;
  }
  throw new Error(`--free-ports: no free ${what} port on 127.0.0.1 between ${LOW} and ${HIGH} after 200 tries`);
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
const unusedLoopbackPort = (): Promise<number> => unusedLowPort(bindsTcp, 'TCP');

/** A UDP port on 127.0.0.1 that nothing is bound to right now. */
const unusedLoopbackUdpPort = (): Promise<number> => unusedLowPort(bindsUdp, 'UDP');

/**
 * `--free-ports`: move the simulated Modbus and OPC UA servers and BACnet devices of the demo to
 * free ports (and point the connectors and bindings at them), and the BACnet connector's own UDP
 * socket too, so several demos or test runs can share a machine. Returns the ports by connector id
 * (and by `<connector>/<device>` for each BACnet device); `applyDemoPorts` applies them again to a
 * reloaded file.
 */
export async function assignFreeDemoPorts(config: SiteConfig): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const c of config.connectors) {
    if (c.type !== 'bacnet') continue;
    ports[c.id] = await unusedLoopbackUdpPort();
    for (const d of config.devices) if (d.binding.connector === c.id) ports[`${c.id}/${d.id}`] = await unusedLoopbackUdpPort();
  }
  for (const c of config.connectors) {
    if ((c.type === 'modbus' && c.transport !== 'rtu') || c.type === 'opcua') ports[c.id] = await unusedLoopbackPort();
  }
  applyDemoPorts(config, ports);
  return ports;
}

/** Point the demo's connectors (and BACnet bindings) at the ports `assignFreeDemoPorts` chose. */
export function applyDemoPorts(config: SiteConfig, ports: Readonly<Record<string, number>>): void {
  for (const c of config.connectors) {
    const port = ports[c.id];
    if (port === undefined) continue;
    if (c.type === 'modbus' && c.transport !== 'rtu') c.port = port;
    else if (c.type === 'opcua') c.endpoint = c.endpoint.replace(/:(\d+)(\/|$)/, `:${port}$2`);
    else if (c.type === 'bacnet') c.port = port;
  }
  for (const d of config.devices) {
    const port = ports[`${d.binding.connector}/${d.id}`];
    if (port !== undefined && typeof d.binding.address === 'string') d.binding = { ...d.binding, address: d.binding.address.replace(/(:\d+)?$/, `:${port}`) };
  }
}

/** Start the simulators of the site file; `faults` (the gateway's /api/demo/faults switch) is attached to them. */
export async function startDemoSimulators(
  configFile: string,
  gateway: RunningGateway,
  log: Logger,
  ports: Record<string, number> = {},
  faults?: DemoFaults,
): Promise<() => Promise<void>> {
  const sims = await startSimulators(readSiteFile(configFile), {
    clock: gateway.clock,
    seed: 42,
    ports,
    ...(gateway.broker ? { mqttUrl: gateway.broker.url } : {}),
  });
  faults?.attach(sims);
  log.info({ simulated: sims.models.size, notYetSimulated: sims.unsupported.length }, `demo simulators running for ${sims.models.size} devices`);
  return async () => {
    faults?.detach();
    await sims.stop();
  };
}
