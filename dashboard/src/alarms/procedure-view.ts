/** The shape of `GET /api/alarms/:id/procedure` (gateway/api/routes/alarm-procedure-routes.ts). */
export interface BilingualText {
  readonly 'zh-CN': string;
  readonly en: string;
}

export interface ProcedureStepView {
  readonly step: number;
  readonly text: BilingualText;
  readonly done: boolean;
  readonly by: string | null;
  readonly at: number | null;
}

export interface AlarmProcedureView {
  readonly alarmId: string;
  readonly rule: string;
  readonly cause: BilingualText;
  readonly consequence: BilingualText;
  readonly call: ReadonlyArray<{ readonly who: BilingualText; readonly phone?: string }>;
  readonly steps: readonly ProcedureStepView[];
}
