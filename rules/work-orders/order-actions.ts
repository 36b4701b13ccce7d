/**
 * What operators and contractors do to an order (create, acknowledge, start, resolve, close,
 * cancel, reopen, reassign, note): each checks the transition table and the actor, and journals the
 * change in the transaction that makes it; messages go to the outbox.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../gateway/model/device.ts';
import type { OutboxStore } from '../dispatch/index.ts';
import type { OrderIntake } from './order-intake.ts';
import { transaction } from './work-order-db.ts';
import type { WorkOrderNotifier } from './work-order-notifier.ts';
import type { ContractorConfig, WorkOrderConfig } from './work-order-schema.ts';
import type { OrderPatch, WorkOrderStore } from './work-order-store.ts';
import type { ManualOrderInput } from './work-order-service.ts';
import { actorName, canTransition, TRANSITIONS, WorkOrderError, type Actor, type TransitionName, type WorkOrder } from './work-order.ts';

export interface OrderActionsDeps {
  readonly db: DatabaseSync;
  readonly orders: WorkOrderStore;
  readonly outbox: OutboxStore;
  readonly config: WorkOrderConfig;
  readonly contractors: ReadonlyMap<string, ContractorConfig>;
  readonly notifier: WorkOrderNotifier;
  readonly clock: Clock;
  readonly devices: () => readonly DeviceInfo[];
  /** The site of orders about a place (a resident's building) rather than a device. */
  readonly siteId: string;
  readonly alarmActive: ((alarmId: string) => boolean | undefined) | undefined;
  readonly intake: OrderIntake;
  readonly afterCommit: (order?: { respondBy: number; fixBy: number }) => void;
}

export class OrderActions {
  private readonly deps: OrderActionsDeps;

  constructor(deps: OrderActionsDeps) {
    this.deps = deps;
  }


  create(input: ManualOrderInput, actor: Actor): WorkOrder {
    const device: { id: string; kind: DeviceInfo['kind'] | null; location: DeviceInfo['location'] } | undefined = input.place
      ? { id: input.device, kind: null, location: { site: this.deps.siteId, building: input.place.building, floor: input.place.floor ?? '' } }
      : this.deps.devices().find((d) => d.id === input.device);
    if (!device) throw new WorkOrderError('BAD_REQUEST', `device: unknown device "${input.device}"`, 'device');
    if (input.contractor !== undefined && !this.deps.contractors.has(input.contractor)) {
      throw new WorkOrderError('BAD_REQUEST', `contractor: unknown contractor "${input.contractor}"`, 'contractor');
    }
    if (input.fault !== undefined) {
      const open = this.deps.orders.openFor(device.id, input.fault);
      if (open) throw new WorkOrderError('CONFLICT', `work order ${open.id} is already open for ${device.id} / ${input.fault}`, 'fault');
    }
    const result = this.deps.intake.createOrAppend({
      source: 'manual',
      device: { id: device.id, kind: device.kind, location: device.location },
      fault: input.fault ?? null,
      trade: input.trade,
      priority: input.priority,
      title: input.title,
      actor,
      at: this.deps.clock.now(),
      ...(input.contractor !== undefined ? { contractor: input.contractor } : {}),
      ...(input.sla ? { sla: { respond: input.sla.respond, fix: input.sla.fix } } : {}),
    });
    return this.deps.orders.get(result.orderId) as WorkOrder;
  }

  acknowledge(id: number, actor: Actor, note?: string): WorkOrder {
    return this.transition(id, 'acknowledge', actor, note, (_o, now) => ({ acknowledged_at: now }));
  }

  startWork(id: number, actor: Actor, note?: string): WorkOrder {
    return this.transition(id, 'start', actor, note, (o, now) => ({ started_at: now, ...(o.acknowledgedAt === null ? { acknowledged_at: now } : {}) }));
  }

  /** Report the fault fixed; `alongside` runs in the same transaction (storing a signature). */
  resolve(id: number, actor: Actor, note?: string, alongside?: (order: WorkOrder, now: number) => void): WorkOrder {
    return this.transition(id, 'resolve', actor, note, (o, now) => {
      alongside?.(o, now);
      return { resolved_at: now };
    });
  }

  /**
   * Verify and close. Refused (`alarm_active`) while any alarm of the order still has its condition
   * active: the fault is not gone. An admin may override with a reason (`override`), journaled with
   * the alarms that were still active.
   */
  close(id: number, actor: Actor, note?: string, override?: { readonly by: string; readonly reason: string }): WorkOrder {
    if (override && override.reason.trim() === '') throw new WorkOrderError('BAD_REQUEST', 'override.reason: an override needs a reason', 'override.reason');
    const order = this.deps.orders.get(id);
    const active = order ? this.activeAlarmsOf(order) : [];
    const data = active.length > 0 && override ? { override: true, overrideBy: override.by, overrideReason: override.reason, activeAlarms: active } : undefined;
    const text = note ?? (data ? `closed over active alarm(s): ${override?.reason}` : undefined);
    // checked after who may close and from which status (inside the transition)
    return this.transition(id, 'close', actor, text, (_o, now) => {
      if (active.length > 0 && !override) {
        throw new WorkOrderError(
          'ALARM_STILL_ACTIVE',
          `cannot close work order ${id}: its alarm is still active (${active.join(', ')}); close it when the fault is gone, or an admin may override with a reason`,
        );
      }
      return { closed_at: now };
    }, data);
  }

  /** Ids of the order's alarms whose condition is active now. */
  private activeAlarmsOf(order: WorkOrder): string[] {
    if (order.source !== 'alarm' && order.alarmIds.length === 0) return [];
    if (this.deps.alarmActive) return order.alarmIds.filter((a) => this.deps.alarmActive?.(a) === true);
    return order.alarmActive ? [...order.alarmIds.slice(-1)] : [];
  }

  cancel(id: number, actor: Actor, reason: string): WorkOrder {
    return this.transition(id, 'cancel', actor, reason, (o, now) => {
      if (o.contractor) {
        this.deps.outbox.cancelPending(o.id, 'contractor', o.contractor);
        this.deps.notifier.toContractor(o, o.contractor, 'work_order.cancelled', now, undefined, reason);
      }
      return { cancelled_at: now };
    });
  }

  reopen(id: number, actor: Actor, reason: string): WorkOrder {
    const order = this.require(id);
    if (order.fault !== null && (order.status === 'closed' || order.status === 'cancelled')) {
      const other = this.deps.orders.openFor(order.device ?? '', order.fault);
      if (other) throw new WorkOrderError('CONFLICT', `work order ${other.id} is already open for ${order.device} / ${order.fault}`);
    }
    return this.transition(id, 'reopen', actor, reason, (o, now) => {
      const sla = this.slaOf(o);
      const patch: OrderPatch = {
        respond_by: now + sla.respond,
        fix_by: now + sla.fix,
        dispatched_at: null,
        acknowledged_at: null,
        started_at: null,
        resolved_at: null,
        closed_at: null,
        cancelled_at: null,
        respond_breached_at: null,
        fix_breached_at: null,
      };
      if (o.contractor) this.deps.notifier.toContractor({ ...o, status: 'open', respondBy: now + sla.respond, fixBy: now + sla.fix }, o.contractor, 'work_order.dispatch', now, undefined, reason);
      return patch;
    });
  }

  reassign(id: number, contractor: string, actor: Actor, note?: string): WorkOrder {
    if (!this.deps.contractors.has(contractor)) throw new WorkOrderError('BAD_REQUEST', `contractor: unknown contractor "${contractor}"`, 'contractor');
    return this.transition(
      id,
      'reassign',
      actor,
      note,
      (o, now) => {
        if (o.contractor === contractor) throw new WorkOrderError('CONFLICT', `work order ${id} is already assigned to ${contractor}`, 'contractor');
        if (o.contractor) {
          this.deps.outbox.cancelPending(o.id, 'contractor', o.contractor);
          this.deps.notifier.toContractor(o, o.contractor, 'work_order.withdrawn', now, undefined, note);
        }
        // The respond clock restarts for the new contractor; the fix deadline stays.
        const sla = this.slaOf(o);
        this.deps.notifier.toContractor({ ...o, contractor, status: 'open', respondBy: now + sla.respond }, contractor, 'work_order.dispatch', now, undefined, note);
        return { contractor, dispatched_at: null, acknowledged_at: null, started_at: null, respond_by: now + sla.respond, respond_breached_at: null };
      },
      { to: contractor },
    );
  }

  addNote(id: number, actor: Actor, note: string): WorkOrder {
    const order = this.require(id, actor);
    const now = this.deps.clock.now();
    transaction(this.deps.db, () => {
      this.deps.orders.update(id, { updated_at: now });
      this.deps.orders.journal(id, now, actorName(actor), 'note', order.status, order.status, note);
    });
    return this.deps.orders.get(id) as WorkOrder;
  }

  private transition(
    id: number,
    name: TransitionName,
    actor: Actor,
    note: string | undefined,
    patch: (order: WorkOrder, now: number) => OrderPatch,
    data?: Record<string, unknown>,
  ): WorkOrder {
    const rule = TRANSITIONS[name];
    if (rule.by !== actor.type) throw new WorkOrderError('FORBIDDEN', `only a ${rule.by} may ${name} a work order`);
    return transaction(this.deps.db, () => {
      const order = this.require(id, actor);
      if (!canTransition(name, order.status)) {
        throw new WorkOrderError('CONFLICT', `cannot ${name} work order ${id}: it is ${order.status} (allowed from ${rule.from.join(', ')})`);
      }
      const now = this.deps.clock.now();
      const changes = patch(order, now);
      this.deps.orders.update(id, { ...changes, status: rule.to, updated_at: now });
      this.deps.orders.journal(id, now, actorName(actor), name, order.status, rule.to, note ?? null, data ? { ...data, ...(name === 'reassign' ? { from: order.contractor } : {}) } : undefined);
      const updated = this.deps.orders.get(id) as WorkOrder;
      this.deps.afterCommit(updated);
      return updated;
    });
  }

  /** The deadlines an order runs on: its maintenance schedule's, else its priority's. */
  private slaOf(o: WorkOrder): { respond: number; fix: number } {
    const schedule = o.source === 'maintenance' ? this.deps.config.maintenance.find((m) => `pm:${m.id}` === o.fault) : undefined;
    return schedule?.sla ?? this.deps.config.sla[o.priority];
  }

  /** The order, checked for existence and (for a contractor) ownership. */
  require(id: number, actor?: Actor): WorkOrder {
    const order = this.deps.orders.get(id);
    if (!order) throw new WorkOrderError('NOT_FOUND', `no work order ${id}`);
    if (actor?.type === 'contractor' && order.contractor !== actor.id) throw new WorkOrderError('FORBIDDEN', `work order ${id} is not assigned to ${actor.id}`);
    return order;
  }
}
