/**
 * The demo site (config/demo-site.yaml) run inside the test process: the gateway with its demo
 * accounts and the simulators, every server on a free port of 127.0.0.1, so a test can inject a
 * fault into a device model (`sims.begin('pump-b1-1', 'trip')`) and watch the real
 * sample → alarm → work order path.
 */
import { demoUsers, ensureDemoAccounts } from '../../../gateway/auth/demo-accounts.ts';
import { assignFreeDemoPorts } from '../../../gateway/demo.ts';
import { loadConfigFile } from '../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { startSimulators, type RunningSimulators } from '../../../simulators/sim-runner.ts';
import { readSiteFile } from '../../../simulators/site-file.ts';

const SITE_FILE = 'config/demo-site.yaml';


export interface InProcessDemo {
  readonly gateway: RunningGateway;
  readonly sims: RunningSimulators;
  /** http://127.0.0.1:PORT */
  readonly api: string;
  stop(): Promise<void>;
}

/**
 * `tweak` may change the loaded demo config before the gateway starts (e.g. add an inspection route).
 * The simulators' ports are picked at random below the ephemeral range (`assignFreeDemoPorts`); a
 * port taken between the pick and the simulator's listen (another test file's pick, seen once in
 * a CI run: EADDRINUSE) starts the demo again on new ports, up to three times.
 */
export async function startDemoInProcess(dataDir: string, tweak?: (config: Awaited<ReturnType<typeof loadConfigFile>>) => void): Promise<InProcessDemo> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(dataDir, tweak);
    } catch (err) {
      if (attempt >= 3 || !String((err as Error).message).includes('EADDRINUSE')) throw err;
    }
  }
}

async function startOnce(dataDir: string, tweak?: (config: Awaited<ReturnType<typeof loadConfigFile>>) => void): Promise<InProcessDemo> {
  const config = await loadConfigFile(SITE_FILE);
  tweak?.(config);
  config.storage.dataDir = dataDir;
  config.api.port = 0;
  config.broker.port = 0;
  const ports = await assignFreeDemoPorts(config);
  const demo = await ensureDemoAccounts(dataDir);
  config.accounts.users = demoUsers(demo.accounts);
  const gateway = await startGateway(config, silentLogger());
  let sims: RunningSimulators;
  try {
    sims = await startSimulators(readSiteFile(SITE_FILE), { clock: gateway.clock, seed: 42, mqttUrl: gateway.broker?.url as string, ports });
  } catch (err) {
    await gateway.stop();
    throw err;
  }
  if (!gateway.apiUrl) throw new Error('the gateway did not listen');
  return {
    gateway,
    sims,
    api: gateway.apiUrl,
    stop: async () => {
      await sims.stop();
      await gateway.stop();
    },
  };
}
