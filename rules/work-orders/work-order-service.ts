/**
 * Work orders: created from alarm signals, by operators and by maintenance schedules; one open
 * order per (device, fault); every transition journaled in the transaction that makes it; SLA
 * deadlines stored on the order and watched by one Clock timer re-armed from the database;
 * messages to contractors and escalation contacts go through the durable outbox.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { EmbeddedBrokerAccess } from '../../gateway/platform/broker-access.ts';
import type { Logger } from 'pino';
import type { Clock } from '../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../gateway/model/device.ts';
import { checkAlarmSignal, type AlarmSignal, type Priority } from './alarm-input.ts';
import { ContractorAuth } from './contractor-token.ts';
import { SlaWatch } from './sla-watch.ts';
import { WorkOrderNotifier } from './work-order-notifier.ts';
import { createSenders, OutboxStore, OutboxWorker, type ChannelType, type DeadLetter, type DeliveryAttempt, type Senders } from '../dispatch/index.ts';
import { MaintenanceScheduler } from './maintenance-scheduler.ts';
import { OrderIntake } from './order-intake.ts';
import { workOrderChannels } from './work-order-channels.ts';
import { OrderActions } from './order-actions.ts';
import { openWorkOrderDb, transaction } from './work-order-db.ts';
import { OrderAttachments, type Attachment, type ImageType } from './work-order-attachments.ts';
import { computeKpis, type KpiGroupBy, type KpiRow } from './work-order-kpis.ts';
import type { ContractorConfig, WorkOrderConfig } from './work-order-schema.ts';
import { WorkOrderStore, type OrderFilter } from './work-order-store.ts';
import {
  actorName,
  WorkOrderError,
  type Actor,
  type JournalEntry,
  type WorkOrder,
  type WorkOrderStatus,
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

export type { AlarmOutcome } from './order-intake.ts';
import type { AlarmOutcome } from './order-intake.ts';

export interface ManualOrderInput {
  /** The device, or for an order about a place (a resident's request) `place:<building>`, with `place` set. */
  readonly device: string;
  /** An order about a place rather than a device (resident requests): its building and floor. */
  readonly place?: { readonly building: string; readonly floor?: string };
  /** Deadlines other than the priority's (a resident request's SLA class). */
  readonly sla?: { readonly respond: number; readonly fix: number };
  readonly trade: string;
  readonly priority: Priority;
  readonly title: string;
  readonly contractor?: string;
  readonly fault?: string;
}

export interface WorkOrderDetail extends WorkOrder {
  readonly journal: readonly JournalEntry[];
  /** Photos and signatures stored with the order (their bytes: `attachment`). */
  readonly attachments: readonly Attachment[];
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


/** The statuses `stats().open` counts: every order not yet closed or cancelled. */
const NOT_CLOSED: readonly WorkOrderStatus[] = ['open', 'dispatched', 'acknowledged', 'in_progress', 'resolved'];

export class WorkOrderService {
  private readonly config: WorkOrderConfig;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly site: { readonly id: string; readonly timezone: string };
  private readonly devices: () => readonly DeviceInfo[];
  private readonly db: DatabaseSync;
  private readonly orders: WorkOrderStore;
  private readonly files: OrderAttachments;
  private readonly outbox: OutboxStore;
  private readonly worker: OutboxWorker;
  private readonly senders: Senders;
  private readonly sla: SlaWatch;
  private readonly notifier: WorkOrderNotifier;
  private readonly maintenance: MaintenanceScheduler;
  private readonly intake: OrderIntake;
  private readonly actions: OrderActions;
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
    this.files = new OrderAttachments(this.db, this.orders, this.clock);
    this.outbox = new OutboxStore(this.db, ['contractor', 'contact']); // on-call rows belong to the escalation worker
    this.contractors = new Map(this.config.contractors.map((c) => [c.id, c]));
    this.auth = new ContractorAuth(this.config.contractors);
    this.senders = createSenders({ clock: this.clock, log: this.log, ...workOrderChannels(this.config, this.site.id, options) });
    this.notifier = new WorkOrderNotifier({
      siteId: this.site.id,
      config: this.config,
      contractors: this.contractors,
      orders: this.orders,
      outbox: this.outbox,
      senders: this.senders,
      onDeadLetter: () => this.showDeadLetters(),
    });
    this.intake = new OrderIntake({
      db: this.db,
      orders: this.orders,
      config: this.config,
      notifier: this.notifier,
      clock: this.clock,
      alarmActive: (id) => this.alarmActive?.(id),
      afterCommit: (order) => this.afterCommit(order),
    });
    this.actions = new OrderActions({
      db: this.db,
      orders: this.orders,
      outbox: this.outbox,
      config: this.config,
      contractors: this.contractors,
      notifier: this.notifier,
      clock: this.clock,
      devices: this.devices,
      siteId: this.site.id,
      alarmActive: this.alarmActive,
      intake: this.intake,
      afterCommit: (order) => this.afterCommit(order),
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
      run: (schedule, at) => this.runSchedule(schedule, at),
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
    const open = this.orders.countByStatus(NOT_CLOSED);
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
      return this.intake.applySignal(signal);
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

  // ───────────────────────────── operator and contractor actions (order-actions.ts) ─────────────────────────────
  create(input: ManualOrderInput, actor: Actor): WorkOrder {
    return this.actions.create(input, actor);
  }

  acknowledge(id: number, actor: Actor, note?: string): WorkOrder {
    return this.actions.acknowledge(id, actor, note);
  }

  startWork(id: number, actor: Actor, note?: string): WorkOrder {
    return this.actions.startWork(id, actor, note);
  }

  /** Report the fault fixed; a signature (PNG bytes) is stored with the order in the same transaction. */
  resolve(id: number, actor: Actor, note?: string, signature?: Uint8Array): WorkOrder {
    return this.actions.resolve(id, actor, note, signature ? this.files.signer(actor, signature) : undefined);
  }

  /** Store a photo with one of the actor's orders (work-order-attachments.ts: type by bytes, size caps). */
  addPhoto(id: number, actor: Actor, bytes: Uint8Array): Attachment {
    return this.files.addPhoto(this.actions.require(id, actor), actor, bytes);
  }

  /** The bytes of a photo or signature of an order (a contractor: only of its own orders). */
  attachment(id: number, attachmentId: number, actor?: Actor): { readonly mime: ImageType; readonly bytes: Uint8Array } {
    return this.files.content(this.actions.require(id, actor).id, attachmentId);
  }

  close(id: number, actor: Actor, note?: string, override?: { readonly by: string; readonly reason: string }): WorkOrder {
    return this.actions.close(id, actor, note, override);
  }

  cancel(id: number, actor: Actor, reason: string): WorkOrder {
    return this.actions.cancel(id, actor, reason);
  }

  reopen(id: number, actor: Actor, reason: string): WorkOrder {
    return this.actions.reopen(id, actor, reason);
  }

  reassign(id: number, contractor: string, actor: Actor, note?: string): WorkOrder {
    return this.actions.reassign(id, contractor, actor, note);
  }

  addNote(id: number, actor: Actor, note: string): WorkOrder {
    return this.actions.addNote(id, actor, note);
  }

  // ───────────────────────────── reads ─────────────────────────────

  get(id: number, actor?: Actor): WorkOrderDetail {
    const order = this.actions.require(id, actor);
    const deliveries = this.outbox
      .list({ orderId: id })
      .filter((r) => actor?.type !== 'contractor' || (r.recipientType === 'contractor' && r.recipient === actor.id))
      .map((r) => ({ id: r.id, recipient: r.recipient, channel: r.channel, event: r.event, status: r.status, attempts: r.attempts, lastError: r.lastError }));
    return { ...order, journal: this.orders.journalOf(id), attachments: this.files.list(id), deliveries };
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
    if (!row) throw new WorkOrderError('NOT_FOUND', `no dead letter ${outboxId}`);
    const now = this.clock.now();
    const done = transaction(this.db, () => {
      const ok = this.outbox.retryDead(outboxId, now, actorName(actor));
      if (ok && row.orderId !== null) this.orders.journal(row.orderId, now, actorName(actor), 'dispatch_retry', null, null, `retry ${row.event} to ${row.recipient} by ${row.channel}`, { outbox: outboxId, event: row.event, recipient: row.recipient, channel: row.channel });
      return ok;
    });
    if (!done) throw new WorkOrderError('CONFLICT', `message ${outboxId} is ${row.status}, not a dead letter`);
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

  reloadContractors(cs: WorkOrderConfig['contractors']): void { this.contractors.clear(); for (const c of cs) this.contractors.set(c.id, c); this.auth.replace(cs); } // config reload (config.contractors and routing are replaced in place by the caller)
  stats(): WorkOrderStats {
    return {
      open: this.orders.countByStatus(NOT_CLOSED),
      counters: this.orders.counters(),
      outbox: this.outbox.counts(),
      worker: { ...this.worker.stats },
    };
  }

  // ───────────────────────────── plumbing ─────────────────────────────

  /** A maintenance schedule came due: one order (or a recurrence) per device it covers. */
  private runSchedule(schedule: WorkOrderConfig['maintenance'][number], at: number): number {
    const targets = this.devices().filter((d) => (schedule.devices ? schedule.devices.includes(d.id) : d.kind === schedule.kind));
    for (const device of targets) {
      this.intake.createOrAppend({
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
  }

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
