/**
 * What the OPC UA connector knows of one condition: its latest state (the trunk, BranchId null) and
 * the previous states still awaiting an acknowledge (branches, Part 9 §5.5: a server may keep an
 * unacknowledged state as a branch when the condition changes, e.g. node-opcua when an
 * unacknowledged alarm returns to normal). The gateway sees the condition as acknowledged only when
 * the trunk is and no branch waits; an acknowledge goes to every waiting state.
 *
 * A return to normal that also reads acknowledged, from an unacknowledged active state and with no
 * branch known, is not taken as an acknowledge at the source: the branch keeping the unacknowledged
 * state may come after it (Part 9 sets no order), or the server acknowledged it by itself; either
 * way the gateway's operator acknowledges it.
 *
 * An operator's acknowledge covers the condition's states up to its next activation: a branch the
 * source reports after the acknowledge (its event came late, or the acknowledge met a state that was
 * just replaced) is sent the same acknowledge (`branchEvent` returns it) and does not count as
 * waiting meanwhile, so the gateway does not raise the condition again for it. A lost connection
 * keeps the EventIds of the branches that waited: a server need not replay branches in its
 * ConditionRefresh (node-opcua does not), and the next acknowledge still names them.
 */
import type { SourceCondition } from '../../model/source-condition.ts';

interface Branch {
  readonly eventId: Buffer;
  /** The operator's acknowledge was sent to it after it arrived (not failed): not counted as waiting. */
  covered: boolean;
}

/** A late branch to send the operator's acknowledge to. */
export interface BranchResend {
  readonly branchId: string;
  readonly eventId: Buffer;
  /** The comment of the operator's acknowledge. */
  readonly comment: string;
  /** A branch kept from before a lost connection (the acknowledge was made while not connected). */
  readonly earlier?: true;
}

export class ConditionTrack {
  private trunk: { readonly eventId: Buffer; readonly condition: SourceCondition } | undefined;
  /** Branch id → previous state awaiting an acknowledge, on the current connection. */
  private readonly branches = new Map<string, Branch>();
  /** EventIds of branches that waited when the connection was lost (hex → id): acknowledge targets until answered. */
  private readonly earlier = new Map<string, Buffer>();
  /** The trunk's ActiveState at its last event (kept over a lost connection): a change to true is a new activation. */
  private lastActive: boolean | undefined;
  /** The operator's acknowledge since the condition's last activation; `unsent` while it could not be sent (not connected). */
  private ack: { readonly comment: string; unsent: boolean } | undefined;
  /**
   * The trunk went from active and unacknowledged to inactive and acknowledged in one event, and no
   * branch is known: the unacknowledged state is most likely kept as a branch whose event comes
   * next (or the server acknowledged it by itself). Not taken as an acknowledge at the source.
   */
  private held = false;
  /** The zone of the condition (from its trunk events), kept over a lost connection. */
  zone: number | undefined;

  /** The condition's latest state; returns it as the gateway should see it. */
  trunkEvent(eventId: Buffer, condition: SourceCondition): SourceCondition {
    if (condition.active && this.lastActive === false) this.ack = undefined; // a new activation: not covered by an earlier acknowledge
    const prev = this.trunk?.condition;
    const returnedAcked = !condition.active && condition.acked;
    // held from that transition on, while the trunk stays so (a repeated event changes nothing)
    this.held = returnedAcked && (this.held || (prev !== undefined && prev.active && !prev.acked && this.branches.size === 0 && this.ack === undefined));
    this.lastActive = condition.active;
    this.zone = condition.zone;
    this.trunk = { eventId, condition };
    return this.effective() as SourceCondition;
  }

  /**
   * A branch's state; returns the trunk as the gateway should now see it (undefined before any trunk
   * event) and, for a branch awaiting an acknowledge that the operator's acknowledge covers, the
   * resend to make.
   */
  branchEvent(branchId: string, eventId: Buffer, acked: boolean, retain: boolean): { seen: SourceCondition | undefined; resend?: BranchResend } {
    this.earlier.delete(eventId.toString('hex'));
    this.held = false; // the branch carries the state that waits (or no longer does)
    if (acked || !retain) {
      this.branches.delete(branchId);
      return { seen: this.effective() };
    }
    const ack = this.ack;
    this.branches.set(branchId, { eventId, covered: ack !== undefined });
    return { seen: this.effective(), ...(ack ? { resend: { branchId, eventId, comment: ack.comment } } : {}) };
  }

  /** The resend to a late branch did not get through: it waits (and shows) again. */
  resendFailed(branchId: string, eventId: Buffer): SourceCondition | undefined {
    const b = this.branches.get(branchId);
    if (!b?.eventId.equals(eventId)) return undefined;
    b.covered = false;
    return this.effective();
  }

  /** The operator acknowledged the condition in the gateway: the EventIds to send it to. */
  operatorAck(comment: string): Buffer[] {
    this.ack = { comment, unsent: false };
    this.held = false;
    return this.ackTargets();
  }

  /** The operator's acknowledge could not be sent (not connected). */
  ackNotSent(): void {
    if (this.ack) this.ack.unsent = true;
  }

  /**
   * After a refresh: when the operator's acknowledge could not be sent, the branches kept from before
   * the loss that the refresh did not report (a server need not replay branches) to send it to now.
   */
  takeUnsent(): BranchResend[] {
    const ack = this.ack;
    if (!ack?.unsent) return [];
    ack.unsent = false;
    return [...this.earlier.entries()].map(([hex, eventId]) => ({ branchId: hex, eventId, comment: ack.comment, earlier: true }));
  }

  /** The answer to an acknowledge of an EventId kept from an earlier connection arrived: not a target again. */
  answered(eventId: Buffer): void {
    this.earlier.delete(eventId.toString('hex'));
  }

  /** Whether an EventId is one kept from an earlier connection (the server may have dropped it since). */
  isEarlier(eventId: Buffer): boolean {
    return this.earlier.has(eventId.toString('hex'));
  }

  /** The connection is lost: the state is unknown until the refresh; waiting branches stay targets. */
  lost(): void {
    for (const b of this.branches.values()) this.earlier.set(b.eventId.toString('hex'), b.eventId);
    this.branches.clear();
    this.trunk = undefined;
    this.held = false;
  }

  private effective(): SourceCondition | undefined {
    if (!this.trunk) return undefined;
    const c = this.trunk.condition;
    const waiting = this.held || [...this.branches.values()].some((b) => !b.covered);
    return waiting && c.acked ? { ...c, acked: false, retain: true } : c;
  }

  /**
   * EventIds to acknowledge: each branch (waiting, or sent the operator's acknowledge already: the
   * server answers "already"), those kept from an earlier connection, then the trunk when it waits
   * (or when nothing else does).
   */
  ackTargets(): Buffer[] {
    const out = [...[...this.branches.values()].map((b) => b.eventId), ...this.earlier.values()];
    if (this.trunk && (!this.trunk.condition.acked || out.length === 0)) out.push(this.trunk.eventId);
    return out;
  }
}
