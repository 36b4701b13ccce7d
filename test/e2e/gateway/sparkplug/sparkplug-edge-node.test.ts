/**
 * The gateway as a Sparkplug B edge node against a real MQTT broker (a separate aedes on a free
 * port of 127.0.0.1): birth certificates, report by exception, rebirth, alarms and the central
 * acknowledgement, the primary host's STATE, and a broker outage. Samples enter through the
 * gateway's sample bus, as a connector pushes them; everything northbound is read back with the
 * sparkplug-payload package's decoder.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../../gateway/broker/embedded-broker.ts';
import { startGateway, type RunningGateway } from '../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { pointsOf } from '../../../../gateway/model/kinds/index.ts';
import type { Sample } from '../../../../gateway/model/sample.ts';
import { freePort } from '../../../support/free-port.ts';
import { startTestBroker } from '../../../support/mqtt-fixture.ts';
import { smallSite } from '../../../support/site-config.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { SparkplugCapture } from '../../../support/sparkplug-capture.ts';

const GROUP = 'estates';

describe('the Sparkplug B edge node', () => {
  const dir = tempDir('e2e-sparkplug-');
  let broker: RunningBroker | undefined;
  let gateway: RunningGateway | undefined;
  let capture: SparkplugCapture | undefined;

  afterEach(async () => {
    await capture?.close();
    await gateway?.stop();
    await broker?.close();
    capture = undefined;
    gateway = undefined;
    broker = undefined;
    dir.cleanup();
  });

  async function start(port: number, sparkplug: Record<string, unknown> = {}): Promise<RunningGateway> {
    gateway = await startGateway(
      smallSite(dir.path, {
        rulePacks: ['smoke_detector'],
        northbound: { sparkplug: { url: `mqtt://127.0.0.1:${port}`, groupId: GROUP, reconnect: { min: '100ms', max: '500ms' }, ...sparkplug } },
      }),
      silentLogger(),
      { listen: false },
    );
    return gateway;
  }

  const sample = (device: string, point: string, value: Sample['value']): Sample => ({ device, point, value, ts: Date.now(), quality: 'good' });

  it('is born with every canonical point, reports changes past the deadband, is re-born on request and takes a central acknowledgement', async () => {
    broker = await startTestBroker();
    const port = Number(new URL(broker.url).port);
    capture = await SparkplugCapture.start(broker.url);
    const gw = await start(port, { deadbands: { obscuration_pct_m: 1 } });

    const nbirth = await waitFor(() => capture?.of('NBIRTH')[0], 20_000, 'NBIRTH');
    expect(nbirth.topic).toBe(`spBv1.0/${GROUP}/NBIRTH/test`);
    expect(nbirth.seq).toBe(0);
    const bdSeq = nbirth.metrics.find((m) => m.name === 'bdSeq');
    expect(bdSeq?.type).toBe('Int64');
    expect(nbirth.metrics.find((m) => m.name === 'Node Control/Rebirth')?.value).toBe(false);
    // the month's availability from the uptime ledger: a percentage, or null with why
    const availability = nbirth.metrics.find((m) => m.name === 'Availability/Month %');
    expect(availability).toMatchObject({ type: 'Double', properties: { engUnit: '%' } });
    expect(availability?.isNull ? availability.properties.reason : typeof availability?.value).toMatch(/^(number|no monitored time yet this month)$/);
    const dbirths = await waitFor(() => (capture && capture.of('DBIRTH').length === 3 ? capture.of('DBIRTH') : undefined), 20_000, 'three DBIRTHs');
    expect(dbirths.map((d) => d.device).sort()).toEqual(['door-1', 'smoke-1', 'smoke-2']);
    const smoke = dbirths.find((d) => d.device === 'smoke-1');
    expect(smoke?.metrics.map((m) => m.name).sort()).toEqual(pointsOf('smoke_detector').map((p) => p.name).sort());
    const obscuration = smoke?.metrics.find((m) => m.name === 'obscuration_pct_m');
    expect(obscuration).toMatchObject({ type: 'Double', properties: { engUnit: '%/m' } });
    // nothing was read yet: a null value with its quality (500 = stale) and the reason
    expect(obscuration?.isNull).toBe(true);
    expect(obscuration?.properties).toMatchObject({ Quality: 500, reason: 'not yet read' });
    expect(smoke?.metrics.find((m) => m.name === 'alarm')?.type).toBe('Boolean');
    // NBIRTH then DBIRTHs: seq 0, 1, 2, 3
    expect(capture.messages.slice(0, 4).map((m) => m.seq)).toEqual([0, 1, 2, 3]);

    // report by exception: 2.0 → 2.5 is inside the deadband of 1, 3.2 is past it
    for (const v of [2, 2.5, 3.2]) {
      gw.bus.push([sample('smoke-1', 'obscuration_pct_m', v)]);
      await gw.bus.drain();
    }
    await waitFor(() => capture?.metricValues('obscuration_pct_m').includes(3.2), 20_000, 'the DDATA of 3.2');
    expect(capture.of('DDATA').flatMap((m) => m.metrics.filter((x) => x.name === 'obscuration_pct_m' && !x.isNull).map((x) => x.value))).toEqual([2, 3.2]);
    const ddata = capture.of('DDATA').flatMap((m) => m.metrics).find((x) => x.name === 'obscuration_pct_m' && x.value === 2);
    expect(ddata?.properties).toMatchObject({ Quality: 192 });

    // rebirth on NCMD Node Control/Rebirth: a second NBIRTH with seq 0 and the same bdSeq
    await capture.command(GROUP, 'test', [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }]);
    const reborn = await waitFor(() => capture?.of('NBIRTH')[1], 20_000, 'the second NBIRTH');
    expect(reborn.seq).toBe(0);
    expect(reborn.metrics.find((m) => m.name === 'bdSeq')?.value).toBe(bdSeq?.value);
    const rebornSmoke = await waitFor(() => capture?.of('DBIRTH').filter((d) => d.device === 'smoke-1')[1], 20_000, 'the second DBIRTH of smoke-1');
    expect(rebornSmoke.metrics.find((m) => m.name === 'obscuration_pct_m')?.value).toBe(3.2);

    // a smoke alarm travels as an Alarm/Transition node metric with the journal's id
    gw.bus.push([sample('smoke-1', 'alarm', true)]);
    const raised = await waitFor(() => capture?.transitions().find((t) => t.type === 'raised'), 20_000, 'the raised transition');
    expect(raised.id).toBe(`test:alarm-journal:${raised.seq}`);
    const alarm = gw.alarms.get(raised.alarmId);
    expect(alarm?.device).toBe('smoke-1');
    expect(capture.of('NDATA').length).toBeGreaterThan(0);

    // the operations centre acknowledges through NCMD: journaled at the site, and the journal row goes north
    await capture.command(GROUP, 'test', [{ name: 'Alarm/Acknowledge', type: 'String', value: JSON.stringify({ alarmId: raised.alarmId, by: 'ops-duty', ackId: 'ack-1' }) }]);
    const acked = await waitFor(() => capture?.transitions().find((t) => t.type === 'acknowledged'), 20_000, 'the acknowledged transition');
    expect(acked.by).toBe('central:ops-duty');
    expect(gw.alarms.get(raised.alarmId)?.ackedBy).toBe('central:ops-duty');
    expect(gw.alarms.journal(raised.alarmId).map((j) => j.type)).toEqual(['raised', 'acknowledged']);

    // NBIRTH declares the newest journal seq; NCMD Alarm/Journal Replay sends the rows from a seq again, same ids
    await capture.command(GROUP, 'test', [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }]);
    const third = await waitFor(() => capture?.of('NBIRTH')[2], 20_000, 'the third NBIRTH');
    expect(Number(third.metrics.find((m) => m.name === 'Alarm/Journal Seq')?.value)).toBe(acked.seq);
    const before = capture.transitions().length;
    await capture.command(GROUP, 'test', [{ name: 'Alarm/Journal Replay', type: 'Int64', value: raised.seq }]);
    const again = await waitFor(() => (capture && capture.transitions().length >= before + 2 ? capture.transitions().slice(before) : undefined), 20_000, 'the replayed rows');
    expect(again.map((t) => [t.id, t.seq, t.type])).toEqual([
      [raised.id, raised.seq, 'raised'],
      [acked.id, acked.seq, 'acknowledged'],
    ]);
    // with Alarm/Journal Replay To: that hole only
    const before2 = capture.transitions().length;
    await capture.command(GROUP, 'test', [
      { name: 'Alarm/Journal Replay', type: 'Int64', value: raised.seq },
      { name: 'Alarm/Journal Replay To', type: 'Int64', value: raised.seq },
    ]);
    const hole = await waitFor(() => capture?.transitions()[before2], 20_000, 'the replayed hole');
    expect([hole.id, hole.seq]).toEqual([raised.id, raised.seq]);
    await capture.command(GROUP, 'test', [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }]);
    await waitFor(() => capture?.of('NBIRTH')[3], 20_000, 'the fourth NBIRTH, after the replayed row'); // NCMDs are handled in order
    expect(capture.transitions().slice(before2).map((t) => t.seq)).toEqual([raised.seq]);
  }, 90_000);

  it('waits for the primary host STATE, goes quiet and buffers while it is offline, and replays when it returns', async () => {
    broker = await startTestBroker();
    const port = Number(new URL(broker.url).port);
    capture = await SparkplugCapture.start(broker.url);
    const host = capture.client;
    const state = (online: boolean, timestamp: number): Promise<unknown> => host.publishAsync('spBv1.0/STATE/ops', JSON.stringify({ online, timestamp }), { qos: 1, retain: true });
    await state(false, 1);
    const gw = await start(port, { primaryHostId: 'ops' });
    // connected, but not born while the host is offline; telemetry is buffered
    await waitFor(() => gw.sparkplug?.status().connected === true, 20_000, 'the edge node connected');
    gw.bus.push([sample('smoke-1', 'battery_pct', 80)]);
    await waitFor(() => gw.sparkplug?.status().outbox.telemetry === 1, 20_000, 'one buffered DDATA');
    expect(capture.of('NBIRTH')).toEqual([]);

    await state(true, 2);
    await waitFor(() => capture?.of('NBIRTH').length === 1, 20_000, 'NBIRTH after STATE online');
    // the buffered reading comes as DDATA, marked historical. Wait for that DDATA itself: the DBIRTH
    // may already carry the reading as the current value, and on a loaded machine it can arrive well
    // before the replay. A live metric (the detector's comms marking) may share the DDATA: look at
    // that metric, not at the message's first.
    const replayed = await waitFor(() => capture?.of('DDATA').flatMap((m) => m.metrics).find((x) => x.name === 'battery_pct' && x.value === 80), 20_000, 'the buffered reading in a DDATA');
    expect(replayed.historical).toBe(true);

    // the host goes offline: the node publishes its NDEATH and goes quiet
    const bdSeq = capture.of('NBIRTH')[0]?.metrics.find((m) => m.name === 'bdSeq')?.value;
    await state(false, 3);
    const death = await waitFor(() => capture?.of('NDEATH')[0], 20_000, 'NDEATH');
    expect(death.metrics.find((m) => m.name === 'bdSeq')?.value).toBe(bdSeq);
    await waitFor(() => gw.sparkplug?.status().connected === true && gw.sparkplug.status().born === false, 20_000, 'reconnected, not born');
    const ddataBefore = capture.of('DDATA').length;
    gw.bus.push([sample('smoke-1', 'battery_pct', 70)]);
    await waitFor(() => gw.sparkplug?.status().outbox.telemetry === 1, 20_000, 'the reading buffered');
    expect(capture.of('DDATA').length).toBe(ddataBefore);
    // an older STATE (timestamp 2) is ignored; the new online (4) brings a new session and the reading
    await state(true, 2);
    await state(true, 4);
    await waitFor(() => capture?.metricValues('battery_pct').includes(70), 20_000, 'the reading after the host returned');
    const births = capture.of('NBIRTH');
    expect(births.length).toBe(2);
    expect(births[1]?.metrics.find((m) => m.name === 'bdSeq')?.value).toBe(((bdSeq as number) + 1) % 256);

    // one host instance dies and another says online at once (two centre instances): the node's
    // NDEATH ends that session for good; it is born again only on a new session with a new bdSeq
    await Promise.all([state(false, 5), state(true, 6)]); // back to back: both reach the node before its NDEATH's PUBACK
    await waitFor(() => (capture?.of('NBIRTH').length ?? 0) >= 3 && gw.sparkplug?.status().born === true, 20_000, 'the third birth');
    const seqOf = (m: { metrics: ReadonlyArray<{ name: string; value: unknown }> } | undefined): unknown => m?.metrics.find((x) => x.name === 'bdSeq')?.value;
    const deaths = capture.of('NDEATH').map(seqOf);
    expect(capture.of('NBIRTH').map(seqOf)).toEqual([bdSeq, ((bdSeq as number) + 1) % 256, ((bdSeq as number) + 2) % 256]);
    expect(deaths).toEqual([bdSeq, ((bdSeq as number) + 1) % 256]);
  }, 90_000);

  it('loses nothing across a broker outage and sends the alarm before the buffered telemetry', async () => {
    const port = await freePort();
    broker = await startTestBroker({ port });
    capture = await SparkplugCapture.start(broker.url);
    // the host's STATE holds the node back after the restart until the observer has subscribed
    const online = (c: SparkplugCapture): Promise<unknown> => c.client.publishAsync('spBv1.0/STATE/ops', JSON.stringify({ online: true, timestamp: Date.now() }), { qos: 1, retain: true });
    await online(capture);
    const gw = await start(port, { replayRate: 1000, primaryHostId: 'ops' });
    await waitFor(() => gw.sparkplug?.status().born === true, 20_000, 'the edge node born');
    await capture.close();
    capture = undefined;
    await broker.close();
    broker = undefined;
    await waitFor(() => gw.sparkplug?.status().connected === false, 20_000, 'the edge node sees the outage');

    const values = Array.from({ length: 50 }, (_, i) => i + 1);
    for (const v of values) {
      gw.bus.push([sample('smoke-2', 'heartbeat', v)]);
      await gw.bus.drain();
    }
    gw.bus.push([sample('smoke-1', 'alarm', true)]);
    // the alarm transition (urgent) and 51 readings: 50 heartbeats and the detector's alarm point
    await waitFor(() => gw.sparkplug?.status().outbox.urgent === 1 && gw.sparkplug.status().outbox.telemetry === 51, 20_000, 'the outbox holds the alarm and 51 readings');

    broker = await startTestBroker({ port });
    capture = await SparkplugCapture.start(broker.url);
    await online(capture);
    await waitFor(() => gw.sparkplug?.status().outbox.telemetry === 0 && gw.sparkplug.status().outbox.urgent === 0, 30_000, 'the outbox drained');
    const heartbeats = (): unknown[] => (capture?.of('DDATA') ?? []).flatMap((m) => m.metrics.filter((x) => x.name === 'heartbeat').map((x) => x.value));
    await waitFor(() => heartbeats().length === 50, 20_000, 'all 50 readings');
    expect(heartbeats()).toEqual(values);
    // replayed readings are historical: the DBIRTH of the new session already holds the latest
    expect(capture.of('DDATA').every((m) => m.metrics.every((x) => x.historical))).toBe(true);
    expect(capture.of('DBIRTH').find((m) => m.device === 'smoke-2')?.metrics.find((x) => x.name === 'heartbeat')?.value).toBe(50);
    expect(capture.of('NBIRTH')).toHaveLength(1); // the new session's birth, before the replay
    const order = capture.messages.filter((m) => m.type === 'NDATA' || m.type === 'DDATA').map((m) => m.type);
    expect(order[0]).toBe('NDATA'); // the alarm transition first
    expect(capture.transitions().map((t) => t.type)).toEqual(['raised']);
  }, 90_000);
});
