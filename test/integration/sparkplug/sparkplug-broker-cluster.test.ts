/**
 * The Sparkplug path on a real three-node broker cluster on loopback: three Mosquitto brokers
 * bridged through a hub (test/support/mosquitto-cluster.ts; why not NATS 2.9's MQTT listener:
 * gateway/sparkplug/README.md). What Sparkplug needs of the broker, checked across nodes:
 *
 * - the host's retained STATE published on the hub (node 0) reaches the edge node on node 1 (the
 *   node waits for it before its birth), and the births reach the host on node 2;
 * - the edge node's will (NDEATH with the bdSeq of its NBIRTH) reaches the host on another node
 *   when its connection to node 1 drops (a TCP proxy closed under it);
 * - kill -9 of the node the edge node is on: it fails over to the next node (the hub), is born
 *   again and delivers what it buffered meanwhile, the alarm included; nothing is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { startFreezableProxy, type FreezableProxy } from '../../support/freezable-proxy.ts';
import { startMosquittoCluster, waitBridged, type BrokerCluster } from '../../support/mosquitto-cluster.ts';
import { smallSite } from '../../support/site-config.ts';
import { SparkplugCapture } from '../../support/sparkplug-capture.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait-for.ts';

describe('Sparkplug over a three-node bridged Mosquitto cluster', () => {
  const dir = tempDir('int-sparkplug-nats-');
  let cluster: BrokerCluster | undefined;
  let proxy: FreezableProxy | undefined;
  let gateway: RunningGateway | undefined;
  let host: SparkplugCapture | undefined;
  let publisher: SparkplugCapture | undefined;

  beforeAll(async () => {
    cluster = await startMosquittoCluster();
    await waitBridged(cluster);
  }, 120_000);

  afterAll(async () => {
    await host?.close();
    await publisher?.close();
    await gateway?.stop();
    await proxy?.close();
    await cluster?.stop();
    dir.cleanup();
  });

  it('carries the retained STATE, the births, the will, and survives kill -9 of the edge node’s broker node', async () => {
    const c = cluster as BrokerCluster;
    const [hub, n1, n2] = c.nodes as [BrokerCluster['nodes'][0], BrokerCluster['nodes'][0], BrokerCluster['nodes'][0]];
    host = await SparkplugCapture.start(n2.url);
    publisher = await SparkplugCapture.start(hub.url);
    await publisher.client.publishAsync('spBv1.0/STATE/ops', JSON.stringify({ online: true, timestamp: Date.now() }), { qos: 1, retain: true });

    // the edge node goes through a proxy to node 1 (to drop its connection), then to node 2
    proxy = await startFreezableProxy(n1.port);
    const gw = await startGateway(
      smallSite(dir.path, {
        rulePacks: ['smoke_detector'],
        northbound: {
          sparkplug: { url: `mqtt://127.0.0.1:${proxy.port}`, failover: [n1.url, hub.url], groupId: 'fleet', primaryHostId: 'ops', reconnect: { min: '200ms', max: '2s' } },
        },
      }),
      silentLogger(),
      { listen: false },
    );
    gateway = gw;

    // the retained STATE from the hub lets the node be born on node 1; the host on node 2 sees it
    const nbirth = await waitFor(() => host?.of('NBIRTH')[0], 60_000, `NBIRTH across the cluster\n${c.output().slice(-2000)}`);
    const bdSeq = nbirth.metrics.find((m) => m.name === 'bdSeq')?.value;
    await waitFor(() => host?.of('DBIRTH').length === 3, 30_000, 'three DBIRTHs');

    // the will: the connection drops, node 1 publishes the NDEATH, the host on node 2 receives it
    await proxy.close();
    proxy = undefined;
    const death = await waitFor(() => host?.of('NDEATH')[0], 60_000, 'the will NDEATH across the cluster');
    expect(death.metrics.find((m) => m.name === 'bdSeq')?.value).toBe(bdSeq);

    // the node fails over to node 1 directly (the next URL) and is born again
    await waitFor(() => host?.of('NBIRTH').length === 2, 60_000, 'the second NBIRTH (on node 1)');
    expect(gw.sparkplug?.status().born).toBe(true);

    // kill -9 of node 1: readings and an alarm raised meanwhile arrive through the hub
    await c.kill(1);
    await waitFor(() => gw.sparkplug?.status().born === false, 60_000, 'the edge node sees node 1 gone');
    for (let n = 1; n <= 20; n++) {
      gw.bus.push([{ device: 'smoke-2', point: 'heartbeat', value: n, ts: Date.now(), quality: 'good' }]);
      await gw.bus.drain();
    }
    gw.bus.push([{ device: 'smoke-1', point: 'alarm', value: true, ts: Date.now(), quality: 'good' }]);
    await waitFor(() => host?.of('NBIRTH').length === 3, 90_000, 'the third NBIRTH (on the hub)');
    const raised = await waitFor(() => host?.transitions().find((t) => t.type === 'raised'), 60_000, 'the alarm transition through the hub');
    expect(raised.alarmId).toBe(gw.alarms.active()[0]?.id);
    const heartbeats = (): unknown[] => (host?.of('DDATA') ?? []).flatMap((m) => m.metrics.filter((x) => x.name === 'heartbeat' && !x.isNull).map((x) => x.value));
    await waitFor(() => heartbeats().length >= 20, 60_000, 'the 20 buffered readings');
    expect(heartbeats()).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await waitFor(() => gw.sparkplug?.status().outbox.telemetry === 0 && gw.sparkplug.status().outbox.urgent === 0, 30_000, 'the outbox empty');
  }, 400_000);
});
