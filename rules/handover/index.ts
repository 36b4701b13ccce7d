/**
 * The entry of the handover peer (#22.4): shift handover reports from the alarm journal, the work
 * orders, device modes and trouble; signed handovers in gateway.db; printable HTML.
 */
export { HandoverService, HandoverError, handoverAlarmSource, type HandoverAlarmSource, type HandoverServiceOptions } from './handover-service.ts';
export { buildHandoverReport, type HandoverReport, type HandoverAlarmLine, type HandoverOrderLine, type HandoverStepLine, type TroubleLine } from './handover-report.ts';
export { renderHandoverHtml, type HandoverLanguage, type HandoverWords } from './handover-print.ts';
export type { HandoverSignature, HandoverSummary, SignedHandover } from './handover-store.ts';
export { shiftAt, shiftOn, type ShiftRange } from './shift-times.ts';
