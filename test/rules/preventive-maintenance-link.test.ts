import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../gateway/model/clock.ts';
import { preventiveMaintenanceLink } from '../../rules/wiring/preventive-maintenance-link.ts';
import type { UptimeStateInputs } from '../../rules/uptime/index.ts';
import type { WorkOrder } from '../../rules/work-orders/work-order.ts';

describe('preventive work orders → uptime ledger', () => {
  it('in progress starts planned downtime, resolved ends it; repairs of faults never count as planned', () => {
    const clock = new VirtualClock(0);
    const calls: string[] = [];
    const uptime = {
      startMaintenance: (d: string, at: number) => void calls.push(`start ${d} ${at}`),
      endMaintenance: (d: string, at: number) => void calls.push(`end ${d} ${at}`),
      reportComms: () => undefined,
    } as unknown as UptimeStateInputs;
    const orders = new Map<number, Partial<WorkOrder>>([
      [1, { id: 1, source: 'maintenance', device: 'elev-b1-1', status: 'in_progress', title: 'Half-monthly elevator maintenance' }],
      [2, { id: 2, source: 'alarm', device: 'pump-b1-1', status: 'in_progress', title: 'Pump tripped' }],
    ]);
    const link = preventiveMaintenanceLink((id) => orders.get(id) as WorkOrder | undefined, uptime, clock);
    link(1);
    link(2);
    clock.advance(7_200_000);
    orders.set(1, { ...orders.get(1), status: 'resolved' });
    link(1);
    link(99);
    expect(calls).toEqual(['start elev-b1-1 0', 'end elev-b1-1 7200000']);
  });
});
