/**
 * The entry of the alarms peer: the rule engine (engine/), the rule and alarm config (config/),
 * the alarm lifecycle (ISA-18.2), its store in gateway.db, escalation and the northbound forwarder.
 * Other peers, rules/index.ts and the gateway import alarms from here only.
 */
export * from './alarm-model.ts';
export {
  createAlarmService,
  AlarmActionError,
  STORAGE_TROUBLE,
  type AlarmService,
  type AlarmServiceOptions,
  type AlarmsFacade,
  type HistoryRow,
  type JournalSearch,
  type ShelverRole,
  type StorageTroubleSink,
} from './alarm-service.ts';
export { MODE_END_BY, MAX_MODE_SPAN_MS } from './alarm-manager.ts';
export type { AlarmKpis, Kpi, Verdict } from './alarm-kpis.ts';
export { alarmSettingsSchema, rulePacksSchema, ruleSchema, type AlarmSettings, type RuleConfig, type RuleConfigInput } from './config/rule-schema.ts';
export { checkRulesConfig } from './config/rule-check.ts';
export { EscalationService, type EscalationServiceOptions } from './escalation-service.ts';
export { escalationSchema, type EscalationConfig } from './escalation-schema.ts';
export { forwardAlarmEvents, northboundTopic, type Publish } from './northbound-alarms.ts';
export { SourceConditions, SOURCE_ACTOR_PREFIX, SOURCE_RULE_PREFIX, isSourceAlarm, sourceAckVerdict, sourceRuleId } from './source-conditions.ts';
export { AlarmProcedures, procedureChecklist, writtenRuleId, type AlarmProcedureView, type ProcedureStepState } from './alarm-procedures.ts';
export { bilingualText, procedureSchema, type BilingualText, type Procedure, type ProcedureContact } from './config/procedure-schema.ts';
export { handoverSchema, type HandoverSettings, type ShiftConfig } from './config/handover-schema.ts';
export { rulePackYaml, validateRulePackText, type PackValidation } from './config/rule-pack-io.ts';
export { DEFAULT_PACK_DIR, type RuleIssue } from './config/rule-packs.ts';
