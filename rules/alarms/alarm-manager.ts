/**
 * The alarm lifecycle: open instances per (rule, device), operator actions, shelving, suppression
 * by device mode, chattering and flood detection. Every transition is written with its journal row
 * in one SQLite transaction; events are emitted only after that transaction commits.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../gateway/model/clock.ts';
import type { DeviceInfo, Location } from '../../gateway/model/device.ts';
import { zoneOfPoint } from '../../gateway/model/kinds/index.ts';
import { placeOfPoint } from '../../gateway/model/zone-places.ts';
import type { PointValue } from '../../gateway/model/sample.ts';
import type {
  AlarmEvent,
  AlarmEventType,
  AlarmKind,
  AlarmListener,
  AlarmPriority,
  AlarmQuery,
  AlarmRecord,
  DeviceMode,
  DeviceModeInfo,
  FloodInfo,
  JournalEntry,
  WorkOrderHint,
} from './alarm-model.ts';
import type { AlarmSettings } from './config/rule-schema.ts';
import type { AlarmStore, ShelfRow } from './alarm-store.ts';
import { isDiskFull, WriteHealth } from '../../gateway/platform/write-health.ts';
import { baseRuleOf, shelveRefusal, type ShelverRole } from './shelve-policy.ts';
import { acknowledge, onConditionActive, onConditionInactive, reset, type TransitionResult } from './alarm-transitions.ts';

/** What an alarm is about: a device, or a connector (`kind: 'connection'`). DeviceInfo fits. */
export interface AlarmSubject {
  readonly id: string;
  readonly kind: AlarmKind;
  readonly location: Location;
}

/** The rule id of connection alarms (one per connector whose link is lost). */
export const CONNECTION_RULE = 'connection.lost';

/** What the manager needs to know about the rule behind an alarm. */
export interface RuleMeta {
  readonly rule: string;
  readonly title: string;
  readonly priority: AlarmPriority;
  readonly latching: boolean;
  readonly workOrder: WorkOrderHint | null;
  /** The rule is marked `lifeSafety` (fire, smoke, entrapment). */
  readonly lifeSafety?: boolean;
  /** Rule ids (as written) whose active alarm on the same device makes this one a consequence. */
  readonly groupUnder?: readonly string[];
}

export type AlarmActionErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST' | 'SHELVE_NOT_ALLOWED';

/** An operator action that cannot be applied; `code` maps to an HTTP status in the API. */
export class AlarmActionError extends Error {
  readonly code: AlarmActionErrorCode;
  constructor(code: AlarmActionErrorCode, message: string) {
    super(message);
    this.name = 'AlarmActionError';
    this.code = code;
  }
}

export interface AlarmManagerOptions {
  readonly store: AlarmStore;
  readonly clock: Clock;
  readonly settings: AlarmSettings;
  readonly devices: readonly DeviceInfo[];
  readonly log: Logger;
  /** Devices with at least one life-safety rule: their maintenance mode is shown in the console's strip. */
  readonly lifeSafetyDevices?: ReadonlySet<string>;
  /** `groupUnder` of each rule (ids as written): which parents make an alarm of it a consequence. */
  readonly groupUnder?: ReadonlyMap<string, readonly string[]>;
  /** Rules that watch a whole device's silence (comms lost): consequences of a lost connection. */
  readonly commsRules?: ReadonlySet<string>;
  /** Health of writes to gateway.db (logs the real error once per state change). */
  readonly health?: WriteHealth;
  /** Called at once when a write failed with SQLITE_FULL; true when it freed space (the reserve). */
  readonly onDiskFull?: () => boolean;
  /** Retry period of condition changes that could not be journaled (default 1 s). */
  readonly retryEvery?: number;
}

/** A condition change as the engine reported it; kept and retried until it is journaled. */
interface ConditionChange {
  readonly meta: RuleMeta;
  readonly device: AlarmSubject;
  readonly active: boolean;
  readonly values: Values;
  /** When it happened (the alarm is dated by this, not by the retry). */
  readonly at: number;
}

type Values = Readonly<Record<string, PointValue>>;
const keyOf = (rule: string, device: string): string => `${rule}\u0000${device}`;

interface Shelf extends ShelfRow {
  timer: Timer;
}

export class AlarmManager {
  private readonly store: AlarmStore;
  private readonly clock: Clock;
  private readonly settings: AlarmSettings;
  private readonly log: Logger;
  private readonly devices: ReadonlyMap<string, DeviceInfo>;
  private lifeSafetyDevices: ReadonlySet<string>;
  private groupUnder: ReadonlyMap<string, readonly string[]>;
  private commsRules: ReadonlySet<string>;
  readonly health: WriteHealth;
  private readonly onDiskFull: (() => boolean) | undefined;
  private readonly retryEvery: number;
  /** Condition changes not yet journaled (a failed commit), oldest first: replayed before anything new. */
  private unjournaled: ConditionChange[] = [];
  private attempt: ConditionChange[] | undefined;
  private replaying = false;
  private retryTimer: Timer | undefined;
  private readonly recoveredListeners = new Set<() => void>();
  private readonly open = new Map<string, AlarmRecord>();
  private readonly openById = new Map<string, string>();
  private readonly shelves = new Map<string, Shelf>();
  private readonly modes = new Map<string, DeviceModeInfo>();
  private readonly transitions = new Map<string, number[]>();
  private readonly starts = new Map<string, number[]>();
  private readonly flooding = new Set<string>();
  private readonly listeners = new Set<AlarmListener>();
  private pending: AlarmEvent[] = [];
  private inBatch = false;
  private closed = false;

  constructor(options: AlarmManagerOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.settings = options.settings;
    this.log = options.log;
    this.devices = new Map(options.devices.map((d) => [d.id, d]));
    this.lifeSafetyDevices = options.lifeSafetyDevices ?? new Set();
    this.groupUnder = options.groupUnder ?? new Map();
    this.commsRules = options.commsRules ?? new Set();
    this.health = options.health ?? new WriteHealth(options.log, 'gateway.db (alarms)');
    this.onDiskFull = options.onDiskFull;
    this.retryEvery = options.retryEvery ?? 1000;
    this.loadFromStore();
    // Shelves outlive restarts: re-arm each, expiring the ones whose time passed while we were down.
    for (const row of this.store.shelves()) this.armShelf(row);
  }

  /** Be told of every committed transition. Returns the unsubscribe function. */
  onEvent(listener: AlarmListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Run `fn` as one transaction; the events of the transitions inside are emitted after COMMIT.
   * If the commit fails, memory is reloaded from the database and no event is emitted.
   */
  batch<T>(fn: () => T): T {
    if (this.inBatch) return fn();
    this.inBatch = true;
    const attempt: ConditionChange[] = [];
    this.attempt = attempt;
    const replay = this.unjournaled;
    let result: T;
    try {
      result = this.store.transaction(() => {
        // what could not be journaled before goes first, in its order, with its own times
        this.replaying = true;
        try {
          for (const c of replay) this.applyChange(c);
        } finally {
          this.replaying = false;
        }
        return fn();
      });
    } catch (err) {
      this.pending = [];
      this.loadFromStore();
      // never dropped: the condition changes of this batch are retried until they are journaled
      this.unjournaled = [...replay, ...attempt];
      const failure = this.health.failed(err, 'alarm transaction');
      // space was just freed (the reserve): retry at once; otherwise on the retry period
      const freed = isDiskFull(failure) && this.onDiskFull?.() === true;
      this.armRetry(freed ? 0 : this.retryEvery);
      throw err;
    } finally {
      this.inBatch = false;
      this.attempt = undefined;
    }
    const retried = replay.length > 0;
    if (retried) this.unjournaled = this.unjournaled.slice(replay.length);
    this.health.ok();
    const events = this.pending;
    this.pending = [];
    for (const e of events) this.emit(e);
    if (retried) for (const l of this.recoveredListeners) l();
    return result;
  }

  /** Condition changes waiting to be journaled (a failed write; retried on the Clock). */
  unjournaledCount(): number {
    return this.unjournaled.length;
  }

  /** What the manager knows of the rules, after they were reloaded (open alarms are kept as they are). */
  setRuleFacts(facts: Pick<AlarmManagerOptions, 'lifeSafetyDevices' | 'groupUnder' | 'commsRules'>): void {
    this.lifeSafetyDevices = facts.lifeSafetyDevices ?? new Set();
    this.groupUnder = facts.groupUnder ?? new Map();
    this.commsRules = facts.commsRules ?? new Set();
  }

  /** Be told when retried condition changes were finally journaled (the engine realigns). */
  onRetried(listener: () => void): () => void {
    this.recoveredListeners.add(listener);
    return () => this.recoveredListeners.delete(listener);
  }

  private armRetry(ms: number): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = this.clock.setTimer(ms, () => {
      this.retryTimer = undefined;
      if (this.closed || this.unjournaled.length === 0) return;
      try {
        this.batch(() => undefined);
      } catch {
        // logged once by the health tracker; armed again by the failure
      }
    });
  }

  /** The open instance of (rule, device), if any. */
  openFor(rule: string, device: string): AlarmRecord | undefined {
    return this.open.get(keyOf(rule, device));
  }

  // ---- condition changes (from the rule engine) ----

  conditionChanged(meta: RuleMeta, device: AlarmSubject, active: boolean, values: Values): void {
    const change: ConditionChange = { meta, device, active, values, at: this.clock.now() };
    this.batch(() => {
      if (!this.replaying) this.attempt?.push(change);
      this.applyChange(change);
    });
  }

  private applyChange(change: ConditionChange): void {
    const { meta, device, active, values } = change;
    {
      const key = keyOf(meta.rule, device.id);
      const now = change.at;
      const prev = this.open.get(key);
      const chatterNow = this.countTransition(key);
      if (active) {
        if (!prev) this.raiseNew(meta, device, values, now, chatterNow);
        else if (!prev.conditionActive) {
          const next = onConditionActive(prev, now, values);
          const parent = this.parentFor(next.rule, next.device);
          if (parent) this.commit(prev, { ...next, parent: parent.id, suppressed: true }, 'grouped', undefined, `consequence of: ${parent.title}`);
          else {
            const children = this.childrenOf(next);
            this.commit(prev, next, prev.suppressed ? 'suppressed' : 'raised', undefined, undefined, undefined, children);
            this.groupChildren(next, children, now);
          }
        }
      } else if (prev && prev.conditionActive) {
        this.commit(prev, onConditionInactive(prev, now, values), 'cleared');
        this.releaseChildren(prev, now);
      }
      const current = this.open.get(key);
      if (current && chatterNow && !current.chattering) {
        this.commit(current, { ...current, chattering: true, updatedAt: now }, 'chattering');
      }
    }
  }

  private raiseNew(meta: RuleMeta, device: AlarmSubject, values: Values, now: number, chattering: boolean): void {
    const shelf = this.shelves.get(keyOf(meta.rule, device.id));
    const parent = this.parentFor(meta.rule, device.id);
    const suppressed = parent !== undefined || this.modeSuppresses(device.id);
    // a per-point rule on a fire zone (`fire.zone-fire/zone_3_state`) is located at the zone, not the panel
    const info = this.devices.get(device.id);
    const place = info ? placeOfPoint(info, meta.rule.split('/')[1], (p) => zoneOfPoint(info.kind, p)) : device.location;
    const record: AlarmRecord = {
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
      suppressed,
      parent: parent?.id ?? null,
      chattering: false, // set (and journaled) by the caller's chatter check
      values,
    };
    if (parent) {
      this.commit(undefined, record, 'grouped', undefined, `consequence of: ${parent.title}`);
      return;
    }
    const children = this.childrenOf(record);
    this.commit(undefined, record, suppressed ? 'suppressed' : 'raised', undefined, undefined, undefined, children);
    this.groupChildren(record, children, now);
    // A suppressed or chattering alarm is no sign of a flood: it is one device misbehaving or worked on.
    if (!suppressed && !chattering) this.countStart(record);
  }

  // ---- parent-child grouping (ISA-18.2 first out) ----

  private modeSuppresses(device: string): boolean {
    return (this.modes.get(device)?.mode ?? 'in_service') !== 'in_service';
  }

  /** The active alarm an alarm of `rule` on `device` is a consequence of, if any. */
  private parentFor(rule: string, device: string): AlarmRecord | undefined {
    const base = baseRuleOf(rule);
    for (const p of this.groupUnder.get(base) ?? []) {
      for (const a of this.open.values()) {
        if (a.device === device && a.conditionActive && !a.parent && baseRuleOf(a.rule) === p) return a;
      }
    }
    if (this.commsRules.has(base)) {
      const connector = this.devices.get(device)?.connector;
      const link = connector ? this.open.get(keyOf(CONNECTION_RULE, connector)) : undefined;
      if (link && link.conditionActive) return link;
    }
    return undefined;
  }

  /** Open, active, not yet grouped alarms that are consequences of `parent`. */
  private childrenOf(parent: AlarmRecord): AlarmRecord[] {
    if (parent.parent || !parent.conditionActive) return [];
    const base = baseRuleOf(parent.rule);
    return [...this.open.values()].filter((a) => {
      if (a.id === parent.id || a.parent || !a.conditionActive) return false;
      if (parent.kind === 'connection') return this.commsRules.has(baseRuleOf(a.rule)) && this.devices.get(a.device)?.connector === parent.device;
      return a.device === parent.device && (this.groupUnder.get(baseRuleOf(a.rule)) ?? []).includes(base);
    });
  }

  private groupChildren(parent: AlarmRecord, children: readonly AlarmRecord[], now: number): void {
    for (const c of children) this.commit(c, { ...c, parent: parent.id, suppressed: true, updatedAt: now }, 'grouped', undefined, `consequence of: ${parent.title}`);
  }

  /** The parent's condition ended: consequences still active stand on their own again. */
  private releaseChildren(parent: AlarmRecord, now: number): void {
    for (const c of [...this.open.values()]) {
      if (c.parent !== parent.id) continue;
      const suppressed = this.modeSuppresses(c.device);
      const next: AlarmRecord = { ...c, parent: null, suppressed, state: 'active-unack', updatedAt: now };
      this.commit(c, next, suppressed ? 'suppressed' : 'raised', undefined, `no longer grouped: ${parent.title} ended`);
      if (!suppressed) this.countStart(next);
    }
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
      const now = this.clock.now();
      const next = { ...known, updatedAt: now };
      if (known.closedAt === null) this.commit(known, next, 'comment', by, text);
      else this.journalOnly(known, 'comment', by, text);
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
      this.commit(known, next, 'assigned', by, note ? `assigned to ${to}: ${note}` : `assigned to ${to}`);
      return next;
    });
  }

  /**
   * A journal row that changes nothing on the record (escalation notices): written in its own
   * transaction and announced after COMMIT like every other row. Works on closed alarms too.
   */
  note(id: string, type: 'escalated' | 'escalation-cleared' | 'procedure-step', by: string, text: string, values: Readonly<Record<string, PointValue>> = {}): AlarmRecord {
    const known = this.find(id);
    return this.batch(() => {
      const at = this.clock.now();
      this.store.journal({ alarmId: known.id, at, type, fromState: known.state, toState: known.state, by, text, values });
      this.pending.push({ type, alarm: known, at, by, text });
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
      this.commit(a, next, 'shelved', by, text);
      return next;
    });
  }

  unshelve(id: string, by: string): AlarmRecord {
    const a = this.findOpen(id);
    if (!a.shelved) throw new AlarmActionError('CONFLICT', `alarm ${id} is not shelved`);
    return this.batch(() => this.endShelf(a.rule, a.device, by) ?? a);
  }

  /** Put a device in maintenance / out of service (its alarms are suppressed) or back in service. */
  setDeviceMode(device: string, mode: DeviceMode, by: string, reason: string): DeviceModeInfo {
    const info = this.devices.get(device);
    if (!info) throw new AlarmActionError('NOT_FOUND', `no device "${device}"`);
    return this.batch(() => {
      const now = this.clock.now();
      const entry: DeviceModeInfo = { device, mode, by, reason, since: now };
      this.store.setMode(entry);
      if (mode === 'in_service') this.modes.delete(device);
      else this.modes.set(device, entry);
      const text = `device ${mode.replace('_', ' ')}${reason ? `: ${reason}` : ''}`;
      for (const a of [...this.open.values()]) {
        if (a.device !== device) continue;
        // Only a standing condition is suppressed; a returned or latched one still awaits its operator.
        if (mode !== 'in_service' && !a.suppressed && a.conditionActive) this.commit(a, { ...a, suppressed: true, updatedAt: now }, 'suppressed', by, text);
        if (mode === 'in_service' && a.suppressed && !a.parent) {
          // Back in service with the condition still active: now it is announced.
          this.commit(a, { ...a, suppressed: false, state: 'active-unack', updatedAt: now }, 'raised', by, text);
        }
      }
      return entry;
    });
  }

  // ---- queries ----

  get(id: string): AlarmRecord | undefined {
    const key = this.openById.get(id);
    return (key ? this.open.get(key) : undefined) ?? this.store.get(id);
  }

  active(q: AlarmQuery = {}): AlarmRecord[] {
    return this.store.query(q, true);
  }

  history(q: AlarmQuery = {}): AlarmRecord[] {
    return this.store.query(q, false);
  }

  journal(id: string): JournalEntry[] {
    if (!this.get(id)) throw new AlarmActionError('NOT_FOUND', `no alarm "${id}"`);
    return this.store.journalOf(id);
  }

  /** Devices not in service; `lifeSafety` marks those whose life-safety alarms are suppressed by it. */
  deviceModes(): DeviceModeInfo[] {
    return [...this.modes.values()].map((m) => ({ ...m, lifeSafety: this.lifeSafetyDevices.has(m.device) }));
  }

  /** Every mode change (the journal of maintenance / out of service), newest first. */
  deviceModeLog(device?: string, limit = 500): DeviceModeInfo[] {
    return this.store.modeLog(device, limit).map((m) => ({ ...m, lifeSafety: this.lifeSafetyDevices.has(m.device) }));
  }

  /**
   * The console's strip: open life-safety and priority-1 alarms that are hidden from the active
   * list (shelved, or suppressed by a device mode), so nobody can make them disappear.
   */
  hiddenLifeSafety(): AlarmRecord[] {
    return [...this.open.values()]
      .filter((a) => (a.lifeSafety === true || a.priority === 1) && (a.shelved !== null || (a.suppressed && !a.parent)))
      .sort((x, y) => x.priority - y.priority || y.raisedAt - x.raisedAt);
  }

  /** Buildings (and the site) currently in alarm flood. */
  floods(): FloodInfo[] {
    const now = this.clock.monotonic();
    const out: FloodInfo[] = [];
    for (const key of [...this.flooding]) {
      const count = this.prune(this.starts.get(key) ?? [], now, this.settings.flood.window).length;
      if (count <= this.settings.flood.alarms) {
        this.flooding.delete(key);
        continue;
      }
      const site = key.startsWith('\u0000site:') ? key.slice('\u0000site:'.length) : undefined;
      out.push(site === undefined ? { scope: 'building', building: key, count, windowMs: this.settings.flood.window } : { scope: 'site', building: '', site, count, windowMs: this.settings.flood.window });
    }
    return out;
  }

  /** Number of open instances (for health and tests). */
  openCount(): number {
    return this.open.size;
  }

  openRecords(): AlarmRecord[] {
    return [...this.open.values()];
  }

  close(): void {
    this.closed = true;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    for (const s of this.shelves.values()) s.timer.cancel();
    this.shelves.clear();
    this.listeners.clear();
  }

  // ---- internals ----

  private loadFromStore(): void {
    this.open.clear();
    this.openById.clear();
    for (const a of this.store.openAlarms()) {
      const key = keyOf(a.rule, a.device);
      this.open.set(key, a);
      this.openById.set(a.id, key);
    }
    this.modes.clear();
    for (const m of this.store.modes()) this.modes.set(m.device, m);
  }

  private find(id: string): AlarmRecord {
    const a = this.get(id);
    if (!a) throw new AlarmActionError('NOT_FOUND', `no alarm "${id}"`);
    return a;
  }

  private findOpen(id: string): AlarmRecord {
    const a = this.find(id);
    if (a.closedAt !== null) throw new AlarmActionError('CONFLICT', `alarm ${id} is closed (back to normal)`);
    return a;
  }

  private act(id: string, fn: (a: AlarmRecord, now: number) => TransitionResult, type: AlarmEventType, by: string, text?: string): AlarmRecord {
    const a = this.findOpen(id);
    return this.batch(() => {
      const result = fn(a, this.clock.now());
      if (!result.ok) throw new AlarmActionError('CONFLICT', result.reason);
      this.commit(a, result.next, type, by, text);
      return result.next;
    });
  }

  /** Write the record and its journal row (inside the current transaction) and queue the event. */
  private commit(
    prev: AlarmRecord | undefined,
    next: AlarmRecord,
    type: AlarmEventType,
    by?: string,
    text?: string,
    flood?: FloodInfo,
    children?: readonly AlarmRecord[],
  ): void {
    if (!this.inBatch) throw new Error('alarm transition outside a transaction');
    if (prev) this.store.update(next);
    else this.store.insert(next);
    this.store.journal({
      alarmId: next.id,
      at: next.updatedAt,
      type,
      fromState: prev ? prev.state : null,
      toState: next.state,
      by: by ?? null,
      text: text ?? null,
      values: next.values,
    });
    const key = keyOf(next.rule, next.device);
    if (next.closedAt === null) {
      this.open.set(key, next);
      this.openById.set(next.id, key);
    } else {
      this.open.delete(key);
      this.openById.delete(next.id);
    }
    this.pending.push({
      type,
      alarm: next,
      at: next.updatedAt,
      ...(by !== undefined ? { by } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(flood ? { flood } : {}),
      ...(children && children.length > 0 ? { children: children.map((c) => c.id) } : {}),
    });
  }

  /** A journal row for a closed alarm (comments after the fact); the record itself is unchanged. */
  private journalOnly(a: AlarmRecord, type: AlarmEventType, by: string, text: string): void {
    const at = this.clock.now();
    this.store.journal({ alarmId: a.id, at, type, fromState: a.state, toState: a.state, by, text, values: {} });
    this.pending.push({ type, alarm: a, at, by, text });
  }

  private armShelf(row: ShelfRow): void {
    const key = keyOf(row.rule, row.device);
    this.shelves.get(key)?.timer.cancel();
    const timer = this.clock.setTimer(Math.max(0, row.until - this.clock.now()), () => {
      if (this.closed) return;
      try {
        this.batch(() => this.endShelf(row.rule, row.device, 'system:expiry'));
      } catch (err) {
        this.log.error({ err, rule: row.rule, device: row.device }, 'shelf expiry failed');
      }
    });
    this.shelves.set(key, { ...row, timer });
  }

  private endShelf(rule: string, device: string, by: string): AlarmRecord | undefined {
    const key = keyOf(rule, device);
    this.shelves.get(key)?.timer.cancel();
    this.shelves.delete(key);
    this.store.deleteShelf(rule, device);
    const a = this.open.get(key);
    if (!a || !a.shelved) return a;
    const next: AlarmRecord = { ...a, shelved: null, updatedAt: this.clock.now() };
    this.commit(a, next, 'unshelved', by, by === 'system:expiry' ? 'shelf expired' : undefined);
    return next;
  }

  private prune(list: number[], now: number, window: number): number[] {
    let drop = 0;
    while (drop < list.length && (list[drop] as number) <= now - window) drop++;
    if (drop > 0) list.splice(0, drop);
    return list;
  }

  /** Record a condition change of (rule, device); true when it is now chattering. */
  private countTransition(key: string): boolean {
    const now = this.clock.monotonic();
    let list = this.transitions.get(key);
    if (!list) this.transitions.set(key, (list = []));
    this.prune(list, now, this.settings.chatter.window);
    list.push(now);
    return list.length >= this.settings.chatter.transitions;
  }

  /** Count a started alarm towards a flood of its building and of its whole site. */
  private countStart(record: AlarmRecord): void {
    this.countStartIn(record, 'building', record.building, record.building);
    this.countStartIn(record, 'site', `\u0000site:${record.site}`, record.site);
  }

  private countStartIn(record: AlarmRecord, scope: 'building' | 'site', key: string, where: string): void {
    const now = this.clock.monotonic();
    let list = this.starts.get(key);
    if (!list) this.starts.set(key, (list = []));
    this.prune(list, now, this.settings.flood.window);
    list.push(now);
    if (list.length > this.settings.flood.alarms && !this.flooding.has(key)) {
      this.flooding.add(key);
      const flood: FloodInfo = { scope, building: record.building, ...(scope === 'site' ? { site: record.site } : {}), count: list.length, windowMs: this.settings.flood.window };
      const text = `more than ${this.settings.flood.alarms} alarms in ${scope === 'site' ? `site ${where}` : where} within ${this.settings.flood.window / 60_000} min`;
      this.commit(record, record, 'flood', 'system:flood', text, flood);
    } else if (list.length <= this.settings.flood.alarms) {
      this.flooding.delete(key);
    }
  }

  private emit(event: AlarmEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.error({ err, alarm: event.alarm.id, type: event.type }, 'alarm event listener failed');
      }
    }
  }
}
