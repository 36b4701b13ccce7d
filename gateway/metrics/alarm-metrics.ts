/**
 * Alarms: open alarms by priority and state, the age of the oldest unacknowledged one, and the
 * alarm events since start (raised, cleared, acknowledged, ...), counted as they happen (alarm
 * events are few; the sample path is not touched). Rule engine totals come from its own counters.
 */
import type { Registry } from 'prom-client';
import type { Clock } from '../model/clock.ts';
import type { AlarmEvent, AlarmRecord } from '../../rules/alarms/index.ts';
import { scrapeCounter, scrapeGauge } from './scrape-metric.ts';

export interface AlarmMetricSource {
  active(q: { readonly limit: number }): AlarmRecord[];
  onEvent(listener: (e: AlarmEvent) => void): () => void;
  stats(): { readonly evaluations: number; readonly samples: number; readonly errors: number; readonly unjournaled: number };
}

const UNACKED = new Set(['active-unack', 'rtn-unack']);

export function registerAlarmMetrics(registry: Registry, alarms: AlarmMetricSource, clock: Clock): () => void {
  const events = new Map<string, number>();
  const unsubscribe = alarms.onEvent((e) => events.set(`${e.type}\u0000${e.alarm.priority}`, (events.get(`${e.type}\u0000${e.alarm.priority}`) ?? 0) + 1));
  // one query per scrape, shared by the gauges below (prom-client collects them in registration order)
  let open: AlarmRecord[] = [];
  const refresh = (): AlarmRecord[] => (open = alarms.active({ limit: 1_000_000 }));
  scrapeGauge(registry, 'gateway_alarms_open', 'Open alarms (not closed) by priority and ISA-18.2 state', ['priority', 'state'], () => {
    const by = new Map<string, number>();
    for (const a of refresh()) by.set(`${a.priority}\u0000${a.state}`, (by.get(`${a.priority}\u0000${a.state}`) ?? 0) + 1);
    return [...by].map(([k, n]) => {
      const [priority = '', state = ''] = k.split('\u0000');
      return [{ priority, state }, n] as const;
    });
  });
  scrapeGauge(registry, 'gateway_alarms_active', 'Alarms whose condition is active now, by priority', ['priority'], () => {
    const by = new Map<number, number>([[1, 0], [2, 0], [3, 0], [4, 0]]);
    for (const a of open) if (a.conditionActive) by.set(a.priority, (by.get(a.priority) ?? 0) + 1);
    return [...by].map(([p, n]) => [{ priority: p }, n] as const);
  });
  scrapeGauge(registry, 'gateway_alarms_unacknowledged', 'Open alarms nobody acknowledged yet, by priority', ['priority'], () => {
    const by = new Map<number, number>([[1, 0], [2, 0], [3, 0], [4, 0]]);
    for (const a of open) if (UNACKED.has(a.state)) by.set(a.priority, (by.get(a.priority) ?? 0) + 1);
    return [...by].map(([p, n]) => [{ priority: p }, n] as const);
  });
  scrapeGauge(registry, 'gateway_alarms_oldest_unacknowledged_age_seconds', 'Age of the oldest unacknowledged open alarm per priority (0: none)', ['priority'], () => {
    const oldest = new Map<number, number>([[1, 0], [2, 0], [3, 0], [4, 0]]);
    const now = clock.now();
    for (const a of open) {
      if (!UNACKED.has(a.state)) continue;
      const age = Math.max(0, (now - a.raisedAt) / 1000);
      if (age > (oldest.get(a.priority) ?? 0)) oldest.set(a.priority, age);
    }
    return [...oldest].map(([p, age]) => [{ priority: p }, age] as const);
  });
  scrapeCounter(registry, 'gateway_alarm_events_total', 'Alarm events since start by type (raised, cleared, acknowledged, ...) and priority', ['event', 'priority'], () =>
    [...events].map(([k, n]) => {
      const [event = '', priority = ''] = k.split('\u0000');
      return [{ event, priority }, n] as const;
    }),
  );
  scrapeCounter(registry, 'gateway_rule_evaluations_total', 'Rule evaluations since start', [], () => [[{}, alarms.stats().evaluations]]);
  scrapeCounter(registry, 'gateway_rule_errors_total', 'Rule evaluations that threw', [], () => [[{}, alarms.stats().errors]]);
  scrapeGauge(registry, 'gateway_alarm_unjournaled', 'Alarm transitions not yet committed to gateway.db (non-zero: storage trouble)', [], () => [[{}, alarms.stats().unjournaled]]);
  return unsubscribe;
}
