/**
 * How orders come in: alarm signals (raised, grouped, cleared; one incident, one order), manual
 * orders and maintenance schedules all end in `createOrAppend`, one transaction that creates an
 * order or counts a recurrence on the open one, journals it and queues its messages in the outbox.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../../gateway/model/clock.ts';
import type { DeviceKind } from '../../gateway/model/device-kinds.ts';
import type { Location } from '../../gateway/model/device.ts';
import type { AlarmSignal, Priority } from './alarm-input.ts';
import { routeContractor } from './routing.ts';
import { transaction } from './work-order-db.ts';
import type { WorkOrderNotifier } from './work-order-notifier.ts';
import type { WorkOrderConfig } from './work-order-schema.ts';
import type { WorkOrderStore } from './work-order-store.ts';
import { actorName, type Actor, type WorkOrder } from './work-order.ts';

export type AlarmOutcome =
  | { readonly action: 'created' | 'appended' | 'duplicate' | 'cleared'; readonly orderId: number }
  | { readonly action: 'ignored'; readonly reason: string }
  | { readonly action: 'failed'; readonly reason: string };

const MAX_ALARM_IDS = 100;

/** What an order is about: a device, or a connector (kind null) for a connection alarm. */
interface OrderSubject {
  readonly id: string;
  readonly kind: DeviceKind | null;
  readonly location: Location;
}

export interface OrderIntakeDeps {
  readonly db: DatabaseSync;
  readonly orders: WorkOrderStore;
  readonly config: WorkOrderConfig;
  readonly notifier: WorkOrderNotifier;
  readonly clock: Clock;
  /** Whether an alarm's condition is active now (undefined: unknown). */
  readonly alarmActive: (alarmId: string) => boolean | undefined;
  /** Called inside the transaction of a change: kicks the outbox worker, notes the deadlines. */
  readonly afterCommit: (order?: { respondBy: number; fixBy: number }) => void;
}

export class OrderIntake {
  private readonly deps: OrderIntakeDeps;

  constructor(deps: OrderIntakeDeps) {
    this.deps = deps;
  }

  applySignal(signal: AlarmSignal): AlarmOutcome {
    if (signal.type === 'raised' || signal.type === 'grouped') {
      // one incident, one order: a consequence joins its cause's order, a cause joins the order of
      // its earlier consequences (escalated to the cause's priority)
      const incident = this.incidentOrder(signal);
      if (incident) return incident;
      if (!signal.workOrder) return { action: 'ignored', reason: `rule ${signal.ruleId} does not ask for work orders` };
      const kind = signal.kind === 'connection' ? null : signal.kind;
      return this.createOrAppend({
        source: 'alarm',
        device: { id: signal.device, kind, location: signal.location },
        fault: signal.ruleId,
        trade: signal.workOrder.trade,
        priority: signal.workOrder.priority ?? signal.priority,
        title: signal.message,
        actor: { type: 'system', id: `alarm:${signal.alarmId}` },
        at: this.deps.clock.now(),
        alarm: signal,
      });
    }
    if (signal.type === 'cleared') {
      const order = this.deps.orders.openWithAnyAlarm([signal.alarmId]);
      if (!order) return { action: 'ignored', reason: 'no open work order for this alarm' };
      if (!order.alarmActive) return { action: 'duplicate', orderId: order.id };
      const now = this.deps.clock.now();
      // the order's alarm is active while any of its alarms still is (an incident has several)
      const othersActive = order.alarmIds.some((id) => id !== signal.alarmId && this.deps.alarmActive(id) === true);
      transaction(this.deps.db, () => {
        if (othersActive) {
          this.deps.orders.journal(order.id, now, `alarm:${signal.alarmId}`, 'alarm_cleared', order.status, order.status, 'one alarm of the incident returned to normal; others are still active', { clearedAt: signal.at });
          return;
        }
        this.deps.orders.update(order.id, { alarm_active: 0, alarm_cleared_at: signal.at, updated_at: now });
        this.deps.orders.journal(order.id, now, `alarm:${signal.alarmId}`, 'alarm_cleared', order.status, order.status, 'alarm returned to normal; the order stays open until resolved', { clearedAt: signal.at });
      });
      return { action: 'cleared', orderId: order.id };
    }
    return { action: 'ignored', reason: `signal ${signal.type} does not change work orders` };
  }

  /**
   * The open order of the signal's incident, with the signal's alarm appended: the parent's order
   * for a consequence; for a cause raised over earlier consequences, their order, escalated to the
   * cause's priority and deadlines and sent again to its contractor. Undefined: no such order.
   */
  private incidentOrder(signal: AlarmSignal): (AlarmOutcome & { action: 'appended' | 'duplicate' }) | undefined {
    // a re-delivered or re-announced alarm (e.g. a consequence standing alone after its cause ended)
    // is already on its order, wherever that order is
    // (its own order, by the (device, fault) index; else an open incident order of another subject)
    const seen = this.deps.orders.withAlarm(signal.device, signal.ruleId, signal.alarmId) ?? this.deps.orders.openWithAnyAlarm([signal.alarmId])?.id;
    if (seen !== undefined) return { action: 'duplicate', orderId: seen };
    const order = signal.parent !== undefined ? this.deps.orders.openWithAnyAlarm([signal.parent]) : signal.children ? this.deps.orders.openWithAnyAlarm(signal.children) : undefined;
    if (!order) return undefined;
    return transaction(this.deps.db, () => {
      const now = this.deps.clock.now();
      const alarmIds = [...order.alarmIds, signal.alarmId].slice(-MAX_ALARM_IDS);
      const cause = signal.parent === undefined;
      const priority = (signal.workOrder?.priority ?? signal.priority) as Priority;
      const escalate = cause && priority < order.priority;
      const sla = this.deps.config.sla[priority];
      this.deps.orders.update(order.id, {
        occurrences: order.occurrences + 1,
        last_occurrence_at: now,
        alarm_ids: JSON.stringify(alarmIds),
        alarm_active: 1,
        updated_at: now,
        ...(escalate ? { priority, title: signal.message, respond_by: Math.min(order.respondBy, now + sla.respond), fix_by: Math.min(order.fixBy, now + sla.fix) } : {}),
      });
      const note = cause
        ? `cause found: ${signal.message}; the order now covers the incident${escalate ? ` (priority ${order.priority} → ${priority})` : ''}`
        : `consequence of the same incident: ${signal.message}`;
      this.deps.orders.journal(order.id, now, `alarm:${signal.alarmId}`, cause ? 'incident_cause' : 'incident_consequence', order.status, order.status, note, {
        alarmId: signal.alarmId,
        ruleId: signal.ruleId,
        device: signal.device,
        ...(escalate ? { priority, previousPriority: order.priority } : {}),
      });
      this.deps.orders.bump('incident_appends');
      const updated = this.deps.orders.get(order.id) as WorkOrder;
      if (escalate && updated.contractor) this.deps.notifier.toContractor(updated, updated.contractor, 'work_order.dispatch', now, signal, note);
      this.deps.afterCommit(updated);
      return { action: 'appended' as const, orderId: order.id };
    });
  }

  createOrAppend(req: {
    source: 'alarm' | 'maintenance' | 'manual';
    device: OrderSubject;
    fault: string | null;
    trade: string;
    priority: Priority;
    title: string;
    actor: Actor;
    at: number;
    contractor?: string;
    alarm?: AlarmSignal;
    /** Deadlines other than the priority's (maintenance). */
    sla?: { respond: number; fix: number };
  }): AlarmOutcome & { action: 'created' | 'appended' | 'duplicate' } {
    return transaction(this.deps.db, () => {
      const now = req.at;
      // A re-delivered raise (same alarm instance) changes nothing, whether its order is open or closed.
      const seen = req.alarm && req.fault !== null ? this.deps.orders.withAlarm(req.device.id, req.fault, req.alarm.alarmId) : undefined;
      if (seen !== undefined) return { action: 'duplicate', orderId: seen };
      const existing = req.fault !== null ? this.deps.orders.openFor(req.device.id, req.fault) : undefined;
      if (existing) {
        const alarmIds = req.alarm ? [...existing.alarmIds, req.alarm.alarmId].slice(-MAX_ALARM_IDS) : existing.alarmIds;
        this.deps.orders.update(existing.id, {
          occurrences: existing.occurrences + 1,
          last_occurrence_at: now,
          alarm_ids: JSON.stringify(alarmIds),
          ...(req.alarm ? { alarm_active: 1 } : {}),
          updated_at: now,
        });
        const note = existing.status === 'resolved' ? 'fault recurred after the order was resolved; verify before closing' : 'fault recurred';
        this.deps.orders.journal(existing.id, now, actorName(req.actor), 'recurrence', existing.status, existing.status, note, {
          occurrence: existing.occurrences + 1,
          ...(req.alarm ? { alarmId: req.alarm.alarmId, message: req.alarm.message } : {}),
        });
        this.deps.orders.bump('recurrences');
        return { action: 'appended', orderId: existing.id };
      }
      const sla = req.sla ?? this.deps.config.sla[req.priority];
      const location = req.device.location;
      const contractor =
        req.contractor ?? routeContractor(this.deps.config, { site: location.site, building: location.building, trade: req.trade, kind: req.device.kind ?? undefined });
      const id = this.deps.orders.insert({
        source: req.source,
        device: req.device.id,
        kind: req.device.kind,
        location,
        fault: req.fault,
        trade: req.trade,
        priority: req.priority,
        title: req.title,
        contractor: contractor ?? null,
        createdAt: now,
        createdBy: actorName(req.actor),
        respondBy: now + sla.respond,
        fixBy: now + sla.fix,
        alarmIds: req.alarm ? [req.alarm.alarmId] : [],
        alarmActive: req.alarm !== undefined,
      });
      this.deps.orders.journal(id, now, actorName(req.actor), 'created', null, 'open', req.title, {
        source: req.source,
        priority: req.priority,
        trade: req.trade,
        contractor: contractor ?? null,
        respondBy: now + sla.respond,
        fixBy: now + sla.fix,
        ...(req.alarm ? { alarmId: req.alarm.alarmId, ruleId: req.alarm.ruleId, alarmAt: req.alarm.at } : {}),
      });
      this.deps.orders.bump(`created_${req.source}`);
      const order = this.deps.orders.get(id) as WorkOrder;
      if (contractor !== undefined) this.deps.notifier.toContractor(order, contractor, 'work_order.dispatch', now, req.alarm);
      else {
        this.deps.orders.journal(id, now, 'system', 'unrouted', 'open', 'open', `no contractor covers trade ${req.trade} / kind ${req.device.kind} in ${location.building}`, { trade: req.trade, kind: req.device.kind, building: location.building });
        this.deps.notifier.escalate(order, 'work_order.unrouted', now, { reason: 'no contractor route' });
      }
      this.deps.afterCommit(order);
      return { action: 'created', orderId: id };
    });
  }
}
