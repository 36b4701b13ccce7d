import { afterEach, describe, expect, it } from 'vitest';
import { CentralTelemetry } from '../../central/central-telemetry.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { influxSchema } from '../../gateway/storage/influx-schema.ts';
import { tempDir } from '../support/temp-dir.ts';

/** The spool side only: the forwarder is not started, so nothing is sent (the InfluxDB path: test/integration/central). */
describe("the centre's telemetry spool", () => {
  const dir = tempDir('central-telemetry-');
  let telemetry: CentralTelemetry | undefined;
  afterEach(async () => {
    await telemetry?.stop();
    dir.cleanup();
  });

  const msg = (device: string, value: number) => ({ group: 'g', site: 's1', device, timestamp: 1_000, metrics: [{ name: 'p', value, timestamp: 2_000 }] });

  it('commits the messages of one turn together and resolves each once they are in the spool; refuses after stop', async () => {
    const config = influxSchema.parse({ version: 1, url: 'http://127.0.0.1:9/', db: 'fleet' });
    const t = new CentralTelemetry(config, dir.path, silentLogger());
    telemetry = t;
    await Promise.all([t.accept(msg('a', 1)), t.accept(msg('b', 2)), t.accept(msg('c', 3))]);
    expect(t.status()).toMatchObject({ spoolCommits: 1, metrics: 3, spool: { depth: 3 } });
    await t.accept(msg('d', 4));
    expect(t.status()).toMatchObject({ spoolCommits: 2, spool: { depth: 4 } });
    await t.stop();
    telemetry = undefined;
    await expect(t.accept(msg('e', 5))).rejects.toThrow(/stopped/);
  });
});
