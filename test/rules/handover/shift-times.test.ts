/** Shifts in the site's time zone: the night shift crosses midnight; DST days are 23 or 25 hours. */
import { describe, expect, it } from 'vitest';
import type { WorkOrder } from '../../../rules/work-orders/work-order.ts';
import { buildHandoverReport } from '../../../rules/handover/handover-report.ts';
import { handoverSchema } from '../../../rules/alarms/config/handover-schema.ts';
import { shiftAt, shiftOn } from '../../../rules/handover/shift-times.ts';

const { shifts } = handoverSchema.parse({});
const H = 3_600_000;

describe('shift times', () => {
  it('finds the running shift; the night shift runs from 20:00 to 08:00 the next local day', () => {
    const night = shiftAt(Date.parse('2026-03-03T02:00:00+08:00'), shifts, 'Asia/Shanghai');
    expect(night).toMatchObject({ id: 'night', date: '2026-03-02', from: Date.parse('2026-03-02T20:00:00+08:00'), to: Date.parse('2026-03-03T08:00:00+08:00') });
    expect(shiftAt(Date.parse('2026-03-03T08:00:00+08:00'), shifts, 'Asia/Shanghai')).toMatchObject({ id: 'day', date: '2026-03-03' });
    expect(shiftAt(Date.parse('2026-03-03T07:59:59+08:00'), shifts, 'Asia/Shanghai')).toMatchObject({ id: 'night', date: '2026-03-02' });
  });

  it('follows daylight saving time: the night shift of the spring change lasts 11 hours in Berlin', () => {
    const n = shiftOn({ year: 2026, month: 3, day: 28 }, 'night', shifts, 'Europe/Berlin');
    expect(n).toMatchObject({ from: Date.parse('2026-03-28T20:00:00+01:00'), to: Date.parse('2026-03-29T08:00:00+02:00') });
    expect((n?.to ?? 0) - (n?.from ?? 0)).toBe(11 * H);
  });

  it('validates the shift list: HH:MM, no two shifts at one time, every error named', () => {
    const r = handoverSchema.safeParse({ shifts: [{ id: 'a', name: { 'zh-CN': '甲', en: 'A' }, start: '7:00' }, { id: 'a', name: { 'zh-CN': '乙', en: 'B' }, start: '19:00' }, { id: 'c', name: { 'zh-CN': '丙', en: 'C' }, start: '19:00' }] });
    expect(r.success).toBe(false);
    const issues = r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues).toEqual(expect.arrayContaining([expect.stringMatching(/^shifts\.0\.start: expected a local time HH:MM/)]));
  });
});

describe('work orders in the handover report', () => {
  const order = (id: number, over: Partial<WorkOrder>): WorkOrder =>
    ({ id, title: `order ${id}`, device: 'pu-1', priority: 2, status: 'dispatched', contractor: 'acme', createdAt: 0, closedAt: null, resolvedAt: null, cancelledAt: null, fixBy: 0, ...over }) as WorkOrder;

  it('lists those opened and closed in the shift, and those past their fix deadline at its end', () => {
    const shift = { id: 'day', name: { 'zh-CN': '白班', en: 'Day' }, date: '2026-03-02', from: 100 * H, to: 112 * H };
    const report = buildHandoverReport({
      site: 's',
      timeZone: 'UTC',
      shift,
      now: 113 * H,
      journal: [],
      alarms: [],
      stateAt: () => 'normal',
      openStepsAt: () => [],
      workOrders: [
        order(1, { createdAt: 101 * H, fixBy: 130 * H }), // opened in the shift
        order(2, { createdAt: 90 * H, fixBy: 95 * H, closedAt: 105 * H, resolvedAt: 104 * H, status: 'closed' }), // closed in it (late, but done before the end)
        order(3, { createdAt: 90 * H, fixBy: 110 * H }), // overdue at the end
        order(4, { createdAt: 90 * H, fixBy: 99 * H, cancelledAt: 99.5 * H, status: 'cancelled' }), // cancelled before: nothing
      ],
      modeLog: [
        { device: 'pu-1', mode: 'in_service', by: 'a', reason: '', since: 111 * H },
        { device: 'pu-1', mode: 'maintenance', by: 'a', reason: 'seal', since: 101 * H },
        { device: 'pu-2', mode: 'maintenance', by: 'b', reason: 'motor', since: 95 * H },
      ],
      trouble: [],
    });
    expect(report.workOrders?.opened.map((w) => w.id)).toEqual([1]);
    expect(report.workOrders?.closed.map((w) => w.id)).toEqual([2]);
    expect(report.workOrders?.overdue.map((w) => w.id)).toEqual([3]);
    expect(report.maintenance.map((m) => m.device)).toEqual(['pu-2']);
  });
});
