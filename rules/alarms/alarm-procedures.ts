/**
 * Response procedures on alarms: the rule's procedure (cause, consequence, steps, whom to call)
 * joined with the alarm's journal into a checklist. A tick is a `procedure-step` journal row (who,
 * when, step, done) that changes nothing on the record, so the checklist of any alarm, open or
 * closed, is read back from its journal alone.
 */
import type { PointValue } from '../../gateway/model/sample.ts';
import type { AlarmRecord, JournalEntry } from './alarm-model.ts';
import type { BilingualText, Procedure, ProcedureContact } from './config/procedure-schema.ts';
import type { RuleConfig } from './config/rule-schema.ts';
import { AlarmActionError } from './alarm-manager.ts';

export interface ProcedureStepState {
  /** Counted from 1, as the operator reads it. */
  readonly step: number;
  readonly text: BilingualText;
  readonly done: boolean;
  /** Who ticked (or unticked) it last, and when; null while never touched. */
  readonly by: string | null;
  readonly at: number | null;
}

export interface AlarmProcedureView {
  readonly alarmId: string;
  /** The rule as written (`fire.zone-fire`, not the expanded `fire.zone-fire/zone_3_state`). */
  readonly rule: string;
  readonly cause: BilingualText;
  readonly consequence: BilingualText;
  readonly call: readonly ProcedureContact[];
  readonly steps: readonly ProcedureStepState[];
}

/** The rule id as written: an expanded per-point rule `<id>/<point>` belongs to `<id>`. */
export function writtenRuleId(alarmRule: string): string {
  const slash = alarmRule.indexOf('/');
  return slash < 0 ? alarmRule : alarmRule.slice(0, slash);
}

/** The checklist of one alarm: each step's last tick in the journal (rows in journal order). */
export function procedureChecklist(alarm: AlarmRecord, procedure: Procedure, journal: readonly JournalEntry[]): AlarmProcedureView {
  const last = new Map<number, JournalEntry>();
  for (const j of journal) {
    if (j.type !== 'procedure-step') continue;
    const step = j.values['step'];
    if (typeof step === 'number') last.set(step, j);
  }
  return {
    alarmId: alarm.id,
    rule: writtenRuleId(alarm.rule),
    cause: procedure.cause,
    consequence: procedure.consequence,
    call: procedure.call,
    steps: procedure.steps.map((text, i) => {
      const tick = last.get(i + 1);
      return { step: i + 1, text, done: tick?.values['done'] === true, by: tick?.by ?? null, at: tick?.at ?? null };
    }),
  };
}

/** What the checklist needs of the alarm manager. */
export interface ProcedureJournal {
  get(id: string): AlarmRecord | undefined;
  journal(id: string): JournalEntry[];
  note(id: string, type: 'procedure-step', by: string, text: string, values: Readonly<Record<string, PointValue>>): AlarmRecord;
}

export class AlarmProcedures {
  private readonly byRule: ReadonlyMap<string, Procedure>;
  private readonly alarms: ProcedureJournal;

  constructor(rules: readonly RuleConfig[], alarms: ProcedureJournal) {
    this.alarms = alarms;
    this.byRule = new Map(rules.flatMap((r) => (r.procedure ? [[r.id, r.procedure] as const] : [])));
  }

  /** The procedure of a rule (as written or expanded), if it has one. */
  forRule(rule: string): Procedure | undefined {
    return this.byRule.get(writtenRuleId(rule));
  }

  /** The alarm's checklist; null when its rule has no procedure. */
  view(id: string): AlarmProcedureView | null {
    const alarm = this.alarms.get(id);
    if (!alarm) throw new AlarmActionError('NOT_FOUND', `no alarm "${id}"`);
    const procedure = this.forRule(alarm.rule);
    return procedure ? procedureChecklist(alarm, procedure, this.alarms.journal(id)) : null;
  }

  /** Tick (`done: true`) or untick a step (from 1); journaled with who and when. */
  tick(id: string, step: number, done: boolean, by: string): AlarmProcedureView {
    const before = this.view(id);
    if (!before) throw new AlarmActionError('NOT_FOUND', `alarm "${id}" has no response procedure (its rule defines none)`);
    const current = before.steps[step - 1];
    if (!Number.isInteger(step) || !current) throw new AlarmActionError('BAD_REQUEST', `step: ${step} is not a step of this procedure (1..${before.steps.length})`);
    if (current.done === done) throw new AlarmActionError('CONFLICT', `step ${step} is already ${done ? 'done' : 'open'}`);
    const text = `step ${step} of ${before.steps.length} ${done ? 'done' : 'reopened'}: ${current.text.en} / ${current.text['zh-CN']}`;
    this.alarms.note(id, 'procedure-step', by, text, { step, done });
    return this.view(id) as AlarmProcedureView;
  }

  /** Steps not done, of alarms with a procedure (the handover report's "open steps"). */
  openSteps(alarm: AlarmRecord): readonly ProcedureStepState[] {
    const procedure = this.forRule(alarm.rule);
    if (!procedure) return [];
    return procedureChecklist(alarm, procedure, this.alarms.journal(alarm.id)).steps.filter((s) => !s.done);
  }
}
