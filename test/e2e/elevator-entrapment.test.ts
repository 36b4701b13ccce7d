/**
 * The shipped elevator-entrapment scenario end to end: the Modbus elevator simulator (both demo lifts
 * behind one Modbus TCP gateway on a free port) and the real gateway with its Modbus connector
 * polling the demo's `elevator-sim` register map at 1 s.
 *
 * The simulators run the scenario on their own VirtualClock, fast-forwarded to the scripted
 * moments (09:10 the car stops between floors with a passenger, code 41; 15 s later the alarm
 * button; 09:45 the rescue); the gateway runs at real speed, so its on-delay (2 s), off-delay (10 s)
 * and its polls are real. Exactly one priority-1 alarm must result: raised once, not duplicated by
 * the polls that keep seeing the condition, latched when the condition clears, closed only by an
 * operator's acknowledge and reset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { VirtualClock } from '../../gateway/model/clock.ts';
import type { AlarmEvent, AlarmRecord, JournalEntry } from '../../rules/alarms/alarm-model.ts';
import { readScenarioFile } from '../../simulators/scenario/scenario-file.ts';
import { startSimulators, type RunningSimulators } from '../../simulators/sim-runner.ts';
import { readSiteFile } from '../../simulators/site-file.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';
import { getJson, postJson } from './e2e-http.ts';
import { writeE2eSite } from './e2e-site.ts';

const MIN = 60_000;
const RULE = 'elevator.entrapment';
const OPERATOR = { 'x-user': 'e2e-operator' };

describe('elevator entrapment through the Modbus simulator and the real gateway', () => {
  const dir = tempDir('e2e-elev-');
  const scenario = readScenarioFile(new URL('../../simulators/scenarios/elevator-entrapment.yaml', import.meta.url).pathname);
  let simClock: VirtualClock;
  let sims: RunningSimulators | undefined;
  let gateway: RunningGateway | undefined;
  let api = '';
  const events: AlarmEvent[] = [];

  const point = (device: string, name: string) => gateway?.live.state(device)?.points[name]?.value;
  // Evidence that the gateway kept polling (instead of a sleep): its Modbus request count grew by n.
  const requests = (): number => gateway?.connectors.reduce((sum, c) => sum + c.health().requests, 0) ?? 0;
  const afterRequests = async (n: number, what: string): Promise<void> => {
    const from = requests();
    await waitFor(() => requests() >= from + n, 30_000, what);
  };

  beforeAll(async () => {
    const site = await writeE2eSite(dir.path, {
      devices: ['elev-b1-1', 'elev-b2-1'],
      overrides: {
        workOrders: {
          enabled: true,
          contractors: [{ id: 'lift-co', name: 'Lift Co', trades: ['elevator'], kinds: ['elevator'], channels: { mqtt: { topic: 'e2e/lift-co/work-orders' } } }],
          routing: [{ kind: 'elevator', contractor: 'lift-co' }],
        },
      },
    });
    simClock = new VirtualClock(Date.parse(scenario.start as string));
    sims = await startSimulators(readSiteFile(site.file), { clock: simClock, scenario, seed: scenario.seed });
    gateway = await startGateway(await loadConfigFile(site.file), silentLogger());
    api = gateway.apiUrl as string;
    gateway.alarms.onEvent((e) => events.push(e));
    await waitFor(() => point('elev-b1-1', 'in_service') === true && point('elev-b2-1', 'in_service') === true, 15_000, 'both lifts polled over Modbus');
  }, 30_000);

  afterAll(async () => {
    await gateway?.stop();
    await sims?.stop();
    dir.cleanup();
  });

  it('raises exactly one latching P1 alarm, which stays until acknowledged and reset', async () => {
    const scripted = sims?.timeline.find((f) => f.device === 'elev-b1-1' && f.fault === 'entrapment');
    expect(scripted).toMatchObject({ start: 10 * MIN, end: 45 * MIN });

    // normal operation up to a second before the stop, then the stop between floors
    simClock.advance(10 * MIN - 1_000);
    await afterRequests(6, 'polls of the normal car');
    expect(gateway?.alarms.active({ priority: [1] })).toEqual([]);
    simClock.advance(1_000);
    await waitFor(() => point('elev-b1-1', 'fault_code') === 41, 5_000, 'fault code 41 polled');
    expect(point('elev-b1-1', 'alarm_button')).toBe(false);
    expect(gateway?.alarms.active({ priority: [1] })).toEqual([]); // stopped, but nobody has pressed the button yet

    // the passenger presses the alarm button 15 s after the stop
    simClock.advance(15_000);
    const pressedAt = Date.now();
    const raised = await waitFor(() => events.find((e) => e.type === 'raised' && e.alarm.rule === RULE), 6_000, 'the entrapment alarm');
    expect(raised.at - pressedAt).toBeGreaterThanOrEqual(2_000 - 50); // the rule's 2 s on-delay
    expect(raised.alarm).toMatchObject({ device: 'elev-b1-1', priority: 1, latching: true, state: 'active-unack', occurrences: 1 });
    expect(raised.alarm.values).toMatchObject({ alarm_button: true, moving: false, fault_code: 41 });

    // one incident, one stack: the controller fault (code 41, 10 s on-delay) is grouped under the
    // entrapment, not announced on its own; one visible P1; exactly one work order, at P1
    const fault = await waitFor(() => events.find((e) => e.type === 'grouped' && e.alarm.rule === 'elevator.fault'), 15_000, 'the controller fault grouped');
    expect(fault.alarm).toMatchObject({ device: 'elev-b1-1', parent: raised.alarm.id, suppressed: true });
    expect(events.filter((e) => e.type === 'raised' && e.alarm.rule === 'elevator.fault')).toEqual([]);
    const listed = await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms`);
    expect(listed.alarms.filter((a) => a.shelved === null && !a.suppressed).map((a) => a.rule)).toEqual([RULE]);
    expect(listed.alarms.filter((a) => a.parent === raised.alarm.id).map((a) => a.rule)).toEqual(['elevator.fault']);
    const orders = gateway?.workOrders?.list({ limit: 10 }) ?? [];
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ device: 'elev-b1-1', priority: 1, contractor: 'lift-co' });
    expect([...(orders[0]?.alarmIds ?? [])].sort()).toEqual([raised.alarm.id, fault.alarm.id].sort());

    // the car stays stuck while the gateway keeps polling: still one instance, one occurrence
    simClock.advance(10 * MIN);
    await afterRequests(12, 'polls of the stuck car');
    simClock.advance(25 * MIN - 15_000 - 1_000); // 09:44:59, a second before the rescue
    await afterRequests(6, 'polls a second before the rescue');
    const stuck = await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms?priority=1`);
    expect(stuck.alarms).toHaveLength(1);
    expect(stuck.alarms[0]).toMatchObject({ id: raised.alarm.id, state: 'active-unack', conditionActive: true, occurrences: 1 });

    // 09:45 the rescue: the car relevels and returns to service; after the 10 s off-delay the
    // condition clears, but the life-safety alarm stays latched
    simClock.advance(1_000);
    simClock.advance(30_000); // relevel to the last landing, doors open, back in service
    await waitFor(() => point('elev-b1-1', 'in_service') === true && point('elev-b1-1', 'alarm_button') === false, 5_000, 'the rescued car polled');
    const cleared = await waitFor(() => events.find((e) => e.type === 'cleared' && e.alarm.rule === RULE), 15_000, 'the condition to clear');
    expect(cleared.alarm).toMatchObject({ id: raised.alarm.id, state: 'active-unack', conditionActive: false });
    simClock.advance(scenario.duration - 45 * MIN - 30_000); // the rest of the scenario's hour
    const latched = await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms?priority=1`);
    expect(latched.alarms.map((a) => a.id)).toEqual([raised.alarm.id]);

    // reset before acknowledgement is refused; acknowledge, still open; reset closes it
    expect((await postJson(`${api}/api/alarms/${raised.alarm.id}/reset`, {}, OPERATOR)).status).toBe(409);
    const acked = await postJson(`${api}/api/alarms/${raised.alarm.id}/ack`, { comment: 'rescue team on site' }, OPERATOR);
    expect(acked).toMatchObject({ status: 200, body: { state: 'active-ack', closedAt: null } });
    expect((await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms?priority=1`)).alarms).toHaveLength(1);
    const reset = await postJson(`${api}/api/alarms/${raised.alarm.id}/reset`, { comment: 'passenger released' }, OPERATOR);
    expect(reset).toMatchObject({ status: 200, body: { state: 'normal' } });
    expect((await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms?priority=1`)).alarms).toEqual([]);

    // over the whole scenario: one P1 alarm, one instance, journaled once per transition
    const history = await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms/history?priority=1&from=${Date.now() - 10 * MIN}&to=${Date.now() + 1_000}`);
    expect(history.alarms.map((a) => `${a.rule}@${a.device}`)).toEqual([`${RULE}@elev-b1-1`]);
    const journal = await getJson<{ journal: JournalEntry[] }>(`${api}/api/alarms/${raised.alarm.id}/journal`);
    expect(journal.journal.map((j) => `${j.type}:${j.toState}`)).toEqual(['raised:active-unack', 'cleared:active-unack', 'acknowledged:active-ack', 'reset:normal']);
    expect(journal.journal.filter((j) => j.by !== null).map((j) => j.by)).toEqual(['e2e-operator', 'e2e-operator']);
    expect(events.filter((e) => e.alarm.rule === RULE && e.type === 'raised')).toHaveLength(1);
    expect(events.filter((e) => e.alarm.device === 'elev-b2-1')).toEqual([]); // the other lift ran normally
  }, 60_000);
});
