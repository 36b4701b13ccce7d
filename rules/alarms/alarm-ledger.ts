/**
 * The alarm manager's transactional core: the open instances in memory, every transition written
 * with its journal row in one SQLite transaction, events emitted only after that transaction
 * commits, and condition changes that could not be journaled kept and retried on the Clock.
 */
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../gateway/model/clock.ts';
import { isDiskFull, WriteHealth } from '../../gateway/platform/write-health.ts';
import type { AlarmEvent, AlarmEventType, AlarmListener, AlarmRecord, DeviceModeInfo, FloodInfo } from './alarm-model.ts';
import { keyOf, type AlarmManagerOptions, type ConditionChange } from './alarm-manager-types.ts';
import type { AlarmStore } from './alarm-store.ts';

/** What a journal row says besides the record: who, why, a flood, the consequences grouped under it. */
export interface CommitNote {
  readonly by?: string;
  readonly text?: string;
  readonly flood?: FloodInfo;
  readonly children?: readonly AlarmRecord[];
}

export class AlarmLedger {
  /** Open instances by (rule, device) key, and their keys by alarm id. */
  readonly open = new Map<string, AlarmRecord>();
  readonly openById = new Map<string, string>();
  /** Devices not in service. */
  readonly modes = new Map<string, DeviceModeInfo>();
  readonly health: WriteHealth;
  private readonly store: AlarmStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly onDiskFull: (() => boolean) | undefined;
  private readonly retryEvery: number;
  /** Condition changes not yet journaled (a failed commit), oldest first: replayed before anything new. */
  private unjournaled: ConditionChange[] = [];
  private attempt: ConditionChange[] | undefined;
  private replaying = false;
  private retryTimer: Timer | undefined;
  private readonly recoveredListeners = new Set<() => void>();
  private readonly listeners = new Set<AlarmListener>();
  private pending: AlarmEvent[] = [];
  private inBatch = false;
  private closed = false;

  /** Applies a condition change again (the replay of what could not be journaled). */
  private readonly apply: (change: ConditionChange) => void;

  constructor(options: AlarmManagerOptions, apply: (change: ConditionChange) => void) {
    this.apply = apply;
    this.store = options.store;
    this.clock = options.clock;
    this.log = options.log;
    this.health = options.health ?? new WriteHealth(options.log, 'gateway.db (alarms)');
    this.onDiskFull = options.onDiskFull;
    this.retryEvery = options.retryEvery ?? 1000;
    this.loadFromStore();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onEvent(listener: AlarmListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRetried(listener: () => void): () => void {
    this.recoveredListeners.add(listener);
    return () => this.recoveredListeners.delete(listener);
  }

  unjournaledCount(): number {
    return this.unjournaled.length;
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
        this.replayAll(replay);
        return fn();
      });
    } catch (err) {
      this.failed(err, [...replay, ...attempt]);
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

  /** Remember a new condition change of the current batch (kept if the batch fails). */
  remember(change: ConditionChange): void {
    if (!this.replaying) this.attempt?.push(change);
  }

  /** Write the record and its journal row (inside the current transaction) and queue the event. */
  commit(prev: AlarmRecord | undefined, next: AlarmRecord, type: AlarmEventType, note: CommitNote = {}): void {
    if (!this.inBatch) throw new Error('alarm transition outside a transaction');
    const { by, text, flood, children } = note;
    if (prev) this.store.update(next);
    else this.store.insert(next);
    this.store.journal({ alarmId: next.id, at: next.updatedAt, type, fromState: prev ? prev.state : null, toState: next.state, by: by ?? null, text: text ?? null, values: next.values });
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

  /** A journal row that leaves the record as it is (comments on closed alarms, escalation notices). */
  journalOnly(a: AlarmRecord, type: AlarmEventType, by: string, text: string, values: AlarmRecord['values'] = {}): void {
    const at = this.clock.now();
    this.store.journal({ alarmId: a.id, at, type, fromState: a.state, toState: a.state, by, text, values });
    this.pending.push({ type, alarm: a, at, by, text });
  }

  close(): void {
    this.closed = true;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.listeners.clear();
  }

  private replayAll(replay: readonly ConditionChange[]): void {
    // what could not be journaled before goes first, in its order, with its own times
    this.replaying = true;
    try {
      for (const c of replay) this.apply(c);
    } finally {
      this.replaying = false;
    }
  }

  private failed(err: unknown, changes: ConditionChange[]): void {
    this.pending = [];
    this.loadFromStore();
    // never dropped: the condition changes of this batch are retried until they are journaled
    this.unjournaled = changes;
    const failure = this.health.failed(err, 'alarm transaction');
    // space was just freed (the reserve): retry at once; otherwise on the retry period
    const freed = isDiskFull(failure) && this.onDiskFull?.() === true;
    this.armRetry(freed ? 0 : this.retryEvery);
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
