/**
 * The per-session seq check with two centre instances sharing a node's messages (shared
 * subscription), PostgreSQL and Mosquitto started by the test. A Sparkplug edge node written here
 * on a plain MQTT client (so a message can be left out on purpose): a contiguous session, split
 * between the instances, asks for nothing; a seq left out makes exactly one instance send NCMD
 * `Node Control/Rebirth`, counted once.
 */
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { decodePayload, encodePayload } from '../../../gateway/sparkplug/sparkplug-codec.ts';
import { testCentralConfig } from '../../support/central-config.ts';
import { startCentral, type RunningCentral } from '../../../central/start-central.ts';
import { startMosquitto, type Mosquitto } from '../../support/mosquitto.ts';
import { startPostgres, type Postgres } from '../../support/postgres.ts';
import { waitFor } from '../../support/wait-for.ts';

const NODE = 'gap-1';

describe('the centre asks a node that lost messages for a rebirth', () => {
  let pgServer: Postgres | undefined;
  let broker: Mosquitto | undefined;
  const centrals: RunningCentral[] = [];
  let node: MqttClient | undefined;
  let db: pg.Client | undefined;

  beforeAll(async () => {
    pgServer = await startPostgres();
    broker = await startMosquitto();
  }, 180_000);

  afterAll(async () => {
    await node?.endAsync();
    await db?.end();
    for (const c of centrals) await c.stop();
    await broker?.stop();
    await pgServer?.stop();
  });

  it('sees no gap in a contiguous session split between two instances, and one rebirth request for a lost seq', async () => {
    const config = await testCentralConfig(broker?.url, pgServer?.url, { seqGapGrace: '3s' });
    for (let i = 0; i < 2; i++) centrals.push(await startCentral(config, silentLogger()));
    const client = await mqtt.connectAsync(broker?.url as string, { clientId: NODE, clean: true });
    node = client;
    const commands: Array<{ name: string | undefined; value: unknown }> = [];
    client.on('message', (_topic, payload) => commands.push(...(decodePayload(payload).metrics ?? []).map((m) => ({ name: m.name, value: m.value }))));
    await client.subscribeAsync(`spBv1.0/estates/NCMD/${NODE}`, { qos: 1 });
    await waitFor(() => centrals.every((c) => c.host.stats().connected), 30_000, 'both instances connected');

    const born = Date.now();
    const publish = (type: 'NBIRTH' | 'DDATA', seq: number): Promise<unknown> => {
      const ts = born + seq;
      const metrics = type === 'NBIRTH' ? [{ name: 'bdSeq', type: 'Int64' as const, value: 0, timestamp: ts }] : [{ name: 'battery_pct', type: 'Double' as const, value: seq, timestamp: ts }];
      const topic = type === 'NBIRTH' ? `spBv1.0/estates/NBIRTH/${NODE}` : `spBv1.0/estates/DDATA/${NODE}/smoke-1`;
      return client.publishAsync(topic, encodePayload({ timestamp: ts, seq, metrics }), { qos: 1 });
    };
    await publish('NBIRTH', 0);
    for (let seq = 1; seq <= 40; seq++) await publish('DDATA', seq);

    db = new pg.Client({ connectionString: pgServer?.url });
    await db.connect();
    const row = async () => (await (db as pg.Client).query<{ next_seq: number | null; ahead: number[]; rebirths: string }>('SELECT next_seq, ahead, rebirths FROM fleet_session_seq WHERE site = $1', [NODE])).rows[0];
    await waitFor(async () => (await row())?.next_seq === 41, 60_000, 'the contiguous session applied', 100).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify(await row())} ${JSON.stringify(centrals.map((c) => [c.host.stats(), c.seqCheck.stats()]))}`);
    });
    // both instances handled part of it (the shared subscription split it), and no gap was seen
    for (const c of centrals) expect(c.host.stats().handled + c.host.stats().telemetryPoints).toBeGreaterThan(0);
    for (const c of centrals) await c.seqCheck.flush();
    expect(await row()).toMatchObject({ ahead: [], rebirths: '0' });

    // seq 41 is lost
    for (let seq = 42; seq <= 45; seq++) await publish('DDATA', seq);
    await waitFor(() => commands.some((m) => m.name === 'Node Control/Rebirth' && m.value === true), 60_000, 'NCMD Node Control/Rebirth', 100);
    await waitFor(async () => (await row())?.rebirths === '1', 30_000, 'the rebirth counted in PostgreSQL', 100);
    expect(centrals.reduce((n, c) => n + c.seqCheck.stats().rebirthRequests, 0)).toBe(1);
    expect(commands.filter((m) => m.name === 'Node Control/Rebirth')).toHaveLength(1);
    // /api/health shows it
    const health = await Promise.all(centrals.map(async (c) => (await (await fetch(`${c.url}/api/health`)).json()) as { seqCheck: { rebirthRequests: number } }));
    expect(health.reduce((n, h) => n + h.seqCheck.rebirthRequests, 0)).toBe(1);
  }, 240_000);

  it('recovers the alarms a centre instance took with it when it died: the survivor sees the gap, the rebirth brings the open alarms', async () => {
    const site = 'gap-2';
    const config = await testCentralConfig(broker?.url, pgServer?.url, { hostId: 'ops2', groups: ['estates2'], seqGapGrace: '2s' });
    const survivor = await startCentral(config, silentLogger());
    centrals.push(survivor);
    // an instance of the same share group that takes messages and dies holding them (Mosquitto
    // drops what it had in flight or queued for that clean session: it is not redelivered)
    const doomed = await mqtt.connectAsync(broker?.url as string, { clientId: 'doomed-instance', clean: true, reconnectPeriod: 0 });
    let held = 0;
    doomed.handleMessage = () => {
      held++; // never acknowledged, never stored
    };
    await doomed.subscribeAsync('$share/central/spBv1.0/estates2/#', { qos: 1 });
    await waitFor(() => survivor.host.stats().connected, 30_000, 'the survivor connected');

    const edge = await mqtt.connectAsync(broker?.url as string, { clientId: site, clean: true });
    const rebirths: number[] = [];
    const born = Date.now();
    const alarm = (n: number) => ({ id: `a${n}`, title: `fire ${n}`, device: `smoke-${n}`, building: 'b1', floor: 'F1', priority: 1, lifeSafety: true, state: 'active-unack', raisedAt: born, ackedBy: null });
    const nbirth = (ts: number, open: ReturnType<typeof alarm>[]) =>
      encodePayload({ timestamp: ts, seq: 0, metrics: [{ name: 'bdSeq', type: 'Int64', value: 0, timestamp: ts }, { name: 'Alarms/Open', type: 'String', value: JSON.stringify(open), timestamp: ts }] });
    edge.on('message', () => {
      rebirths.push(Date.now());
      // the node is born again: its open alarms travel in NBIRTH's snapshot
      void edge.publishAsync(`spBv1.0/estates2/NBIRTH/${site}`, nbirth(Date.now(), [1, 2, 3, 4, 5, 6].map(alarm)), { qos: 0 });
    });
    await edge.subscribeAsync(`spBv1.0/estates2/NCMD/${site}`, { qos: 1 });
    await edge.publishAsync(`spBv1.0/estates2/NBIRTH/${site}`, nbirth(born, []), { qos: 0 });
    for (let n = 1; n <= 6; n++) {
      const t = { id: `${site}:alarm-journal:${n}`, seq: n, alarmId: `a${n}`, type: 'raised', fromState: null, toState: 'active-unack', at: born + n, by: null, text: null, rule: 'fire', title: `fire ${n}`, device: `smoke-${n}`, building: 'b1', floor: 'F1', priority: 1, lifeSafety: true };
      await edge.publishAsync(`spBv1.0/estates2/NDATA/${site}`, encodePayload({ timestamp: born + n, seq: n, metrics: [{ name: 'Alarm/Transition', type: 'String', value: JSON.stringify(t), timestamp: born + n }] }), { qos: 1 });
    }
    await waitFor(() => held > 0, 30_000, 'the doomed instance holding messages');
    doomed.stream.destroy(); // its process dies: no PUBACK, no DISCONNECT
    try {
      await waitFor(() => rebirths.length > 0, 60_000, 'a rebirth request after the lost messages', 100);
      const alarms = await waitFor(async () => {
        const a = await survivor.store.alarms(site);
        return a.length === 6 ? a : undefined;
      }, 60_000, 'all six alarms at the centre after the rebirth', 200).catch(async (e: unknown) => {
        throw new Error(`${(e as Error).message}: ${JSON.stringify((await survivor.store.alarms(site)).map((a) => a.alarmId))} held ${held} rebirths ${rebirths.length} ${JSON.stringify(survivor.host.stats())} ${JSON.stringify(await survivor.store.site(site))}`);
      });
      expect(alarms.map((a) => a.alarmId).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
    } finally {
      await edge.endAsync();
    }
  }, 240_000);
});
