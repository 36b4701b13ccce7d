/**
 * The alarm lifecycle's commands: condition changes from the rule engine, operator actions,
 * shelving and device modes. The read side is `AlarmQueries` (alarm-queries.ts); every transition
 * goes through the `AlarmLedger` (alarm-ledger.ts: one SQLite transaction per batch, events after
 * COMMIT); chattering and flood are `FloodWatch` (alarm-flood-watch.ts), first-out grouping is
 * `AlarmGrouping` (alarm-grouping.ts). The contract types are in alarm-manager-types.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../gateway/model/device.ts';
import { zoneOfPoint } from '../../gateway/model/kinds/index.ts';
import { placeOfPoint } from '../../gateway/model/zone-places.ts';
import type { PointValue } from '../../gateway/model/sample.ts';
import type { AlarmEventType, AlarmRecord, DeviceMode, DeviceModeInfo } from './alarm-model.ts';
import type { AlarmSettings } from './config/rule-schema.ts';
import type { ShelfRow } from './alarm-store.ts';
import { shelveRefusal, type ShelverRole } from './shelve-policy.ts';
import { acknowledge, onConditionActive, onConditionInactive, reset, type TransitionResult } from './alarm-transitions.ts';
import { AlarmActionError, keyOf, type AlarmManagerOptions, type AlarmSubject, type ConditionChange, type RuleMeta, type Values } from './alarm-manager-types.ts';
import { AlarmGrouping } from './alarm-grouping.ts';
import { AlarmQueries } from './alarm-queries.ts';

export { AlarmActionError, CONNECTION_RULE } from './alarm-manager-types.ts';
export type { AlarmActionErrorCode, AlarmManagerOptions, AlarmSubject, RuleMeta } from './alarm-manager-types.ts';

interface Shelf extends ShelfRow {
  timer: Timer;
}

const groupedText = (parent: AlarmRecord): string => `consequence of: ${parent.title}`;

/** Who puts a device back in service when its mode's end time (`until`) is reached. */
export const MODE_END_BY = 'system:mode-end';
/** The furthest end time a device mode may be given. */
export const MAX_MODE_SPAN_MS = 366 * 86_400_000;
// a timer longer than this fires at once on Node (setTimeout's 32-bit limit): longer waits are re-armed
const MAX_TIMER_MS = 2 ** 31 - 1;

export type ModeListener = (info: DeviceModeInfo) => void;

export class AlarmManager extends AlarmQueries {
  private readonly clock: Clock;
  private readonly settings: AlarmSettings;
  private readonly log: Logger;
  private readonly devices: ReadonlyMap<string, DeviceInfo>;
  private grouping: AlarmGrouping;
  private readonly shelves = new Map<string, Shelf>();
  private readonly modeEnds = new Map<string, Timer>();
  private readonly modeListeners = new Set<ModeListener>();

  constructor(options: AlarmManagerOptions) {
    super(options);
    this.clock = options.clock;
    this.settings = options.settings;
    this.log = options.log;
    this.devices = new Map(options.devices.map((d) => [d.id, d]));
    this.grouping = new AlarmGrouping(this.ledger.open, this.devices, options.groupUnder ?? new Map(), options.commsRules ?? new Set());
    // Shelves outlive restarts: re-arm each, expiring the ones whose time passed while we were down.
    for (const row of this.store.shelves()) this.armShelf(row);
    // so do mode end times: one already past ends the mode at the first tick after the start
    for (const m of this.ledger.modes.values()) if (m.until !== null && m.until !== undefined) this.armModeEnd(m.device, m.until);
  }

  /** Every committed mode change (by an operator or at its end time), after COMMIT. */
  onModeChange(listener: ModeListener): () => void {
    this.modeListeners.add(listener);
    return () => this.modeListeners.delete(listener);
  }

  /**
   * Run `fn` as one transaction; the events of the transitions inside are emitted after COMMIT.
   * If the commit fails, memory is reloaded from the database and no event is emitted.
   */
  batch<T>(fn: () => T): T {
    return this.ledger.batch(fn);
  }

  /** What the manager knows of the rules, after they were reloaded (open alarms are kept as they are). */
  setRuleFacts(facts: Pick<AlarmManagerOptions, 'lifeSafetyDevices' | 'groupUnder' | 'commsRules'>): void {
    this.lifeSafetyDevices = facts.lifeSafetyDevices ?? new Set();
    this.grouping = new AlarmGrouping(this.ledger.open, this.devices, facts.groupUnder ?? new Map(), facts.commsRules ?? new Set());
  }

  // ---- condition changes (from the rule engine) ----

  conditionChanged(meta: RuleMeta, device: AlarmSubject, active: boolean, values: Values): void {
    const change: ConditionChange = { meta, device, active, values, at: this.clock.now() };
    this.batch(() => {
      this.ledger.remember(change);
      this.applyChange(change);
    });
  }

  protected applyChange(change: ConditionChange): void {
    const { meta, device, active, values } = change;
    const key = keyOf(meta.rule, device.id);
    const now = change.at;
    const prev = this.ledger.open.get(key);
    const chatterNow = this.floodWatch.chatters(key);
    if (active) {
      if (!prev) this.raiseNew(meta, device, values, now, chatterNow);
      else if (!prev.conditionActive) this.reRaise(prev, onConditionActive(prev, now, values), now);
    } else if (prev && prev.conditionActive) {
      this.ledger.commit(prev, onConditionInactive(prev, now, values), 'cleared');
      this.releaseChildren(prev, now);
    }
    const current = this.ledger.open.get(key);
    if (current && chatterNow && !current.chattering) {
      this.ledger.commit(current, { ...current, chattering: true, updatedAt: now }, 'chattering');
    }
  }

  private reRaise(prev: AlarmRecord, next: AlarmRecord, now: number): void {
    const parent = this.grouping.parentFor(next.rule, next.device);
    if (parent) {
      this.ledger.commit(prev, { ...next, parent: parent.id, suppressed: true }, 'grouped', { text: groupedText(parent) });
      return;
    }
    const children = this.grouping.childrenOf(next);
    this.ledger.commit(prev, next, prev.suppressed ? 'suppressed' : 'raised', { children });
    this.groupChildren(next, children, now);
  }

  private raiseNew(meta: RuleMeta, device: AlarmSubject, values: Values, now: number, chattering: boolean): void {
    const parent = this.grouping.parentFor(meta.rule, device.id);
    const suppressed = parent !== undefined || this.modeSuppresses(device.id);
    const record = this.newRecord(meta, device, values, now, { suppressed, parent: parent?.id ?? null });
    if (parent) {
      this.ledger.commit(undefined, record, 'grouped', { text: groupedText(parent) });
      return;
    }
    const children = this.grouping.childrenOf(record);
    this.ledger.commit(undefined, record, suppressed ? 'suppressed' : 'raised', { children });
    this.groupChildren(record, children, now);
    // A suppressed or chattering alarm is no sign of a flood: it is one device misbehaving or worked on.
    if (!suppressed && !chattering) this.countStart(record);
  }

  private newRecord(meta: RuleMeta, device: AlarmSubject, values: Values, now: number, group: { suppressed: boolean; parent: string | null }): AlarmRecord {
    const shelf = this.shelves.get(keyOf(meta.rule, device.id));
    // a per-point rule on a fire zone (`fire.zone-fire/zone_3_state`) is located at the zone, not the panel
    const info = this.devices.get(device.id);
    const place = info ? placeOfPoint(info, meta.rule.split('/')[1], (p) => zoneOfPoint(info.kind, p)) : device.location;
    return {
      id: randomUUID(),
      rule: meta.rule,
      device: device.id,
      kind: device.kind,
      site: device.location.site,
      building: place.building,
      floor: place.floor,
      title: meta.title,
      priority: meta.priority,
      priorityLabel: this.settings.priorities[meta.priority],
      latching: meta.latching,
      lifeSafety: meta.lifeSafety === true,
      workOrder: meta.workOrder,
      state: 'active-unack',
      conditionActive: true,
      raisedAt: now,
      updatedAt: now,
      occurrences: 1,
      ackedAt: null,
      ackedBy: null,
      clearedAt: null,
      closedAt: null,
      shelved: shelf ? { by: shelf.by, reason: shelf.reason, at: shelf.at, until: shelf.until } : null,
      suppressed: group.suppressed,
      parent: group.parent,
      chattering: false, // set (and journaled) by the caller's chatter check
      values,
    };
  }

  // ---- parent-child grouping (ISA-18.2 first out) ----

  private modeSuppresses(device: string): boolean {
    return (this.ledger.modes.get(device)?.mode ?? 'in_service') !== 'in_service';
  }

  private groupChildren(parent: AlarmRecord, children: readonly AlarmRecord[], now: number): void {
    for (const c of children) this.ledger.commit(c, { ...c, parent: parent.id, suppressed: true, updatedAt: now }, 'grouped', { text: groupedText(parent) });
  }

  /** The parent's condition ended: consequences still active stand on their own again. */
  private releaseChildren(parent: AlarmRecord, now: number): void {
    for (const c of [...this.ledger.open.values()]) {
      if (c.parent !== parent.id) continue;
      const suppressed = this.modeSuppresses(c.device);
      const next: AlarmRecord = { ...c, parent: null, suppressed, state: 'active-unack', updatedAt: now };
      this.ledger.commit(c, next, suppressed ? 'suppressed' : 'raised', { text: `no longer grouped: ${parent.title} ended` });
      if (!suppressed) this.countStart(next);
    }
  }

  /** Count a started alarm towards a flood; a flood that begins is journaled on it. */
  private countStart(record: AlarmRecord): void {
    for (const { flood, text } of this.floodWatch.started(record)) this.ledger.commit(record, record, 'flood', { by: 'system:flood', text, flood });
  }

  // ---- operator actions ----

  acknowledge(id: string, by: string, text?: string): AlarmRecord {
    return this.act(id, (a, now) => acknowledge(a, now, by), 'acknowledged', by, text);
  }

  reset(id: string, by: string, text?: string): AlarmRecord {
    return this.act(id, (a, now) => reset(a, now), 'reset', by, text);
  }

  comment(id: string, by: string, text: string): AlarmRecord {
    if (text.trim() === '') throw new AlarmActionError('BAD_REQUEST', 'text: a comment must not be empty');
    const known = this.find(id);
    return this.batch(() => {
      const next = { ...known, updatedAt: this.clock.now() };
      if (known.closedAt === null) this.ledger.commit(known, next, 'comment', { by, text });
      else this.ledger.journalOnly(known, 'comment', by, text);
      return known.closedAt === null ? next : known;
    });
  }

  /** Assign an open alarm to an operator (journaled with who, when and the note). */
  assign(id: string, to: string, by: string, note?: string): AlarmRecord {
    if (to.trim() === '') throw new AlarmActionError('BAD_REQUEST', 'to: name the operator to assign the alarm to');
    const known = this.findOpen(id);
    return this.batch(() => {
      const now = this.clock.now();
      const next: AlarmRecord = { ...known, assignee: { to, by, at: now }, updatedAt: now };
      this.ledger.commit(known, next, 'assigned', { by, text: note ? `assigned to ${to}: ${note}` : `assigned to ${to}` });
      return next;
    });
  }

  /**
   * A journal row that changes nothing on the record (escalation notices): written in its own
   * transaction and announced after COMMIT like every other row. Works on closed alarms too.
   */
  note(id: string, type: 'escalated' | 'escalation-cleared' | 'procedure-step' | 'source', by: string, text: string, values: Readonly<Record<string, PointValue>> = {}): AlarmRecord {
    const known = this.find(id);
    return this.batch(() => {
      this.ledger.journalOnly(known, type, by, text, values);
      return known;
    });
  }

  /**
   * Shelve for `durationMs` under the alarm's shelving policy (`alarms.shelving`): by default a
   * priority-1 or life-safety alarm is refused to an operator (`SHELVE_NOT_ALLOWED`) and shelved by
   * an admin for at most 30 minutes; the journal says who, why and under which policy.
   */
  shelve(id: string, by: string, reason: string, durationMs: number, role: ShelverRole = 'operator'): AlarmRecord {
    if (reason.trim() === '') throw new AlarmActionError('BAD_REQUEST', 'reason: shelving needs a reason');
    if (!(durationMs > 0)) throw new AlarmActionError('BAD_REQUEST', 'duration: must be positive');
    const a = this.findOpen(id);
    const refused = shelveRefusal(a, role, durationMs, this.settings);
    if (refused) throw new AlarmActionError(refused.code === 'SHELVE_NOT_ALLOWED' ? 'SHELVE_NOT_ALLOWED' : 'BAD_REQUEST', refused.message);
    const restricted = a.lifeSafety === true || a.priority === 1;
    return this.batch(() => {
      const now = this.clock.now();
      const row: ShelfRow = { rule: a.rule, device: a.device, by, reason, at: now, until: now + durationMs };
      this.store.putShelf(row);
      this.armShelf(row);
      const next: AlarmRecord = { ...a, shelved: { by, reason, at: now, until: row.until }, updatedAt: now };
      const text = restricted ? `${reason} [${role} shelved a ${a.lifeSafety === true ? 'life-safety' : 'priority-1'} alarm for ${Math.round(durationMs / 60_000)} min]` : reason;
      this.ledger.commit(a, next, 'shelved', { by, text });
      return next;
    });
  }

  unshelve(id: string, by: string): AlarmRecord {
    const a = this.findOpen(id);
    if (!a.shelved) throw new AlarmActionError('CONFLICT', `alarm ${id} is not shelved`);
    return this.batch(() => this.endShelf(a.rule, a.device, by) ?? a);
  }

  /**
   * Put a device in maintenance / out of service (its alarms are suppressed) or back in service.
   * `until` (epoch ms, in the future, at most MAX_MODE_SPAN_MS ahead) is when the gateway puts it
   * back in service on its own (`MODE_END_BY`); it survives restarts.
   */
  setDeviceMode(device: string, mode: DeviceMode, by: string, reason: string, until: number | null = null): DeviceModeInfo {
    if (!this.devices.get(device)) throw new AlarmActionError('NOT_FOUND', `no device "${device}"`);
    if (until !== null) {
      const now = this.clock.now();
      if (mode === 'in_service') throw new AlarmActionError('BAD_REQUEST', 'until: an end time belongs to maintenance or out of service, not to in service');
      if (!Number.isFinite(until) || until <= now) throw new AlarmActionError('BAD_REQUEST', `until: the end time must be in the future (it is ${new Date(now).toISOString()} now)`);
      if (until - now > MAX_MODE_SPAN_MS) throw new AlarmActionError('BAD_REQUEST', `until: the end time must be within ${MAX_MODE_SPAN_MS / 86_400_000} days`);
    }
    const info = this.batch(() => {
      const now = this.clock.now();
      const entry: DeviceModeInfo = { device, mode, by, reason, since: now, until };
      this.store.setMode(entry);
      if (mode === 'in_service') this.ledger.modes.delete(device);
      else this.ledger.modes.set(device, entry);
      const text = `device ${mode.replace('_', ' ')}${reason ? `: ${reason}` : ''}`;
      for (const a of [...this.ledger.open.values()]) {
        if (a.device !== device) continue;
        // Only a standing condition is suppressed; a returned or latched one still awaits its operator.
        if (mode !== 'in_service' && !a.suppressed && a.conditionActive) this.ledger.commit(a, { ...a, suppressed: true, updatedAt: now }, 'suppressed', { by, text });
        if (mode === 'in_service' && a.suppressed && !a.parent) {
          // Back in service with the condition still active: now it is announced.
          this.ledger.commit(a, { ...a, suppressed: false, state: 'active-unack', updatedAt: now }, 'raised', { by, text });
        }
      }
      return entry;
    });
    if (until !== null) this.armModeEnd(device, until);
    else {
      this.modeEnds.get(device)?.cancel();
      this.modeEnds.delete(device);
    }
    for (const l of this.modeListeners) {
      try {
        l(info);
      } catch (err) {
        this.log.error({ err, device }, 'device mode listener failed');
      }
    }
    return info;
  }

  close(): void {
    this.ledger.close();
    for (const s of this.shelves.values()) s.timer.cancel();
    this.shelves.clear();
    for (const t of this.modeEnds.values()) t.cancel();
    this.modeEnds.clear();
    this.modeListeners.clear();
  }

  // ---- internals ----

  private act(id: string, fn: (a: AlarmRecord, now: number) => TransitionResult, type: AlarmEventType, by: string, text?: string): AlarmRecord {
    const a = this.findOpen(id);
    return this.batch(() => {
      const result = fn(a, this.clock.now());
      if (!result.ok) throw new AlarmActionError('CONFLICT', result.reason);
      this.ledger.commit(a, result.next, type, { by, ...(text !== undefined ? { text } : {}) });
      return result.next;
    });
  }

  private armShelf(row: ShelfRow): void {
    const key = keyOf(row.rule, row.device);
    this.shelves.get(key)?.timer.cancel();
    const timer = this.clock.setTimer(Math.max(0, row.until - this.clock.now()), () => {
      if (this.ledger.isClosed) return;
      try {
        this.batch(() => this.endShelf(row.rule, row.device, 'system:expiry'));
      } catch (err) {
        this.log.error({ err, rule: row.rule, device: row.device }, 'shelf expiry failed');
      }
    });
    this.shelves.set(key, { ...row, timer });
  }

  /** At `until` the device goes back in service, unless its mode changed since (then this timer was replaced). */
  private armModeEnd(device: string, until: number): void {
    this.modeEnds.get(device)?.cancel();
    const wait = Math.min(Math.max(0, until - this.clock.now()), MAX_TIMER_MS);
    const timer = this.clock.setTimer(wait, () => {
      if (this.modeEnds.get(device) !== timer) return;
      this.modeEnds.delete(device);
      if (this.ledger.isClosed || this.ledger.modes.get(device)?.until !== until) return;
      // a long wait in steps, or the wall clock set back since: not due yet
      if (this.clock.now() < until) return this.armModeEnd(device, until);
      try {
        this.setDeviceMode(device, 'in_service', MODE_END_BY, `end time ${new Date(until).toISOString()} reached`);
      } catch (err) {
        this.log.error({ err, device }, 'ending a device mode at its end time failed');
      }
    });
    this.modeEnds.set(device, timer);
  }

  private endShelf(rule: string, device: string, by: string): AlarmRecord | undefined {
    const key = keyOf(rule, device);
    this.shelves.get(key)?.timer.cancel();
    this.shelves.delete(key);
    this.store.deleteShelf(rule, device);
    const a = this.ledger.open.get(key);
    if (!a || !a.shelved) return a;
    const next: AlarmRecord = { ...a, shelved: null, updatedAt: this.clock.now() };
    this.ledger.commit(a, next, 'unshelved', { by, ...(by === 'system:expiry' ? { text: 'shelf expired' } : {}) });
    return next;
  }
}
