/**
 * Who is told what about an order, through the outbox: the contractor (dispatch, withdrawal,
 * cancellation), escalation contacts (SLA breach, unrouted order, dead letter). Also the outbox's
 * hooks: an order becomes `dispatched` in the transaction that records its first delivery.
 * Every method runs inside the caller's transaction.
 */
import type { AlarmSignal } from './alarm-input.ts';
import { DeliveryError, type ChannelType } from '../dispatch/index.ts';
import type { OutboxRow, OutboxStore } from '../dispatch/index.ts';
import type { Sender } from '../dispatch/index.ts';
import type { Senders } from '../dispatch/index.ts';
import type { ChannelsConfig, ContractorConfig, WorkOrderConfig } from './work-order-schema.ts';
import type { WorkOrderStore } from './work-order-store.ts';
import type { WorkOrder } from './work-order.ts';

export function channelsOf(c: ChannelsConfig): ChannelType[] {
  const out: ChannelType[] = [];
  if (c.webhook) out.push('webhook');
  if (c.mqtt) out.push('mqtt');
  if (c.email) out.push('email');
  return out;
}

export interface NotifierDeps {
  readonly siteId: string;
  readonly config: WorkOrderConfig;
  readonly contractors: ReadonlyMap<string, ContractorConfig>;
  readonly orders: WorkOrderStore;
  readonly outbox: OutboxStore;
  readonly senders: Senders;
  /** Called (in a microtask) after a message became a dead letter. */
  readonly onDeadLetter: () => void;
}

export class WorkOrderNotifier {
  private readonly d: NotifierDeps;

  constructor(deps: NotifierDeps) {
    this.d = deps;
  }

  /** The JSON every recipient gets about an order. */
  payload(o: WorkOrder, alarm?: AlarmSignal): Record<string, unknown> {
    return {
      workOrder: {
        id: o.id,
        site: this.d.siteId,
        title: o.title,
        source: o.source,
        status: o.status,
        priority: o.priority,
        trade: o.trade,
        device: o.device,
        kind: o.kind,
        location: o.location,
        fault: o.fault,
        contractor: o.contractor,
        createdAt: o.createdAt,
        respondBy: o.respondBy,
        fixBy: o.fixBy,
        occurrences: o.occurrences,
        ...(alarm ? { alarm: { id: alarm.alarmId, rule: alarm.ruleId, message: alarm.message, priority: alarm.priority, at: alarm.at } } : {}),
      },
    };
  }

  toContractor(o: WorkOrder, contractorId: string, event: string, now: number, alarm?: AlarmSignal, note?: string): void {
    const c = this.d.contractors.get(contractorId);
    if (!c) return;
    const ids = this.d.outbox.enqueue(
      {
        orderId: o.id,
        recipientType: 'contractor',
        recipient: contractorId,
        channels: channelsOf(c.channels),
        event,
        payload: { ...this.payload({ ...o, contractor: contractorId }, alarm), ...(note ? { note } : {}) },
      },
      now,
    );
    this.d.orders.journal(o.id, now, 'system', 'queued', null, null, `${event} to ${contractorId}`, { outbox: ids, event, recipient: contractorId });
  }

  escalate(order: WorkOrder | undefined, event: string, now: number, extra: Record<string, unknown>): void {
    const contacts = this.d.config.escalation.contacts.filter((c) => order === undefined || c.priorities.includes(order.priority));
    for (const contact of contacts) {
      this.d.outbox.enqueue(
        { orderId: order?.id ?? null, recipientType: 'contact', recipient: contact.id, channels: channelsOf(contact.channels), event, payload: { ...(order ? this.payload(order) : {}), ...extra } },
        now,
      );
    }
    this.d.orders.bump('escalations');
    if (order) this.d.orders.journal(order.id, now, 'system', 'escalated', null, null, `${event} to ${contacts.map((c) => c.id).join(', ') || 'nobody (no escalation contact configured)'}`, { ...extra, event, recipients: contacts.map((c) => c.id) });
  }

  // ── outbox hooks ──

  senderFor(row: OutboxRow): Sender | DeliveryError {
    const channels =
      row.recipientType === 'contractor' ? this.d.contractors.get(row.recipient)?.channels : this.d.config.escalation.contacts.find((c) => c.id === row.recipient)?.channels;
    if (!channels) return new DeliveryError(`${row.recipientType} "${row.recipient}" is no longer configured`, undefined, false);
    return this.d.senders.senderFor(row.channel, channels);
  }

  subjectOf(row: OutboxRow): string {
    const wo = (JSON.parse(row.body) as { workOrder?: { id: number; title: string; priority: number } }).workOrder;
    return wo ? `[${this.d.siteId}] P${wo.priority} work order ${wo.id}: ${wo.title} (${row.event})` : `[${this.d.siteId}] ${row.event}`;
  }

  delivered(row: OutboxRow, at: number): void {
    if (row.orderId === null || row.recipientType !== 'contractor' || row.event !== 'work_order.dispatch') return;
    const order = this.d.orders.get(row.orderId);
    if (!order || order.contractor !== row.recipient) return;
    const note = `delivered to ${row.recipient} by ${row.channel}`;
    if (order.status === 'open') {
      this.d.orders.update(order.id, { status: 'dispatched', dispatched_at: at, updated_at: at });
      this.d.orders.journal(order.id, at, 'system', 'dispatch', 'open', 'dispatched', note, { outbox: row.id, recipient: row.recipient, channel: row.channel });
    } else {
      this.d.orders.journal(order.id, at, 'system', 'delivered', order.status, order.status, note, { outbox: row.id, recipient: row.recipient, channel: row.channel });
    }
  }

  deadLetter(row: OutboxRow, reason: string, at: number): void {
    this.d.orders.bump('dead_letters');
    queueMicrotask(this.d.onDeadLetter);
    const order = row.orderId !== null ? this.d.orders.get(row.orderId) : undefined;
    if (order) this.d.orders.journal(order.id, at, 'system', 'dead_letter', order.status, order.status, `${row.event} to ${row.recipient} by ${row.channel}: ${reason}`, { outbox: row.id, event: row.event, recipient: row.recipient, channel: row.channel, reason });
    // An escalation that cannot be delivered is not escalated again (no loops); it stays visible as a dead letter.
    if (row.recipientType === 'contact') return;
    this.escalate(order, 'dispatch.dead_letter', at, { deadLetter: { id: row.id, recipient: row.recipient, channel: row.channel, event: row.event, reason } });
  }
}
