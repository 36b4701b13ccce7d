/** One condition's trunk and waiting branches: what the gateway sees and what an acknowledge names. */
import { afterEach, describe, expect, it } from 'vitest';
import { ConditionTrack } from '../../../../gateway/connectors/opcua/opcua-condition-track.ts';
import type { SourceCondition } from '../../../../gateway/model/source-condition.ts';
import { sourceRuleId } from '../../../../rules/alarms/source-conditions.ts';
import { device, harness, type Harness } from '../../../rules/harness.ts';

const c = (active: boolean, acked: boolean): SourceCondition => ({
  device: 'd', connector: 'c', conditionId: 'ns=1;s=A', conditionName: 'A', sourceName: 'S', eventId: '', severity: 500, message: '', active, acked, retain: !acked || active, time: 0, priority: 2, lifeSafety: false,
});
const id = (n: number): Buffer => Buffer.from([n]);

describe('ConditionTrack', () => {
  it('a branch awaiting acknowledge keeps the condition unacknowledged although its trunk is acknowledged', () => {
    const t = new ConditionTrack();
    expect(t.branchEvent('b1', id(9), false, true).seen).toBeUndefined(); // no trunk yet
    expect(t.trunkEvent(id(1), c(true, false))).toMatchObject({ active: true, acked: false });
    t.branchEvent('b1', id(2), false, true); // the unacknowledged active state kept as a branch
    expect(t.trunkEvent(id(3), c(false, true))).toMatchObject({ active: false, acked: false, retain: true });
    expect(t.ackTargets()).toEqual([id(2)]); // only the waiting branch: the trunk is acknowledged
    expect(t.branchEvent('b1', id(4), true, false).seen).toMatchObject({ active: false, acked: true });
    expect(t.ackTargets()).toEqual([id(3)]); // nothing waits: the trunk's latest (the server answers "already")
  });

  it('an unacknowledged trunk is acknowledged with its latest EventId, after the waiting branches', () => {
    const t = new ConditionTrack();
    t.trunkEvent(id(1), c(true, false));
    t.branchEvent('b1', id(2), false, true);
    t.trunkEvent(id(5), c(true, false));
    expect(t.ackTargets()).toEqual([id(2), id(5)]);
  });

  it("a branch arriving after the operator's acknowledge is sent it, and does not count as waiting", () => {
    const t = new ConditionTrack();
    t.trunkEvent(id(1), c(true, false));
    expect(t.operatorAck('by ann')).toEqual([id(1)]);
    // the trunk's return to normal comes before the branch that keeps the unacknowledged active state
    expect(t.trunkEvent(id(3), c(false, true))).toMatchObject({ active: false, acked: true });
    const late = t.branchEvent('b1', id(2), false, true);
    expect(late.resend).toEqual({ branchId: 'b1', eventId: id(2), comment: 'by ann' });
    expect(late.seen).toMatchObject({ active: false, acked: true });
    expect(t.ackTargets()).toEqual([id(2)]); // a second acknowledge still names it (the server answers "already")
    // the resend did not get through: it waits, and shows, again
    expect(t.resendFailed('b1', id(2))).toMatchObject({ active: false, acked: false, retain: true });
    expect(t.branchEvent('b1', id(4), true, false).seen).toMatchObject({ acked: true });
  });

  it('a new activation ends what an earlier acknowledge covers', () => {
    const t = new ConditionTrack();
    t.trunkEvent(id(1), c(true, false));
    t.operatorAck('by ann');
    t.trunkEvent(id(2), c(false, true));
    t.trunkEvent(id(3), c(true, false)); // active again: a new alarm the operator has not seen
    t.trunkEvent(id(5), c(false, true));
    const b = t.branchEvent('b2', id(4), false, true);
    expect(b.resend).toBeUndefined();
    expect(b.seen).toMatchObject({ active: false, acked: false });
  });

  it('a lost connection keeps the waiting branches as targets (a refresh need not replay them); the same activation stays covered', () => {
    const t = new ConditionTrack();
    t.trunkEvent(id(1), c(true, false));
    t.branchEvent('b1', id(2), false, true);
    t.trunkEvent(id(3), c(false, true));
    t.lost();
    expect(t.ackTargets()).toEqual([id(2)]);
    expect(t.isEarlier(id(2))).toBe(true);
    expect(t.operatorAck('by ann')).toEqual([id(2)]); // made before the refresh replayed anything
    t.answered(id(2));
    expect(t.ackTargets()).toEqual([]);
    t.trunkEvent(id(5), c(false, true)); // the refresh replays the trunk ...
    const replayed = t.branchEvent('b3', id(6), false, true); // ... and a branch the acknowledge covers
    expect(replayed.resend?.eventId).toEqual(id(6));
    expect(replayed.seen).toMatchObject({ acked: true });
  });

  it('a return to normal that also reads acknowledged, from an unacknowledged state with no branch known, is not an acknowledge at the source', () => {
    const t = new ConditionTrack();
    t.trunkEvent(id(1), c(true, false));
    expect(t.trunkEvent(id(3), c(false, true))).toMatchObject({ active: false, acked: false, retain: true });
    expect(t.branchEvent('b1', id(2), false, true).seen).toMatchObject({ active: false, acked: false }); // the branch came after it
    expect(t.ackTargets()).toEqual([id(2)]);
    expect(t.branchEvent('b1', id(4), true, false).seen).toMatchObject({ acked: true });
    // a server that acknowledges by itself on the return (no branch ever comes): the operator's acknowledge ends it
    const auto = new ConditionTrack();
    auto.trunkEvent(id(1), c(true, false));
    expect(auto.trunkEvent(id(2), c(false, true))).toMatchObject({ acked: false });
    expect(auto.trunkEvent(id(5), c(false, true))).toMatchObject({ acked: false }); // the same state reported again
    expect(auto.operatorAck('by ann')).toEqual([id(5)]); // the server answers "already"
    expect(auto.trunkEvent(id(3), c(false, true))).toMatchObject({ acked: true });
    // an acknowledge at the source while active, then the return: acknowledged as reported
    const plain = new ConditionTrack();
    plain.trunkEvent(id(1), c(true, false));
    plain.trunkEvent(id(2), c(true, true));
    expect(plain.trunkEvent(id(3), c(false, true))).toMatchObject({ acked: true });
  });

  it('an acknowledge made while not connected goes, after the refresh, to the branches kept from before the loss', () => {
    const t = new ConditionTrack();
    t.trunkEvent(id(1), { ...c(true, false), zone: 3 });
    t.branchEvent('b1', id(2), false, true);
    t.trunkEvent(id(3), { ...c(false, true), zone: 3 });
    t.lost();
    expect(t.takeUnsent()).toEqual([]); // no acknowledge yet
    t.operatorAck('by ann');
    expect(t.takeUnsent()).toEqual([]); // sent: nothing to send again
    t.operatorAck('by bob');
    t.ackNotSent();
    expect(t.takeUnsent()).toEqual([{ branchId: id(2).toString('hex'), eventId: id(2), comment: 'by bob', earlier: true }]);
    expect(t.takeUnsent()).toEqual([]); // once
    expect(t.zone).toBe(3);
    t.answered(id(2));
    expect(t.ackTargets()).toEqual([]);
  });
});

describe('ConditionTrack into the alarms (the branch event after the trunk)', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());
  const rule = sourceRuleId('ns=1;s=fp1.Zone1.Fire');
  const fire = (active: boolean, acked: boolean): SourceCondition => ({
    device: 'fp1', connector: 'opcua-fire', conditionId: 'ns=1;s=fp1.Zone1.Fire', conditionName: 'Zone1Fire', sourceName: 'fp1', eventId: '', severity: 1000,
    message: 'fp1 zone 1: fire', active, acked, retain: true, time: 0, priority: 1, lifeSafety: true,
  });
  /** A fire panel's zone 1 in fire (EventId 1) through a track into the alarm service: the track, and the alarm it raised. */
  function fireRaised(): { run: Harness; t: ConditionTrack; sink: Harness['service']['conditions']; alarm: ReturnType<Harness['service']['manager']['openFor']> } {
    const run = harness({ devices: [device('fp1', 'fire_panel', 'b1', 'F1', 2)], rulePacks: ['fire_panel'] });
    h = run;
    const sink = run.service.conditions;
    const t = new ConditionTrack();
    sink.condition(t.trunkEvent(id(1), fire(true, false)));
    return { run, t, sink, alarm: run.service.manager.openFor(rule, 'fp1') };
  }
  /** A branch event through the track; what the gateway then sees goes to the alarms. */
  function branch(t: ConditionTrack, branchId: string, eventId: Buffer, acked: boolean, retain: boolean): ReturnType<ConditionTrack['branchEvent']> {
    const b = t.branchEvent(branchId, eventId, acked, retain);
    if (b.seen) h?.service.conditions.condition(b.seen);
    return b;
  }

  it("the operator's acknowledge reaches a branch the source reports after it, and no second alarm is raised for it", () => {
    const { run, t, sink, alarm } = fireRaised();
    expect(alarm?.state).toBe('active-unack');
    run.service.acknowledge(alarm?.id as string, 'ann');
    expect(t.operatorAck('acknowledged in the facility gateway by ann')).toEqual([id(1)]); // the server answers BadEventIdUnknown: the trunk moved on
    // at the source the fire ended: the trunk's return to normal arrives first, then the branch with the unacknowledged state
    sink.condition(t.trunkEvent(id(3), fire(false, true)));
    expect(run.service.get(alarm?.id as string)).toMatchObject({ state: 'normal', ackedBy: 'ann' });
    const late = branch(t, 'b1', id(2), false, true);
    expect(late.resend?.eventId).toEqual(id(2));
    expect(run.service.manager.openFor(rule, 'fp1')).toBeUndefined();
    expect(run.types().filter((x) => x === 'raised')).toHaveLength(1);
    // the branch acknowledged at the source
    branch(t, 'b1', id(4), true, false);
    expect(run.service.manager.openFor(rule, 'fp1')).toBeUndefined();
    expect(run.types().filter((x) => x === 'raised')).toHaveLength(1);
  });

  it('the trunk\'s return to normal before the branch, no acknowledge yet: not acknowledged "at the source", one alarm, the operator\'s acknowledge goes to the branch', () => {
    const { run, t, sink, alarm } = fireRaised();
    sink.condition(t.trunkEvent(id(3), fire(false, true)));
    expect(run.service.get(alarm?.id as string)).toMatchObject({ state: 'rtn-unack', ackedBy: null });
    branch(t, 'b1', id(2), false, true);
    expect(run.service.manager.openFor(rule, 'fp1')?.id).toBe(alarm?.id);
    expect(run.types().filter((x) => x === 'raised')).toHaveLength(1);
    run.service.acknowledge(alarm?.id as string, 'ann');
    expect(t.operatorAck('acknowledged in the facility gateway by ann')).toEqual([id(2)]);
    branch(t, 'b1', id(4), true, false);
    expect(run.service.get(alarm?.id as string)).toMatchObject({ state: 'normal', ackedBy: 'ann' });
    expect(run.types().filter((x) => x === 'raised')).toHaveLength(1);
  });

  it('the branch before the trunk, the acknowledge in flight: no second alarm either; an active trunk is never hidden', () => {
    const { run, t, sink, alarm } = fireRaised();
    run.service.acknowledge(alarm?.id as string, 'ann');
    t.operatorAck('acknowledged in the facility gateway by ann');
    const b = branch(t, 'b1', id(2), false, true);
    expect(b.resend?.eventId).toEqual(id(2));
    expect(run.service.get(alarm?.id as string)).toMatchObject({ state: 'active-ack', conditionActive: true }); // still active
    sink.condition(t.trunkEvent(id(3), fire(false, true)));
    expect(run.service.get(alarm?.id as string)).toMatchObject({ state: 'normal' });
    expect(run.types().filter((x) => x === 'raised')).toHaveLength(1);
    // the fire comes back: a new alarm, whose later branch is not covered by ann's acknowledge
    sink.condition(t.trunkEvent(id(5), fire(true, false)));
    const again = run.service.manager.openFor(rule, 'fp1');
    expect(again).toMatchObject({ state: 'active-unack', conditionActive: true });
    expect(t.branchEvent('b2', id(6), false, true).resend).toBeUndefined();
    sink.condition(t.trunkEvent(id(7), fire(false, true)));
    expect(run.service.get(again?.id as string)).toMatchObject({ state: 'rtn-unack' });
  });
});
