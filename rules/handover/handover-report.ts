/**
 * The shift handover report (#22.4), built from plain data: the alarm journal rows of the shift,
 * the alarms open at its end, their open procedure steps, the work orders, the device modes and
 * the trouble conditions. Pure: the service gathers the inputs, this decides what goes where.
 */
import type { AlarmRecord, BilingualText, DeviceModeInfo, HistoryRow } from '../alarms/index.ts';
import type { WorkOrder } from '../work-orders/index.ts';
import type { ShiftRange } from './shift-times.ts';

/** One alarm fact of the shift: which alarm, and (for a journal row) when, by whom, why. */
export interface HandoverAlarmLine {
  readonly alarmId: string;
  readonly rule: string;
  readonly title: string;
  readonly device: string;
  readonly building: string;
  readonly floor: string;
  readonly priority: number;
  readonly at: number;
  readonly by: string | null;
  readonly text: string | null;
  /** For alarms still active: their state at the end of the shift. */
  readonly state?: string;
}

export interface HandoverOrderLine {
  readonly id: number;
  readonly title: string;
  readonly device: string | null;
  readonly priority: number;
  readonly status: string;
  readonly contractor: string | null;
  readonly createdAt: number;
  readonly closedAt: number | null;
  readonly fixBy: number;
}

export interface HandoverStepLine {
  readonly alarmId: string;
  readonly rule: string;
  readonly title: string;
  readonly device: string;
  readonly steps: ReadonlyArray<{ readonly step: number; readonly text: BilingualText }>;
}

export interface TroubleLine {
  readonly key: string;
  readonly source: string;
  readonly message: string;
  readonly since: number | null;
}

export interface HandoverReport {
  readonly site: string;
  readonly timeZone: string;
  readonly shift: ShiftRange;
  /** When the report was drawn up (the Clock). */
  readonly generatedAt: number;
  readonly alarms: {
    readonly raised: readonly HandoverAlarmLine[];
    readonly acknowledged: readonly HandoverAlarmLine[];
    readonly active: readonly HandoverAlarmLine[];
    readonly shelved: readonly HandoverAlarmLine[];
    readonly suppressed: readonly HandoverAlarmLine[];
  };
  /** Null when work orders are not enabled on this gateway. */
  readonly workOrders: { readonly opened: readonly HandoverOrderLine[]; readonly closed: readonly HandoverOrderLine[]; readonly overdue: readonly HandoverOrderLine[] } | null;
  readonly maintenance: readonly DeviceModeInfo[];
  /** Trouble conditions standing when the report was drawn up (the board keeps no history). */
  readonly trouble: readonly TroubleLine[];
  readonly openSteps: readonly HandoverStepLine[];
}

export interface HandoverInputs {
  readonly site: string;
  readonly timeZone: string;
  readonly shift: ShiftRange;
  readonly now: number;
  /** Journal rows with `shift.from <= at < shift.to`, oldest first. */
  readonly journal: readonly HistoryRow[];
  /** Alarms open at any time of the shift (the state they are in now). */
  readonly alarms: readonly AlarmRecord[];
  /** An alarm's state at the end of the shift, from its journal (`normal` when closed by then). */
  stateAt(alarm: AlarmRecord, at: number): string;
  /** Steps of the alarm's procedure not done at `at` (empty without procedure). */
  openStepsAt(alarm: AlarmRecord, at: number): HandoverStepLine['steps'];
  readonly workOrders: readonly WorkOrder[] | null;
  /** Every device-mode change, newest first. */
  readonly modeLog: readonly DeviceModeInfo[];
  readonly trouble: readonly TroubleLine[];
}

const line = (r: HistoryRow): HandoverAlarmLine => ({
  alarmId: r.alarmId,
  rule: r.rule,
  title: r.title,
  device: r.device,
  building: r.building,
  floor: r.floor,
  priority: r.priority,
  at: r.at,
  by: r.by,
  text: r.text,
});

const order = (w: WorkOrder): HandoverOrderLine => ({
  id: w.id,
  title: w.title,
  device: w.device,
  priority: w.priority,
  status: w.status,
  contractor: w.contractor,
  createdAt: w.createdAt,
  closedAt: w.closedAt,
  fixBy: w.fixBy,
});

export function buildHandoverReport(i: HandoverInputs): HandoverReport {
  const { from, to } = i.shift;
  const end = Math.min(to, i.now);
  const rows = (...types: string[]): HandoverAlarmLine[] => i.journal.filter((r) => types.includes(r.type) && r.at >= from && r.at < to).map(line);
  const atEnd = i.alarms
    .filter((a) => a.raisedAt < to)
    .map((a) => ({ a, state: i.stateAt(a, end) }))
    .filter((x) => x.state !== 'normal');
  const active: HandoverAlarmLine[] = atEnd
    .map(({ a, state }) => ({ alarmId: a.id, rule: a.rule, title: a.title, device: a.device, building: a.building, floor: a.floor, priority: a.priority, at: a.raisedAt, by: null, text: null, state }))
    .sort((x, y) => x.priority - y.priority || x.at - y.at);
  // open steps: alarms of the shift (raised in it, or still active at its end) with steps not done
  const concerned = new Map<string, AlarmRecord>();
  for (const a of i.alarms) if ((a.raisedAt >= from && a.raisedAt < to) || atEnd.some((x) => x.a.id === a.id)) concerned.set(a.id, a);
  const openSteps: HandoverStepLine[] = [];
  for (const a of concerned.values()) {
    const steps = i.openStepsAt(a, end);
    if (steps.length > 0) openSteps.push({ alarmId: a.id, rule: a.rule, title: a.title, device: a.device, steps });
  }
  // device modes at the end of the shift: each device's last change before it, if not in service
  const lastMode = new Map<string, DeviceModeInfo>();
  for (const m of i.modeLog) if (m.since < end && !lastMode.has(m.device)) lastMode.set(m.device, m);
  const wo = i.workOrders;
  return {
    site: i.site,
    timeZone: i.timeZone,
    shift: i.shift,
    generatedAt: i.now,
    alarms: {
      raised: rows('raised'),
      acknowledged: rows('acknowledged'),
      active,
      shelved: rows('shelved'),
      suppressed: rows('suppressed', 'grouped'),
    },
    workOrders: wo
      ? {
          opened: wo.filter((w) => w.createdAt >= from && w.createdAt < to).map(order),
          closed: wo.filter((w) => w.closedAt !== null && w.closedAt >= from && w.closedAt < to).map(order),
          // not finished at the end of the shift and past its fix deadline
          overdue: wo
            .filter((w) => w.createdAt < end && w.fixBy < end && (w.resolvedAt ?? w.closedAt ?? w.cancelledAt ?? Infinity) > end)
            .map(order),
        }
      : null,
    maintenance: [...lastMode.values()].filter((m) => m.mode !== 'in_service').sort((a, b) => a.device.localeCompare(b.device)),
    trouble: i.trouble,
    openSteps,
  };
}
