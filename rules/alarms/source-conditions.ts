/**
 * Alarms a device raises itself (OPC UA Alarms & Conditions): each condition state a connector
 * reports becomes a transition of one gateway alarm per (condition, device), rule id
 * `condition:<ConditionId>`. The source owns the condition: active → raised, inactive → cleared,
 * acknowledged at the source → acknowledged here by `source:<connector>`. When the source cannot
 * be seen its conditions are unknown: nothing is raised or cleared, a `source` row says so on each
 * open alarm; after a ConditionRefresh, an open alarm whose condition the source no longer retains
 * is cleared (the source says it is inactive and acknowledged).
 */
import type { Logger } from 'pino';
import type { DeviceInfo } from '../../gateway/model/device.ts';
import { kindDescriptor } from '../../gateway/model/kinds/index.ts';
import type { ConditionSink, SourceAckResend, SourceCondition } from '../../gateway/model/source-condition.ts';
import type { AlarmRecord } from './alarm-model.ts';
import type { AlarmManager, RuleMeta } from './alarm-manager.ts';
import { keyOf, type Values } from './alarm-manager-types.ts';

/** Rule ids of alarms from source conditions start with this. */
export const SOURCE_RULE_PREFIX = 'condition:';
/** Who acknowledged an alarm at its source (the panel's own keypad): `source:<connector>`. */
export const SOURCE_ACTOR_PREFIX = 'source:';

/**
 * How the journal states the source's answer to an operator's acknowledge passed to it; `subject`
 * opens the passed/not-passed wording (e.g. "acknowledge ").
 */
export function sourceAckVerdict(result: 'acknowledged' | 'already' | 'failed', detail: string, subject = ''): string {
  if (result === 'failed') return `${subject}NOT passed to the source: ${detail}`;
  return result === 'already' ? `the source had it acknowledged already: ${detail}` : `${subject}passed to the source: ${detail}`;
}

/**
 * The rule id of a condition's alarm (a `/` in the id is written `|`: it would read as a per-point
 * rule); a condition about a zone gets the zone's point as a per-point rule does
 * (`condition:<id>/zone_3_state`), so the alarm is placed at the zone.
 */
export const sourceRuleId = (conditionId: string, zonePoint?: string): string => `${SOURCE_RULE_PREFIX}${conditionId.replaceAll('/', '|')}${zonePoint ? `/${zonePoint}` : ''}`;

/** The state point of zone `n` of a kind with zones. */
function zonePointOf(kind: DeviceInfo['kind'], n: number | undefined): string | undefined {
  if (n === undefined) return undefined;
  const pattern = kindDescriptor(kind).zones?.pattern;
  return pattern ? pattern.replace('{n}', String(n)) : undefined;
}
export const isSourceAlarm = (a: Pick<AlarmRecord, 'rule'>): boolean => a.rule.startsWith(SOURCE_RULE_PREFIX);

function valuesOf(c: SourceCondition): Values {
  return {
    connector: c.connector,
    condition_id: c.conditionId,
    condition_name: c.conditionName,
    source_name: c.sourceName,
    severity: c.severity,
    message: c.message,
    event_id: c.eventId,
    active: c.active,
    acked: c.acked,
    source_time: c.time,
  };
}

export class SourceConditions implements ConditionSink {
  private readonly alarms: AlarmManager;
  private readonly devices: ReadonlyMap<string, DeviceInfo>;
  private readonly log: Logger;
  /** Devices whose conditions are unknown now (comms lost, not refreshed). */
  private readonly unknownSince = new Map<string, string>();
  /** Per alarm key: whether the source last reported the condition acknowledged. */
  private readonly sourceAcked = new Map<string, boolean>();
  private resend: ((alarm: AlarmRecord) => void) | undefined;
  /** Per alarm key: the id of the condition's latest alarm (a late resend is journaled on it, also once closed). */
  private readonly latest = new Map<string, string>();

  constructor(alarms: AlarmManager, devices: readonly DeviceInfo[], log: Logger) {
    this.alarms = alarms;
    this.devices = new Map(devices.map((d) => [d.id, d]));
    this.log = log;
  }

  /**
   * The port for acknowledges to send again: after a refresh, an alarm an operator acknowledged that
   * the source still reports unacknowledged (the acknowledge did not get through, e.g. it was made
   * while the source was unreachable). The composition root passes the connector's acknowledge in.
   */
  onAckToResend(port: (alarm: AlarmRecord) => void): void {
    this.resend = port;
  }

  condition(c: SourceCondition): void {
    const device = this.devices.get(c.device);
    if (!device) {
      this.log.warn({ device: c.device, condition: c.conditionId }, 'condition of an unknown device ignored');
      return;
    }
    const rule = sourceRuleId(c.conditionId, zonePointOf(device.kind, c.zone));
    const title = c.message !== '' ? c.message : `${c.sourceName} ${c.conditionName}`.trim();
    const meta: RuleMeta = { rule, title, priority: c.priority, latching: false, lifeSafety: c.lifeSafety, workOrder: null };
    const values = valuesOf(c);
    this.sourceAcked.set(keyOf(rule, device.id), c.acked);
    try {
      let open = this.alarms.openFor(rule, device.id);
      if (c.active && !open?.conditionActive) this.alarms.conditionChanged(meta, device, true, values);
      else if (!c.active && open?.conditionActive) this.alarms.conditionChanged(meta, device, false, values);
      else if (!c.active && !open && !c.acked) {
        // active and over while the gateway could not see it, still unacknowledged at the source
        this.alarms.batch(() => {
          this.alarms.conditionChanged(meta, device, true, values);
          this.alarms.conditionChanged(meta, device, false, values);
        });
      }
      open = this.alarms.openFor(rule, device.id);
      if (open) this.latest.set(keyOf(rule, device.id), open.id);
      if (c.acked && open && (open.state === 'active-unack' || open.state === 'rtn-unack')) {
        const text = `acknowledged at the source (${c.sourceName || c.connector})${c.comment ? `: ${c.comment}` : ''}`;
        this.alarms.acknowledge(open.id, `${SOURCE_ACTOR_PREFIX}${c.connector}`, text);
      }
    } catch (err) {
      this.log.error({ err, device: c.device, condition: c.conditionId }, 'source condition could not be journaled');
    }
  }

  ackSentAgain(r: SourceAckResend): void {
    const device = this.devices.get(r.device);
    if (!device) return;
    const rule = sourceRuleId(r.conditionId, zonePointOf(device.kind, r.zone));
    const id = this.alarms.openFor(rule, device.id)?.id ?? this.latest.get(keyOf(rule, device.id));
    if (id === undefined) return;
    const verdict = sourceAckVerdict(r.result, r.detail);
    try {
      const why = r.why === 'late-branch' ? 'the source reported a state after the acknowledge (a branch); the acknowledge sent again' : 'after the refresh, the acknowledge made while not connected sent to a branch waiting before the loss';
      this.alarms.note(id, 'source', `system:${r.connector}`, `${why}: ${verdict}`, { result: r.result, detail: r.detail });
    } catch (err) {
      this.log.error({ err, alarm: id }, 'acknowledge sent again could not be journaled');
    }
  }

  unknown(device: string, reason: string): void {
    if (this.unknownSince.has(device)) return;
    this.unknownSince.set(device, reason);
    for (const a of this.openOf(device)) {
      try {
        this.alarms.note(a.id, 'source', 'system:conditions', `condition state unknown (${reason}): kept as it was until the source is refreshed`, { condition_state: 'unknown' });
      } catch (err) {
        this.log.error({ err, alarm: a.id }, 'condition state unknown could not be journaled');
      }
    }
  }

  refreshed(device: string, retained: readonly string[]): void {
    try {
      this.applyRefresh(device, retained);
    } catch (err) {
      this.log.error({ err, device }, 'condition refresh could not be journaled');
    }
  }

  private applyRefresh(device: string, retained: readonly string[]): void {
    const wasUnknown = this.unknownSince.delete(device);
    const still = new Set(retained);
    const stillHas = (a: AlarmRecord): boolean => still.has(String(a.values.condition_id ?? ''));
    for (const a of this.openOf(device)) {
      if (a.conditionActive && !stillHas(a)) {
        const meta: RuleMeta = { rule: a.rule, title: a.title, priority: a.priority, latching: a.latching, lifeSafety: a.lifeSafety === true, workOrder: a.workOrder };
        const info = this.devices.get(device);
        if (info) this.alarms.conditionChanged(meta, info, false, { ...a.values, active: false, refresh: 'not retained by the source' });
      }
      const now = this.alarms.get(a.id);
      if (wasUnknown && now && now.closedAt === null) {
        this.alarms.note(a.id, 'source', 'system:conditions', 'condition state known again (ConditionRefresh)', { condition_state: now.conditionActive ? 'active' : 'inactive' });
      }
      const operatorAcked = now?.closedAt === null && now.ackedAt !== null && !(now.ackedBy ?? '').startsWith(SOURCE_ACTOR_PREFIX);
      if (now && operatorAcked && stillHas(now) && this.sourceAcked.get(keyOf(now.rule, device)) === false) this.resend?.(now);
    }
  }

  openConditions(device: string): string[] {
    return this.openOf(device)
      .filter((a) => a.conditionActive)
      .map((a) => a.values.condition_id)
      .filter((id): id is string => typeof id === 'string');
  }

  private openOf(device: string): AlarmRecord[] {
    return this.alarms.openRecords().filter((a) => a.device === device && isSourceAlarm(a));
  }
}
