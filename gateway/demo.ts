/** Demo mode: the built-in simulators for every device of the site, next to the gateway. */
import type { Logger } from 'pino';
import { readSiteFile } from '../simulators/site-file.ts';
import { startSimulators } from '../simulators/sim-runner.ts';
import type { RunningGateway } from './gateway.ts';

export async function startDemoSimulators(configFile: string, gateway: RunningGateway, log: Logger): Promise<() => Promise<void>> {
  const sims = await startSimulators(readSiteFile(configFile), {
    clock: gateway.clock,
    seed: 42,
    ...(gateway.broker ? { mqttUrl: gateway.broker.url } : {}),
  });
  log.info({ simulated: sims.models.size, notYetSimulated: sims.unsupported.length }, `demo simulators running for ${sims.models.size} devices`);
  return () => sims.stop();
}
