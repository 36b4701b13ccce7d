/**
 * Preventive maintenance orders are planned downtime for the uptime ledger: from the moment the
 * contractor starts work (in progress) until the order is resolved, closed or cancelled. Repairs of
 * faults (orders from alarms, manual orders) are not: their time stays unplanned downtime.
 */
import type { Clock } from '../../gateway/model/clock.ts';
import type { UptimeStateInputs } from '../uptime/index.ts';
import type { WorkOrder } from '../work-orders/index.ts';

const ENDS: ReadonlySet<WorkOrder['status']> = new Set(['resolved', 'closed', 'cancelled']);

export function preventiveMaintenanceLink(getOrder: (id: number) => WorkOrder | undefined, uptime: UptimeStateInputs, clock: Clock): (orderId: number) => void {
  return (orderId) => {
    const order = getOrder(orderId);
    if (!order || order.source !== 'maintenance' || order.device === null) return;
    if (order.status === 'in_progress') uptime.startMaintenance(order.device, clock.now(), `preventive work order ${order.id}: ${order.title}`);
    else if (ENDS.has(order.status)) uptime.endMaintenance(order.device, clock.now());
  };
}
