import { describe, expect, it } from 'vitest';
import { lastDays, localDate, rangeQuery } from '../../dashboard/src/uptime.ts';
import { fixState, respondState, type WorkOrder } from '../../dashboard/src/work-orders.ts';

const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);
const MIN = 60_000;

function order(over: Partial<WorkOrder>): WorkOrder {
  return {
    id: 1,
    source: 'alarm',
    device: 'pump-b1-1',
    kind: 'pump',
    location: { site: 'demo', building: 'b1', floor: 'B1' },
    fault: 'pump.trip',
    trade: 'plumbing',
    priority: 2,
    title: 'Pump tripped',
    contractor: 'pump-co',
    status: 'dispatched',
    createdAt: T0,
    createdBy: 'alarm:x',
    updatedAt: T0,
    respondBy: T0 + 30 * MIN,
    fixBy: T0 + 24 * 60 * MIN,
    dispatchedAt: T0,
    acknowledgedAt: null,
    startedAt: null,
    resolvedAt: null,
    closedAt: null,
    cancelledAt: null,
    respondBreachedAt: null,
    fixBreachedAt: null,
    occurrences: 1,
    lastOccurrenceAt: T0,
    alarmIds: ['x'],
    alarmActive: true,
    alarmClearedAt: null,
    ...over,
  };
}

describe('work order deadline marking on the board', () => {
  it('respond: pending before the deadline, breached after it while unanswered, met when acknowledged in time', () => {
    expect(respondState(order({}), T0 + 29 * MIN)).toBe('pending');
    expect(respondState(order({}), T0 + 31 * MIN)).toBe('breached');
    expect(respondState(order({ status: 'acknowledged', acknowledgedAt: T0 + 10 * MIN }), T0 + 60 * MIN)).toBe('met');
    expect(respondState(order({ status: 'in_progress', startedAt: T0 + 40 * MIN }), T0 + 60 * MIN)).toBe('breached');
  });

  it('a breach the gateway recorded stays marked, whatever happened later', () => {
    expect(respondState(order({ respondBreachedAt: T0 + 30 * MIN, status: 'acknowledged', acknowledgedAt: T0 + 31 * MIN }), T0)).toBe('breached');
    expect(fixState(order({ fixBreachedAt: T0 + 24 * 60 * MIN, status: 'closed', resolvedAt: T0 + 25 * 60 * MIN }), T0)).toBe('breached');
  });

  it('fix: met when resolved in time, breached when late or overdue, not judged for a cancelled order', () => {
    expect(fixState(order({ status: 'resolved', resolvedAt: T0 + 60 * MIN }), T0 + 30 * 60 * MIN)).toBe('met');
    expect(fixState(order({ status: 'closed', resolvedAt: T0 + 25 * 60 * MIN }), T0 + 30 * 60 * MIN)).toBe('breached');
    expect(fixState(order({ status: 'in_progress' }), T0 + 25 * 60 * MIN)).toBe('breached');
    expect(fixState(order({ status: 'in_progress' }), T0 + 23 * 60 * MIN)).toBe('pending');
    expect(fixState(order({ status: 'cancelled', cancelledAt: T0 + MIN }), T0 + 30 * 60 * MIN)).toBe('met');
  });
});

describe('uptime page ranges', () => {
  it('local calendar days in the site time zone, oldest first, ending today', () => {
    // 2026-11-23 02:00 UTC is 10:00 in Shanghai and still the 22nd in Los Angeles
    expect(localDate(T0, 'Asia/Shanghai')).toBe('2026-11-23');
    expect(localDate(T0, 'America/Los_Angeles')).toBe('2026-11-22');
    const days = lastDays(30, T0, 'Asia/Shanghai');
    expect(days).toHaveLength(30);
    expect(days[0]).toBe('2026-10-25');
    expect(days.at(-1)).toBe('2026-11-23');
  });

  it('query strings for the report API', () => {
    expect(rangeQuery('thisMonth', T0)).toBe('period=month');
    expect(rangeQuery('today', T0)).toBe('period=day');
    expect(rangeQuery('last30d', T0)).toBe(`from=${T0 - 30 * 86_400_000}&to=${T0}`);
  });
});
