/**
 * The way back of source conditions (OPC UA Alarms & Conditions): when an operator acknowledges in
 * the gateway an alarm that a device raised itself (rule `condition:...`), the connector that
 * received the condition calls the condition's Acknowledge at the source with a comment naming the
 * operator, and the answer is journaled on the alarm (`source` row: `{ result, detail }`). An
 * acknowledge that came from the source itself (`by: source:<connector>`) is not sent back.
 */
import type { Logger } from 'pino';
import { SOURCE_ACTOR_PREFIX, isSourceAlarm, type AlarmEvent, type AlarmService } from '../rules/index.ts';
import type { Connector } from './connectors/connector.ts';

export interface ConditionAckDeps {
  readonly alarms: Pick<AlarmService, 'onEvent' | 'note'>;
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
  const send = async (ev: AlarmEvent): Promise<void> => {
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
    const text =
      outcome.result === 'failed' ? `acknowledge NOT passed to the source: ${outcome.detail}` : outcome.result === 'already' ? `the source had it acknowledged already: ${outcome.detail}` : `acknowledge passed to the source: ${outcome.detail}`;
    deps.alarms.note(a.id, 'source', `system:${connectorId || 'conditions'}`, text, { result: outcome.result, detail: outcome.detail });
  };
  return deps.alarms.onEvent((ev) => {
    if (ev.type !== 'acknowledged' || !isSourceAlarm(ev.alarm)) return;
    if (ev.by?.startsWith(SOURCE_ACTOR_PREFIX)) return; // it came from the source
    if (deps.acting && !deps.acting()) return;
    send(ev).catch((err: unknown) => deps.log.error({ err, alarm: ev.alarm.id }, 'condition acknowledge could not be passed on or journaled'));
  });
}
