/**
 * OPC UA Alarms & Conditions against a peer nobody here wrote: node-opcua's conformance-test address
 * space (the OffNormal and ExclusiveLimit alarms the node-opcua project built for the OPC
 * Foundation's test tool), served by a node-opcua server on 127.0.0.1 that this test starts. The
 * gateway binds a pump (not life safety) to the alarms' source on the Server object's events.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataType, MessageSecurityMode, OPCUACertificateManager, OPCUAServer, SecurityPolicy, type UAAlarmConditionEx, type UAVariable } from 'node-opcua';
import { build_address_space_for_conformance_testing } from 'node-opcua-address-space-for-conformance-testing';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../../gateway/log/logger.ts';
import { sourceRuleId, type AlarmRecord } from '../../../../../rules/alarms/index.ts';
import { freePort } from '../../../../support/free-port.ts';
import { startFreezableProxy, type FreezableProxy } from '../../../../support/freezable-proxy.ts';
import { waitFor } from '../../../../support/wait-for.ts';
import { makeTempDir, RAM_TMP } from '../../../../support/temp-dir.ts';

const AC = 'CTT/Server Test/Alarms and Conditions';
const INPUTS = `${AC}/Supported Condition Types`;

let dir: string | undefined;
let server: OPCUAServer | undefined;
let gateway: RunningGateway | undefined;
let proxy: FreezableProxy | undefined;

afterEach(async () => {
  await gateway?.stop();
  await proxy?.close();
  await server?.shutdown(0);
  if (dir) rmSync(dir, { recursive: true, force: true });
  gateway = undefined;
  proxy = undefined;
  server = undefined;
  dir = undefined;
});

/** The gateway's config: a pump bound to the peer's alarm source (through `port`: the peer or a proxy to it). */
function peerConfig(port: number, ns: number, silentAfter: string): ReturnType<typeof validateConfig> {
  return validateConfig({
    site: { id: 't', name: 'Test' },
    buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
    storage: { dataDir: join(dir as string, 'data') },
    connectors: [{ id: 'opcua-peer', type: 'opcua', endpoint: `opc.tcp://127.0.0.1:${port}`, publishingInterval: '100ms', keepAliveCount: 5, silentAfter }],
    devices: [
      {
        id: 'pump-1',
        kind: 'pump',
        building: 'b1',
        floor: 'F1',
        binding: { connector: 'opcua-peer', nodes: {}, conditions: { source: `ns=${ns};s=${AC}/AlarmSource`, priorities: { 1: 900, 2: 500, 3: 100 } } },
      },
    ],
  });
}

async function startPeer(port: number): Promise<{ server: OPCUAServer; ns: number }> {
  const s = new OPCUAServer({
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    port,
    securityModes: [MessageSecurityMode.None],
    securityPolicies: [SecurityPolicy.None],
    allowAnonymous: true,
    serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir as string, 'peer-pki'), automaticallyAcceptUnknownCertificate: true }),
  });
  await s.initialize();
  const addressSpace = s.engine.addressSpace;
  if (!addressSpace) throw new Error('no address space');
  addressSpace.installAlarmsAndConditionsService();
  await build_address_space_for_conformance_testing(addressSpace);
  await s.start();
  return { server: s, ns: addressSpace.getNamespaceIndex('urn://node-opcua-simulator') };
}

const node = <T>(ns: number, path: string): T => {
  const n = server?.engine.addressSpace?.findNode(`ns=${ns};s=${path}`);
  if (!n) throw new Error(`peer has no node ${path}`);
  return n as T;
};

describe('OPC UA Alarms & Conditions against node-opcua conformance alarms', () => {
  it('an off-normal and a limit alarm of the peer become gateway alarms with the binding priority; an acknowledge reaches the peer', { timeout: 240_000 }, async () => {
    dir = makeTempDir(RAM_TMP, 'opcua-ac-peer-');
    const peer = await startPeer(await freePort());
    server = peer.server;
    const ns = peer.ns;
    // the peer and the gateway share this process: on a loaded machine its event loop can stall for
    // seconds, which the default silentAfter (1.5 s here) would take for a silent subscription and
    // rebuild the session. That path has its own scenario below; this one is about the alarms.
    const config = peerConfig(server.endpoints[0]?.port ?? 0, ns, '30s');
    gateway = await startGateway(config, silentLogger(), { listen: false });
    await waitFor(() => gateway?.connectors[0]?.health().connected === true, 30_000, 'connector up');
    const open = (suffix: string): AlarmRecord | undefined => gateway?.alarms.active({}).find((a) => a.rule === sourceRuleId(`ns=${ns};s=${AC}/${suffix}`));

    // the peer's OffNormalAlarm is active while its Boolean input differs from its normal state
    node<UAVariable>(ns, `${INPUTS}/OffNormalAlarmType Input Nodes`).setValueFromSource({ dataType: DataType.Boolean, value: true });
    const offNormal = await waitFor(() => open('OffNormalAlarm'), 30_000, 'the off-normal alarm in the gateway');
    // node-opcua's alarms report severity 150: P3 by this binding's bands (≥ 100), no life safety on a pump
    expect(offNormal).toMatchObject({ device: 'pump-1', priority: 3, lifeSafety: false, state: 'active-unack', values: { severity: 150, condition_id: `ns=${ns};s=${AC}/OffNormalAlarm` } });
    // a `/` in the ConditionId would read as a per-point rule: the rule id writes it as `|`
    expect(offNormal.rule).toBe(`condition:ns=${ns};s=CTT|Server Test|Alarms and Conditions|OffNormalAlarm`);

    // the ExclusiveLimitAlarm goes HighHigh above 90
    node<UAVariable>(ns, `${INPUTS}/ExclusiveLimitAlarmType Input Nodes`).setValueFromSource({ dataType: DataType.Double, value: 95 });
    const limit = await waitFor(() => open('ExclusiveLimitAlarm'), 30_000, 'the limit alarm in the gateway');
    expect(limit.title).toContain('HighHigh');

    gateway.alarms.acknowledge(limit.id, 'ann', 'checked on site');
    const alarm = node<UAAlarmConditionEx>(ns, `${AC}/ExclusiveLimitAlarm`);
    await waitFor(() => alarm.currentBranch().getAckedState() === true, 30_000, 'AckedState true at the peer');
    expect(alarm.currentBranch().getComment().text).toBe('acknowledged in the facility gateway by ann: checked on site');
    await waitFor(() => gateway?.alarms.journal(limit.id).some((j) => j.type === 'source' && j.values.result === 'acknowledged'), 30_000, 'result journaled');

    // node-opcua drops Retain on an acknowledge although the limit is still HighHigh, so a refresh
    // does not replay it: after a gateway restart its state is read, and it stays active
    expect(alarm.currentBranch().getRetain()).toBe(false);
    await gateway.stop();
    gateway = await startGateway(config, silentLogger(), { listen: false });
    await waitFor(() => gateway?.alarms.journal(limit.id).some((j) => j.type === 'source' && j.values.condition_state === 'active'), 30_000, 'limit alarm known again after the restart');
    expect(gateway.alarms.get(limit.id)).toMatchObject({ state: 'active-ack', conditionActive: true });

    // back to normal at the peer: node-opcua keeps the unacknowledged active state as a branch and
    // marks the condition itself acknowledged; the gateway alarm returns, still awaiting its acknowledge
    node<UAVariable>(ns, `${INPUTS}/OffNormalAlarmType Input Nodes`).setValueFromSource({ dataType: DataType.Boolean, value: false });
    await waitFor(() => gateway?.alarms.get(offNormal.id)?.state === 'rtn-unack', 30_000, 'off-normal returned');
    const offNormalNode = node<UAAlarmConditionEx>(ns, `${AC}/OffNormalAlarm`);
    expect(offNormalNode.getBranchCount()).toBe(1);
    // the operator's acknowledge goes to the waiting branch: the peer drops it, the alarm closes
    gateway.alarms.acknowledge(offNormal.id, 'ann');
    await waitFor(() => offNormalNode.getBranchCount() === 0, 30_000, 'the branch acknowledged at the peer');
    await waitFor(() => gateway?.alarms.journal(offNormal.id).some((j) => j.type === 'source' && j.values.result === 'acknowledged'), 30_000, 'result journaled');
    expect(gateway.alarms.get(offNormal.id)).toMatchObject({ state: 'normal', ackedBy: 'ann' });
  });

  it("a lost connection between the off-normal's return and the operator's acknowledge: the acknowledge still reaches the waiting branch (the peer's refresh does not replay branches)", { timeout: 240_000 }, async () => {
    dir = makeTempDir(RAM_TMP, 'opcua-ac-peer-');
    const peer = await startPeer(await freePort());
    server = peer.server;
    const ns = peer.ns;
    proxy = await startFreezableProxy(server.endpoints[0]?.port ?? 0);
    gateway = await startGateway(peerConfig(proxy.port, ns, '2s'), silentLogger(), { listen: false });
    const connector = (): { connected: boolean; unknown: unknown; reconnects: number } => {
      const h = gateway?.connectors[0]?.health();
      return { connected: h?.connected === true, unknown: h?.detail?.conditionsUnknown, reconnects: Number(h?.detail?.reconnects ?? 0) };
    };
    await waitFor(() => connector().connected && JSON.stringify(connector().unknown) === '[]', 30_000, 'connector up and refreshed');
    const open = (): AlarmRecord | undefined => gateway?.alarms.active({}).find((a) => a.rule === sourceRuleId(`ns=${ns};s=${AC}/OffNormalAlarm`));
    const input = node<UAVariable>(ns, `${INPUTS}/OffNormalAlarmType Input Nodes`);
    input.setValueFromSource({ dataType: DataType.Boolean, value: true });
    const alarm = await waitFor(() => open(), 30_000, 'the off-normal alarm in the gateway');
    input.setValueFromSource({ dataType: DataType.Boolean, value: false });
    // rtn-unack (not normal) means the gateway saw the branch: the trunk alone reads acknowledged
    await waitFor(() => gateway?.alarms.get(alarm.id)?.state === 'rtn-unack', 30_000, 'off-normal returned, its branch waiting');
    const offNormalNode = node<UAAlarmConditionEx>(ns, `${AC}/OffNormalAlarm`);
    expect(offNormalNode.getBranchCount()).toBe(1);

    // the traffic stops: the gateway rebuilds the session; node-opcua's ConditionRefresh replays no branch
    const reconnects = connector().reconnects;
    proxy.freeze();
    await waitFor(() => !connector().connected, 60_000, 'the silent subscription noticed');
    proxy.thaw();
    await waitFor(() => connector().connected && JSON.stringify(connector().unknown) === '[]', 60_000, 'connector back and refreshed');
    expect(connector().reconnects).toBeGreaterThan(reconnects);
    expect(gateway.alarms.get(alarm.id)?.state).toBe('rtn-unack');

    gateway.alarms.acknowledge(alarm.id, 'ann');
    await waitFor(() => offNormalNode.getBranchCount() === 0, 30_000, 'the branch acknowledged at the peer');
    await waitFor(() => gateway?.alarms.journal(alarm.id).some((j) => j.type === 'source' && j.values.result === 'acknowledged'), 30_000, 'result journaled');
    expect(gateway.alarms.get(alarm.id)).toMatchObject({ state: 'normal', ackedBy: 'ann' });
    expect(gateway.alarms.journal(alarm.id).filter((j) => j.type === 'acknowledged')).toHaveLength(1);
    expect(gateway.alarms.active({}).filter((a) => a.rule === alarm.rule)).toHaveLength(0); // not raised again for the branch

    // again, now the operator acknowledges while the gateway cannot reach the peer: after the refresh the
    // acknowledge goes to the branch that waited before the loss
    input.setValueFromSource({ dataType: DataType.Boolean, value: true });
    const second = await waitFor(() => open(), 30_000, 'the off-normal alarm again');
    expect(second.id).not.toBe(alarm.id);
    input.setValueFromSource({ dataType: DataType.Boolean, value: false });
    await waitFor(() => gateway?.alarms.get(second.id)?.state === 'rtn-unack', 30_000, 'returned again, its branch waiting');
    expect(offNormalNode.getBranchCount()).toBe(1);
    proxy.freeze();
    await waitFor(() => !connector().connected, 60_000, 'the silent subscription noticed');
    gateway.alarms.acknowledge(second.id, 'bob', 'seen on the camera');
    await waitFor(() => gateway?.alarms.journal(second.id).some((j) => j.type === 'source' && j.values.result === 'failed'), 30_000, 'not passed: not connected');
    proxy.thaw();
    await waitFor(() => offNormalNode.getBranchCount() === 0, 60_000, 'the branch acknowledged at the peer after the refresh');
    const sent = await waitFor(() => gateway?.alarms.journal(second.id).find((j) => j.type === 'source' && j.values.result === 'acknowledged'), 30_000, 'sent after the refresh, journaled');
    expect(sent.text).toContain('after the refresh, the acknowledge made while not connected sent to a branch waiting before the loss');
    expect(gateway.alarms.journal(second.id).filter((j) => j.type === 'acknowledged')).toHaveLength(1);
    expect(gateway.alarms.active({}).filter((a) => a.rule === alarm.rule)).toHaveLength(0);
  });
});
