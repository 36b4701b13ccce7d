/**
 * What the OPC UA connector knows of one condition on the current connection: its latest state (the
 * trunk, BranchId null) and the previous states still awaiting an acknowledge (branches, Part 9
 * §5.5: a server may keep an unacknowledged state as a branch when the condition changes, e.g.
 * node-opcua when an unacknowledged alarm returns to normal). The gateway sees the condition as
 * acknowledged only when the trunk is and no branch waits; an acknowledge goes to every waiting
 * state.
 */
import type { SourceCondition } from '../../model/source-condition.ts';

export class ConditionTrack {
  private trunk: { readonly eventId: Buffer; readonly condition: SourceCondition } | undefined;
  /** Branch id → EventId of previous states awaiting an acknowledge. */
  private readonly branches = new Map<string, Buffer>();

  /** The condition's latest state; returns it as the gateway should see it. */
  trunkEvent(eventId: Buffer, condition: SourceCondition): SourceCondition {
    this.trunk = { eventId, condition };
    return this.effective() as SourceCondition;
  }

  /** A branch's state; returns the trunk as the gateway should now see it (undefined before any trunk event). */
  branchEvent(branchId: string, eventId: Buffer, acked: boolean, retain: boolean): SourceCondition | undefined {
    if (acked || !retain) this.branches.delete(branchId);
    else this.branches.set(branchId, eventId);
    return this.effective();
  }

  private effective(): SourceCondition | undefined {
    if (!this.trunk) return undefined;
    const c = this.trunk.condition;
    return this.branches.size > 0 && c.acked ? { ...c, acked: false, retain: true } : c;
  }

  /** EventIds to acknowledge: each waiting branch, then the trunk when it waits (or when nothing else does). */
  ackTargets(): Buffer[] {
    const out = [...this.branches.values()];
    if (this.trunk && (!this.trunk.condition.acked || out.length === 0)) out.push(this.trunk.eventId);
    return out;
  }
}
