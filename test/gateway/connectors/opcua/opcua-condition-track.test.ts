/** One condition's trunk and waiting branches: what the gateway sees and what an acknowledge names. */
import { describe, expect, it } from 'vitest';
import { ConditionTrack } from '../../../../gateway/connectors/opcua/opcua-condition-track.ts';
import type { SourceCondition } from '../../../../gateway/model/source-condition.ts';

const c = (active: boolean, acked: boolean): SourceCondition => ({
  device: 'd', connector: 'c', conditionId: 'ns=1;s=A', conditionName: 'A', sourceName: 'S', eventId: '', severity: 500, message: '', active, acked, retain: !acked || active, time: 0, priority: 2, lifeSafety: false,
});
const id = (n: number): Buffer => Buffer.from([n]);

describe('ConditionTrack', () => {
  it('a branch awaiting acknowledge keeps the condition unacknowledged although its trunk is acknowledged', () => {
    const t = new ConditionTrack();
    expect(t.branchEvent('b1', id(9), false, true)).toBeUndefined(); // no trunk yet
    expect(t.trunkEvent(id(1), c(true, false))).toMatchObject({ active: true, acked: false });
    t.branchEvent('b1', id(2), false, true); // the unacknowledged active state kept as a branch
    expect(t.trunkEvent(id(3), c(false, true))).toMatchObject({ active: false, acked: false, retain: true });
    expect(t.ackTargets()).toEqual([id(2)]); // only the waiting branch: the trunk is acknowledged
    expect(t.branchEvent('b1', id(4), true, false)).toMatchObject({ active: false, acked: true });
    expect(t.ackTargets()).toEqual([id(3)]); // nothing waits: the trunk's latest (the server answers "already")
  });

  it('an unacknowledged trunk is acknowledged with its latest EventId, after the waiting branches', () => {
    const t = new ConditionTrack();
    t.trunkEvent(id(1), c(true, false));
    t.branchEvent('b1', id(2), false, true);
    t.trunkEvent(id(5), c(true, false));
    expect(t.ackTargets()).toEqual([id(2), id(5)]);
  });
});
