import { afterEach, describe, expect, it } from 'vitest';
import { TelemetrySpool } from '../../central/telemetry-spool.ts';
import { metricLines } from '../../central/telemetry-lines.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { influxSchema } from '../../gateway/storage/influx-schema.ts';
import { tempDir } from '../support/temp-dir.ts';

/** The spool side only: the forwarder is not started, so nothing is sent (the InfluxDB path: test/integration/central). */
describe("the centre's telemetry spool", () => {
  const dir = tempDir('central-telemetry-');
  let telemetry: TelemetrySpool | undefined;
  afterEach(async () => {
    await telemetry?.stop();
    dir.cleanup();
  });

  const lines = (device: string, value: number) => metricLines({ group: 'g', site: 's1', device, timestamp: 1_000, metrics: [{ name: 'p', value, timestamp: 2_000 }] }).lines;

  it('commits the messages of one turn together and resolves each once they are in the spool; refuses after stop', async () => {
    const config = influxSchema.parse({ version: 1, url: 'http://127.0.0.1:9/', db: 'fleet' });
    const t = new TelemetrySpool(config, dir.path, silentLogger());
    telemetry = t;
    await Promise.all([t.append(lines('a', 1)), t.append(lines('b', 2)), t.append(lines('c', 3))]);
    expect(t.status()).toMatchObject({ spoolCommits: 1, spool: { depth: 3 } });
    await t.append(lines('d', 4));
    expect(t.status()).toMatchObject({ spoolCommits: 2, spool: { depth: 4 } });
    await t.stop();
    telemetry = undefined;
    await expect(t.append(lines('e', 5))).rejects.toThrow(/stopped/);
  });
});
