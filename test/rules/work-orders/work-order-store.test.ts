/** WorkOrderStore counts orders by status in SQL (WorkOrderService.stats().open reads no rows). */
import { describe, expect, it } from 'vitest';
import { openWorkOrderDb } from '../../../rules/work-orders/work-order-db.ts';
import { WorkOrderStore, type NewOrder } from '../../../rules/work-orders/work-order-store.ts';

function order(n: number): NewOrder {
  return {
    source: 'manual',
    device: `pump-${n}`,
    kind: 'pump',
    location: { site: 'demo', building: 'b1', floor: 'B1' },
    fault: null,
    trade: 'pumps',
    priority: 3,
    title: `check pump ${n}`,
    contractor: null,
    createdAt: 1_000 + n,
    createdBy: 'user:alice',
    respondBy: 10_000,
    fixBy: 20_000,
    alarmIds: [],
    alarmActive: false,
  };
}

describe('WorkOrderStore.countByStatus', () => {
  it('counts the orders in the given statuses, as the list would, and nothing for no status', () => {
    const db = openWorkOrderDb(':memory:');
    try {
      const store = new WorkOrderStore(db);
      const ids = [1, 2, 3, 4, 5].map((n) => store.insert(order(n)));
      store.update(ids[0]!, { status: 'closed' });
      store.update(ids[1]!, { status: 'in_progress' });
      store.update(ids[2]!, { status: 'cancelled' });
      const notClosed = ['open', 'dispatched', 'acknowledged', 'in_progress', 'resolved'] as const;
      expect(store.countByStatus(notClosed)).toBe(3);
      expect(store.countByStatus(notClosed)).toBe(store.list({ status: notClosed }).length);
      expect(store.countByStatus(['closed', 'cancelled'])).toBe(2);
      expect(store.countByStatus([])).toBe(0);
    } finally {
      db.close();
    }
  });
});
