/**
 * The read side of the alarm manager: open instances from memory, history and journals from the
 * store, device modes, the console's hidden life-safety strip and floods. `AlarmManager` extends it
 * with the commands (alarm-manager.ts); both share one `AlarmLedger`.
 */
import type { AlarmListener, AlarmQuery, AlarmRecord, DeviceModeInfo, FloodInfo, JournalEntry } from './alarm-model.ts';
import { AlarmActionError, keyOf, type AlarmManagerOptions, type ConditionChange } from './alarm-manager-types.ts';
import { AlarmLedger } from './alarm-ledger.ts';
import type { AlarmStore } from './alarm-store.ts';
import { FloodWatch } from './alarm-flood-watch.ts';
import type { WriteHealth } from '../../gateway/platform/write-health.ts';

export abstract class AlarmQueries {
  protected readonly store: AlarmStore;
  protected readonly ledger: AlarmLedger;
  protected readonly floodWatch: FloodWatch;
  /** Replaced when the rules are reloaded (AlarmManager.setRuleFacts). */
  protected lifeSafetyDevices: ReadonlySet<string>;

  protected constructor(options: AlarmManagerOptions) {
    this.store = options.store;
    this.lifeSafetyDevices = options.lifeSafetyDevices ?? new Set();
    this.floodWatch = new FloodWatch(options.clock, options.settings);
    this.ledger = new AlarmLedger(options, (c) => this.applyChange(c));
  }

  /** Apply one condition change inside the current transaction (the command side). */
  protected abstract applyChange(change: ConditionChange): void;

  get health(): WriteHealth {
    return this.ledger.health;
  }

  /** Be told of every committed transition. Returns the unsubscribe function. */
  onEvent(listener: AlarmListener): () => void {
    return this.ledger.onEvent(listener);
  }

  /** Condition changes waiting to be journaled (a failed write; retried on the Clock). */
  unjournaledCount(): number {
    return this.ledger.unjournaledCount();
  }

  /** Be told when retried condition changes were finally journaled (the engine realigns). */
  onRetried(listener: () => void): () => void {
    return this.ledger.onRetried(listener);
  }

  /** The open instance of (rule, device), if any. */
  openFor(rule: string, device: string): AlarmRecord | undefined {
    return this.ledger.open.get(keyOf(rule, device));
  }

  get(id: string): AlarmRecord | undefined {
    const key = this.ledger.openById.get(id);
    return (key ? this.ledger.open.get(key) : undefined) ?? this.store.get(id);
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
    return [...this.ledger.modes.values()].map((m) => ({ ...m, lifeSafety: this.lifeSafetyDevices.has(m.device) }));
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
    return [...this.ledger.open.values()]
      .filter((a) => (a.lifeSafety === true || a.priority === 1) && (a.shelved !== null || (a.suppressed && !a.parent)))
      .sort((x, y) => x.priority - y.priority || y.raisedAt - x.raisedAt);
  }

  /** Buildings (and the site) currently in alarm flood. */
  floods(): FloodInfo[] {
    return this.floodWatch.floods();
  }

  /** Number of open instances (for health and tests). */
  openCount(): number {
    return this.ledger.open.size;
  }

  openRecords(): AlarmRecord[] {
    return [...this.ledger.open.values()];
  }

  protected find(id: string): AlarmRecord {
    const a = this.get(id);
    if (!a) throw new AlarmActionError('NOT_FOUND', `no alarm "${id}"`);
    return a;
  }

  protected findOpen(id: string): AlarmRecord {
    const a = this.find(id);
    if (a.closedAt !== null) throw new AlarmActionError('CONFLICT', `alarm ${id} is closed (back to normal)`);
    return a;
  }
}
