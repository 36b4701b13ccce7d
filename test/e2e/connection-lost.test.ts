/**
 * A lost field network through the real Modbus connector: both demo pumps behind one Modbus TCP
 * gateway (the pump simulators on a free port), the real gateway polling them. When the simulators
 * stop, the connector marks both pumps comms lost; the gateway raises ONE connection alarm for the
 * connector, the pumps' comms-lost alarms are grouped under it, and there is ONE work order.
 *
 * The gateway runs on a VirtualClock moved one poll interval (1 s) at a time; each step ends when
 * both pumps' polls have come back over the real socket (answered, or failed once the link is down).
 * The order the test relies on is then fixed by gateway time, not by how busy the machine is:
 * - nothing is stale at start: on the real clock a start slower than the rule's 5 s (the engine
 *   watches the devices before the connector has polled them) raised and cleared a comms alarm per
 *   pump, each with its own plumbing order, before the link was ever lost;
 * - the connector gives up after 3 failed polls (`failuresBeforeLost`), 2 s before the comms rule's
 *   5 s, so the connection alarm exists before the comms alarms that are grouped under it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../gateway/config/load-config.ts';
import type { DeviceState } from '../../gateway/connectors/modbus/device-poller.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { RealClock, VirtualClock } from '../../gateway/model/clock.ts';
import type { AlarmEvent, AlarmRecord } from '../../rules/alarms/alarm-model.ts';
import { startSimulators, type RunningSimulators } from '../../simulators/sim-runner.ts';
import { readSiteFile } from '../../simulators/site-file.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';
import { writeE2eSite } from './e2e-site.ts';

const PUMPS = ['pump-b1-1', 'pump-b2-1'];
/** The pumps' poll interval (the demo's `pollInterval: 1s`): one step of the gateway's clock. */
const POLL = 1_000;

describe('a lost Modbus link is one connection alarm and one work order', () => {
  const dir = tempDir('e2e-link-');
  const clock = new VirtualClock(Date.now());
  let sims: RunningSimulators | undefined;
  let gateway: RunningGateway | undefined;

  afterAll(async () => {
    await gateway?.stop();
    await sims?.stop();
    dir.cleanup();
  });

  it('stops both pumps behind one connector: one visible alarm, the comms alarms grouped, one order', async () => {
    const site = await writeE2eSite(dir.path, {
      devices: PUMPS,
      overrides: {
        workOrders: {
          enabled: true,
          contractors: [
            { id: 'pump-co', name: 'Pump Co', trades: ['plumbing', 'mechanical'], kinds: ['pump'], channels: { mqtt: { topic: 'e2e/pump-co' } } },
            { id: 'net-co', name: 'Network Co', trades: ['network'], channels: { mqtt: { topic: 'e2e/net-co' } } },
          ],
        },
        // comms-lost of a pump after 5 s instead of 2 min, so the test need not step through 2 min
        rules: [{ id: 'comms.pump', title: 'Pump communication lost', scope: { kind: 'pump' }, when: { type: 'stale', after: '5s' }, priority: 3, workOrder: { trade: 'plumbing', priority: 3 } }],
      },
    });
    sims = await startSimulators(readSiteFile(site.file), { clock: new RealClock(), seed: 7 });
    gateway = await startGateway(await loadConfigFile(site.file), silentLogger(), { clock });
    const g = gateway;
    const events: AlarmEvent[] = [];
    g.alarms.onEvent((e) => events.push(e));
    const modbus = () => g.connectors.find((c) => c.id === 'modbus-pumps');
    const poller = (d: string) => (modbus()?.health().detail?.devices as Record<string, DeviceState> | undefined)?.[d];
    const polledAt = (d: string) => g.live.state(d)?.points.running?.ts;
    const commsAlarms = () => g.alarms.active().filter((a) => a.rule === 'comms.pump');

    /** One poll interval of gateway time: each pump's poll timer fires once; `done` says when its poll came back. */
    const step = async (done: (device: string) => boolean, what: string): Promise<void> => {
      clock.advance(POLL);
      await waitFor(() => PUMPS.every(done), 30_000, `${what} at ${new Date(clock.now()).toISOString()}`, 2);
    };

    // the connector connects in real time; its polls wait for the gateway's clock
    await waitFor(() => modbus()?.health().connected, 15_000, 'the Modbus connection to the simulators');
    await step((d) => polledAt(d) === clock.now(), 'both pumps polled');
    expect(g.alarms.active()).toEqual([]);

    await sims.stop(); // the field network is gone
    sims = undefined;
    await waitFor(() => modbus()?.health().connected === false, 15_000, 'the connector to notice the closed link');
    // one failed poll per pump and step, until the connector gives them up (3 polls; before the comms rule's 5 s)
    for (let failed = 1; !PUMPS.every((d) => poller(d)?.state === 'comms_lost'); failed++) {
      if (failed > 5) throw new Error(`pumps not comms lost after ${failed - 1} failed polls: ${JSON.stringify(PUMPS.map(poller))}`);
      await step((d) => poller(d)?.consecutiveFailures === failed, `failed poll ${failed} of both pumps`);
    }
    // the gateway's clock stands still here: the connection alarm comes from the comms-lost marks alone
    const link = await waitFor(() => g.alarms.active().find((a) => a.rule === 'connection.lost'), 15_000, 'the connection alarm');
    expect(link).toMatchObject({ device: 'modbus-pumps', kind: 'connection', priority: 2, conditionActive: true });
    expect(commsAlarms()).toEqual([]);

    // the comms rule's 5 s after the last answer: both comms alarms, grouped under the connection alarm as they rise
    for (let more = 1; commsAlarms().filter((a) => a.conditionActive).length < 2; more++) {
      if (more > 4) throw new Error(`no two comms alarms 4 s after the connection alarm: ${JSON.stringify(g.alarms.active().map((a) => [a.rule, a.device, a.parent, a.conditionActive]))}`);
      const before = PUMPS.map((d) => poller(d)?.consecutiveFailures ?? 0);
      await step((d) => (poller(d)?.consecutiveFailures ?? 0) > (before[PUMPS.indexOf(d)] as number), 'a probe of both lost pumps');
    }
    const grouped = commsAlarms();
    expect(grouped).toHaveLength(2);
    expect(grouped.every((a: AlarmRecord) => a.parent === link.id && a.suppressed)).toBe(true);
    expect(events.filter((e) => e.type === 'raised' && e.alarm.rule === 'comms.pump')).toEqual([]);
    expect(g.alarms.active().filter((a) => a.shelved === null && !a.suppressed).map((a) => a.rule)).toEqual(['connection.lost']);
    const orders = g.workOrders?.list({ limit: 10 }) ?? [];
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ device: 'modbus-pumps', trade: 'network', contractor: 'net-co' });
    expect([...(orders[0]?.alarmIds ?? [])].sort()).toEqual([link.id, ...grouped.map((a) => a.id)].sort());
  }, 120_000);
});
