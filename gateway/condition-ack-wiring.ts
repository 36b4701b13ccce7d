/**
 * The way back of source conditions (OPC UA Alarms & Conditions): when an operator acknowledges in
 * the gateway an alarm that a device raised itself (rule `condition:...`), the connector that
 * received the condition calls the condition's Acknowledge at the source with a comment naming the
 * operator, and the answer is journaled on the alarm (`source` row: `{ result, detail }`). An
 * acknowledge that came from the source itself (`by: source:<connector>`) is not sent back.
 */
import type { Logger } from 'pino';
import { SOURCE_ACTOR_PREFIX, isSourceAlarm, sourceAckVerdict, type AlarmEvent, type AlarmService } from '../rules/index.ts';
import type { Connector } from './connectors/connector.ts';

export interface ConditionAckDeps {
  readonly alarms: Pick<AlarmService, 'onEvent' | 'note' | 'journal'> & { readonly conditions: Pick<AlarmService['conditions'], 'onAckToResend'> };
  /** Looked up at each acknowledge: a config reload replaces connectors in place. */
  readonly connector: (id: string) => Connector | undefined;
  readonly log: Logger;
  /** Warm standby: only the acting gateway talks to the source. */
  readonly acting?: () => boolean;
}

/** The comment the source stores with the acknowledge. */
export function ackComment(by: string, text: string | undefined): string {
  return `acknowledged in the facility gateway by ${by}${text ? `: ${text}` : ''}`;
}

export function wireConditionAcks(deps: ConditionAckDeps): () => void {
  const send = async (ev: Pick<AlarmEvent, 'alarm' | 'by' | 'text'>, again = false): Promise<void> => {
    const a = ev.alarm;
    const connectorId = String(a.values.connector ?? '');
    const conditionId = String(a.values.condition_id ?? '');
    const connector = deps.connector(connectorId);
    const outcome = connector?.acknowledgeCondition
      ? await connector.acknowledgeCondition({
          device: a.device,
          conditionId,
          ...(typeof a.values.event_id === 'string' ? { eventId: a.values.event_id } : {}),
          comment: ackComment(ev.by ?? 'unknown', ev.text),
        })
      : { result: 'failed' as const, detail: `connector ${connectorId || '(none)'} cannot acknowledge conditions` };
    const verdict = sourceAckVerdict(outcome.result, outcome.detail, 'acknowledge ');
    const text = again ? `after the refresh the source still showed it unacknowledged; sent again: ${verdict}` : verdict;
    deps.alarms.note(a.id, 'source', `system:${connectorId || 'conditions'}`, text, { result: outcome.result, detail: outcome.detail });
  };
  // an operator's acknowledge the source never got (made while it was unreachable) goes again after the refresh
  deps.alarms.conditions.onAckToResend((alarm) => {
    if (deps.acting && !deps.acting()) return;
    // the operator's own words go again with it
    const last = deps.alarms.journal(alarm.id).findLast((j) => j.type === 'acknowledged');
    send({ alarm, by: alarm.ackedBy ?? 'unknown', ...(last?.text ? { text: last.text } : {}) }, true).catch((err: unknown) => deps.log.error({ err, alarm: alarm.id }, 'condition acknowledge could not be sent again or journaled'));
  });
  return deps.alarms.onEvent((ev) => {
    if (ev.type !== 'acknowledged' || !isSourceAlarm(ev.alarm)) return;
    if (ev.by?.startsWith(SOURCE_ACTOR_PREFIX)) return; // it came from the source
    if (deps.acting && !deps.acting()) return;
    send(ev).catch((err: unknown) => deps.log.error({ err, alarm: ev.alarm.id }, 'condition acknowledge could not be passed on or journaled'));
  });
}
