/** Demo mode: the built-in simulators for every device of the site, next to the gateway. */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { readSiteFile } from '../simulators/site-file.ts';
import { startSimulators } from '../simulators/sim-runner.ts';
import type { SiteConfig } from './config/site-schema.ts';
import type { DemoFaults } from './demo/demo-faults.ts';
import type { RunningGateway } from './gateway.ts';


/** A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it). */
function unusedLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A UDP port on 127.0.0.1 that nothing is bound to right now (the OS picks it). */
async function unusedLoopbackUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

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
