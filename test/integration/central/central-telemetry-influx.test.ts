/**
 * The centre's telemetry into a real InfluxDB 1.6 (`influxd` started by the test), with PostgreSQL,
 * Mosquitto and a gateway as the Sparkplug edge node:
 * - DBIRTH values land tagged by site/device/point; a point nobody read keeps its quality and
 *   reason and has no value (never a 0);
 * - DDATA values land with the metric's (the sample's) timestamp;
 * - InfluxDB stopped: the centre still acknowledges DDATA (the gateway's outbox empties) because the
 *   lines are in its durable spool, and a fire alarm reaches PostgreSQL meanwhile; the centre
 *   instance is then stopped and a new one started on the same data directory; when InfluxDB is back
 *   every value sent during the outage is there, once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import type { CentralConfig } from '../../../central/central-schema.ts';
import { testCentralConfig } from '../../support/central-config.ts';
import { startCentral, type RunningCentral } from '../../../central/start-central.ts';
import { startMosquitto, type Mosquitto } from '../../support/mosquitto.ts';
import { startPostgres, type Postgres } from '../../support/postgres.ts';
import { smallSite } from '../../support/site-config.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';
import { startInfluxd, type InfluxdProcess } from '../storage/servers/influxd-process.ts';

const SITE = 't1';
const BEFORE = 10;
const DURING = 40;

describe('the operations centre writes telemetry to InfluxDB through a durable spool', () => {
  const dir = tempDir('int-central-influx-');
  let pg: Postgres | undefined;
  let broker: Mosquitto | undefined;
  let influxd: InfluxdProcess | undefined;
  const centrals: RunningCentral[] = [];
  let gateway: RunningGateway | undefined;

  beforeAll(async () => {
    pg = await startPostgres();
    broker = await startMosquitto();
    influxd = await startInfluxd();
    await influxd.query('CREATE DATABASE fleet');
  }, 180_000);

  afterAll(async () => {
    await gateway?.stop();
    for (const c of centrals) await c.stop();
    await broker?.stop();
    await influxd?.destroy();
    await pg?.stop();
    dir.cleanup();
  });

  const points = async (where: string): Promise<unknown[][]> => {
    const r = await (influxd as InfluxdProcess).query(`SELECT value, state, text, quality, reason FROM telemetry WHERE ${where}`, 'fleet');
    return r.results[0]?.series?.[0]?.values ?? [];
  };

  it('lands DBIRTH and DDATA values, keeps quality, and loses nothing across an InfluxDB outage and a centre restart', async () => {
    const influx = influxd as InfluxdProcess;
    const config: CentralConfig = await testCentralConfig(broker?.url, pg?.url, { influx: { version: 1, url: influx.url, db: 'fleet', flushInterval: '200ms', retryMin: '300ms', retryMax: '1s', timeout: '2s' }, dataDir: join(dir.path, 'central') });
    const c1 = await startCentral(config, silentLogger());
    centrals.push(c1);
    const base = smallSite(join(dir.path, 'site'), { rulePacks: ['smoke_detector'], northbound: { sparkplug: { url: broker?.url, groupId: 'estates', primaryHostId: 'ops' } } });
    const gw = await startGateway({ ...base, site: { ...base.site, id: SITE } }, silentLogger(), { listen: false });
    gateway = gw;
    await waitFor(async () => (await c1.store.site(SITE))?.online === true, 60_000, 'the site online');

    // DBIRTH: every canonical point, the unread ones without a value but with quality and reason
    const unread = await waitFor(async () => {
      const rows = await points(`site = '${SITE}' AND device = 'door-1'`);
      return rows.length > 0 ? rows : undefined;
    }, 60_000, 'the DBIRTH of door-1 in InfluxDB', 200);
    expect(unread.length).toBeGreaterThan(1);
    for (const [, value, state, text, quality, reason] of unread) expect({ value, state, text, quality, reason }).toEqual({ value: null, state: null, text: null, quality: 'uncertain', reason: 'not yet read' });

    // DDATA: each value at its sample's timestamp
    const t0 = Date.now() - 3_600_000;
    const send = async (from: number, n: number): Promise<void> => {
      for (let i = from; i < from + n; i++) {
        gw.bus.push([{ device: 'smoke-1', point: 'battery_pct', value: 50 + i / 4, ts: t0 + i * 1_000, quality: 'good' }]);
        await gw.bus.drain();
      }
    };
    const battery = `"site" = '${SITE}' AND "device" = 'smoke-1' AND "point" = 'battery_pct' AND time >= ${t0}ms AND time < ${t0 + (BEFORE + DURING) * 1_000}ms`; // the DBIRTH's (unread) value is later
    await send(0, BEFORE);
    await waitFor(async () => (await points(battery)).length === BEFORE, 60_000, 'the first values in InfluxDB', 200).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify(await points(battery))} ${JSON.stringify(await points(`site = '${SITE}' AND device = 'smoke-1'`))} ${JSON.stringify(c1.telemetry?.status())} ${JSON.stringify(gw.sparkplug?.status())}`);
    });

    await influx.stop();
    await send(BEFORE, DURING);
    gw.bus.push([{ device: 'smoke-2', point: 'alarm', value: true, ts: Date.now(), quality: 'good' }]);
    // the alarm is not held up by the telemetry sink, and the centre acknowledged every DDATA (the
    // edge node's outbox is empty) while InfluxDB is away: the lines are in the centre's spool
    await waitFor(async () => (await c1.store.alarms(SITE)).some((a) => a.device === 'smoke-2'), 60_000, 'the fire alarm at the centre during the InfluxDB outage');
    await waitFor(() => {
      const o = gw.sparkplug?.status().outbox;
      return o !== undefined && o.urgent + o.telemetry === 0;
    }, 60_000, "the edge node's outbox acknowledged");
    // the worker reports its status every second
    await waitFor(() => c1.telemetry?.status().state === 'retrying' && c1.telemetry.status().spool.depth >= DURING, 30_000, 'the outage values in the spool, InfluxDB retried');

    // a new centre instance on the same data directory drains what the first one spooled
    await c1.stop();
    centrals.splice(centrals.indexOf(c1), 1);
    const c2 = await startCentral(config, silentLogger());
    centrals.push(c2);
    expect(c2.telemetry?.status().spool.depth).toBeGreaterThanOrEqual(DURING);
    await influx.start();
    await waitFor(async () => (await points(battery)).length === BEFORE + DURING, 60_000, 'every value in InfluxDB after the outage', 200);
    const values = (await points(battery)).map(([time, value, , , quality]) => [time, value, quality]);
    expect(values).toEqual(Array.from({ length: BEFORE + DURING }, (_, i) => [t0 + i * 1_000, 50 + i / 4, 'good']));
    await waitFor(() => c2.telemetry?.status().spool.depth === 0, 60_000, 'the spool drained');
  }, 300_000);
});
