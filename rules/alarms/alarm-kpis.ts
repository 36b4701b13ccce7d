/**
 * Alarm-system performance (ISA-18.2 §16 / ISA-TR18.2.5, EEMUA 191) computed from the alarm
 * journal over a time range. Pure: the rows in, the report out. Each figure carries its target and
 * a verdict (`ok`, `watch` (over the target, under the limit), `over`, or `info` where the standards
 * set no number).
 *
 * An *alarm* is an annunciated occurrence: a journal row of type `raised` (a re-raise of an open
 * instance counts again; suppressed and grouped ones are not annunciated). Windows of 10 minutes are
 * aligned to `from`; a last partial window counts as a window.
 */
import type { AlarmEventType, AlarmState } from './alarm-model.ts';

export interface KpiJournalRow {
  readonly seq: number;
  readonly alarmId: string;
  readonly at: number;
  readonly type: AlarmEventType;
  readonly toState: AlarmState;
  readonly rule: string;
  readonly device: string;
  readonly building: string;
  readonly priority: number;
}

export type Verdict = 'ok' | 'watch' | 'over' | 'info';

export interface Kpi<T> {
  readonly value: T;
  readonly target: string;
  readonly verdict: Verdict;
}

export interface AlarmKpis {
  readonly from: number;
  readonly to: number;
  readonly building: string | null;
  readonly alarms: number;
  readonly perTenMinutes: Kpi<number>;
  readonly perHour: Kpi<number>;
  readonly floodShare: Kpi<number>;
  readonly peakTenMinutes: Kpi<number>;
  readonly top10: Kpi<{ readonly share: number; readonly alarms: ReadonlyArray<{ rule: string; device: string; count: number; share: number }> }>;
  readonly chattering: Kpi<number>;
  readonly fleeting: Kpi<number>;
  readonly standing: Kpi<number>;
  readonly shelved: Kpi<number>;
  readonly suppressed: Kpi<number>;
  readonly priorities: Kpi<{ readonly high: number; readonly medium: number; readonly low: number; readonly counts: Readonly<Record<string, number>> }>;
  readonly ackTime: Readonly<Record<string, Kpi<{ readonly count: number; readonly p50: number | null; readonly p90: number | null }>>>;
}

export const TEN_MINUTES = 600_000;
/** Active and unacknowledged or acknowledged for longer than this at the end of the range: a standing (stale) alarm. */
export const STANDING_MS = 24 * 3_600_000;
/** Raised and cleared within this: a fleeting alarm. */
export const FLEETING_MS = 60_000;
/** More than this many alarms in 10 minutes: a flood (EEMUA 191, ISA-18.2). */
export const FLOOD_ALARMS = 10;
/** p90 acknowledgement targets per priority (the priorities' meanings; P1 as the escalation default). */
export const ACK_TARGET_MS: Readonly<Record<string, number>> = { 1: 2 * 60_000, 2: 15 * 60_000, 3: 60 * 60_000 };

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The 10 most frequent alarms (rule, device) among those raised. */
function topAlarms(raised: readonly KpiJournalRow[]): Array<{ rule: string; device: string; count: number }> {
  const byAlarm = new Map<string, { rule: string; device: string; count: number }>();
  for (const r of raised) {
    const key = `${r.rule}\u0000${r.device}`;
    const e = byAlarm.get(key);
    if (e) e.count++;
    else byAlarm.set(key, { rule: r.rule, device: r.device, count: 1 });
  }
  return [...byAlarm.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule) || a.device.localeCompare(b.device)).slice(0, 10);
}

/** Per alarm, from its journal rows: fleeting raises, standing alarms, acknowledgement times per priority. */
function lifecycleFigures(rows: readonly KpiJournalRow[], from: number, to: number): { fleeting: number; standing: number; ackTimes: Map<number, number[]> } {
  // fleeting: a raise followed by the alarm's next condition clear within FLEETING_MS
  const byId = new Map<string, KpiJournalRow[]>();
  for (const r of rows) {
    const list = byId.get(r.alarmId);
    if (list) list.push(r);
    else byId.set(r.alarmId, [r]);
  }
  for (const list of byId.values()) list.sort((a, b) => a.seq - b.seq);
  let fleeting = 0;
  const ackTimes = new Map<number, number[]>();
  let standing = 0;
  for (const list of byId.values()) {
    let raisedAt: number | undefined;
    let clearedSince = false;
    for (const r of list) {
      if (r.type === 'raised') {
        raisedAt = r.at;
        clearedSince = false;
      } else if (r.type === 'cleared' && raisedAt !== undefined && !clearedSince) {
        clearedSince = true; // the first clear after the raise
        if (r.at - raisedAt < FLEETING_MS && raisedAt >= from && raisedAt < to) fleeting++;
      } else if (r.type === 'acknowledged' && r.at >= from && r.at < to && raisedAt !== undefined) {
        const p = r.priority;
        const l = ackTimes.get(p) ?? [];
        l.push(r.at - raisedAt);
        ackTimes.set(p, l);
      }
    }
    // standing: in an active state at `to`, since before to - 24 h
    const before = list.filter((r) => r.at < to);
    const last = before[before.length - 1];
    const first = before[0];
    if (last && first && (last.toState === 'active-unack' || last.toState === 'active-ack') && first.at <= to - STANDING_MS) standing++;
  }
  return { fleeting, standing, ackTimes };
}

/** Acknowledgement time p50 / p90 per priority against its target. */
function ackTimeKpis(ackTimes: ReadonlyMap<number, number[]>): Record<string, Kpi<{ count: number; p50: number | null; p90: number | null }>> {
  const ackTime: Record<string, Kpi<{ count: number; p50: number | null; p90: number | null }>> = {};
  for (const p of [1, 2, 3, 4]) {
    const sorted = (ackTimes.get(p) ?? []).sort((a, b) => a - b);
    const p90 = percentile(sorted, 90);
    const target = ACK_TARGET_MS[String(p)];
    ackTime[String(p)] = {
      value: { count: sorted.length, p50: percentile(sorted, 50), p90 },
      target: target === undefined ? 'none (plan in maintenance)' : `p90 ≤ ${target / 60_000} min`,
      verdict: target === undefined || p90 === null ? 'info' : p90 <= target ? 'ok' : p90 <= 2 * target ? 'watch' : 'over',
    };
  }
  return ackTime;
}

export function computeAlarmKpis(rows: readonly KpiJournalRow[], from: number, to: number, building: string | null = null): AlarmKpis {
  const inRange = rows.filter((r) => r.at >= from && r.at < to);
  const raised = inRange.filter((r) => r.type === 'raised');
  const n = raised.length;
  const span = Math.max(1, to - from);
  const windows = Math.max(1, Math.ceil(span / TEN_MINUTES));
  const perWindow = new Array<number>(windows).fill(0);
  for (const r of raised) perWindow[Math.floor((r.at - from) / TEN_MINUTES)] = (perWindow[Math.floor((r.at - from) / TEN_MINUTES)] ?? 0) + 1;
  const perTen = (n / span) * TEN_MINUTES;
  const flooded = perWindow.filter((c) => c > FLOOD_ALARMS).length;
  const peak = Math.max(0, ...perWindow);

  const top = topAlarms(raised);
  const topCount = top.reduce((s, t) => s + t.count, 0);
  const topShare = n === 0 ? 0 : topCount / n;

  const chattering = new Set(inRange.filter((r) => r.type === 'chattering').map((r) => r.alarmId)).size;

  const { fleeting, standing, ackTimes } = lifecycleFigures(rows, from, to);

  const shelved = inRange.filter((r) => r.type === 'shelved').length;
  const suppressed = inRange.filter((r) => r.type === 'suppressed' || r.type === 'grouped').length;

  const counts: Record<string, number> = { 1: 0, 2: 0, 3: 0, 4: 0 };
  for (const r of raised) counts[String(r.priority)] = (counts[String(r.priority)] ?? 0) + 1;
  const share = (c: number): number => (n === 0 ? 0 : c / n);
  const high = share(counts['1'] ?? 0);
  const medium = share(counts['2'] ?? 0);
  const low = share((counts['3'] ?? 0) + (counts['4'] ?? 0));
  const near = (x: number, target: number) => Math.abs(x - target) <= 0.05;

  const ackTime = ackTimeKpis(ackTimes);

  return {
    from,
    to,
    building,
    alarms: n,
    perTenMinutes: { value: round(perTen), target: '≤ 1 per 10 min (acceptable), ≤ 2 (maximum manageable)', verdict: perTen <= 1 ? 'ok' : perTen <= 2 ? 'watch' : 'over' },
    perHour: { value: round(perTen * 6), target: '≤ 6 per hour (acceptable), ≤ 12 (maximum manageable)', verdict: perTen <= 1 ? 'ok' : perTen <= 2 ? 'watch' : 'over' },
    floodShare: { value: round(flooded / windows, 4), target: `< 1 % of 10-min windows with more than ${FLOOD_ALARMS} alarms`, verdict: flooded / windows < 0.01 ? 'ok' : 'over' },
    peakTenMinutes: { value: peak, target: `≤ ${FLOOD_ALARMS} alarms in any 10 min`, verdict: peak <= FLOOD_ALARMS ? 'ok' : 'over' },
    top10: {
      value: { share: round(topShare, 4), alarms: top.map((t) => ({ ...t, share: round(n === 0 ? 0 : t.count / n, 4) })) },
      target: '≤ 1 %–5 % of the load from the 10 most frequent alarms',
      verdict: topShare <= 0.01 ? 'ok' : topShare <= 0.05 ? 'watch' : 'over',
    },
    chattering: { value: chattering, target: '0 chattering alarms', verdict: chattering === 0 ? 'ok' : 'over' },
    fleeting: { value: fleeting, target: `0 fleeting alarms (cleared within ${FLEETING_MS / 1000} s)`, verdict: fleeting === 0 ? 'ok' : 'over' },
    standing: { value: standing, target: '< 5 standing alarms (active > 24 h)', verdict: standing < 5 ? 'ok' : 'over' },
    shelved: { value: shelved, target: 'shelving under a policy, audited (no number set)', verdict: 'info' },
    suppressed: { value: suppressed, target: 'by maintenance mode or parent alarm only (no number set)', verdict: 'info' },
    priorities: {
      value: { high: round(high, 4), medium: round(medium, 4), low: round(low, 4), counts },
      target: '~5 % high (P1), ~15 % medium (P2), ~80 % low (P3, P4)',
      verdict: n === 0 ? 'info' : near(high, 0.05) && near(medium, 0.15) && near(low, 0.8) ? 'ok' : 'over',
    },
    ackTime,
  };
}
