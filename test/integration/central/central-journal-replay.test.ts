/**
 * Alarm-journal replay after a centre instance dies with journal rows in flight. A real gateway
 * (Sparkplug edge node), PostgreSQL and Mosquitto started by the test, one centre instance running
 * in process, and a second member of its share group that takes messages and dies holding them
 * (Mosquitto does not deliver what a clean session held to anyone else). The survivor finds the
 * hole (a stored seq above a missing one, or the seq the NBIRTH after a rebirth declares), asks the
 * site with NCMD `Alarm/Journal Replay`, and the site's rows come again with their ids: the
 * centre's journal of the site ends equal to the site's own journal, none missing, none doubled.
 */
import mqtt, { type MqttClient } from 'mqtt';
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

const SITE = 'jr1';

describe('alarm-journal replay after a centre instance died with journal rows in flight', () => {
  const dir = tempDir('int-central-journal-replay-');
  let pgServer: Postgres | undefined;
  let broker: Mosquitto | undefined;
  let central: RunningCentral | undefined;
  let gateway: RunningGateway | undefined;
  let doomed: MqttClient | undefined;

  beforeAll(async () => {
    pgServer = await startPostgres();
    broker = await startMosquitto();
  }, 180_000);

  afterAll(async () => {
    await gateway?.stop();
    doomed?.stream.destroy();
    await doomed?.endAsync(true).catch(() => undefined);
    await central?.stop();
    await broker?.stop();
    await pgServer?.stop();
    dir.cleanup();
  });

  it("ends with the centre's journal of the site equal to the site's journal", async () => {
    const config = await testCentralConfig(broker?.url, pgServer?.url, { seqGapGrace: '1s', journalHoleGrace: '1s' });
    const c = await startCentral(config, silentLogger());
    central = c;
    await waitFor(() => c.host.stats().connected, 30_000, 'the centre connected');

    const base = smallSite(dir.path, { rulePacks: ['smoke_detector'], northbound: { sparkplug: { url: broker?.url, groupId: 'estates', primaryHostId: 'ops', reconnect: { min: '200ms', max: '2s' } } } });
    const gw = await startGateway({ ...base, site: { ...base.site, id: SITE } }, silentLogger(), { listen: false });
    gateway = gw;
    await waitFor(async () => (await c.store.site(SITE))?.online === true, 60_000, 'the site online at the centre');

    // a second instance of the share group: takes its share of the messages, never stores or acknowledges them
    const d = await mqtt.connectAsync(broker?.url as string, { clientId: 'doomed-instance', clean: true, reconnectPeriod: 0 });
    doomed = d;
    let heldJournalRows = 0;
    d.on('error', () => undefined);
    d.handleMessage = (packet, callback) => {
      if (packet.topic === `spBv1.0/estates/NDATA/${SITE}` && Buffer.from(packet.payload).includes('Alarm/Transition')) heldJournalRows++;
      callback(new Error('held: never acknowledged')); // an error skips mqtt.js's PUBACK and reads on
    };
    await d.subscribeAsync('$share/central/spBv1.0/estates/#', { qos: 1 });

    // alarm transitions at the site (raised, acknowledged, returned to normal) until the doomed instance holds some
    let round = 0;
    await waitFor(
      () => {
        const on = ++round % 2 === 1;
        gw.bus.push(['smoke-1', 'smoke-2'].map((device) => ({ device, point: 'alarm', value: on, ts: Date.now(), quality: 'good' as const })));
        for (const a of gw.alarms.active()) {
          if (a.state === 'active-unack' || a.state === 'rtn-unack') {
            try {
              gw.alarms.acknowledge(a.id, 'duty');
            } catch {
              // acknowledged meanwhile: the next round moves it on
            }
          }
        }
        return heldJournalRows >= 2;
      },
      60_000,
      'the doomed instance holding journal rows',
      300,
    ).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}: held ${heldJournalRows}, site journal ${gw.alarms.searchJournal({}, 0, 1).total} rows, centre ${(await c.store.journal(SITE)).length}`);
    });
    d.stream.destroy(); // the instance dies: no PUBACK, no DISCONNECT; what it held is lost to the centre

    const siteRows = () => gw.alarms.searchJournal({}, 0, 10_000).rows.sort((a, b) => a.seq - b.seq);
    // both journals read until they agree (a transition still on its way moves both)
    const both = await waitFor(
      async () => {
        const centre = await c.store.journal(SITE);
        const site = siteRows();
        return JSON.stringify(centre.map((r) => r.seq)) === JSON.stringify(site.map((r) => r.seq)) ? { centre, site } : undefined;
      },
      120_000,
      "the centre's journal equal to the site's",
      250,
    ).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}: centre ${JSON.stringify((await c.store.journal(SITE)).map((r) => r.seq))} site ${JSON.stringify(siteRows().map((r) => r.seq))} replays ${c.journalReplay.stats().journalReplayRequests} rebirths ${c.seqCheck.stats().rebirthRequests}`);
    });
    // none missing, none doubled: the same seqs once each, with the site's alarm ids and types
    expect(both.centre.map((r) => r.seq)).toEqual(both.site.map((r) => r.seq));
    expect(new Set(both.centre.map((r) => r.seq)).size).toBe(both.centre.length);
    expect(both.centre.map((r) => [r.alarmId, r.type])).toEqual(both.site.map((r) => [r.alarmId, r.type]));
    // the held rows came back through a replay the centre asked for, shown on /api/health
    expect(c.journalReplay.stats().journalReplayRequests).toBeGreaterThan(0);
    const health = (await (await fetch(`${c.url}/api/health`)).json()) as { journalReplay: { journalReplayRequests: number } };
    expect(health.journalReplay.journalReplayRequests).toBe(c.journalReplay.stats().journalReplayRequests);
    // and the alarm states follow the journal: every open alarm of the site is at the centre in its state
    await waitFor(
      async () => {
        const states = new Map((await c.store.alarms(SITE)).map((a) => [a.alarmId, a.state]));
        return gw.alarms.active().every((a) => states.get(a.id) === a.state);
      },
      60_000,
      'the open alarms of the site at the centre in their states',
      250,
    );
  }, 300_000);
});
