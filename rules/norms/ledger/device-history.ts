/**
 * A device's full history on one page: its asset record and attachments, alarms, work orders with
 * parts, cost and labour, inspection results, and availability per month (12 months to `now`).
 */
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import { localMonthOf, monthLabel, monthRange } from '../../../gateway/platform/zoned-time.ts';
import type { WorkOrder } from '../../work-orders/index.ts';
import type { ItemResult } from '../inspections/index.ts';
import type { AvailabilityInput, Range } from '../norms-report/index.ts';
import type { Asset, Attachment, OrderCost } from './asset-model.ts';

export interface AlarmSummary {
  readonly id: string;
  readonly title: string;
  readonly priority: number;
  readonly state: string;
  readonly raisedAt: number;
  readonly clearedAt: number | null;
}

export interface DeviceHistory {
  readonly device: DeviceInfo;
  readonly asset: Asset;
  readonly attachments: readonly Attachment[];
  readonly alarms: readonly AlarmSummary[];
  readonly orders: ReadonlyArray<WorkOrder & { readonly cost: OrderCost | null }>;
  readonly inspections: readonly ItemResult[];
  readonly availability: ReadonlyArray<{ readonly month: string; readonly pct: number | null; readonly targetPct: number | null }>;
  readonly totals: { readonly orders: number; readonly cost: number; readonly labourMinutes: number; readonly alarms: number; readonly failedItems: number };
}

export interface HistorySources {
  readonly asset: (device: string) => Asset;
  readonly attachments: (device: string) => Attachment[];
  readonly alarms: (device: string, from: number, to: number) => AlarmSummary[];
  readonly orders: (device: string) => WorkOrder[];
  readonly cost: (orderId: number) => OrderCost | undefined;
  readonly inspections: (device: string, from: number, to: number) => ItemResult[];
  readonly availability: (range: Range) => AvailabilityInput | null;
}

export function deviceHistory(device: DeviceInfo, s: HistorySources, now: number, timeZone: string): DeviceHistory {
  const months: Array<{ year: number; month: number }> = [localMonthOf(now, timeZone)];
  while (months.length < 12) {
    const first = months[0] as { year: number; month: number };
    months.unshift(first.month === 1 ? { year: first.year - 1, month: 12 } : { year: first.year, month: first.month - 1 });
  }
  const first = months[0] as { year: number; month: number };
  const from = monthRange(first.year, first.month, timeZone).from;
  const availability = months.map((m) => {
    const range = monthRange(m.year, m.month, timeZone);
    const d = s.availability(range)?.devices.find((x) => x.device === device.id);
    return { month: monthLabel(m.year, m.month), pct: d?.pct ?? null, targetPct: d?.targetPct ?? null };
  });
  const orders = s.orders(device.id).map((o) => ({ ...o, cost: s.cost(o.id) ?? null }));
  const alarms = s.alarms(device.id, from, now);
  const inspections = s.inspections(device.id, from, now + 1);
  return {
    device,
    asset: s.asset(device.id),
    attachments: s.attachments(device.id),
    alarms,
    orders,
    inspections,
    availability,
    totals: {
      orders: orders.length,
      cost: Math.round(orders.reduce((sum, o) => sum + (o.cost?.cost ?? 0), 0) * 100) / 100,
      labourMinutes: orders.reduce((sum, o) => sum + (o.cost?.labourMinutes ?? 0), 0),
      alarms: alarms.length,
      failedItems: inspections.filter((i) => i.result === 'fail').length,
    },
  };
}
