/** The shapes of the /api/handovers answers (gateway/api/routes/handover-routes.ts) the page reads. */
export interface BilingualName {
  readonly 'zh-CN': string;
  readonly en: string;
}

export interface ShiftView {
  readonly id: string;
  readonly name: BilingualName;
  readonly date: string;
  readonly from: number;
  readonly to: number;
}

export interface ShiftsAnswer {
  readonly timeZone: string;
  readonly shifts: ReadonlyArray<{ readonly id: string; readonly name: BilingualName; readonly start: string }>;
  readonly current: ShiftView;
}

export interface AlarmLine {
  readonly alarmId: string;
  readonly title: string;
  readonly rule: string;
  readonly device: string;
  readonly priority: number;
  readonly at: number;
  readonly by: string | null;
  readonly text: string | null;
  readonly state?: string;
}

export interface OrderLine {
  readonly id: number;
  readonly title: string;
  readonly device: string | null;
  readonly priority: number;
  readonly status: string;
}

export interface HandoverReportView {
  readonly shift: ShiftView;
  readonly generatedAt: number;
  readonly alarms: Record<'raised' | 'acknowledged' | 'active' | 'shelved' | 'suppressed', readonly AlarmLine[]>;
  readonly workOrders: Record<'opened' | 'closed' | 'overdue', readonly OrderLine[]> | null;
  readonly maintenance: ReadonlyArray<{ readonly device: string; readonly mode: string; readonly by: string; readonly reason: string; readonly since: number; readonly until?: number | null }>;
  readonly trouble: ReadonlyArray<{ readonly key: string; readonly source: string; readonly message: string; readonly since: number | null }>;
  readonly openSteps: ReadonlyArray<{ readonly alarmId: string; readonly rule: string; readonly title: string; readonly device: string; readonly steps: ReadonlyArray<{ readonly step: number; readonly text: BilingualName }> }>;
}

export interface Signature {
  readonly by: string;
  readonly at: number;
  readonly note: string;
}

export interface HandoverSummaryView {
  readonly id: number;
  readonly shiftId: string;
  readonly from: number;
  readonly to: number;
  readonly outgoing: Signature;
  readonly incoming: Signature | null;
}
