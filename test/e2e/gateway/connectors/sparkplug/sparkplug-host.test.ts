/**
 * Sparkplug B southbound: the `sparkplug` connector as a host reading the project's vendor edge
 * node simulator (simulators/transports/sparkplug-sim-node.ts, encoded with `sparkplug-payload`,
 * not the gateway's codec) through a real MQTT broker on 127.0.0.1 (the embedded aedes broker on a
 * free port). Birth → values; data by alias → changes; DDEATH and NDEATH (the will, after the node
 * vanishes) → every bound point null with quality bad; a seq gap → an NCMD rebirth request the
 * node answers; an NDEATH of an earlier session (older bdSeq) changes nothing.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../../../gateway/broker/embedded-broker.ts';
import { sparkplugHostConnectorSchema } from '../../../../../gateway/connectors/sparkplug/sparkplug-host-schema.ts';
import { SparkplugHostConnector } from '../../../../../gateway/connectors/sparkplug/sparkplug-host-connector.ts';
import { encodePayload } from '../../../../../gateway/sparkplug/sparkplug-codec.ts';
import { silentLogger } from '../../../../../gateway/log/logger.ts';
import { RealClock } from '../../../../../gateway/model/clock.ts';
import { TroubleBoard } from '../../../../../gateway/trouble/trouble-board.ts';
import { SparkplugSimNode, type SimMetric } from '../../../../../simulators/transports/sparkplug-sim-node.ts';
import { CollectingSink } from '../../../../support/collecting-sink.ts';
import { startTestBroker } from '../../../../support/mqtt-fixture.ts';
import { boundDevices } from '../../../../support/opcua-fixture.ts';
import { waitFor } from '../../../../support/wait-for.ts';

const GROUP = 'vendor';

const pumpMetrics = (): SimMetric[] => [
  { name: 'Pump/Running', type: 'Boolean', value: true },
  { name: 'Pump/Discharge kPa', type: 'Double', value: 420 },
  { name: 'Pump/Motor A', type: 'Int32', value: 14 },
  { name: 'Pump/Hours', type: 'Int64', value: 12_345 },
];

describe('the Sparkplug B host connector', () => {
  let broker: RunningBroker | undefined;
  let node: SparkplugSimNode | undefined;
  let connector: SparkplugHostConnector | undefined;

  afterEach(async () => {
    await connector?.stop();
    await node?.stop();
    await broker?.close();
    connector = undefined;
    node = undefined;
    broker = undefined;
  });

  async function setUp(): Promise<{ sink: CollectingSink; sim: SparkplugSimNode; host: SparkplugHostConnector; url: string }> {
    broker = await startTestBroker();
    const url = broker.url;
    const sim = new SparkplugSimNode({ url, groupId: GROUP, edgeNodeId: 'plant-plc', devices: { 'pump-3': pumpMetrics() } });
    node = sim;
    await sim.start();
    const clock = new RealClock();
    const config = sparkplugHostConnectorSchema.parse({ id: 'sp', type: 'sparkplug', url, groupId: GROUP, rebirthHoldoff: '100ms', reconnectMin: '100ms', reconnectMax: '500ms' });
    const host = new SparkplugHostConnector(config, {
      clock,
      log: silentLogger(),
      trouble: new TroubleBoard(clock),
      devices: boundDevices('sp', [
        {
          id: 'pump-b1',
          kind: 'pump',
          binding: {
            edgeNode: 'plant-plc',
            device: 'pump-3',
            metrics: { running: 'Pump/Running', discharge_bar: { name: 'Pump/Discharge kPa', scale: 0.01 }, motor_current_a: 'Pump/Motor A', run_hours: 'Pump/Hours', bearing_temp_c: 'Pump/Bearing' },
          },
        },
      ]),
    });
    connector = host;
    const sink = new CollectingSink();
    await host.start(sink);
    return { sink, sim, host, url };
  }

  it('takes values from the birth it asks for on connecting, changes from data by alias, and marks the device bad on DDEATH', async () => {
    const { sink, sim } = await setUp();
    // the node was born before the host connected: the host asks for a rebirth to learn the aliases
    await waitFor(() => sim.rebirthRequests >= 1, 15_000, 'a rebirth request on connect');
    await waitFor(() => sink.last('pump-b1', 'discharge_bar')?.value === 4.2, 15_000, 'discharge from the DBIRTH');
    expect(sink.last('pump-b1', 'running')).toMatchObject({ value: true, quality: 'good' });
    expect(sink.last('pump-b1', 'motor_current_a')).toMatchObject({ value: 14, quality: 'good' });
    expect(sink.last('pump-b1', 'run_hours')).toMatchObject({ value: 12_345, quality: 'good' });
    // a bound metric the birth does not declare is bad with the reason, never invented
    expect(sink.last('pump-b1', 'bearing_temp_c')).toMatchObject({ value: null, quality: 'bad', reason: expect.stringContaining('"Pump/Bearing" not in the birth') });

    await sim.set('pump-3', 'Pump/Discharge kPa', 515);
    await waitFor(() => sink.last('pump-b1', 'discharge_bar')?.value === 5.15, 15_000, 'DDATA by alias');
    await sim.set('pump-3', 'Pump/Running', false);
    await waitFor(() => sink.last('pump-b1', 'running')?.value === false, 15_000, 'running false');
    await sim.set('pump-3', 'Pump/Motor A', null);
    await waitFor(() => sink.last('pump-b1', 'motor_current_a')?.quality === 'bad', 15_000, 'a null metric');
    expect(sink.last('pump-b1', 'motor_current_a')).toMatchObject({ value: null, reason: 'Pump/Motor A is null at the edge node' });

    await sim.deviceDeath('pump-3');
    await waitFor(() => sink.last('pump-b1', 'discharge_bar')?.reason === 'comms lost', 15_000, 'DDEATH marks the points');
    for (const point of ['running', 'discharge_bar', 'motor_current_a', 'run_hours', 'bearing_temp_c']) {
      expect(sink.last('pump-b1', point)).toMatchObject({ value: null, quality: 'bad', reason: 'comms lost' });
    }
    await sim.deviceBirth('pump-3');
    await waitFor(() => sink.last('pump-b1', 'discharge_bar')?.quality === 'good', 15_000, 'values again after DBIRTH');
  });

  it('asks for a rebirth on a seq gap and takes the new birth', async () => {
    const { sink, sim, host } = await setUp();
    await waitFor(() => sink.last('pump-b1', 'discharge_bar')?.value === 4.2, 15_000, 'first birth');
    const births = sim.births;
    const requests = sim.rebirthRequests;
    sim.skipSeq(3);
    await sim.set('pump-3', 'Pump/Discharge kPa', 390);
    await waitFor(() => sim.rebirthRequests > requests && sim.births > births, 15_000, 'a rebirth after the gap');
    expect(host.health().detail).toMatchObject({ seqGaps: 1 });
    expect(host.health().errors).toMatchObject({ seq_gap: 1 });
    // after the rebirth the sequence is whole again: a further change is taken without a new request
    await waitFor(() => sink.last('pump-b1', 'discharge_bar')?.value === 3.9, 15_000, 'the value after the gap');
    const after = sim.rebirthRequests;
    await sim.set('pump-3', 'Pump/Discharge kPa', 401);
    await waitFor(() => sink.last('pump-b1', 'discharge_bar')?.value === 4.01, 15_000, 'next change');
    expect(sim.rebirthRequests).toBe(after);
  });

  it('marks the device bad when the node vanishes (the will NDEATH), but not on the NDEATH of an earlier session', async () => {
    const { sink, sim, url } = await setUp();
    await waitFor(() => sink.last('pump-b1', 'discharge_bar')?.value === 4.2, 15_000, 'first birth');
    // a late will of an earlier connection (bdSeq 7, the session's is 0) is not this session's death
    const stale = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    await stale.publishAsync(`spBv1.0/${GROUP}/NDEATH/plant-plc`, encodePayload({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'Int64', value: 7, timestamp: Date.now() }] }), { qos: 1 });
    await stale.endAsync();
    await sim.set('pump-3', 'Pump/Discharge kPa', 433);
    await waitFor(() => sink.last('pump-b1', 'discharge_bar')?.value === 4.33, 15_000, 'data after the stale NDEATH');
    expect(sink.samples.some((s) => s.reason === 'comms lost')).toBe(false);

    sim.kill();
    await waitFor(() => sink.last('pump-b1', 'running')?.reason === 'comms lost', 15_000, 'the will NDEATH marks the points');
    expect(sink.last('pump-b1', 'discharge_bar')).toMatchObject({ value: null, quality: 'bad', reason: 'comms lost' });
  });

  it('marks the device bad while the broker is away, reconnects with backoff and asks for a rebirth', async () => {
    const { sink, sim, host, url } = await setUp();
    await waitFor(() => sink.last('pump-b1', 'discharge_bar')?.value === 4.2, 15_000, 'first birth');
    const port = Number(new URL(url).port);
    await broker?.close();
    broker = undefined;
    await waitFor(() => sink.last('pump-b1', 'discharge_bar')?.reason === 'comms lost', 15_000, 'comms lost with the broker');
    expect(host.health().connected).toBe(false);

    broker = await startTestBroker({ port });
    const requestsBefore = sim.rebirthRequests;
    sim.kill(); // its connection died with the broker; it comes back as a new session (next bdSeq)
    await sim.start();
    await sim.set('pump-3', 'Pump/Discharge kPa', 377);
    await waitFor(() => sink.last('pump-b1', 'discharge_bar')?.value === 3.77, 30_000, 'values after the broker returned');
    expect(sink.last('pump-b1', 'running')).toMatchObject({ value: true, quality: 'good' });
    await waitFor(() => host.health().connected && sim.rebirthRequests > requestsBefore, 30_000, 'the rebirth asked for on reconnecting');
  });
});
