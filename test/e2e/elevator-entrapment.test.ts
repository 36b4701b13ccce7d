/**
 * The shipped elevator-entrapment scenario end to end: the Modbus elevator simulator (both demo lifts
 * behind one Modbus TCP gateway on a free port) and the real gateway with its Modbus connector
 * polling the demo's `elevator-sim` register map every second.
 *
 * The simulators run the scenario on their own VirtualClock, fast-forwarded to the scripted
 * moments (09:10 the car stops between floors with a passenger, code 41; 15 s later the alarm
 * button; 09:45 the rescue). The gateway runs on a second VirtualClock, moved one poll interval at
 * a time, and each step waits until both lifts' polls have been answered over the real Modbus socket
 * and reached the live view: its polls, its on-delay (2 s), off-delay (10 s) and the controller
 * fault's 10 s on-delay are the gateway's own timers, without waiting for them in real time.
 * Exactly one priority-1 alarm must result: raised once, not duplicated by the polls that keep
 * seeing the condition, latched when the condition clears, closed only by an operator's
 * acknowledge and reset.
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
const LIFTS = ['elev-b1-1', 'elev-b2-1'];
/** The lifts' poll interval (the demo's `pollInterval: 1s`): one step of the gateway's clock. */
const POLL = 1_000;

describe('elevator entrapment through the Modbus simulator and the real gateway', () => {
  const dir = tempDir('e2e-elev-');
  const scenario = readScenarioFile(new URL('../../simulators/scenarios/elevator-entrapment.yaml', import.meta.url).pathname);
  let simClock: VirtualClock;
  const gwClock = new VirtualClock(Date.parse(scenario.start as string));
  let sims: RunningSimulators | undefined;
  let gateway: RunningGateway | undefined;
  let api = '';
  const events: AlarmEvent[] = [];

  const point = (device: string, name: string) => gateway?.live.state(device)?.points[name]?.value;
  const polledAt = (device: string) => gateway?.live.state(device)?.points.in_service?.ts;

  /**
   * One poll interval of gateway time: the clock moves, each lift's poll timer fires once, and the
   * step ends when both answers (stamped with the new time) are on the live view. The clock never
   * moves while a request is on the wire, so a Modbus timeout (on the same clock) cannot fire.
   */
  const step = async (): Promise<void> => {
    gwClock.advance(POLL);
    const now = gwClock.now();
    await waitFor(() => LIFTS.every((d) => polledAt(d) === now), 30_000, `both lifts polled at ${new Date(now).toISOString()}`, 2);
  };
  const polls = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await step();
  };
  /** Poll intervals of gateway time until `found` gives a value; at most `maxSteps` of them. */
  const stepUntil = async <T>(found: () => T | undefined | false, maxSteps: number, what: string): Promise<T> => {
    for (let i = 0; ; i++) {
      const value = found();
      if (value !== undefined && value !== false) return value;
      if (i >= maxSteps) throw new Error(`${what}: not within ${maxSteps} poll intervals (${(maxSteps * POLL) / 1000} s) of gateway time`);
      await step();
    }
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
    gateway = await startGateway(await loadConfigFile(site.file), silentLogger(), { clock: gwClock });
    api = gateway.apiUrl as string;
    gateway.alarms.onEvent((e) => events.push(e));
    // the connector connects in real time; its polls wait for the gateway's clock
    await waitFor(() => gateway?.connectors.every((c) => c.health().connected), 15_000, 'the Modbus connection to the simulator');
    await stepUntil(() => point('elev-b1-1', 'in_service') === true && point('elev-b2-1', 'in_service') === true, 5, 'both lifts polled over Modbus');
  }, 60_000);

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
    await polls(3);
    expect(gateway?.alarms.active({ priority: [1] })).toEqual([]);
    simClock.advance(1_000);
    await stepUntil(() => point('elev-b1-1', 'fault_code') === 41, 2, 'fault code 41 polled');
    expect(point('elev-b1-1', 'alarm_button')).toBe(false);
    expect(gateway?.alarms.active({ priority: [1] })).toEqual([]); // stopped, but nobody has pressed the button yet

    // the passenger presses the alarm button 15 s after the stop
    simClock.advance(15_000);
    const pressedAt = gwClock.now();
    const raised = await stepUntil(() => events.find((e) => e.type === 'raised' && e.alarm.rule === RULE), 6, 'the entrapment alarm');
    // the rule's 2 s on-delay, after the poll that saw the button
    expect(raised.at - pressedAt).toBeGreaterThanOrEqual(2_000);
    expect(raised.at - pressedAt).toBeLessThanOrEqual(2_000 + POLL);
    expect(raised.alarm).toMatchObject({ device: 'elev-b1-1', priority: 1, latching: true, state: 'active-unack', occurrences: 1 });
    expect(raised.alarm.values).toMatchObject({ alarm_button: true, moving: false, fault_code: 41 });

    // one incident, one stack: the controller fault (code 41, 10 s on-delay) is grouped under the
    // entrapment, not announced on its own; one visible P1; exactly one work order, at P1
    const fault = await stepUntil(() => events.find((e) => e.type === 'grouped' && e.alarm.rule === 'elevator.fault'), 15, 'the controller fault grouped');
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
    await polls(6);
    simClock.advance(25 * MIN - 15_000 - 1_000); // 09:44:59, a second before the rescue
    await polls(3);
    const stuck = await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms?priority=1`);
    expect(stuck.alarms).toHaveLength(1);
    expect(stuck.alarms[0]).toMatchObject({ id: raised.alarm.id, state: 'active-unack', conditionActive: true, occurrences: 1 });

    // 09:45 the rescue: the car relevels and returns to service; after the 10 s off-delay the
    // condition clears, but the life-safety alarm stays latched
    simClock.advance(1_000);
    simClock.advance(30_000); // relevel to the last landing, doors open, back in service
    const rescuedAt = gwClock.now();
    await stepUntil(() => point('elev-b1-1', 'in_service') === true && point('elev-b1-1', 'alarm_button') === false, 2, 'the rescued car polled');
    const cleared = await stepUntil(() => events.find((e) => e.type === 'cleared' && e.alarm.rule === RULE), 15, 'the condition to clear');
    expect(cleared.at - rescuedAt).toBeGreaterThanOrEqual(10_000); // the rule's 10 s off-delay
    expect(cleared.alarm).toMatchObject({ id: raised.alarm.id, state: 'active-unack', conditionActive: false });
    simClock.advance(scenario.duration - 45 * MIN - 30_000); // the rest of the scenario's hour
    await polls(3);
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
    const history = await getJson<{ alarms: AlarmRecord[] }>(`${api}/api/alarms/history?priority=1&from=${gwClock.now() - 10 * MIN}&to=${gwClock.now() + 1_000}`);
    expect(history.alarms.map((a) => `${a.rule}@${a.device}`)).toEqual([`${RULE}@elev-b1-1`]);
    const journal = await getJson<{ journal: JournalEntry[] }>(`${api}/api/alarms/${raised.alarm.id}/journal`);
    expect(journal.journal.map((j) => `${j.type}:${j.toState}`)).toEqual(['raised:active-unack', 'cleared:active-unack', 'acknowledged:active-ack', 'reset:normal']);
    expect(journal.journal.filter((j) => j.by !== null).map((j) => j.by)).toEqual(['e2e-operator', 'e2e-operator']);
    expect(events.filter((e) => e.alarm.rule === RULE && e.type === 'raised')).toHaveLength(1);
    expect(events.filter((e) => e.alarm.device === 'elev-b2-1')).toEqual([]); // the other lift ran normally
  }, 60_000);
});
