/**
 * PostgreSQL goes away (kill -9) for 30 s under the operations centre while a site raises two fire
 * alarms: the centre does not acknowledge the messages to the broker (no PUBACK the whole time: it
 * waits for the commit, and the broker holds the messages for it), retries, and once PostgreSQL is back the
 * alarms are there, once each, and the central journal equals the site's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { testCentralConfig } from '../../support/central-config.ts';
import { startCentral, type RunningCentral } from '../../../central/start-central.ts';
import { startMosquitto, type Mosquitto } from '../../support/mosquitto.ts';
import { startPostgres, type Postgres } from '../../support/postgres.ts';
import { smallSite } from '../../support/site-config.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

const OUTAGE_MS = 30_000;

describe('the operations centre across a PostgreSQL outage', () => {
  const dir = tempDir('int-central-pg-');
  let pg: Postgres | undefined;
  let broker: Mosquitto | undefined;
  let central: RunningCentral | undefined;
  let gateway: RunningGateway | undefined;

  beforeAll(async () => {
    pg = await startPostgres();
    broker = await startMosquitto();
  }, 180_000);

  afterAll(async () => {
    await gateway?.stop();
    await central?.stop();
    await broker?.stop();
    await pg?.stop();
    dir.cleanup();
  });

  it('holds the alarms unacknowledged while PostgreSQL is down for 30 s and stores each once when it is back', async () => {
    const db = pg as Postgres;
    const config = await testCentralConfig(broker?.url, db.url);
    const c = await startCentral(config, silentLogger());
    central = c;
    const base = smallSite(dir.path, { rulePacks: ['smoke_detector'], northbound: { sparkplug: { url: broker?.url, groupId: 'estates', primaryHostId: 'ops' } } });
    const gw = await startGateway({ ...base, site: { ...base.site, id: 'p1' } }, silentLogger(), { listen: false });
    gateway = gw;
    await waitFor(async () => (await c.store.site('p1'))?.online === true, 60_000, 'the site online');

    await db.kill();
    const killedAt = Date.now();
    const failuresBefore = c.host.stats().failures;
    gw.bus.push([{ device: 'smoke-1', point: 'alarm', value: true, ts: Date.now(), quality: 'good' }]);
    gw.bus.push([{ device: 'smoke-2', point: 'alarm', value: true, ts: Date.now(), quality: 'good' }]);
    const urgent = (): number => gw.sparkplug?.status().outbox.urgent ?? -1;
    // PostgreSQL stays down for OUTAGE_MS: the centre received the first transition, fails to commit
    // and keeps retrying; it sends no PUBACK meanwhile (the broker keeps the message for it)
    await waitFor(() => c.host.stats().failures > failuresBefore, 30_000, 'the first failed commit');
    const { fleetPubacks: pubacks, connections } = c.host.stats();
    let acked = 0;
    await waitFor(() => {
      acked = Math.max(acked, c.host.stats().fleetPubacks - pubacks);
      return Date.now() - killedAt >= OUTAGE_MS && c.host.stats().failures >= failuresBefore + 3;
    }, OUTAGE_MS * 3, `PostgreSQL down for ${OUTAGE_MS / 1000} s with failed commits`, 250).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify(c.host.stats())} outbox ${JSON.stringify(gw.sparkplug?.status())}`);
    });
    expect(acked).toBe(0);
    expect(c.host.stats().fleetPubacks).toBe(pubacks);
    // and it kept its broker connection (a stalled client would time out its keep-alive and
    // reconnect, and the broker would drop what it had in flight for the old clean session)
    expect(c.host.stats().connections).toBe(connections);

    await db.start();
    // everything stored after, once: the central journal equals the site's journal
    await waitFor(async () => (await c.store.alarms('p1').catch(() => [])).length === 2, 60_000, 'both alarms stored after PostgreSQL returned');
    await waitFor(() => urgent() === 0, 60_000, "the site's outbox acknowledged");
    expect(await c.store.alarms('p1')).toEqual(expect.arrayContaining([expect.objectContaining({ device: 'smoke-1', state: 'active-unack' }), expect.objectContaining({ device: 'smoke-2', state: 'active-unack' })]));
    const siteJournal = gw.alarms.searchJournal({}, 0, 100).rows.map((r) => `${r.seq}:${r.type}`).sort();
    expect(siteJournal).toHaveLength(2);
    expect((await c.store.journal('p1')).map((j) => `${j.seq}:${j.type}`).sort()).toEqual(siteJournal);
  }, 300_000);
});
