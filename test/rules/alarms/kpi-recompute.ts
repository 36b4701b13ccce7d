/**
 * An independent recomputation of the alarm KPIs (rules/alarms/alarm-kpis.ts) from the raw journal
 * rows in SQLite, with plain loops, and the comparison of a report with it (alarm-kpis.test.ts,
 * test/e2e/month-of-operation.test.ts, the KPI page over the month in test/integration/dashboard/).
 */
import { DatabaseSync } from 'node:sqlite';
import { expect } from 'vitest';
import type { AlarmKpis } from '../../../rules/alarms/alarm-kpis.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

interface Raw {
  seq: number;
  alarm_id: string;
  at: number;
  type: string;
  to_state: string;
  rule: string;
  device: string;
  building: string;
  priority: number;
}

/** The independent recomputation: plain loops over the raw rows. */
export function recomputeKpis(dbFile: string, from: number, to: number, building?: string) {
  const db = new DatabaseSync(dbFile, { readOnly: true });
  const all = db
    .prepare('SELECT j.seq, j.alarm_id, j.at, j.type, j.to_state, i.rule, i.device, i.building, i.priority FROM alarm_journal j JOIN alarm_instances i ON i.id = j.alarm_id ORDER BY j.seq')
    .all() as unknown as Raw[];
  db.close();
  const rows = all.filter((r) => building === undefined || r.building === building);
  const inRange = rows.filter((r) => r.at >= from && r.at < to);
  const raised = inRange.filter((r) => r.type === 'raised');
  const n = raised.length;
  const windows = Math.ceil((to - from) / (10 * MIN));
  const buckets = new Map<number, number>();
  for (const r of raised) buckets.set(Math.floor((r.at - from) / (10 * MIN)), (buckets.get(Math.floor((r.at - from) / (10 * MIN))) ?? 0) + 1);
  const counts = new Map<string, number>();
  for (const r of raised) counts.set(`${r.rule} ${r.device}`, (counts.get(`${r.rule} ${r.device}`) ?? 0) + 1);
  const top = [...counts.values()].sort((a, b) => b - a).slice(0, 10).reduce((s, c) => s + c, 0);
  let fleeting = 0;
  for (const r of raised) {
    const next = rows.find((x) => x.alarm_id === r.alarm_id && x.seq > r.seq && (x.type === 'cleared' || x.type === 'raised'));
    if (next?.type === 'cleared' && next.at - r.at < MIN) fleeting++;
  }
  const acks: Record<number, number[]> = { 1: [], 2: [], 3: [], 4: [] };
  for (const a of inRange.filter((r) => r.type === 'acknowledged')) {
    const raise = rows.filter((x) => x.alarm_id === a.alarm_id && x.seq < a.seq && x.type === 'raised').pop();
    if (raise) acks[a.priority]?.push(a.at - raise.at);
  }
  const nearestRank = (v: number[], p: number) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length === 0 ? null : (s[Math.ceil((p / 100) * s.length) - 1] as number);
  };
  const ids = [...new Set(rows.map((r) => r.alarm_id))];
  const standing = ids.filter((id) => {
    const mine = rows.filter((r) => r.alarm_id === id && r.at < to);
    const last = mine[mine.length - 1];
    return last !== undefined && ['active-unack', 'active-ack'].includes(last.to_state) && (mine[0] as Raw).at <= to - 24 * HOUR;
  }).length;
  const byP = (p: number[]) => raised.filter((r) => p.includes(r.priority)).length / n;
  return {
    alarms: n,
    perTen: n / windows,
    floodShare: [...buckets.values()].filter((c) => c > 10).length / windows,
    peak: Math.max(0, ...buckets.values()),
    topShare: top / n,
    chattering: new Set(inRange.filter((r) => r.type === 'chattering').map((r) => r.alarm_id)).size,
    fleeting,
    standing,
    shelved: inRange.filter((r) => r.type === 'shelved').length,
    suppressed: inRange.filter((r) => r.type === 'suppressed' || r.type === 'grouped').length,
    high: byP([1]),
    medium: byP([2]),
    low: byP([3, 4]),
    ack: Object.fromEntries([1, 2, 3, 4].map((p) => [p, { count: acks[p]?.length ?? 0, p50: nearestRank(acks[p] ?? [], 50), p90: nearestRank(acks[p] ?? [], 90) }])),
  };
}

export type KpiRecomputation = ReturnType<typeof recomputeKpis>;

export function expectKpisEqual(k: AlarmKpis, r: KpiRecomputation): void {
  expect(k.alarms).toBe(r.alarms);
  expect(k.perTenMinutes.value).toBeCloseTo(r.perTen, 3);
  expect(k.perHour.value).toBeCloseTo(r.perTen * 6, 2);
  expect(k.floodShare.value).toBeCloseTo(r.floodShare, 4);
  expect(k.peakTenMinutes.value).toBe(r.peak);
  expect(k.top10.value.share).toBeCloseTo(r.topShare, 4);
  expect(k.chattering.value).toBe(r.chattering);
  expect(k.fleeting.value).toBe(r.fleeting);
  expect(k.standing.value).toBe(r.standing);
  expect(k.shelved.value).toBe(r.shelved);
  expect(k.suppressed.value).toBe(r.suppressed);
  expect(k.priorities.value.high).toBeCloseTo(r.high, 4);
  expect(k.priorities.value.medium).toBeCloseTo(r.medium, 4);
  expect(k.priorities.value.low).toBeCloseTo(r.low, 4);
  for (const p of ['1', '2', '3', '4']) expect(k.ackTime[p]?.value).toEqual(r.ack[Number(p)]);
}

