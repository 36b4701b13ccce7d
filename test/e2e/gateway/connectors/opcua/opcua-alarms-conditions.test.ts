/**
 * OPC UA Alarms & Conditions end to end: the fire-panel simulator (node-opcua server with an
 * AlarmConditionType per zone) on a real socket on 127.0.0.1, the gateway in process with the
 * binding's `conditions`. A zone fire becomes a P1 life-safety alarm; the operator's acknowledge
 * reaches the server; the panel's own acknowledge is journaled as at the source; a restart finds
 * the active condition by ConditionRefresh; a comms loss leaves the condition unknown, not normal.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../../gateway/log/logger.ts';
import type { SiteConfig } from '../../../../../gateway/config/site-schema.ts';
import type { AlarmRecord, JournalEntry } from '../../../../../rules/alarms/index.ts';
import { FirePanelModel } from '../../../../../simulators/models/fire-panel-model.ts';
import { SeededRandom } from '../../../../../simulators/seeded-random.ts';
import { OpcuaSimServer } from '../../../../../simulators/transports/opcua-sim-server.ts';
import { freePort } from '../../../../support/free-port.ts';
import { waitFor } from '../../../../support/wait-for.ts';
import { makeTempDir, RAM_TMP } from '../../../../support/temp-dir.ts';

const ZONE2 = 'condition:ns=1;s=fire-panel-1.Zone2.Fire';
const ZONE1 = 'condition:ns=1;s=fire-panel-1.Zone1.Fire';

let dir: string | undefined;
let sim: OpcuaSimServer | undefined;
let gateway: RunningGateway | undefined;

afterEach(async () => {
  await gateway?.stop();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  gateway = undefined;
  sim = undefined;
  dir = undefined;
});

/** The panel object as notifier (node-opcua sends it no refresh markers), or the Server object filtered by source (markers). */
const PANEL_NOTIFIER = { notifier: 'ns=1;s={device}' };
const SERVER_NOTIFIER = { source: 'ns=1;s={device}' };

async function setUp(
  conditions: Record<string, unknown> = PANEL_NOTIFIER,
  nodes: Record<string, unknown> = { 'zone_{zone}_state': 'ns=1;s={device}.Zone{zone}.State' },
  zones: unknown = 2,
): Promise<{ panel: FirePanelModel; config: SiteConfig }> {
  dir = makeTempDir(RAM_TMP, 'opcua-ac-');
  const port = await freePort();
  const panel = new FirePanelModel('fire-panel-1', new SeededRandom(7), 2);
  sim = new OpcuaSimServer([panel], { host: '127.0.0.1', port, pkiDir: join(dir, 'server-pki') });
  await sim.start();
  const config = validateConfig({
    site: { id: 't', name: 'Test' },
    buildings: [{ id: 'b1', name: 'B1', floors: [{ id: 'F1' }, { id: 'F2' }] }],
    storage: { dataDir: join(dir, 'data') },
    connectors: [{ id: 'opcua-fire', type: 'opcua', endpoint: sim.endpointUrl, publishingInterval: '100ms', keepAliveCount: 5, reconnectDelay: '200ms', reconnectMaxDelay: '1s' }],
    devices: [
      {
        id: 'fire-panel-1',
        kind: 'fire_panel',
        building: 'b1',
        floor: 'F1',
        zones,
        binding: {
          connector: 'opcua-fire',
          samplingInterval: '50ms',
          nodes,
          conditions,
        },
      },
    ],
  });
  return { panel, config };
}

/** The gateway of `config` in this process, once its OPC UA connector is connected. */
async function startConnected(config: SiteConfig): Promise<RunningGateway> {
  const started = await startGateway(config, silentLogger(), { listen: false });
  gateway = started;
  await waitFor(() => started.connectors[0]?.health().connected === true, 15_000, 'connector up');
  return started;
}

/** The panel's server goes away, and the connector has seen it. */
async function panelUnreachable(panel: FirePanelModel): Promise<void> {
  panel.online = false;
  await sim?.sync();
  await waitFor(() => gateway?.connectors[0]?.health().connected === false, 15_000, 'connection lost');
}

const openAlarm = (rule: string): AlarmRecord | undefined => gateway?.alarms.active({}).find((a) => a.rule === rule);
const journal = (id: string): JournalEntry[] => gateway?.alarms.journal(id) ?? [];

describe('OPC UA Alarms & Conditions (fire-panel simulator)', () => {
  it('a zone fire becomes a P1 life-safety alarm at its zone; the operator acknowledge reaches the server with the operator named', async () => {
    const zoneMap = [{ n: 1 }, { n: 2, floor: 'F2' }];
    const { panel, config } = await setUp({ ...PANEL_NOTIFIER, zone: 'Zone{zone}Fire' }, undefined, zoneMap);
    gateway = await startConnected(config);
    panel.injectFault('zone_fire:2');
    const alarm = await waitFor(() => openAlarm(`${ZONE2}/zone_2_state`), 15_000, 'the zone 2 condition as a gateway alarm');
    expect(alarm).toMatchObject({ device: 'fire-panel-1', kind: 'fire_panel', priority: 1, lifeSafety: true, state: 'active-unack', conditionActive: true, title: 'fire-panel-1 zone 2: fire', floor: 'F2' });
    expect(alarm.values).toMatchObject({ connector: 'opcua-fire', condition_id: 'ns=1;s=fire-panel-1.Zone2.Fire', condition_name: 'Zone2Fire', severity: 1000, active: true, acked: false });
    expect(sim?.zoneCondition('fire-panel-1', 2)).toMatchObject({ active: true, acked: false });

    gateway.alarms.acknowledge(alarm.id, 'ann', 'crew on the way');
    await waitFor(() => sim?.zoneCondition('fire-panel-1', 2)?.acked === true, 15_000, 'AckedState true at the server');
    expect(sim?.zoneCondition('fire-panel-1', 2)?.comment).toBe('acknowledged in the facility gateway by ann: crew on the way');
    const row = await waitFor(() => journal(alarm.id).find((j) => j.type === 'source' && j.values.result !== undefined), 15_000, 'the result journaled');
    expect(row).toMatchObject({ by: 'system:opcua-fire', values: { result: 'acknowledged' } });
    expect(row.text).toContain('Good');
    // the server's AckedState coming back does not acknowledge twice
    expect(journal(alarm.id).filter((j) => j.type === 'acknowledged')).toHaveLength(1);
    expect(openAlarm(`${ZONE2}/zone_2_state`)).toMatchObject({ state: 'active-ack', ackedBy: 'ann' });

    // the fire ends at the panel: the acknowledged alarm closes
    panel.clearFault('zone_fire:2');
    await waitFor(() => openAlarm(`${ZONE2}/zone_2_state`) === undefined, 15_000, 'alarm closed when the condition went inactive');
  });

  it('an acknowledge at the panel comes back as AckedState and is journaled as acknowledged at the source', async () => {
    const { panel, config } = await setUp();
    gateway = await startConnected(config);
    panel.injectFault('zone_fire:2');
    const alarm = await waitFor(() => openAlarm(ZONE2), 15_000, 'the zone 2 alarm');
    expect(sim?.acknowledgeAtPanel('fire-panel-1', 2, 'silenced at the panel by the guard')).toBe(true);
    await waitFor(() => openAlarm(ZONE2)?.state === 'active-ack', 15_000, 'acknowledged from the panel');
    const acks = journal(alarm.id).filter((j) => j.type === 'acknowledged');
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ by: 'source:opcua-fire' });
    expect(acks[0]?.text).toContain('acknowledged at the source');
    expect(acks[0]?.text).toContain('silenced at the panel by the guard');
    // nothing was sent back to the panel for its own acknowledge
    expect(journal(alarm.id).filter((j) => j.type === 'source' && j.values.result !== undefined)).toHaveLength(0);
  });

  it.each([
    ['the panel object as notifier', PANEL_NOTIFIER],
    ['the Server object as notifier (RefreshStart / RefreshEnd), filtered by source', SERVER_NOTIFIER],
  ])('a gateway restart with the condition active finds it by ConditionRefresh; a fire started while it was down is raised (%s)', async (_name, conditions) => {
    const { panel, config } = await setUp(conditions);
    gateway = await startConnected(config);
    panel.injectFault('zone_fire:2');
    const before = await waitFor(() => openAlarm(ZONE2), 15_000, 'the zone 2 alarm');
    await gateway.stop();
    gateway = undefined;
    panel.injectFault('zone_fire:1'); // while the gateway is down
    await waitFor(() => sim?.zoneCondition('fire-panel-1', 1)?.active === true, 15_000, 'zone 1 condition active at the server');

    gateway = await startGateway(config, silentLogger(), { listen: false });
    const zone1 = await waitFor(() => openAlarm(ZONE1), 15_000, 'zone 1 alarm after the refresh');
    expect(zone1).toMatchObject({ priority: 1, state: 'active-unack', conditionActive: true });
    await waitFor(() => journal(before.id).some((j) => j.type === 'source' && j.values.condition_state === 'active'), 15_000, 'zone 2 known again after the refresh');
    // the alarm of before the restart is the same instance, still active (not cleared as a removed rule)
    expect(openAlarm(ZONE2)).toMatchObject({ id: before.id, state: 'active-unack', conditionActive: true });
    const rows = journal(before.id);
    expect(rows.some((j) => j.type === 'cleared')).toBe(false);
    expect(rows.find((j) => j.type === 'source' && j.values.condition_state === 'unknown')?.text).toContain('not refreshed yet');
  });

  it('an acknowledge made while the panel was unreachable is sent again after the refresh shows the condition still unacknowledged', async () => {
    const { panel, config } = await setUp();
    gateway = await startConnected(config);
    panel.injectFault('zone_fire:2');
    const alarm = await waitFor(() => openAlarm(ZONE2), 15_000, 'the zone 2 alarm');
    await panelUnreachable(panel);
    gateway.alarms.acknowledge(alarm.id, 'carol', 'seen on camera');
    await waitFor(() => journal(alarm.id).some((j) => j.type === 'source' && j.values.result === 'failed'), 15_000, 'first attempt journaled as failed');
    panel.online = true;
    await sim?.sync(); // the fire still burns: the fresh server's condition is active and unacknowledged
    await waitFor(() => sim?.zoneCondition('fire-panel-1', 2)?.acked === true, 15_000, 'acknowledged at the panel after the refresh');
    expect(sim?.zoneCondition('fire-panel-1', 2)?.comment).toBe('acknowledged in the facility gateway by carol: seen on camera');
    const again = await waitFor(() => journal(alarm.id).find((j) => j.type === 'source' && j.values.result === 'acknowledged'), 15_000, 'second attempt journaled');
    expect(again.text).toContain('sent again');
    expect(openAlarm(ZONE2)).toMatchObject({ id: alarm.id, state: 'active-ack', ackedBy: 'carol' });
  });

  it('a comms loss leaves the condition unknown, not normal; an acknowledge meanwhile is journaled as not delivered; the refresh after the return clears what ended meanwhile', async () => {
    const { panel, config } = await setUp();
    gateway = await startConnected(config);
    panel.injectFault('zone_fire:2');
    const alarm = await waitFor(() => openAlarm(ZONE2), 15_000, 'the zone 2 alarm');

    await panelUnreachable(panel); // the panel's server goes away
    const unknown = await waitFor(() => journal(alarm.id).find((j) => j.type === 'source' && j.values.condition_state === 'unknown'), 15_000, 'condition marked unknown');
    expect(unknown.text).toContain('comms lost');
    expect(gateway.connectors[0]?.health().detail).toMatchObject({ conditionsUnknown: ['fire-panel-1'] });
    expect(openAlarm(ZONE2)).toMatchObject({ id: alarm.id, state: 'active-unack', conditionActive: true });
    // an acknowledge while the panel cannot be reached is the operator's, and the journal says it did not reach the panel
    gateway.alarms.acknowledge(alarm.id, 'bob');
    const failed = await waitFor(() => journal(alarm.id).find((j) => j.type === 'source' && j.values.result !== undefined), 15_000, 'acknowledge result journaled');
    expect(failed).toMatchObject({ values: { result: 'failed' } });
    expect(failed.text).toContain('NOT passed to the source: not connected');

    panel.clearFault('zone_fire:2'); // the fire ends while the gateway cannot see the panel
    panel.online = true;
    await sim?.sync(); // a fresh server: the condition is not retained any more
    await waitFor(() => gateway?.alarms.get(alarm.id)?.conditionActive === false, 15_000, 'cleared after the refresh');
    // acknowledged (in the gateway) and no longer active: closed
    expect(gateway.alarms.get(alarm.id)).toMatchObject({ state: 'normal', ackedBy: 'bob' });
    expect(journal(alarm.id).find((j) => j.type === 'cleared')?.values).toMatchObject({ refresh: 'not retained by the source' });
    expect(gateway.connectors[0]?.health().detail).toMatchObject({ conditionsUnknown: [] });
  });

  it('a fire panel read only through its conditions raises the life-safety comms-lost trouble with the connection, cleared by the refresh', async () => {
    const { panel, config } = await setUp(PANEL_NOTIFIER, {});
    gateway = await startConnected(config);
    panel.injectFault('zone_fire:1');
    await waitFor(() => openAlarm(ZONE1), 15_000, 'the zone 1 alarm from the condition alone');
    const trouble = (): boolean => gateway?.trouble.list().some((t) => t.key === 'comms-lost:fire-panel-1' && t.lifeSafety) ?? false;
    expect(trouble()).toBe(false);
    panel.online = false;
    await sim?.sync();
    await waitFor(trouble, 15_000, 'life-safety comms-lost trouble');
    panel.online = true;
    await sim?.sync();
    await waitFor(() => !trouble(), 15_000, 'trouble cleared after the refresh');
    expect(openAlarm(ZONE1)).toMatchObject({ conditionActive: true });
  });
});
