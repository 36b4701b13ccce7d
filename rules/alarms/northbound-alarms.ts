/**
 * Hook for an optional northbound MQTT topic: forwards every alarm event, as JSON, to a publish
 * function (an MQTT client's, a bridge's). Topic: `<prefix>/<site>/<building>/<device>/<type>`.
 * The gateway leaves this unwired until a northbound client exists (see rules/README.md).
 */
import type { AlarmEvent } from './alarm-model.ts';

export type Publish = (topic: string, payload: string) => void;

export function northboundTopic(prefix: string, e: AlarmEvent): string {
  const a = e.alarm;
  return `${prefix.replace(/\/+$/, '')}/${a.site}/${a.building}/${a.device}/${e.type}`;
}

/** Subscribe `publish` to alarm events; returns the unsubscribe function. */
export function forwardAlarmEvents(onEvent: (l: (e: AlarmEvent) => void) => () => void, prefix: string, publish: Publish): () => void {
  return onEvent((e) => publish(northboundTopic(prefix, e), JSON.stringify(e)));
}
