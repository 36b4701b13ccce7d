/**
 * The demo site's gateway in this process, for unit tests: no broker, no connectors (samples are
 * pushed on its bus), inline storage under `dataDir`, synchronous bus delivery, the given clock,
 * no listening socket (fastify `inject`). `adjust` changes the loaded config before the start.
 */
import { loadConfigFile } from '../../gateway/config/load-config.ts';
import type { SiteConfig } from '../../gateway/config/site-schema.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import type { Clock } from '../../gateway/model/clock.ts';

export async function startDemoGateway(dataDir: string, clock: Clock, adjust?: (config: SiteConfig) => void): Promise<RunningGateway> {
  const config = await loadConfigFile('config/demo-site.yaml');
  config.broker.enabled = false;
  config.connectors = [];
  config.storage.dataDir = dataDir;
  adjust?.(config);
  return startGateway(config, silentLogger(), { clock, listen: false, busDelivery: 'sync', storage: 'inline' });
}
