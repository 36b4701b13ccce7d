/**
 * Shift handover (#22.4) over the shipped fire-drill scenario, in virtual time: the demo site's
 * simulated devices feed the sample bus; the operator acknowledges the drill's alarms, ticks three
 * steps of the fire procedure and resets the zone and the detector. The day shift's report must
 * list exactly the scenario's events (the alarms its two faults raise, the operator's
 * acknowledgements, what is still active at the end, the fire procedure's open steps), nothing
 * else; the outgoing and incoming operators sign it with their accounts and a note, and the stored
 * report stays as it was signed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SampleBus } from '../../../gateway/bus/sample-bus.ts';
import { loadConfigFile } from '../../../gateway/config/load-config.ts';
import { deviceInfos } from '../../../gateway/gateway.ts';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { createAlarmService } from '../../../rules/alarms/alarm-service.ts';
import { handoverSchema } from '../../../rules/alarms/config/handover-schema.ts';
import { HandoverService, handoverAlarmSource } from '../../../rules/handover/handover-service.ts';
import { renderHandoverHtml } from '../../../rules/handover/handover-print.ts';
import { ScenarioRun } from '../../../simulators/scenario/scenario-runner.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { demoSite, shippedScenario } from '../../simulators/sim-test-helpers.ts';

const MIN = 60_000;

describe('shift handover over the fire-drill scenario', () => {
  const dir = tempDir('handover-');
  afterAll(() => dir.cleanup());

  it('lists exactly the drill: raised, acknowledged, still active, open procedure steps; signed by two accounts', async () => {
    const config = await loadConfigFile('config/demo-site.yaml');
    const scenario = shippedScenario('fire-drill');
    const clock = new VirtualClock(Date.parse(scenario.start as string));
    const bus = new SampleBus({ capacity: 1_000_000, delivery: 'sync' });
    const dbFile = `${dir.path}/gateway.db`;
    const alarms = createAlarmService({ rules: config.rules, rulePacks: config.rulePacks, settings: config.alarms, devices: deviceInfos(config), clock, log: silentLogger(), dbFile });
    alarms.start(bus, []);
    const run = new ScenarioRun({ site: demoSite(), scenario, sink: bus, clock });
    const start = clock.now();
    run.start();

    // 09:08: the operator acknowledges what the drill raised and works the fire procedure
    clock.advance(8 * MIN);
    const open = alarms.active();
    const zone = open.find((a) => a.rule === 'fire.zone-fire/zone_3_state');
    const smoke = open.find((a) => a.rule === 'smoke.alarm');
    const confirmed = open.find((a) => a.rule === 'fire.confirmed');
    expect([zone?.device, smoke?.device, confirmed?.device]).toEqual(['fire-panel-1', 'smoke-b1-f3', 'area:b1']);
    for (const a of [zone, smoke, confirmed]) alarms.acknowledge(a?.id as string, 'zhang.wei');
    for (const step of [1, 2, 3]) alarms.tickProcedureStep(zone?.id as string, step, true, 'zhang.wei');
    // 09:20: the drill is over (faults end at 09:15); zone and detector are reset, the confirmation is left
    clock.advance(12 * MIN);
    alarms.reset(zone?.id as string, 'zhang.wei');
    alarms.reset(smoke?.id as string, 'zhang.wei');
    run.runToEnd();

    const handover = new HandoverService({
      settings: handoverSchema.parse({}),
      site: config.site,
      clock,
      dbFile,
      alarms: handoverAlarmSource(alarms),
    });
    const shift = handover.shift('2026-03-02', 'day');
    expect([shift.from, shift.to]).toEqual([Date.parse('2026-03-02T08:00:00+08:00'), Date.parse('2026-03-02T20:00:00+08:00')]);
    expect(handover.shift()).toEqual(shift); // 09:30 is in the day shift
    const report = handover.report(shift);

    // the scenario's faults are the only events: the two signals at 09:05 and the confirmation
    const drillStart = start + 5 * MIN;
    const key = (l: { rule: string; device: string }) => `${l.rule}@${l.device}`;
    expect(report.alarms.raised.map(key).sort()).toEqual(['fire.confirmed@area:b1', 'fire.zone-fire/zone_3_state@fire-panel-1', 'smoke.alarm@smoke-b1-f3']);
    expect(report.alarms.raised.every((l) => l.at >= drillStart && l.at < drillStart + MIN)).toBe(true);
    expect(report.alarms.acknowledged.map((l) => [key(l), l.by, l.at])).toEqual([
      ['fire.zone-fire/zone_3_state@fire-panel-1', 'zhang.wei', start + 8 * MIN],
      ['smoke.alarm@smoke-b1-f3', 'zhang.wei', start + 8 * MIN],
      ['fire.confirmed@area:b1', 'zhang.wei', start + 8 * MIN],
    ]);
    expect(report.alarms.active.map((l) => [key(l), l.state])).toEqual([['fire.confirmed@area:b1', 'active-ack']]);
    expect(report.alarms.shelved).toEqual([]);
    expect(report.alarms.suppressed).toEqual([]);
    expect(report.maintenance).toEqual([]);
    expect(report.workOrders).toBeNull();
    // open steps: the zone's fire procedure without the three ticked, the confirmation's all five, the detector's all four
    const steps = new Map(report.openSteps.map((s) => [s.device, s.steps.map((x) => x.step)]));
    expect(steps.get('fire-panel-1')).toEqual([4, 5, 6, 7]);
    expect(steps.get('area:b1')).toEqual([1, 2, 3, 4, 5]);
    expect(steps.get('smoke-b1-f3')).toEqual([1, 2, 3, 4]);
    expect(steps.size).toBe(3);

    // the outgoing operator signs, the incoming one countersigns with another account
    const signed = handover.sign(shift, 'zhang.wei', 'Drill done; confirmation latched until the panel is inspected');
    expect(() => handover.sign(shift, 'zhang.wei', 'again')).toThrow(/already been handed over/);
    expect(() => handover.countersign(signed.id, 'zhang.wei', 'self')).toThrow(/another account/);
    clock.advance(2 * MIN);
    const taken = handover.countersign(signed.id, 'li.na', 'Taken over, will reset after inspection');
    expect(taken.incoming).toEqual({ by: 'li.na', at: clock.now(), note: 'Taken over, will reset after inspection' });
    // the stored report is the one signed, not a recomputation
    alarms.reset(confirmed?.id as string, 'li.na');
    expect(handover.get(signed.id).report.alarms.active).toHaveLength(1);
    expect(handover.report(shift).alarms.active.map(key)).not.toContain('fire.confirmed@area:b1');

    const zh = renderHandoverHtml(handover.get(signed.id), 'zh-CN');
    expect(zh).toContain('交接班记录');
    expect(zh).toContain('li.na');
    expect(zh).toContain('将火灾报警联动控制器转入自动状态');
    expect(renderHandoverHtml(handover.get(signed.id), 'en')).toContain('Open procedure steps (13)');
    handover.close();
    alarms.close();
  });
});
