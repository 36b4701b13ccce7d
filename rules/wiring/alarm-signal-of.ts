/**
 * The adapter from the alarm engine's events (rules/alarms/alarm-model.ts) to the work-order input
 * (alarm-input.ts). Events that mean nothing to a work order give undefined.
 */
import type { AlarmEvent } from '../alarms/index.ts';
import type { AlarmSignal, AlarmSignalType, Priority } from '../work-orders/index.ts';

const PASSED: ReadonlySet<string> = new Set<AlarmSignalType>(['raised', 'cleared', 'acknowledged', 'shelved', 'suppressed', 'grouped']);

export function alarmSignalOf(event: AlarmEvent): AlarmSignal | undefined {
  if (!PASSED.has(event.type)) return undefined;
  const a = event.alarm;
  const hint = a.workOrder;
  const hintPriority = hint && [1, 2, 3, 4].includes(hint.priority) ? (hint.priority as Priority) : undefined;
  return {
    type: event.type as AlarmSignalType,
    alarmId: a.id,
    ruleId: a.rule,
    device: a.device,
    kind: a.kind,
    location: { site: a.site, building: a.building, floor: a.floor },
    priority: a.priority,
    message: a.title,
    at: event.at,
    ...(hint ? { workOrder: { trade: hint.trade, ...(hintPriority ? { priority: hintPriority } : {}) } } : {}),
    ...(a.parent ? { parent: a.parent } : {}),
    ...(event.children && event.children.length > 0 ? { children: [...event.children] } : {}),
  };
}
