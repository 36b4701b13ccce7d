/**
 * Points bound by browse path instead of node id (resolved by the server; an unknown path is a bad
 * point with its reason), and commands over OPC UA against the project's fire-panel simulator (node-opcua server): the
 * panel's `SounderSilenced` variable written (confirmed by reading it back), its `SilenceSounder`
 * method called (confirmed by its `confirm` node), a Good call without a read-back node reported
 * `not_confirmed`, and a write the server refuses (a read-only node) or a call of a missing method
 * reported `failed`. Another client checks what landed on the server.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AttributeIds, DataType, MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy, Variant, type ClientSession } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpcuaConnector } from '../../../../../gateway/connectors/opcua/opcua-connector.ts';
import { VirtualClock } from '../../../../../gateway/model/clock.ts';
import { startSimulators, type RunningSimulators } from '../../../../../simulators/sim-runner.ts';
import { demoSite, freePort } from '../../../../simulators/sim-test-helpers.ts';
import { CollectingSink } from '../../../../support/collecting-sink.ts';
import { makeOpcuaConnector } from '../../../../support/opcua-fixture.ts';
import { waitFor } from '../../../../support/wait-for.ts';
import { makeTempDir, RAM_TMP } from '../../../../support/temp-dir.ts';

const site = demoSite();
const panelSite = { ...site, devices: site.devices.filter((d) => d.kind === 'fire_panel') };
const dir = makeTempDir(RAM_TMP, 'opcua-commands-');
const P = 'ns=1;s=fire-panel-1';
let sims: RunningSimulators;
let endpoint = '';
let connector: OpcuaConnector | undefined;
let sink: CollectingSink;

async function withSession<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
  const client = OPCUAClient.create({
    endpointMustExist: false,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'client'), automaticallyAcceptUnknownCertificate: true }),
  });
  await client.connect(endpoint);
  try {
    const session = await client.createSession();
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  } finally {
    await client.disconnect();
  }
}
const silenced = () => withSession(async (s) => (await s.read({ nodeId: `${P}.SounderSilenced`, attributeId: AttributeIds.Value })).value.value as boolean);

beforeAll(async () => {
  const port = await freePort();
  sims = await startSimulators(panelSite, { clock: new VirtualClock(Date.UTC(2026, 2, 2, 1, 0)), ports: { 'opcua-fire': port }, opcuaPkiDir: join(dir, 'server') });
  endpoint = `opc.tcp://127.0.0.1:${port}`;
  const device = (id: string, silence: Record<string, unknown>) => ({ id, kind: 'fire_panel' as const, zones: 1, binding: { samplingInterval: 100, nodes: { panel_fault: `${P}.PanelFault` }, commands: { silence_sounder: silence } } });
  ({ connector } = makeOpcuaConnector(
    { endpoint, publishingInterval: 100 },
    [
      device('by-write', { write: { nodeId: `${P}.SounderSilenced`, dataType: 'Boolean', value: true } }),
      device('by-call', { call: { objectId: P, methodId: `${P}.SilenceSounder`, confirm: { nodeId: `${P}.SounderSilenced`, value: true } } }),
      device('call-unconfirmed', { call: { objectId: P, methodId: `${P}.SilenceSounder` } }),
      device('read-only', { write: { nodeId: `${P}.BatteryV`, dataType: 'Double', value: 30 } }),
      device('no-method', { call: { objectId: P, methodId: `${P}.NoSuchMethod`, confirm: { nodeId: `${P}.SounderSilenced`, value: true } } }),
      {
        id: 'fire-panel-1',
        kind: 'fire_panel' as const,
        zones: 1,
        binding: {
          samplingInterval: 100,
          nodes: { battery_v: { browsePath: '/Objects/1:{device}/1:BatteryV' }, ac_power_ok: { browsePath: '/Objects/1:fire-panel-1/1:NoSuchNode' } },
        },
      },
    ],
    join(dir, 'gateway'),
  ));
  sink = new CollectingSink();
  await connector.start(sink);
  await waitFor(() => sink.last('by-write', 'panel_fault') !== undefined, 20_000, 'the connector subscribed');
});

afterAll(async () => {
  await connector?.stop();
  await sims?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('OPC UA nodes by browse path', () => {
  it('reads a point bound by browse path; an unknown path is a bad point naming the path', async () => {
    await waitFor(() => sink.last('fire-panel-1', 'battery_v')?.quality === 'good' && sink.last('fire-panel-1', 'ac_power_ok') !== undefined, 20_000, 'both points reported');
    const battery = await withSession(async (s) => (await s.read({ nodeId: `${P}.BatteryV`, attributeId: AttributeIds.Value })).value.value as number);
    expect(sink.last('fire-panel-1', 'battery_v')?.value).toBeCloseTo(battery, 1);
    expect(sink.last('fire-panel-1', 'ac_power_ok')).toMatchObject({ value: null, quality: 'bad', reason: expect.stringMatching(/^cannot resolve browse path \/Objects\/1:fire-panel-1\/1:NoSuchNode: Bad/) });
    const detail = (connector as OpcuaConnector).health().detail as { badNodes: { point: string }[] };
    expect(detail.badNodes.map((b) => b.point)).toEqual(['ac_power_ok']);
  });
});

describe('OPC UA commands', () => {
  it('a write is confirmed by reading the node back, and lands on the server', async () => {
    expect(await silenced()).toBe(false);
    const r = await (connector as OpcuaConnector).command({ device: 'by-write', command: 'silence_sounder', confirmTimeout: 10_000 });
    expect(r).toEqual({ result: 'confirmed', detail: `write ${P}.SounderSilenced := true (Boolean); read back true` });
    expect(await silenced()).toBe(true);
  });

  it('a method call is confirmed by its confirm node; without one a Good call is not confirmed', async () => {
    await withSession((s) => s.write({ nodeId: `${P}.SounderSilenced`, attributeId: AttributeIds.Value, value: { value: new Variant({ dataType: DataType.Boolean, value: false }) } }));
    expect(await silenced()).toBe(false);
    const r = await (connector as OpcuaConnector).command({ device: 'by-call', command: 'silence_sounder', confirmTimeout: 10_000 });
    expect(r).toEqual({ result: 'confirmed', detail: `call ${P}.SilenceSounder on ${P}; ${P}.SounderSilenced read back true` });
    expect(await silenced()).toBe(true);
    const unconfirmed = await (connector as OpcuaConnector).command({ device: 'call-unconfirmed', command: 'silence_sounder', confirmTimeout: 10_000 });
    expect(unconfirmed.result).toBe('not_confirmed');
    expect(unconfirmed.detail).toMatch(/Good, but the binding names no node to read back/);
  });

  it('a write the server refuses and a call of a missing method fail', async () => {
    const ro = await (connector as OpcuaConnector).command({ device: 'read-only', command: 'silence_sounder', confirmTimeout: 2_000 });
    expect(ro.result).toBe('failed');
    expect(ro.detail).toMatch(/^write ns=1;s=fire-panel-1\.BatteryV := 30 \(Double\): Bad/);
    const missing = await (connector as OpcuaConnector).command({ device: 'no-method', command: 'silence_sounder', confirmTimeout: 2_000 });
    expect(missing.result).toBe('failed');
    expect(missing.detail).toMatch(/NoSuchMethod.*: Bad/);
    expect((connector as OpcuaConnector).mappedCommands('by-call')).toEqual(['silence_sounder']);
  });
});
