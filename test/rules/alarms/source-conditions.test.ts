/** Source conditions (OPC UA Alarms & Conditions) → gateway alarms, on the VirtualClock. */
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceCondition } from '../../../gateway/model/source-condition.ts';
import { sourceRuleId } from '../../../rules/alarms/source-conditions.ts';
import { device, harness, type Harness } from '../harness.ts';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

const devices = [device('fp1', 'fire_panel', 'b1', 'F1', 2)];
const rule = sourceRuleId('ns=1;s=fp1.Zone1.Fire');

function start(h?: Harness): Harness {
  const next = h ? h.reopen() : harness({ devices, rulePacks: ['fire_panel'] });
  cleanup.push(() => next.close());
  return next;
}

let seq = 0;
function cond(over: Partial<SourceCondition> = {}): SourceCondition {
  seq++;
  return {
    device: 'fp1',
    connector: 'opcua-fire',
    conditionId: 'ns=1;s=fp1.Zone1.Fire',
    conditionName: 'Zone1Fire',
    sourceName: 'fp1',
    eventId: seq.toString(16).padStart(8, '0'),
    severity: 1000,
    message: 'fp1 zone 1: fire',
    active: true,
    acked: false,
    retain: true,
    time: 0,
    priority: 1,
    lifeSafety: true,
    ...over,
  };
}

describe('source conditions as alarms', () => {
  it('active raises one alarm with the priority and life-safety of the binding; inactive clears it; an acknowledge at the source is journaled by source:<connector>', () => {
    const h = start();
    const c = h.service.conditions;
    c.condition(cond());
    c.condition(cond()); // the same state again (a refresh replay) changes nothing
    const a = h.service.manager.openFor(rule, 'fp1');
    expect(a).toMatchObject({ priority: 1, lifeSafety: true, latching: false, state: 'active-unack', title: 'fp1 zone 1: fire', kind: 'fire_panel' });
    expect(h.types().filter((t) => t === 'raised')).toHaveLength(1);
    c.condition(cond({ acked: true, comment: 'guard at the panel' }));
    const acked = h.service.get(a?.id as string);
    expect(acked).toMatchObject({ state: 'active-ack', ackedBy: 'source:opcua-fire' });
    const ackRow = h.service.journal(a?.id as string).find((j) => j.type === 'acknowledged');
    expect(ackRow?.text).toBe('acknowledged at the source (fp1): guard at the panel');
    c.condition(cond({ active: false, acked: true, retain: false, message: 'fp1 zone 1: fire ended' }));
    expect(h.service.get(a?.id as string)).toMatchObject({ state: 'normal', conditionActive: false });
  });

  it('a condition that came and went unacknowledged while the gateway could not see it shows as returned, awaiting acknowledge', () => {
    const h = start();
    h.service.conditions.condition(cond({ active: false, acked: false }));
    expect(h.service.manager.openFor(rule, 'fp1')).toMatchObject({ state: 'rtn-unack', conditionActive: false });
  });

  it('unknown neither raises nor clears: the open alarm keeps its state with a source row; a refresh without it clears it, one with it keeps it', () => {
    const h = start();
    const c = h.service.conditions;
    c.condition(cond());
    const id = h.service.manager.openFor(rule, 'fp1')?.id as string;
    expect(c.openConditions('fp1')).toEqual(['ns=1;s=fp1.Zone1.Fire']); // what the connector checks after a refresh
    c.unknown('fp1', 'comms lost: connection closed');
    c.unknown('fp1', 'comms lost: again'); // once per loss
    expect(h.service.get(id)).toMatchObject({ state: 'active-unack', conditionActive: true });
    const unknownRows = h.service.journal(id).filter((j) => j.type === 'source' && j.values.condition_state === 'unknown');
    expect(unknownRows).toHaveLength(1);
    expect(unknownRows[0]?.text).toContain('comms lost: connection closed');

    c.refreshed('fp1', ['ns=1;s=fp1.Zone1.Fire']); // still retained: nothing changes, known again
    expect(h.service.get(id)).toMatchObject({ state: 'active-unack', conditionActive: true });
    expect(h.service.journal(id).at(-1)).toMatchObject({ type: 'source', values: { condition_state: 'active' } });

    c.unknown('fp1', 'comms lost');
    c.refreshed('fp1', []); // the source no longer retains it: inactive (and acknowledged there)
    expect(h.service.get(id)).toMatchObject({ state: 'rtn-unack', conditionActive: false });
    expect(h.service.journal(id).find((j) => j.type === 'cleared')?.values).toMatchObject({ refresh: 'not retained by the source' });
    expect(c.openConditions('fp1')).toEqual([]);
  });

  it('after a refresh, an operator acknowledge the source still reports unacknowledged is handed to the resend port, once per refresh', () => {
    const h = start();
    const c = h.service.conditions;
    const resent: string[] = [];
    c.onAckToResend((a) => resent.push(`${a.id}:${a.ackedBy ?? ''}`));
    c.condition(cond());
    const id = h.service.manager.openFor(rule, 'fp1')?.id as string;
    h.service.acknowledge(id, 'carol');
    c.unknown('fp1', 'comms lost');
    c.condition(cond()); // the refresh replays it: still unacknowledged at the source
    c.refreshed('fp1', ['ns=1;s=fp1.Zone1.Fire']);
    expect(resent).toEqual([`${id}:carol`]);
    c.condition(cond({ acked: true })); // it got through
    c.refreshed('fp1', ['ns=1;s=fp1.Zone1.Fire']);
    expect(resent).toHaveLength(1);
  });

  it("an acknowledge the connector sent again to a state the source reported after it is journaled on the condition's alarm, also once closed", () => {
    const h = start();
    const c = h.service.conditions;
    c.condition(cond());
    const id = h.service.manager.openFor(rule, 'fp1')?.id as string;
    h.service.acknowledge(id, 'ann');
    c.condition(cond({ active: false, acked: true }));
    expect(h.service.get(id)).toMatchObject({ state: 'normal' });
    c.ackSentAgain({ device: 'fp1', connector: 'opcua-fire', conditionId: 'ns=1;s=fp1.Zone1.Fire', why: 'late-branch', result: 'acknowledged', detail: 'Acknowledge on ns=1;s=fp1.Zone1.Fire (branch b1): Good' });
    const row = h.service.journal(id).findLast((j) => j.type === 'source');
    expect(row).toMatchObject({ by: 'system:opcua-fire', values: { result: 'acknowledged' } });
    expect(row?.text).toContain('the acknowledge sent again: passed to the source: Acknowledge on ns=1;s=fp1.Zone1.Fire (branch b1): Good');
    expect(h.service.journal(id).filter((j) => j.type === 'acknowledged')).toHaveLength(1); // one operator acknowledge, one entry
  });

  it('a restart keeps the open condition alarm (its rule is in no config, yet it is not cleared as a removed rule)', () => {
    const h1 = start();
    h1.service.conditions.condition(cond());
    const id = h1.service.manager.openFor(rule, 'fp1')?.id;
    h1.close();
    const h2 = start(h1);
    expect(h2.service.get(id as string)).toMatchObject({ state: 'active-unack', conditionActive: true });
    expect(h2.service.journal(id as string).some((j) => j.type === 'cleared')).toBe(false);
  });

  it('a condition about a zone (the binding\'s zone template) is placed at the zone, and still clears by its condition id after a refresh', () => {
    const panel = { ...device('fp2', 'fire_panel', 'b1', 'F1', 2), zonePlaces: [{ n: 1, building: 'b1', floor: 'F1' }, { n: 2, building: 'b1', floor: 'F3', area: 'east stair' }] };
    const h = harness({ devices: [panel] });
    cleanup.push(() => h.close());
    const c = h.service.conditions;
    c.condition(cond({ device: 'fp2', conditionId: 'ns=1;s=fp2.Zone2.Fire', zone: 2 }));
    const a = h.service.active()[0];
    expect(a).toMatchObject({ rule: 'condition:ns=1;s=fp2.Zone2.Fire/zone_2_state', floor: 'F3' });
    c.unknown('fp2', 'comms lost');
    c.refreshed('fp2', ['ns=1;s=fp2.Zone2.Fire']);
    expect(h.service.get(a?.id as string)).toMatchObject({ conditionActive: true });
    c.unknown('fp2', 'comms lost');
    c.refreshed('fp2', []);
    expect(h.service.get(a?.id as string)).toMatchObject({ conditionActive: false });
  });

  it('a condition of a device the site does not have is ignored', () => {
    const h = start();
    h.service.conditions.condition(cond({ device: 'nope' }));
    expect(h.service.active()).toHaveLength(0);
  });
});
