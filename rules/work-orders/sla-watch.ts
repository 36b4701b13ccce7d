/**
 * SLA deadlines: stored on the order, judged by one Clock timer aimed at the earliest deadline still
 * open (re-armed from the database at start, so a restart loses none). A breach marks the order,
 * is journaled and counted, and escalates — all in one transaction.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { Clock } from '../../gateway/model/clock.ts';
import { DeadlineTimer } from './deadline-timer.ts';
import { transaction } from './work-order-db.ts';
import type { WorkOrderNotifier } from './work-order-notifier.ts';
import type { WorkOrderStore } from './work-order-store.ts';
import { UNACKNOWLEDGED, type WorkOrder } from './work-order.ts';

export interface SlaWatchDeps {
  readonly db: DatabaseSync;
  readonly orders: WorkOrderStore;
  readonly notifier: WorkOrderNotifier;
  readonly clock: Clock;
  readonly log: Logger;
  /** Called after a breach queued escalations. */
  readonly onBreach: () => void;
}

export class SlaWatch {
  private readonly d: SlaWatchDeps;
  private readonly timer: DeadlineTimer;
  private started = false;

  constructor(deps: SlaWatchDeps) {
    this.d = deps;
    this.timer = new DeadlineTimer(deps.clock, () => this.check());
  }

  start(): void {
    this.started = true;
    this.check();
  }

  stop(): void {
    this.started = false;
    this.timer.cancel();
  }

  /** A new or moved deadline: pull the timer in if it is earlier (a stale one just finds nothing due). */
  note(at: number): void {
    if (!this.started) return;
    const armed = this.timer.armedFor;
    if (armed === undefined || at < armed) this.timer.armAt(at);
  }

  /** Judge every deadline that is due, then aim the timer at the next. */
  check(): void {
    const { orders, clock, log } = this.d;
    const now = clock.now();
    let next: number | undefined;
    try {
      for (const o of orders.dueDeadlines(now)) {
        if (o.acknowledgedAt === null && o.respondBreachedAt === null && UNACKNOWLEDGED.includes(o.status) && now >= o.respondBy) this.breach(o, 'respond', now);
        if (o.resolvedAt === null && o.fixBreachedAt === null && now >= o.fixBy) this.breach(orders.get(o.id) as WorkOrder, 'fix', now);
      }
      next = orders.nextDeadline();
    } catch (err) {
      log.error({ err }, 'work orders: checking SLA deadlines failed; retrying in 1 min');
      next = now + 60_000;
    }
    if (this.started) this.timer.armAt(next);
  }

  private breach(order: WorkOrder, which: 'respond' | 'fix', now: number): void {
    const { db, orders, notifier, log } = this.d;
    const deadline = which === 'respond' ? order.respondBy : order.fixBy;
    transaction(db, () => {
      orders.update(order.id, which === 'respond' ? { respond_breached_at: now } : { fix_breached_at: now });
      orders.journal(order.id, now, 'system', `sla_${which}_breached`, order.status, order.status, `${which} deadline ${new Date(deadline).toISOString()} passed`, { deadline });
      orders.bump(`sla_${which}_breaches`);
      notifier.escalate(order, 'work_order.sla_breached', now, { breach: which, deadline });
    });
    log.warn({ order: order.id, contractor: order.contractor, breach: which, priority: order.priority }, `SLA ${which} deadline breached on work order ${order.id}`);
    this.d.onBreach();
  }
}
