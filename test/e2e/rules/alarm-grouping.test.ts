/**
 * One incident, one alarm stack (ISA-18.2 parent-child suppression), through the shipped rule packs
 * and the work-order service on the same database:
 * - an entrapment groups the same car's controller fault and out-of-service alarms under it
 *   (`parent`, recorded but not announced), whichever came first, and the incident has exactly one
 *   work order, escalated to the entrapment's priority;
 * - a connector whose link is lost raises one connection alarm; the comms alarms of its 21 devices
 *   are grouped under it, and there is one work order, not 21.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import type { Sample } from '../../../gateway/model/sample.ts';
import type { AlarmRecord } from '../../../rules/alarms/alarm-model.ts';
import { alarmSignalOf } from '../../../rules/wiring/alarm-signal-of.ts';
import { WorkOrderService } from '../../../rules/work-orders/work-order-service.ts';
import { workOrderConfigSchema } from '../../../rules/work-orders/work-order-schema.ts';
import { SECRET, startReceiver } from '../../rules/work-orders/work-order-fixtures.ts';
import { device, harness, tempDir, type Harness } from '../../rules/harness.ts';

const S = 1000;
const MIN = 60 * S;

let h: Harness | undefined;
let wo: WorkOrderService | undefined;
let dir: ReturnType<typeof tempDir>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeEach(async () => {
  dir = tempDir();
  receiver = await startReceiver();
});
afterEach(async () => {
  await wo?.stop();
  await receiver.close();
  h?.close();
  wo = undefined;
  h = undefined;
  dir.remove();
});

function rig(devices: readonly DeviceInfo[]): { h: Harness; wo: WorkOrderService } {
  h = harness({ devices, rulePacks: ['elevator', 'comms', 'smoke_detector', 'access_door'], dbFile: join(dir.dir, 'gateway.db') });
  const alarms = h.service;
  wo = new WorkOrderService({
    config: workOrderConfigSchema.parse({
      enabled: true,
      // the test's receiver is plain http on 127.0.0.1, which a site must allow explicitly
      dispatch: { webhooks: { allowHttp: true, allowPrivateTargets: true } },
      contractors: [
        { id: 'lift-co', name: 'Lift Co', trades: ['elevator'], kinds: ['elevator'], channels: { webhook: { url: `${receiver.url}/x`, secret: SECRET } } },
        { id: 'fire-co', name: 'Fire Co', trades: ['fire_safety'], kinds: ['smoke_detector'], channels: { webhook: { url: `${receiver.url}/x`, secret: SECRET } } },
        { id: 'net-co', name: 'Network Co', trades: ['network'], channels: { webhook: { url: `${receiver.url}/x`, secret: SECRET } } },
      ],
    }),
    file: join(dir.dir, 'gateway.db'),
    clock: h.clock,
    log: silentLogger(),
    site: { id: 'test', timezone: 'UTC' },
    devices: () => devices,
    alarmActive: (id) => alarms.get(id)?.conditionActive,
  });
  wo.start();
  const orders = wo;
  alarms.onEvent((e) => {
    const signal = alarmSignalOf(e);
    if (signal) orders.onAlarm(signal);
  });
  return { h, wo };
}

const car = (h: Harness, values: Record<string, boolean | number>): void =>
  h.pushMany(Object.entries(values).map(([point, value]) => ({ device: 'elev-1', point, value })));
const visible = (h: Harness): AlarmRecord[] => h.service.active().filter((a) => a.shelved === null && !a.suppressed);

describe('an entrapment is one incident', () => {
  it('groups the controller fault and out-of-service under the entrapment, one work order at P1', () => {
    const { h, wo } = rig([device('elev-1', 'elevator')]);
    car(h, { in_service: true, moving: true, door_open: false, fault_code: 0, alarm_button: false });
    // the car stops between floors: code 41, out of service; the controller-fault rule (10 s) comes first
    car(h, { in_service: false, moving: false, fault_code: 41 });
    h.advance(10 * S);
    const fault = h.service.active()[0] as AlarmRecord;
    expect(fault).toMatchObject({ rule: 'elevator.fault', parent: null, suppressed: false });
    expect(wo.list({ limit: 10 })).toHaveLength(1);
    // 15 s after the stop the passenger presses the alarm button; 2 s on-delay
    h.advance(5 * S);
    car(h, { alarm_button: true });
    h.advance(2 * S);
    const entrapment = h.service.active({ priority: [1] })[0] as AlarmRecord;
    expect(entrapment).toMatchObject({ rule: 'elevator.entrapment', lifeSafety: true, parent: null, suppressed: false });
    expect(h.service.get(fault.id)).toMatchObject({ parent: entrapment.id, suppressed: true });
    expect(h.events.find((e) => e.type === 'raised' && e.alarm.id === entrapment.id)?.children).toEqual([fault.id]);
    // out of service after its 1 min on-delay: raised already grouped
    h.advance(MIN);
    const oos = h.service.active().find((a) => a.rule === 'elevator.out-of-service') as AlarmRecord;
    expect(oos).toMatchObject({ parent: entrapment.id, suppressed: true });
    expect(h.events.filter((e) => e.alarm.id === oos.id).map((e) => e.type)).toEqual(['grouped']);

    // one visible P1 with its consequences grouped under it
    expect(visible(h).map((a) => a.rule)).toEqual(['elevator.entrapment']);
    expect(h.service.active().filter((a) => a.parent === entrapment.id).map((a) => a.rule).sort()).toEqual(['elevator.fault', 'elevator.out-of-service']);
    // exactly one work order, escalated to the entrapment's priority, with all three alarms
    const orders = wo.list({ limit: 10 });
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ priority: 1, contractor: 'lift-co', title: entrapment.title });
    expect([...(orders[0]?.alarmIds ?? [])].sort()).toEqual([fault.id, entrapment.id, oos.id].sort());
    const journal = wo.get(orders[0]?.id as number).journal.map((j) => j.action);
    expect(journal).toContain('incident_cause');
    expect(journal).toContain('incident_consequence');
  });

  it('a consequence still active when the cause ends stands on its own again', () => {
    const { h } = rig([device('elev-1', 'elevator')]);
    car(h, { in_service: true, moving: false, door_open: false, fault_code: 0, alarm_button: false });
    car(h, { in_service: false, fault_code: 41, alarm_button: true });
    h.advance(10 * S);
    const fault = h.service.active().find((a) => a.rule === 'elevator.fault') as AlarmRecord;
    expect(fault.parent).not.toBeNull();
    // the button is released (passenger out) but the controller still reports the fault
    car(h, { alarm_button: false });
    h.advance(10 * S);
    expect(h.service.get(fault.id)).toMatchObject({ parent: null, suppressed: false, state: 'active-unack' });
    expect(h.events.filter((e) => e.alarm.id === fault.id).map((e) => e.type)).toEqual(['grouped', 'raised']);
  });
});

describe('a lost field network is one incident', () => {
  const devices: DeviceInfo[] = [
    ...Array.from({ length: 9 }, (_, i) => device(`smoke-${i}`, 'smoke_detector', 'b1', `F${i + 1}`)),
    ...Array.from({ length: 12 }, (_, i) => device(`door-${i}`, 'access_door', i < 6 ? 'b1' : 'b2', 'F1')),
  ];
  const lost = (ids: readonly string[], ts: number): Sample[] =>
    ids.map((id) => ({ device: id, point: id.startsWith('smoke') ? 'alarm' : 'door_open', value: false, ts, quality: 'bad', reason: 'comms lost' }) as Sample);

  it('21 silent devices behind one connector: one connection alarm, their comms alarms grouped, one work order', () => {
    const { h, wo } = rig(devices);
    h.pushMany(devices.map((d) => ({ device: d.id, point: d.kind === 'smoke_detector' ? 'alarm' : 'door_open', value: false })));
    h.advance(10 * S);
    h.service.engine.onSamples(lost(devices.map((d) => d.id), h.clock.now()));
    const link = h.service.active()[0] as AlarmRecord;
    expect(h.service.active()).toHaveLength(1);
    expect(link).toMatchObject({ rule: 'connection.lost', device: 'c', kind: 'connection', priority: 2, values: { devices_lost: 21, devices: 21 } });
    // the comms rules fire after 2 min (doors) and 3 min (detectors): all grouped under the link
    h.advance(3 * MIN + S);
    const comms = h.service.active().filter((a) => a.rule.startsWith('comms.'));
    expect(comms).toHaveLength(21);
    expect(comms.every((a) => a.parent === link.id && a.suppressed)).toBe(true);
    expect(visible(h).map((a) => a.rule)).toEqual(['connection.lost']);
    const orders = wo.list({ limit: 100 });
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ device: 'c', kind: null, trade: 'network', contractor: 'net-co' });
    expect(orders[0]?.alarmIds).toHaveLength(22);

    // one device answers again: the link is back; the 20 still silent stand on their own (already in the order)
    h.service.engine.onSamples([{ device: 'door-0', point: 'door_open', value: false, ts: h.clock.now(), quality: 'good' }]);
    expect(h.service.get(link.id)?.conditionActive).toBe(false);
    expect(visible(h).filter((a) => a.rule.startsWith('comms.'))).toHaveLength(20);
    expect(wo.list({ limit: 100 })).toHaveLength(1);
  });

  it('one device lost alone is its own comms alarm, no connection alarm', () => {
    const { h } = rig(devices);
    h.pushMany(devices.map((d) => ({ device: d.id, point: d.kind === 'smoke_detector' ? 'alarm' : 'door_open', value: false })));
    h.service.engine.onSamples(lost(['door-3'], h.clock.now()));
    for (let i = 0; i < 4; i++) {
      h.advance(MIN);
      h.pushMany(devices.filter((d) => d.id !== 'door-3').map((d) => ({ device: d.id, point: d.kind === 'smoke_detector' ? 'alarm' : 'door_open', value: false })));
    }
    expect(h.service.active().map((a) => `${a.rule}@${a.device}:${a.parent ?? '-'}`)).toEqual(['comms.access-door@door-3:-']);
  });
});
