/**
 * Work orders: created from alarm signals, by operators and by maintenance schedules; one open
 * order per (device, fault); every transition journaled in the transaction that makes it; SLA
 * deadlines stored on the order and watched by one Clock timer re-armed from the database;
 * messages to contractors and escalation contacts go through the durable outbox.
 */
import type { DatabaseSync } from 'node:sqlite';
import { tlsClientOptions } from '../../gateway/platform/tls-client.ts';
import type { EmbeddedBrokerAccess } from '../../gateway/platform/broker-access.ts';
import type { Logger } from 'pino';
import type { Clock } from '../../gateway/model/clock.ts';
import type { DeviceKind } from '../../gateway/model/device-kinds.ts';
import type { DeviceInfo, Location } from '../../gateway/model/device.ts';
import { checkAlarmSignal, type AlarmSignal, type Priority } from './alarm-input.ts';
import { ContractorAuth } from './contractor-token.ts';
import { SlaWatch } from './sla-watch.ts';
import { WorkOrderNotifier } from './work-order-notifier.ts';
import type { ChannelType } from './dispatch/channel.ts';
import { createSenders, type Senders } from './dispatch/senders.ts';
import { OutboxStore, type DeadLetter, type DeliveryAttempt } from './dispatch/outbox-store.ts';
import { OutboxWorker } from './dispatch/outbox-worker.ts';
import { MaintenanceScheduler } from './maintenance-scheduler.ts';
import { routeContractor } from './routing.ts';
import { openWorkOrderDb, transaction } from './work-order-db.ts';
import { computeKpis, type KpiGroupBy, type KpiRow } from './work-order-kpis.ts';
import type { ContractorConfig, WorkOrderConfig } from './work-order-schema.ts';
import { WorkOrderStore, type OrderFilter, type OrderPatch } from './work-order-store.ts';
import {
  actorName,
  canTransition,
  TRANSITIONS,
  WorkOrderError,
  type Actor,
  type JournalEntry,
  type TransitionName,
  type WorkOrder,
} from './work-order.ts';

export interface WorkOrderServiceOptions {
  readonly config: WorkOrderConfig;
  /** SQLite file (data/gateway.db). */
  readonly file: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly site: { readonly id: string; readonly timezone: string };
  /** The configured devices (for manual orders and maintenance schedules). */
  readonly devices: () => readonly DeviceInfo[];
  /** URL of the gateway's embedded broker, when `workOrders.mqtt.url` is `embedded`. */
  readonly embeddedBrokerUrl?: string;
  /** The embedded broker's internal credential and reserved client ids (for url `embedded`). */
  readonly embeddedBroker?: EmbeddedBrokerAccess;
  /** Random source of the retry jitter (tests). */
  readonly random?: () => number;
  /** Where gateway trouble is shown (the gateway's TroubleBoard): raised while dead letters exist. */
  readonly trouble?: TroubleSink;
  /**
   * Whether an alarm's condition is active now (the alarm engine's view; undefined when unknown).
   * Verify-and-close is refused while any alarm of the order is active. Without it the order's
   * own `alarmActive` (kept from the alarm signals) decides.
   */
  readonly alarmActive?: (alarmId: string) => boolean | undefined;
}

export interface TroubleSink {
  raise(key: string, source: string, message: string): void;
  clear(key: string): void;
}

const DEAD_LETTER_TROUBLE = 'work-orders.dead-letters';

export type AlarmOutcome =
  | { readonly action: 'created' | 'appended' | 'duplicate' | 'cleared'; readonly orderId: number }
  | { readonly action: 'ignored'; readonly reason: string }
  | { readonly action: 'failed'; readonly reason: string };

export interface ManualOrderInput {
  readonly device: string;
  readonly trade: string;
  readonly priority: Priority;
  readonly title: string;
  readonly contractor?: string;
  readonly fault?: string;
}

export interface WorkOrderDetail extends WorkOrder {
  readonly journal: readonly JournalEntry[];
  readonly deliveries: ReadonlyArray<{
    readonly id: string;
    readonly recipient: string;
    readonly channel: ChannelType;
    readonly event: string;
    readonly status: string;
    readonly attempts: number;
    readonly lastError: string | null;
  }>;
}

export interface WorkOrderStats {
  readonly open: number;
  readonly counters: Record<string, number>;
  readonly outbox: Record<string, number>;
  readonly worker: Record<string, number>;
}

const MAX_ALARM_IDS = 100;

/** What an order is about: a device, or a connector (kind null) for a connection alarm. */
interface OrderSubject {
  readonly id: string;
  readonly kind: DeviceKind | null;
  readonly location: Location;
}

export class WorkOrderService {
  private config: WorkOrderConfig;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly site: { readonly id: string; readonly timezone: string };
  private readonly devices: () => readonly DeviceInfo[];
  private readonly db: DatabaseSync;
  private readonly orders: WorkOrderStore;
  private readonly outbox: OutboxStore;
  private readonly worker: OutboxWorker;
  private readonly senders: Senders;
  private readonly sla: SlaWatch;
  private readonly notifier: WorkOrderNotifier;
  private readonly maintenance: MaintenanceScheduler;
  private readonly contractors: Map<string, ContractorConfig>;
  private readonly trouble: TroubleSink | undefined;
  private readonly alarmActive: ((alarmId: string) => boolean | undefined) | undefined;
  readonly auth: ContractorAuth;
  private started = false;

  constructor(options: WorkOrderServiceOptions) {
    this.config = options.config;
    this.clock = options.clock;
    this.log = options.log;
    this.site = options.site;
    this.devices = options.devices;
    this.trouble = options.trouble;
    this.alarmActive = options.alarmActive;
    this.db = openWorkOrderDb(options.file);
    this.orders = new WorkOrderStore(this.db);
    this.outbox = new OutboxStore(this.db, ['contractor', 'contact']); // on-call rows belong to the escalation worker
    this.contractors = new Map(this.config.contractors.map((c) => [c.id, c]));
    this.auth = new ContractorAuth(this.config.contractors);
    const embedded = this.config.mqtt.url === 'embedded';
    const mqttUrl = embedded ? (options.embeddedBroker?.internalUrl ?? options.embeddedBrokerUrl) : this.config.mqtt.url;
    this.senders = createSenders({
      clock: this.clock,
      log: this.log,
      ...(mqttUrl !== undefined ? { mqttUrl } : {}),
      mqttOptions:
        embedded && options.embeddedBroker
          ? options.embeddedBroker.connectOptions('work-orders')
          : {
              clientId: this.config.mqtt.clientId ?? `gateway-${this.site.id}-work-orders`,
              ...(this.config.mqtt.username !== undefined ? { username: this.config.mqtt.username } : {}),
              ...(this.config.mqtt.password !== undefined ? { password: this.config.mqtt.password } : {}),
              ...tlsClientOptions(this.config.mqtt.tls, 'workOrders.mqtt'),
            },
      webhooks: this.config.dispatch.webhooks,
      ...(this.config.smtp ? { smtp: { ...this.config.smtp, timeoutMs: this.config.dispatch.timeout } } : {}),
    });
    this.notifier = new WorkOrderNotifier({
      siteId: this.site.id,
      config: this.config,
      contractors: this.contractors,
      orders: this.orders,
      outbox: this.outbox,
      senders: this.senders,
      onDeadLetter: () => this.showDeadLetters(),
    });
    this.worker = new OutboxWorker(
      this.db,
      this.outbox,
      this.clock,
      this.log.child({ part: 'outbox' }),
      this.config.dispatch,
      {
        resolve: (row) => this.notifier.senderFor(row),
        subject: (row) => this.notifier.subjectOf(row),
        onDelivered: (row, at) => this.notifier.delivered(row, at),
        onDead: (row, reason, at) => this.notifier.deadLetter(row, reason, at),
      },
      options.random,
    );
    this.sla = new SlaWatch({ db: this.db, orders: this.orders, notifier: this.notifier, clock: this.clock, log: this.log, onBreach: () => this.worker.kick() });
    this.maintenance = new MaintenanceScheduler({
      db: this.db,
      clock: this.clock,
      log: this.log.child({ part: 'maintenance' }),
      schedules: this.config.maintenance,
      timeZone: this.site.timezone,
      run: (schedule, at) => {
        const targets = this.devices().filter((d) => (schedule.devices ? schedule.devices.includes(d.id) : d.kind === schedule.kind));
        for (const device of targets) {
          this.createOrAppend({
            source: 'maintenance',
            device: { id: device.id, kind: device.kind, location: device.location },
            fault: `pm:${schedule.id}`,
            trade: schedule.trade,
            priority: schedule.priority,
            title: `${schedule.title}: ${device.name}`,
            actor: { type: 'system', id: `schedule:${schedule.id}` },
            at,
            sla: schedule.sla,
          });
        }
        return targets.length;
      },
    });
  }

  /** Re-arm every timer from the database (SLA deadlines, maintenance, pending deliveries). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.sla.start();
    this.maintenance.start();
    this.worker.kick();
    this.showDeadLetters();
    const open = this.orders.list({ status: ['open', 'dispatched', 'acknowledged', 'in_progress', 'resolved'], limit: 100_000 }).length;
    this.log.info({ open, pendingDeliveries: this.outbox.counts().pending }, 'work orders started');
  }

  async stop(): Promise<void> {
    this.sla.stop();
    this.maintenance.stop();
    await this.worker.stop();
    await this.senders.close();
    this.db.close();
  }

  /** Wait until no delivery is in flight (tests). */
  idle(): Promise<void> {
    return this.worker.idle();
  }

  // ───────────────────────────── input from the alarm engine ─────────────────────────────

  /** Never throws and never waits on the network: the alarm pipeline only pays for one SQLite commit. */
  /** Be told (with the order id) of every committed change of an order, for live views. */
  onChange(listener: (orderId: number) => void): () => void {
    return this.orders.onChange(listener);
  }

  onAlarm(signal: AlarmSignal): AlarmOutcome {
    const problem = checkAlarmSignal(signal);
    if (problem !== undefined) {
      this.log.error({ problem, alarm: (signal as Partial<AlarmSignal> | null)?.alarmId }, `work orders: malformed alarm signal ignored (${problem})`);
      return { action: 'failed', reason: problem };
    }
    try {
      return this.applySignal(signal);
    } catch (err) {
      this.log.error({ err, alarm: signal.alarmId, device: signal.device, rule: signal.ruleId }, 'work orders: alarm signal not applied');
      try {
        this.orders.bump('signal_errors');
      } catch {
        // the database itself is failing; the log line above is all we can do
      }
      return { action: 'failed', reason: (err as Error).message };
    }
  }

  private applySignal(signal: AlarmSignal): AlarmOutcome {
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
        at: this.clock.now(),
        alarm: signal,
      });
    }
    if (signal.type === 'cleared') {
      const order = this.orders.openWithAnyAlarm([signal.alarmId]);
      if (!order) return { action: 'ignored', reason: 'no open work order for this alarm' };
      if (!order.alarmActive) return { action: 'duplicate', orderId: order.id };
      const now = this.clock.now();
      // the order's alarm is active while any of its alarms still is (an incident has several)
      const othersActive = order.alarmIds.some((id) => id !== signal.alarmId && this.alarmActive?.(id) === true);
      transaction(this.db, () => {
        if (othersActive) {
          this.orders.journal(order.id, now, `alarm:${signal.alarmId}`, 'alarm_cleared', order.status, order.status, 'one alarm of the incident returned to normal; others are still active', { clearedAt: signal.at });
          return;
        }
        this.orders.update(order.id, { alarm_active: 0, alarm_cleared_at: signal.at, updated_at: now });
        this.orders.journal(order.id, now, `alarm:${signal.alarmId}`, 'alarm_cleared', order.status, order.status, 'alarm returned to normal; the order stays open until resolved', { clearedAt: signal.at });
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
    const seen = this.orders.withAlarm(signal.device, signal.ruleId, signal.alarmId) ?? this.orders.openWithAnyAlarm([signal.alarmId])?.id;
    if (seen !== undefined) return { action: 'duplicate', orderId: seen };
    const order = signal.parent !== undefined ? this.orders.openWithAnyAlarm([signal.parent]) : signal.children ? this.orders.openWithAnyAlarm(signal.children) : undefined;
    if (!order) return undefined;
    return transaction(this.db, () => {
      const now = this.clock.now();
      const alarmIds = [...order.alarmIds, signal.alarmId].slice(-MAX_ALARM_IDS);
      const cause = signal.parent === undefined;
      const priority = (signal.workOrder?.priority ?? signal.priority) as Priority;
      const escalate = cause && priority < order.priority;
      const sla = this.config.sla[priority];
      this.orders.update(order.id, {
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
      this.orders.journal(order.id, now, `alarm:${signal.alarmId}`, cause ? 'incident_cause' : 'incident_consequence', order.status, order.status, note, {
        alarmId: signal.alarmId,
        ruleId: signal.ruleId,
        device: signal.device,
        ...(escalate ? { priority, previousPriority: order.priority } : {}),
      });
      this.orders.bump('incident_appends');
      const updated = this.orders.get(order.id) as WorkOrder;
      if (escalate && updated.contractor) this.notifier.toContractor(updated, updated.contractor, 'work_order.dispatch', now, signal, note);
      this.afterCommit(updated);
      return { action: 'appended' as const, orderId: order.id };
    });
  }

  private createOrAppend(req: {
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
    return transaction(this.db, () => {
      const now = req.at;
      // A re-delivered raise (same alarm instance) changes nothing, whether its order is open or closed.
      const seen = req.alarm && req.fault !== null ? this.orders.withAlarm(req.device.id, req.fault, req.alarm.alarmId) : undefined;
      if (seen !== undefined) return { action: 'duplicate', orderId: seen };
      const existing = req.fault !== null ? this.orders.openFor(req.device.id, req.fault) : undefined;
      if (existing) {
        const alarmIds = req.alarm ? [...existing.alarmIds, req.alarm.alarmId].slice(-MAX_ALARM_IDS) : existing.alarmIds;
        this.orders.update(existing.id, {
          occurrences: existing.occurrences + 1,
          last_occurrence_at: now,
          alarm_ids: JSON.stringify(alarmIds),
          ...(req.alarm ? { alarm_active: 1 } : {}),
          updated_at: now,
        });
        const note = existing.status === 'resolved' ? 'fault recurred after the order was resolved; verify before closing' : 'fault recurred';
        this.orders.journal(existing.id, now, actorName(req.actor), 'recurrence', existing.status, existing.status, note, {
          occurrence: existing.occurrences + 1,
          ...(req.alarm ? { alarmId: req.alarm.alarmId, message: req.alarm.message } : {}),
        });
        this.orders.bump('recurrences');
        return { action: 'appended', orderId: existing.id };
      }
      const sla = req.sla ?? this.config.sla[req.priority];
      const location = req.device.location;
      const contractor =
        req.contractor ?? routeContractor(this.config, { site: location.site, building: location.building, trade: req.trade, kind: req.device.kind ?? undefined });
      const id = this.orders.insert({
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
      this.orders.journal(id, now, actorName(req.actor), 'created', null, 'open', req.title, {
        source: req.source,
        priority: req.priority,
        trade: req.trade,
        contractor: contractor ?? null,
        respondBy: now + sla.respond,
        fixBy: now + sla.fix,
        ...(req.alarm ? { alarmId: req.alarm.alarmId, ruleId: req.alarm.ruleId, alarmAt: req.alarm.at } : {}),
      });
      this.orders.bump(`created_${req.source}`);
      const order = this.orders.get(id) as WorkOrder;
      if (contractor !== undefined) this.notifier.toContractor(order, contractor, 'work_order.dispatch', now, req.alarm);
      else {
        this.orders.journal(id, now, 'system', 'unrouted', 'open', 'open', `no contractor covers trade ${req.trade} / kind ${req.device.kind} in ${location.building}`);
        this.notifier.escalate(order, 'work_order.unrouted', now, { reason: 'no contractor route' });
      }
      this.afterCommit(order);
      return { action: 'created', orderId: id };
    });
  }

  // ───────────────────────────── operator and contractor actions ─────────────────────────────

  create(input: ManualOrderInput, actor: Actor): WorkOrder {
    const device = this.devices().find((d) => d.id === input.device);
    if (!device) throw new WorkOrderError('bad_request', `device: unknown device "${input.device}"`, 'device');
    if (input.contractor !== undefined && !this.contractors.has(input.contractor)) {
      throw new WorkOrderError('bad_request', `contractor: unknown contractor "${input.contractor}"`, 'contractor');
    }
    if (input.fault !== undefined) {
      const open = this.orders.openFor(device.id, input.fault);
      if (open) throw new WorkOrderError('conflict', `work order ${open.id} is already open for ${device.id} / ${input.fault}`, 'fault');
    }
    const result = this.createOrAppend({
      source: 'manual',
      device: { id: device.id, kind: device.kind, location: device.location },
      fault: input.fault ?? null,
      trade: input.trade,
      priority: input.priority,
      title: input.title,
      actor,
      at: this.clock.now(),
      ...(input.contractor !== undefined ? { contractor: input.contractor } : {}),
    });
    return this.orders.get(result.orderId) as WorkOrder;
  }

  acknowledge(id: number, actor: Actor, note?: string): WorkOrder {
    return this.transition(id, 'acknowledge', actor, note, (_o, now) => ({ acknowledged_at: now }));
  }

  startWork(id: number, actor: Actor, note?: string): WorkOrder {
    return this.transition(id, 'start', actor, note, (o, now) => ({ started_at: now, ...(o.acknowledgedAt === null ? { acknowledged_at: now } : {}) }));
  }

  resolve(id: number, actor: Actor, note?: string): WorkOrder {
    return this.transition(id, 'resolve', actor, note, (_o, now) => ({ resolved_at: now }));
  }

  /**
   * Verify and close. Refused (`alarm_active`) while any alarm of the order still has its condition
   * active: the fault is not gone. An admin may override with a reason (`override`), journaled with
   * the alarms that were still active.
   */
  close(id: number, actor: Actor, note?: string, override?: { readonly by: string; readonly reason: string }): WorkOrder {
    if (override && override.reason.trim() === '') throw new WorkOrderError('bad_request', 'override.reason: an override needs a reason', 'override.reason');
    const order = this.orders.get(id);
    const active = order ? this.activeAlarmsOf(order) : [];
    const data = active.length > 0 && override ? { override: true, overrideBy: override.by, overrideReason: override.reason, activeAlarms: active } : undefined;
    const text = note ?? (data ? `closed over active alarm(s): ${override?.reason}` : undefined);
    // checked after who may close and from which status (inside the transition)
    return this.transition(id, 'close', actor, text, (_o, now) => {
      if (active.length > 0 && !override) {
        throw new WorkOrderError(
          'alarm_active',
          `cannot close work order ${id}: its alarm is still active (${active.join(', ')}); close it when the fault is gone, or an admin may override with a reason`,
        );
      }
      return { closed_at: now };
    }, data);
  }

  /** Ids of the order's alarms whose condition is active now. */
  private activeAlarmsOf(order: WorkOrder): string[] {
    if (order.source !== 'alarm' && order.alarmIds.length === 0) return [];
    if (this.alarmActive) return order.alarmIds.filter((a) => this.alarmActive?.(a) === true);
    return order.alarmActive ? [...order.alarmIds.slice(-1)] : [];
  }

  cancel(id: number, actor: Actor, reason: string): WorkOrder {
    return this.transition(id, 'cancel', actor, reason, (o, now) => {
      if (o.contractor) {
        this.outbox.cancelPending(o.id, 'contractor', o.contractor);
        this.notifier.toContractor(o, o.contractor, 'work_order.cancelled', now, undefined, reason);
      }
      return { cancelled_at: now };
    });
  }

  reopen(id: number, actor: Actor, reason: string): WorkOrder {
    const order = this.require(id);
    if (order.fault !== null && (order.status === 'closed' || order.status === 'cancelled')) {
      const other = this.orders.openFor(order.device ?? '', order.fault);
      if (other) throw new WorkOrderError('conflict', `work order ${other.id} is already open for ${order.device} / ${order.fault}`);
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
      if (o.contractor) this.notifier.toContractor({ ...o, status: 'open', respondBy: now + sla.respond, fixBy: now + sla.fix }, o.contractor, 'work_order.dispatch', now, undefined, reason);
      return patch;
    });
  }

  reassign(id: number, contractor: string, actor: Actor, note?: string): WorkOrder {
    if (!this.contractors.has(contractor)) throw new WorkOrderError('bad_request', `contractor: unknown contractor "${contractor}"`, 'contractor');
    return this.transition(
      id,
      'reassign',
      actor,
      note,
      (o, now) => {
        if (o.contractor === contractor) throw new WorkOrderError('conflict', `work order ${id} is already assigned to ${contractor}`, 'contractor');
        if (o.contractor) {
          this.outbox.cancelPending(o.id, 'contractor', o.contractor);
          this.notifier.toContractor(o, o.contractor, 'work_order.withdrawn', now, undefined, note);
        }
        // The respond clock restarts for the new contractor; the fix deadline stays.
        const sla = this.slaOf(o);
        this.notifier.toContractor({ ...o, contractor, status: 'open', respondBy: now + sla.respond }, contractor, 'work_order.dispatch', now, undefined, note);
        return { contractor, dispatched_at: null, acknowledged_at: null, started_at: null, respond_by: now + sla.respond, respond_breached_at: null };
      },
      { to: contractor },
    );
  }

  addNote(id: number, actor: Actor, note: string): WorkOrder {
    const order = this.require(id, actor);
    const now = this.clock.now();
    transaction(this.db, () => {
      this.orders.update(id, { updated_at: now });
      this.orders.journal(id, now, actorName(actor), 'note', order.status, order.status, note);
    });
    return this.orders.get(id) as WorkOrder;
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
    if (rule.by !== actor.type) throw new WorkOrderError('forbidden', `only a ${rule.by} may ${name} a work order`);
    return transaction(this.db, () => {
      const order = this.require(id, actor);
      if (!canTransition(name, order.status)) {
        throw new WorkOrderError('conflict', `cannot ${name} work order ${id}: it is ${order.status} (allowed from ${rule.from.join(', ')})`);
      }
      const now = this.clock.now();
      const changes = patch(order, now);
      this.orders.update(id, { ...changes, status: rule.to, updated_at: now });
      this.orders.journal(id, now, actorName(actor), name, order.status, rule.to, note ?? null, data ? { ...data, ...(name === 'reassign' ? { from: order.contractor } : {}) } : undefined);
      const updated = this.orders.get(id) as WorkOrder;
      this.afterCommit(updated);
      return updated;
    });
  }

  /** The deadlines an order runs on: its maintenance schedule's, else its priority's. */
  private slaOf(o: WorkOrder): { respond: number; fix: number } {
    const schedule = o.source === 'maintenance' ? this.config.maintenance.find((m) => `pm:${m.id}` === o.fault) : undefined;
    return schedule?.sla ?? this.config.sla[o.priority];
  }

  /** The order, checked for existence and (for a contractor) ownership. */
  private require(id: number, actor?: Actor): WorkOrder {
    const order = this.orders.get(id);
    if (!order) throw new WorkOrderError('not_found', `no work order ${id}`);
    if (actor?.type === 'contractor' && order.contractor !== actor.id) throw new WorkOrderError('forbidden', `work order ${id} is not assigned to ${actor.id}`);
    return order;
  }

  // ───────────────────────────── reads ─────────────────────────────

  get(id: number, actor?: Actor): WorkOrderDetail {
    const order = this.require(id, actor);
    const deliveries = this.outbox
      .list({ orderId: id })
      .filter((r) => actor?.type !== 'contractor' || (r.recipientType === 'contractor' && r.recipient === actor.id))
      .map((r) => ({ id: r.id, recipient: r.recipient, channel: r.channel, event: r.event, status: r.status, attempts: r.attempts, lastError: r.lastError }));
    return { ...order, journal: this.orders.journalOf(id), deliveries };
  }

  list(filter: OrderFilter): WorkOrder[] {
    return this.orders.list(filter);
  }

  contractorIds(): string[] {
    return [...this.contractors.keys()];
  }

  deadLetters(): DeadLetter[] {
    return this.outbox.deadLetters();
  }

  deliveryAttempts(outboxId: string): DeliveryAttempt[] {
    return this.outbox.attempts(outboxId);
  }

  retryDeadLetter(outboxId: string, actor: Actor): void {
    const row = this.outbox.get(outboxId);
    if (!row) throw new WorkOrderError('not_found', `no dead letter ${outboxId}`);
    const now = this.clock.now();
    const done = transaction(this.db, () => {
      const ok = this.outbox.retryDead(outboxId, now, actorName(actor));
      if (ok && row.orderId !== null) this.orders.journal(row.orderId, now, actorName(actor), 'dispatch_retry', null, null, `retry ${row.event} to ${row.recipient} by ${row.channel}`, { outbox: outboxId });
      return ok;
    });
    if (!done) throw new WorkOrderError('conflict', `message ${outboxId} is ${row.status}, not a dead letter`);
    this.showDeadLetters();
    this.worker.kick();
  }

  kpis(q: { from: number; to: number; groupBy: KpiGroupBy }): KpiRow[] {
    const inPeriod = this.orders.list({ createdFrom: q.from, createdTo: q.to, limit: 1_000_000 });
    const open = this.orders.list({ status: ['open', 'dispatched', 'acknowledged', 'in_progress'], limit: 1_000_000 });
    return computeKpis(inPeriod, open, q.groupBy, this.clock.now());
  }

  /** The configured contractors (no tokens, no channel secrets), for choosing whom to reassign to. */
  contractorDirectory(): Array<{ id: string; name: string; trades: string[]; kinds: string[] }> {
    return this.config.contractors.map((c) => ({ id: c.id, name: c.name, trades: [...c.trades], kinds: [...c.kinds] }));
  }

  /**
   * Contractors and routing of a reloaded config (the rest of `workOrders` needs a restart). Open
   * orders keep their contractor; new orders are routed by the new table; messages already in the
   * outbox are sent on the channels of the contractor as now configured.
   */
  reloadContractors(next: Pick<WorkOrderConfig, 'contractors' | 'routing'>): void {
    this.config = { ...this.config, contractors: next.contractors, routing: next.routing };
    this.contractors.clear();
    for (const c of next.contractors) this.contractors.set(c.id, c);
    this.auth.replace(next.contractors);
  }

  stats(): WorkOrderStats {
    return {
      open: this.orders.list({ status: ['open', 'dispatched', 'acknowledged', 'in_progress', 'resolved'], limit: 1_000_000 }).length,
      counters: this.orders.counters(),
      outbox: this.outbox.counts(),
      worker: { ...this.worker.stats },
    };
  }

  // ───────────────────────────── plumbing ─────────────────────────────

  private afterCommit(order?: { respondBy: number; fixBy: number }): void {
    // Runs inside the transaction: the kick only queues a microtask, which sees the committed rows.
    this.worker.kick();
    if (order) this.sla.note(Math.min(order.respondBy, order.fixBy));
  }

  private showDeadLetters(): void {
    if (!this.trouble) return;
    const n = this.outbox.counts().dead;
    if (n > 0) this.trouble.raise(DEAD_LETTER_TROUBLE, 'work-orders', `${n} work-order message(s) could not be delivered; see GET /api/work-orders/dead-letters`);
    else this.trouble.clear(DEAD_LETTER_TROUBLE);
  }
}
