/**
 * No silent overwrites, end to end (#20 item 3): a burst of QoS 1 messages to one device over the
 * embedded broker, many of them arriving in the same millisecond, is stored message for message in
 * telemetry.db and in a real InfluxDB 1.6 (`influxd`, started here on free ports): the SQLite
 * store's seq and the InfluxDB lines' nanosecond tie-breaker keep readings of one millisecond apart.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { startInfluxd, type InfluxdProcess } from './servers/influxd-process.ts';
import { telemetrySite } from './telemetry-site.ts';

let influxd: InfluxdProcess;
let gw: RunningGateway | undefined;
let client: mqtt.MqttClient | undefined;
const dir = tempDir('fgw-it-burst-');
beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await client?.endAsync();
  await gw?.stop();
  await influxd?.destroy();
  dir.cleanup();
});

describe('a burst to one device, counted in both stores', () => {
  it('every acknowledged message is in telemetry.db and in InfluxDB, also those sharing a millisecond', async () => {
    await influxd.query('CREATE DATABASE burst');
    gw = await startGateway(telemetrySite(dir.path, { version: 1, url: influxd.url, db: 'burst', flushInterval: '200ms' }), silentLogger(), { listen: false });
    const from = Date.now();
    client = await mqtt.connectAsync(gw.broker?.url ?? 'missing', { clientId: 'burst' });
    const n = 2_000;
    await Promise.all(Array.from({ length: n }, (_, i) => client!.publishAsync('it/pump-1', JSON.stringify({ discharge_bar: i / 100 }), { qos: 1 })));

    const history = async (): Promise<number[]> => (await gw!.store.history({ device: 'pump-1', point: 'discharge_bar', from, to: Date.now() + 60_000, limit: 10 * n })).map((s) => s.value as number);
    await waitFor('every message in telemetry.db', async () => (await history()).length === n, 30_000);
    const stored = await gw.store.history({ device: 'pump-1', point: 'discharge_bar', from, to: Date.now() + 60_000, limit: 10 * n });
    expect(new Set(stored.map((s) => s.value)).size).toBe(n);
    // a count of timestamps, not a duration: the burst really had readings sharing a millisecond
    expect(new Set(stored.map((s) => s.ts)).size).toBeLessThan(n);

    // one line per message (one point each): all sent and accepted, then counted in InfluxDB
    await waitFor('every line accepted by InfluxDB', async () => gw!.telemetry!.status().writtenLines === n && gw!.telemetry!.status().spool.depth === 0, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(gw!.telemetry!.status())}`);
    });
    const count = await influxd.query('SELECT count(discharge_bar) FROM pump', 'burst');
    expect(count.results[0]?.series?.[0]?.values[0]?.[1]).toBe(n);
    const distinct = await influxd.query('SELECT count(distinct(discharge_bar)) FROM pump', 'burst');
    expect(distinct.results[0]?.series?.[0]?.values[0]?.[1]).toBe(n);
    expect(gw.telemetry!.status().spool.deadLettered).toBe(0);
  });
});
