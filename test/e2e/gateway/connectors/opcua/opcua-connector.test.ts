import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StatusCodes } from 'node-opcua';
import { startSampleServer, type SampleServer } from '../../../../support/opcua-sample-server.ts';
import { CollectingSink } from '../../../../support/collecting-sink.ts';
import { makeOpcuaConnector } from '../../../../support/opcua-fixture.ts';
import { waitFor } from '../../../../support/wait-for.ts';
import type { OpcuaConnector } from '../../../../../gateway/connectors/opcua/opcua-connector.ts';
import { makeTempDir, RAM_TMP } from '../../../../support/temp-dir.ts';

let dir: string;
let server: SampleServer | undefined;
let connector: OpcuaConnector | undefined;

// One directory for the file: the server's and the client's PKI (certificates) are made by the first
// test and reused by the others (each test still starts its own server and connector); making two
// certificates per test was most of each test's time.
beforeAll(() => {
  dir = makeTempDir(RAM_TMP, 'opcua-conn-');
});

afterEach(async () => {
  await connector?.stop();
  connector = undefined;
  await server?.shutdown();
  server = undefined;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function panelBinding(ns: number): Record<string, unknown> {
  return {
    samplingInterval: 50,
    nodes: {
      'zone_{zone}_state': `ns=${ns};s={device}.Zone{zone}.State`,
      panel_fault: `ns=${ns};s={device}.PanelFault`,
      ac_power_ok: `ns=${ns};s={device}.AcPowerOk`,
      supervisory: `ns=${ns};s={device}.Supervisory`,
      battery_v: { nodeId: `ns=${ns};s={device}.BatteryV`, deadband: { type: 'absolute', value: 0.5 } },
    },
  };
}

describe('OpcuaConnector against a third-party style sample server', () => {
  it('subscribes, maps Int32 zone states to the canonical enum, and follows value changes', async () => {
    server = await startSampleServer({ pkiDir: join(dir, 'server-pki'), panels: [{ id: 'fp1', zones: 4 }] });
    ({ connector } = makeOpcuaConnector(
      { endpoint: server.endpoint, publishingInterval: 50 },
      [{ id: 'fp1', kind: 'fire_panel', zones: 4, binding: panelBinding(server.namespaceIndex) }],
      dir,
    ));
    const sink = new CollectingSink();
    await connector.start(sink);
    expect(connector.health().connected).toBe(true);
    await waitFor(() => sink.last('fp1', 'battery_v'), 5_000, 'initial values');
    expect(sink.last('fp1', 'zone_1_state')).toMatchObject({ value: 'normal', quality: 'good' });
    expect(sink.last('fp1', 'ac_power_ok')).toMatchObject({ value: true, quality: 'good' });
    expect(sink.last('fp1', 'battery_v')?.value).toBeCloseTo(27.2);

    server.set('fp1.Zone2.State', 1);
    server.set('fp1.Zone3.State', 2);
    server.set('fp1.Zone4.State', 3);
    server.set('fp1.PanelFault', true);
    await waitFor(() => sink.last('fp1', 'zone_4_state')?.value === 'disabled' && sink.last('fp1', 'panel_fault')?.value === true, 5_000, 'zone changes');
    expect(sink.last('fp1', 'zone_2_state')?.value).toBe('fire');
    expect(sink.last('fp1', 'zone_3_state')?.value).toBe('fault');

    // Deadband 0.5 V absolute: a 0.1 V wiggle is not reported, a 1 V drop is.
    const before = sink.samples.filter((s) => s.point === 'battery_v').length;
    server.set('fp1.BatteryV', 27.3);
    server.set('fp1.BatteryV', 26.2);
    await waitFor(() => sink.last('fp1', 'battery_v')?.value === 26.2, 5_000, 'battery drop');
    expect(sink.samples.filter((s) => s.point === 'battery_v').length).toBe(before + 1);
    expect(connector.health().samples).toBe(sink.samples.length);
  });

  it('applies a percent deadband against the node EURange (5 % of 0..30 V = 1.5 V)', async () => {
    server = await startSampleServer({ pkiDir: join(dir, 'server-pki'), panels: [{ id: 'fp1', zones: 1 }] });
    const ns = server.namespaceIndex;
    ({ connector } = makeOpcuaConnector(
      { endpoint: server.endpoint, publishingInterval: 50 },
      [{ id: 'fp1', kind: 'fire_panel', zones: 1, binding: { samplingInterval: 50, nodes: { battery_v: { nodeId: `ns=${ns};s=fp1.BatteryV`, deadband: { type: 'percent', value: 5 } } } } }],
      dir,
    ));
    const sink = new CollectingSink();
    await connector.start(sink);
    expect(connector.health().detail?.badNodes).toBeUndefined();
    await waitFor(() => sink.last('fp1', 'battery_v'), 5_000, 'initial value');
    server.set('fp1.BatteryV', 28.2); // 1.0 V: inside the deadband
    // subscription activity (publish responses, keep-alives) later than 300 ms from now: the server
    // sampled the value inside the deadband (every 50 ms) and did not report it
    const setAt = Date.now();
    await waitFor(() => (connector?.health().lastSuccess ?? 0) >= setAt + 300, 15_000, 'subscription activity after the change');
    server.set('fp1.BatteryV', 25.0); // 2.2 V from the last reported 27.2
    await waitFor(() => sink.last('fp1', 'battery_v')?.value === 25, 5_000, 'change beyond the deadband');
    expect(sink.samples.map((s) => s.value)).toEqual([27.2, 25]);
  });

  it('maps status codes to quality: Uncertain → uncertain with the status as reason, Bad → null / bad (no stale value)', async () => {
    server = await startSampleServer({ pkiDir: join(dir, 'server-pki'), panels: [{ id: 'fp1', zones: 1 }] });
    ({ connector } = makeOpcuaConnector(
      { endpoint: server.endpoint, publishingInterval: 50 },
      [{ id: 'fp1', kind: 'fire_panel', zones: 1, binding: panelBinding(server.namespaceIndex) }],
      dir,
    ));
    const sink = new CollectingSink();
    await connector.start(sink);
    await waitFor(() => sink.last('fp1', 'zone_1_state'), 5_000, 'initial values');
    server.set('fp1.Zone1.State', 1, StatusCodes.UncertainLastUsableValue);
    await waitFor(() => sink.last('fp1', 'zone_1_state')?.quality === 'uncertain', 5_000, 'uncertain');
    expect(sink.last('fp1', 'zone_1_state')).toMatchObject({ value: 'fire', reason: 'UncertainLastUsableValue' });
    server.set('fp1.Zone1.State', 0, StatusCodes.BadSensorFailure);
    await waitFor(() => sink.last('fp1', 'zone_1_state')?.quality === 'bad', 5_000, 'bad');
    expect(sink.last('fp1', 'zone_1_state')).toMatchObject({ value: null, reason: 'BadSensorFailure' });
    server.set('fp1.Zone1.State', 0, StatusCodes.Good);
    await waitFor(() => sink.last('fp1', 'zone_1_state')?.quality === 'good', 5_000, 'good again');
    expect(sink.last('fp1', 'zone_1_state')?.value).toBe('normal');
  });

  it('a value that does not fit its point makes the point null / bad with the reason, keeping no stale good value', async () => {
    server = await startSampleServer({ pkiDir: join(dir, 'server-pki'), panels: [{ id: 'fp1', zones: 1 }] });
    ({ connector } = makeOpcuaConnector(
      { endpoint: server.endpoint, publishingInterval: 50 },
      [{ id: 'fp1', kind: 'fire_panel', zones: 1, binding: panelBinding(server.namespaceIndex) }],
      dir,
    ));
    const sink = new CollectingSink();
    await connector.start(sink);
    await waitFor(() => sink.last('fp1', 'zone_1_state')?.value === 'normal', 5_000, 'initial values');
    server.set('fp1.Zone1.State', 9); // no zone state 9
    await waitFor(() => sink.last('fp1', 'zone_1_state')?.quality === 'bad', 5_000, 'the misfit');
    expect(sink.last('fp1', 'zone_1_state')).toMatchObject({ value: null, quality: 'bad', reason: 'value 9 does not fit enum point zone_1_state' });
    expect(connector.health().errors.bad_value).toBe(1);
    server.set('fp1.Zone1.State', 1);
    await waitFor(() => sink.last('fp1', 'zone_1_state')?.value === 'fire', 5_000, 'a fitting value again');
    // a source clock two minutes fast: stamped on arrival (else the live view would freeze), and counted
    const before = Date.now();
    server.set('fp1.Zone1.State', 2, StatusCodes.Good, new Date(before + 120_000));
    await waitFor(() => sink.last('fp1', 'zone_1_state')?.value === 'fault', 5_000, 'the value with a future time');
    expect(sink.last('fp1', 'zone_1_state')?.ts).toBeLessThanOrEqual(Date.now());
    expect(connector.health().errors.future_timestamp).toBe(1);
  });

  it('creates monitored items in batches within the server MaxMonitoredItemsPerCall', async () => {
    // 3 panels x 8 zones + 4 = 36 items; the server refuses any call with more than 5.
    const panels = ['fpa', 'fpb', 'fpc'].map((id) => ({ id, zones: 8 }));
    server = await startSampleServer({ pkiDir: join(dir, 'server-pki'), panels, maxMonitoredItemsPerCall: 5 });
    ({ connector } = makeOpcuaConnector(
      { endpoint: server.endpoint, publishingInterval: 50 },
      panels.map((p) => ({ id: p.id, kind: 'fire_panel' as const, zones: 8, binding: panelBinding(server?.namespaceIndex ?? 0) })),
      dir,
    ));
    const sink = new CollectingSink();
    await connector.start(sink);
    const health = connector.health();
    expect(health.connected).toBe(true);
    expect(health.detail).toMatchObject({ monitoredItems: 36, itemsPerCall: 5 });
    expect(health.detail?.badNodes).toBeUndefined();
    await waitFor(() => new Set(sink.samples.map((s) => `${s.device}.${s.point}`)).size === 36, 5_000, 'all 36 points');
  });

  it('reports a node id the server does not know, as trouble on the life-safety device', async () => {
    server = await startSampleServer({ pkiDir: join(dir, 'server-pki'), panels: [{ id: 'fp1', zones: 1 }] });
    const ns = server.namespaceIndex;
    let trouble;
    ({ connector, trouble } = makeOpcuaConnector(
      { endpoint: server.endpoint, publishingInterval: 50 },
      [{ id: 'fp1', kind: 'fire_panel', zones: 1, binding: { nodes: { zone_1_state: `ns=${ns};s=fp1.Zone1.State`, panel_fault: `ns=${ns};s=fp1.NoSuchNode` } } }],
      dir,
    ));
    await connector.start(new CollectingSink());
    expect(connector.health().detail?.badNodes).toEqual([{ device: 'fp1', point: 'panel_fault', nodeId: `ns=${ns};s=fp1.NoSuchNode`, status: 'BadNodeIdUnknown' }]);
    expect(trouble.list()).toEqual([expect.objectContaining({ key: 'opcua-bad-node:fp1', lifeSafety: true })]);
  });
});
