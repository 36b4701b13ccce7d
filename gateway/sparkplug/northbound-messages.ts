/**
 * What the edge node sends besides telemetry, as outbox messages with stable ids: alarm journal
 * rows, work-order events, the site's availability; and what it does with a central acknowledgement.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { HistoryRow } from '../../rules/alarms/index.ts';
import type { WorkOrder } from '../../rules/work-orders/index.ts';
import { alarmSummary, NODE_METRIC, orderSummary, type EdgeAlarms, type EdgeNodeOptions, type SiteAvailability } from './edge-node-contract.ts';
import { decodePayload, type DecodedMetric } from './sparkplug-codec.ts';
import type { SpMetric } from './sparkplug-metrics.ts';
import type { OutboxMessage } from './sparkplug-outbox.ts';

const OPEN_ORDER_STATES: readonly WorkOrder['status'][] = ['open', 'dispatched', 'acknowledged', 'in_progress', 'resolved'];

/** NBIRTH's metrics: bdSeq, rebirth, the event metrics (null), the open alarms and orders now, the availability. */
export function nodeBirthMetrics(o: Pick<EdgeNodeOptions, 'alarms' | 'workOrders' | 'availability' | 'log'>, bdSeq: number, now: number): SpMetric[] {
  return [
    { name: NODE_METRIC.bdSeq, type: 'Int64', value: bdSeq, timestamp: now },
    { name: NODE_METRIC.rebirth, type: 'Boolean', value: false, timestamp: now },
    { name: NODE_METRIC.alarmTransition, type: 'String', value: null, timestamp: now },
    { name: NODE_METRIC.alarmAcknowledge, type: 'String', value: null, timestamp: now },
    { name: NODE_METRIC.alarmsOpen, type: 'String', value: JSON.stringify((o.alarms?.active() ?? []).map((a) => alarmSummary(a))), timestamp: now },
    ...(o.alarms
      ? [
          { name: NODE_METRIC.journalSeq, type: 'Int64' as const, value: o.alarms.searchJournal({}, 0, 1).rows[0]?.seq ?? null, timestamp: now },
          { name: NODE_METRIC.journalReplay, type: 'Int64' as const, value: null, timestamp: now },
          { name: NODE_METRIC.journalReplayTo, type: 'Int64' as const, value: null, timestamp: now },
        ]
      : []),
    { name: NODE_METRIC.workOrderEvent, type: 'String', value: null, timestamp: now },
    {
      name: NODE_METRIC.workOrdersOpen,
      type: 'String',
      value: JSON.stringify((o.workOrders?.list({ status: OPEN_ORDER_STATES }) ?? []).map((w) => orderSummary(w, now))),
      timestamp: now,
    },
    ...(o.availability ? [availabilityMetric(o.availability, now, o.log)] : []),
  ];
}

export interface JournalCursor {
  readonly seq: number;
  readonly at: number;
}

/** Journal rows past the cursor as urgent messages (id `<node>:alarm-journal:<seq>`), and the new cursor. */
export function journalMessages(alarms: EdgeAlarms, nodeId: string, cursor: JournalCursor): { messages: OutboxMessage[]; last: JournalCursor } {
  const messages: OutboxMessage[] = [];
  let last = cursor;
  // a minute of margin for a clock stepped back between two rows; rows are told apart by seq
  for (const row of alarms.iterateJournal({ from: cursor.at - 60_000 })) {
    if (row.seq <= cursor.seq) continue;
    messages.push(journalRowMessage(alarms, nodeId, row));
    if (row.seq > last.seq) last = { seq: row.seq, at: Math.max(last.at, row.at) };
  }
  return { messages, last };
}

/**
 * NCMD `Alarm/Journal Replay`: the rows `from`..`upTo` (the export cursor: later rows are exported
 * anyway) again, with the ids they were first sent with, so the centre's upsert keeps one of each.
 */
export function journalReplayMessages(alarms: EdgeAlarms, nodeId: string, from: number, upTo: number): OutboxMessage[] {
  const messages: OutboxMessage[] = [];
  for (const row of alarms.iterateJournal({})) {
    if (row.seq > upTo) break; // in seq order
    if (row.seq >= from) messages.push(journalRowMessage(alarms, nodeId, row));
  }
  return messages;
}

function journalRowMessage(alarms: EdgeAlarms, nodeId: string, row: HistoryRow): OutboxMessage {
  const alarm = alarms.get(row.alarmId);
  const id = `${nodeId}:alarm-journal:${row.seq}`;
  const value = JSON.stringify({
    id,
    seq: row.seq,
    alarmId: row.alarmId,
    type: row.type,
    fromState: row.fromState,
    toState: row.toState,
    at: row.at,
    by: row.by,
    text: row.text,
    rule: row.rule,
    title: row.title,
    device: row.device,
    kind: row.kind,
    building: row.building,
    floor: row.floor,
    priority: row.priority,
    lifeSafety: alarm?.lifeSafety ?? false,
  });
  return { id, lane: 'urgent', metrics: [{ name: NODE_METRIC.alarmTransition, type: 'String', value, timestamp: row.at }], createdAt: row.at };
}

/** A work-order change as an urgent message (id `<node>:work-order:<order>:<updatedAt>`). */
export function workOrderMessage(order: WorkOrder, nodeId: string, now: number): OutboxMessage {
  const id = `${nodeId}:work-order:${order.id}:${order.updatedAt}`;
  const value = JSON.stringify({ ...orderSummary(order, now), id });
  return { id, lane: 'urgent', metrics: [{ name: NODE_METRIC.workOrderEvent, type: 'String', value, timestamp: order.updatedAt }], createdAt: now };
}

/** The availability as a telemetry-lane message (a fresh id: each report is its own). */
export function availabilityMessage(source: (() => SiteAvailability) | undefined, now: number, log: Logger): OutboxMessage {
  return { id: randomUUID(), lane: 'telemetry', metrics: [availabilityMetric(source, now, log)], createdAt: now };
}

/** The month-to-date availability metric: a percentage, or null with why. */
export function availabilityMetric(source: (() => SiteAvailability) | undefined, now: number, log: Logger): SpMetric {
  let a: SiteAvailability | undefined;
  try {
    a = source?.();
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'site availability not computed');
  }
  const pct = a?.pct ?? null;
  return {
    name: NODE_METRIC.availability,
    type: 'Double',
    value: pct === null ? null : Math.round(pct * 1000) / 1000,
    timestamp: now,
    quality: pct === null ? 'uncertain' : 'good',
    ...(pct === null ? { reason: a ? 'no monitored time yet this month' : 'uptime ledger unavailable' } : {}),
    unit: '%',
  };
}

/** The metrics of an NCMD payload (none, logged, when it is not a Sparkplug B payload). */
export function commandMetrics(payload: Buffer, log: Logger): readonly DecodedMetric[] {
  try {
    return decodePayload(payload).metrics ?? [];
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'sparkplug NCMD is not a Sparkplug B payload; ignored');
    return [];
  }
}

/** NCMD `Alarm/Acknowledge` (JSON `{ alarmId, by, ackId }`): acknowledge at the site as `central:<by>`. */
export function centralAck(alarms: EdgeAlarms | undefined, body: string, log: Logger): void {
  let ack: { alarmId?: unknown; by?: unknown; ackId?: unknown };
  try {
    ack = JSON.parse(body) as typeof ack;
  } catch {
    log.warn('sparkplug Alarm/Acknowledge is not JSON { alarmId, by, ackId }; ignored');
    return;
  }
  if (!alarms || typeof ack.alarmId !== 'string' || typeof ack.by !== 'string') {
    log.warn('sparkplug Alarm/Acknowledge lacks alarmId or by; ignored');
    return;
  }
  try {
    alarms.acknowledge(ack.alarmId, `central:${ack.by}`, `acknowledged at the operations centre${typeof ack.ackId === 'string' ? ` (${ack.ackId})` : ''}`);
    log.info({ alarm: ack.alarmId, by: ack.by }, 'alarm acknowledged by the operations centre');
  } catch (err) {
    // already acknowledged or unknown: the journal export tells the centre where the alarm stands
    log.info({ alarm: ack.alarmId, err: (err as Error).message }, 'central acknowledgement not applied');
  }
}
