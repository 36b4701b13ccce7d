/** Demo mode: the built-in simulators for every device of the site, next to the gateway. */
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { readSiteFile } from '../simulators/site-file.ts';
import { startSimulators } from '../simulators/sim-runner.ts';
import type { SiteConfig } from './config/site-schema.ts';
import type { DemoFaults } from './demo/demo-faults.ts';
import type { RunningGateway } from './gateway.ts';


/**
 * `--free-ports`: move the simulated Modbus and OPC UA servers of the demo to free ports (and point
 * the connectors at them), so several demos or test runs can share a machine.
 */
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

export async function assignFreeDemoPorts(config: SiteConfig): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const c of config.connectors) {
    if (c.type === 'modbus' && c.transport !== 'rtu') {
      ports[c.id] = await unusedLoopbackPort();
      c.port = ports[c.id] as number;
    } else if (c.type === 'opcua') {
      const port = await unusedLoopbackPort();
      ports[c.id] = port;
      c.endpoint = c.endpoint.replace(/:(\d+)(\/|$)/, `:${port}$2`);
    }
  }
  return ports;
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
