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
import { waitFor } from '../../../../support/wait-for.ts';
import { makeTempDir, RAM_TMP } from '../../../../support/temp-dir.ts';

const AC = 'CTT/Server Test/Alarms and Conditions';
const INPUTS = `${AC}/Supported Condition Types`;

let dir: string | undefined;
let server: OPCUAServer | undefined;
let gateway: RunningGateway | undefined;

afterEach(async () => {
  await gateway?.stop();
  await server?.shutdown(0);
  if (dir) rmSync(dir, { recursive: true, force: true });
  gateway = undefined;
  server = undefined;
  dir = undefined;
});

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
  it('an off-normal and a limit alarm of the peer become gateway alarms with the binding priority; an acknowledge reaches the peer', async () => {
    dir = makeTempDir(RAM_TMP, 'opcua-ac-peer-');
    const peer = await startPeer(await freePort());
    server = peer.server;
    const ns = peer.ns;
    const config = validateConfig({
      site: { id: 't', name: 'Test' },
      buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }] }],
      storage: { dataDir: join(dir, 'data') },
      connectors: [{ id: 'opcua-peer', type: 'opcua', endpoint: `opc.tcp://127.0.0.1:${server.endpoints[0]?.port ?? 0}`, publishingInterval: '100ms', keepAliveCount: 5 }],
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
    gateway = await startGateway(config, silentLogger(), { listen: false });
    await waitFor(() => gateway?.connectors[0]?.health().connected === true, 15_000, 'connector up');
    const open = (suffix: string): AlarmRecord | undefined => gateway?.alarms.active({}).find((a) => a.rule === sourceRuleId(`ns=${ns};s=${AC}/${suffix}`));

    // the peer's OffNormalAlarm is active while its Boolean input differs from its normal state
    node<UAVariable>(ns, `${INPUTS}/OffNormalAlarmType Input Nodes`).setValueFromSource({ dataType: DataType.Boolean, value: true });
    const offNormal = await waitFor(() => open('OffNormalAlarm'), 15_000, 'the off-normal alarm in the gateway');
    // node-opcua's alarms report severity 150: P3 by this binding's bands (≥ 100), no life safety on a pump
    expect(offNormal).toMatchObject({ device: 'pump-1', priority: 3, lifeSafety: false, state: 'active-unack', values: { severity: 150, condition_id: `ns=${ns};s=${AC}/OffNormalAlarm` } });
    // a `/` in the ConditionId would read as a per-point rule: the rule id writes it as `|`
    expect(offNormal.rule).toBe(`condition:ns=${ns};s=CTT|Server Test|Alarms and Conditions|OffNormalAlarm`);

    // the ExclusiveLimitAlarm goes HighHigh above 90
    node<UAVariable>(ns, `${INPUTS}/ExclusiveLimitAlarmType Input Nodes`).setValueFromSource({ dataType: DataType.Double, value: 95 });
    const limit = await waitFor(() => open('ExclusiveLimitAlarm'), 15_000, 'the limit alarm in the gateway');
    expect(limit.title).toContain('HighHigh');

    gateway.alarms.acknowledge(limit.id, 'ann', 'checked on site');
    const alarm = node<UAAlarmConditionEx>(ns, `${AC}/ExclusiveLimitAlarm`);
    await waitFor(() => alarm.currentBranch().getAckedState() === true, 15_000, 'AckedState true at the peer');
    expect(alarm.currentBranch().getComment().text).toBe('acknowledged in the facility gateway by ann: checked on site');
    await waitFor(() => gateway?.alarms.journal(limit.id).some((j) => j.type === 'source' && j.values.result === 'acknowledged'), 15_000, 'result journaled');

    // node-opcua drops Retain on an acknowledge although the limit is still HighHigh, so a refresh
    // does not replay it: after a gateway restart its state is read, and it stays active
    expect(alarm.currentBranch().getRetain()).toBe(false);
    await gateway.stop();
    gateway = await startGateway(config, silentLogger(), { listen: false });
    await waitFor(() => gateway?.alarms.journal(limit.id).some((j) => j.type === 'source' && j.values.condition_state === 'active'), 15_000, 'limit alarm known again after the restart');
    expect(gateway.alarms.get(limit.id)).toMatchObject({ state: 'active-ack', conditionActive: true });

    // back to normal at the peer: node-opcua keeps the unacknowledged active state as a branch and
    // marks the condition itself acknowledged; the gateway alarm returns, still awaiting its acknowledge
    node<UAVariable>(ns, `${INPUTS}/OffNormalAlarmType Input Nodes`).setValueFromSource({ dataType: DataType.Boolean, value: false });
    await waitFor(() => gateway?.alarms.get(offNormal.id)?.state === 'rtn-unack', 15_000, 'off-normal returned');
    const offNormalNode = node<UAAlarmConditionEx>(ns, `${AC}/OffNormalAlarm`);
    expect(offNormalNode.getBranchCount()).toBe(1);
    // the operator's acknowledge goes to the waiting branch: the peer drops it, the alarm closes
    gateway.alarms.acknowledge(offNormal.id, 'ann');
    await waitFor(() => offNormalNode.getBranchCount() === 0, 15_000, 'the branch acknowledged at the peer');
    await waitFor(() => gateway?.alarms.journal(offNormal.id).some((j) => j.type === 'source' && j.values.result === 'acknowledged'), 15_000, 'result journaled');
    expect(gateway.alarms.get(offNormal.id)).toMatchObject({ state: 'normal', ackedBy: 'ann' });
  });
});
