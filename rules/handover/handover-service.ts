/**
 * Shift handover (#22.4): draws up the report of a shift from the alarm journal, the work orders,
 * the device modes and the trouble board; the outgoing operator signs it (the report is stored as
 * drawn up then), the incoming operator countersigns with another account; each with a note.
 */
import type { Clock } from '../../gateway/model/clock.ts';
import { parseLocalDate } from '../../gateway/platform/zoned-time.ts';
import { procedureChecklist, type AlarmRecord, type AlarmService, type DeviceModeInfo, type HandoverSettings, type HistoryRow, type JournalEntry, type JournalSearch, type Procedure } from '../alarms/index.ts';
import type { WorkOrder } from '../work-orders/index.ts';
import { buildHandoverReport, type HandoverReport, type TroubleLine } from './handover-report.ts';
import { HandoverStore, type HandoverSummary, type SignedHandover } from './handover-store.ts';
import { shiftAt, shiftOn, type ShiftRange } from './shift-times.ts';

const YEAR = 365.25 * 86_400_000;

export class HandoverError extends Error {
  readonly code: 'NOT_FOUND' | 'BAD_REQUEST' | 'CONFLICT';
  constructor(code: HandoverError['code'], message: string) {
    super(message);
    this.name = 'HandoverError';
    this.code = code;
  }
}

/** What the handover reads of the alarms. */
export interface HandoverAlarmSource {
  history(q: { from: number; to: number; limit: number }): AlarmRecord[];
  iterateJournal(q: JournalSearch): Iterable<HistoryRow>;
  journal(id: string): JournalEntry[];
  deviceModeLog(): DeviceModeInfo[];
  /** The procedure of a rule (as written or expanded). */
  procedureFor(rule: string): Procedure | undefined;
}

/** The alarm service as the handover reads it. */
export function handoverAlarmSource(s: Pick<AlarmService, 'history' | 'iterateJournal' | 'journal' | 'deviceModeLog' | 'procedures'>): HandoverAlarmSource {
  return {
    history: (q) => s.history(q),
    iterateJournal: (q) => s.iterateJournal(q),
    journal: (id) => s.journal(id),
    deviceModeLog: () => s.deviceModeLog(),
    procedureFor: (rule) => s.procedures.forRule(rule),
  };
}

export interface HandoverServiceOptions {
  readonly settings: HandoverSettings;
  readonly site: { readonly id: string; readonly timezone: string };
  readonly clock: Clock;
  /** gateway.db */
  readonly dbFile: string;
  readonly alarms: HandoverAlarmSource;
  readonly workOrders?: { list(filter: { readonly limit?: number }): WorkOrder[] } | undefined;
  /** The trouble conditions standing now. */
  readonly trouble?: () => readonly TroubleLine[];
}

export class HandoverService {
  private readonly o: HandoverServiceOptions;
  private readonly store: HandoverStore;

  constructor(o: HandoverServiceOptions) {
    this.o = o;
    this.store = new HandoverStore(o.dbFile);
    this.store.prune(o.clock.now() - o.settings.keepYears * YEAR);
  }

  get timeZone(): string {
    return this.o.site.timezone;
  }

  shifts(): HandoverSettings['shifts'] {
    return this.o.settings.shifts;
  }

  /** The shift `id` starting on the local date `YYYY-MM-DD`, or the one running now. */
  shift(date?: string, id?: string): ShiftRange {
    if (date === undefined && id === undefined) return shiftAt(this.o.clock.now(), this.o.settings.shifts, this.timeZone);
    const day = date === undefined ? undefined : parseLocalDate(date);
    if (!day) throw new HandoverError('BAD_REQUEST', `date: expected YYYY-MM-DD, got "${date ?? ''}"`);
    const range = id === undefined ? undefined : shiftOn(day, id, this.o.settings.shifts, this.timeZone);
    if (!range) throw new HandoverError('BAD_REQUEST', `shift: "${id ?? ''}" is not one of ${this.o.settings.shifts.map((s) => s.id).join(', ')}`);
    return range;
  }

  /** The report of a shift as it stands now. */
  report(shift: ShiftRange): HandoverReport {
    const { from, to } = shift;
    const journal = [...this.o.alarms.iterateJournal({ from, to })];
    const journals = new Map<string, JournalEntry[]>();
    const journalOf = (id: string): JournalEntry[] => {
      let j = journals.get(id);
      if (!j) journals.set(id, (j = this.o.alarms.journal(id)));
      return j;
    };
    const orders = this.o.workOrders ? this.o.workOrders.list({ limit: 100_000 }).filter((w) => w.createdAt < to) : null;
    return buildHandoverReport({
      site: this.o.site.id,
      timeZone: this.timeZone,
      shift,
      now: this.o.clock.now(),
      journal,
      alarms: this.o.alarms.history({ from, to, limit: 10_000 }),
      stateAt: (a, at) => {
        const rows = journalOf(a.id).filter((j) => j.at <= at);
        return rows.at(-1)?.toState ?? 'normal';
      },
      openStepsAt: (a, at) => {
        const p = this.o.alarms.procedureFor(a.rule);
        if (!p) return [];
        const rows = journalOf(a.id).filter((j) => j.at <= at);
        return procedureChecklist(a, p, rows)
          .steps.filter((s) => !s.done)
          .map((s) => ({ step: s.step, text: s.text }));
      },
      workOrders: orders,
      modeLog: this.o.alarms.deviceModeLog(),
      trouble: this.o.trouble?.() ?? [],
    });
  }

  /** The outgoing operator signs the shift's report (drawn up now and stored as it is). */
  sign(shift: ShiftRange, by: string, note: string): SignedHandover {
    const now = this.o.clock.now();
    if (shift.from > now) throw new HandoverError('BAD_REQUEST', `shift: the ${shift.id} shift of ${shift.date} has not started`);
    const report = this.report(shift);
    const id = this.store.insert(report, { by, at: now, note });
    if (id === undefined) throw new HandoverError('CONFLICT', `the ${shift.id} shift of ${shift.date} has already been handed over`);
    this.store.prune(now - this.o.settings.keepYears * YEAR);
    return this.store.get(id) as SignedHandover;
  }

  /** The incoming operator countersigns, with another account than the outgoing one. */
  countersign(id: number, by: string, note: string): SignedHandover {
    const h = this.get(id);
    if (h.incoming) throw new HandoverError('CONFLICT', `handover ${id} was already taken over by ${h.incoming.by}`);
    if (h.outgoing.by === by) throw new HandoverError('CONFLICT', `handover ${id}: the incoming operator must be another account than the outgoing one (${by})`);
    if (!this.store.countersign(id, { by, at: this.o.clock.now(), note })) throw new HandoverError('CONFLICT', `handover ${id} was already taken over`);
    return this.get(id);
  }

  get(id: number): SignedHandover {
    const h = this.store.get(id);
    if (!h) throw new HandoverError('NOT_FOUND', `no handover ${id}`);
    return h;
  }

  list(from: number, to: number): HandoverSummary[] {
    return this.store.list(from, to);
  }

  close(): void {
    this.store.close();
  }
}
