/**
 * Public entry of the rules module: builds the alarm store, manager and rule engine from config,
 * and exposes the narrow `AlarmsFacade` that the API, the dashboard push channel and later modules
 * (work orders, uptime) use.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../gateway/model/device.ts';
import type { Sample } from '../../gateway/model/sample.ts';
import type {
  AlarmListener,
  AlarmPriority,
  AlarmQuery,
  AlarmRecord,
  DeviceMode,
  DeviceModeInfo,
  FloodInfo,
  JournalEntry,
} from './alarm-model.ts';
import { computeAlarmKpis, type AlarmKpis } from './alarm-kpis.ts';
import { AlarmManager, type AlarmManagerOptions } from './alarm-manager.ts';
import type { ShelverRole } from './shelve-policy.ts';
import { AlarmProcedures, type AlarmProcedureView } from './alarm-procedures.ts';
import { SourceConditions } from './source-conditions.ts';
export type { AlarmProcedureView, ProcedureStepState } from './alarm-procedures.ts';
import { inScope } from './engine/rule-expansion.ts';
import { effectiveRules, loadRulePacks, DEFAULT_PACK_DIR } from './config/rule-packs.ts';
import type { AlarmSettings, RuleConfig } from './config/rule-schema.ts';
import { RuleEngine, type EngineStats, type SampleSource } from './engine/rule-engine.ts';
import { AlarmStore, type HistoryRow, type JournalSearch } from './alarm-store.ts';
export type { HistoryRow, JournalSearch } from './alarm-store.ts';
import { StorageReserve } from '../../gateway/platform/storage-reserve.ts';
import { WriteHealth } from '../../gateway/platform/write-health.ts';

export { AlarmActionError } from './alarm-manager.ts';
export type { ShelverRole } from './shelve-policy.ts';
export type { SampleSource } from './engine/rule-engine.ts';

/** What the API and other modules may do with alarms. */
export interface AlarmsFacade {
  active(q?: AlarmQuery): AlarmRecord[];
  history(q?: AlarmQuery): AlarmRecord[];
  get(id: string): AlarmRecord | undefined;
  journal(id: string): JournalEntry[];
  acknowledge(id: string, by: string, text?: string): AlarmRecord;
  reset(id: string, by: string, text?: string): AlarmRecord;
  /** `role` decides what may be shelved (alarms.shelving); without it the caller is an operator. */
  shelve(id: string, by: string, reason: string, durationMs: number, role?: ShelverRole): AlarmRecord;
  unshelve(id: string, by: string): AlarmRecord;
  comment(id: string, by: string, text: string): AlarmRecord;
  /** Assign an open alarm to an operator; journaled (`assigned`). */
  assign(id: string, to: string, by: string, note?: string): AlarmRecord;
  /** `until`: when the gateway puts the device back in service on its own (epoch ms; null: never). */
  setDeviceMode(device: string, mode: DeviceMode, by: string, reason: string, until?: number | null): DeviceModeInfo;
  /** Every committed mode change, by an operator or at its end time (`system:mode-end`). */
  onModeChange(listener: (info: DeviceModeInfo) => void): () => void;
  deviceModes(): DeviceModeInfo[];
  deviceModeLog(device?: string): DeviceModeInfo[];
  /** Open life-safety / priority-1 alarms hidden by a shelf or a device mode (the console's strip). */
  hiddenLifeSafety(): AlarmRecord[];
  floods(): FloodInfo[];
  priorities(): Readonly<Record<AlarmPriority, string>>;
  onEvent(listener: AlarmListener): () => void;
  /** ISA-18.2 / EEMUA 191 figures from the journal over [from, to), for some buildings or the whole site. */
  kpis(from: number, to: number, buildings?: readonly string[], building?: string | null): AlarmKpis;
  /** History search over the journal, newest first. */
  searchJournal(q: JournalSearch, offset: number, limit: number): { rows: HistoryRow[]; total: number };
  /** Every matching journal row, oldest first, read lazily (exports). */
  iterateJournal(q: JournalSearch): Iterable<HistoryRow>;
  /** The alarm's response procedure as a checklist (null: its rule has none). */
  procedure(id: string): AlarmProcedureView | null;
  /** Tick or untick a step (from 1) of the alarm's procedure; journaled (`procedure-step`). */
  tickProcedureStep(id: string, step: number, done: boolean, by: string): AlarmProcedureView;
}

export interface AlarmServiceOptions {
  readonly rules: readonly RuleConfig[];
  readonly rulePacks: readonly string[];
  readonly settings: AlarmSettings;
  readonly devices: readonly DeviceInfo[];
  readonly clock: Clock;
  readonly log: Logger;
  /** The state database (data/gateway.db). */
  readonly dbFile: string;
  readonly packDir?: string;
  /**
   * Keep `alarms.storageReserveMb` of disk for gateway.db in `<dbFile>.reserve` (the gateway does;
   * tests of rules alone need not).
   */
  readonly reserve?: boolean;
  /** Where local-storage trouble is shown (the gateway's TroubleBoard). */
  readonly trouble?: StorageTroubleSink;
}

export interface StorageTroubleSink {
  raise(key: string, source: string, message: string, lifeSafety?: boolean): void;
  clear(key: string): void;
}

/** The trouble condition of local storage (gateway.db) failing or running on its reserve. */
export const STORAGE_TROUBLE = 'storage.gateway-db';

export interface AlarmService extends AlarmsFacade {
  readonly manager: AlarmManager;
  /** The engine of the current rules (replaced by reloadRules). */
  readonly engine: RuleEngine;
  readonly store: AlarmStore;
  /** Response procedures of the rules (checklists, open steps). */
  readonly procedures: AlarmProcedures;
  /** Where connectors deliver the conditions devices raise themselves (OPC UA Alarms & Conditions). */
  readonly conditions: SourceConditions;
  /** A journal row that changes nothing on the record (escalation notices). */
  note: AlarmManager['note'];
  /** Seed from current values, then evaluate every sample from `source`. */
  start(source: SampleSource | undefined, seed?: readonly Sample[]): void;
  stats(): EngineStats & { readonly open: number; readonly unjournaled: number };
  /**
   * Replace the rules (a config reload): a new engine on the same alarms, started from `seed` (the
   * live values) as after a restart. Returns the life-safety points of the new rules. Throws,
   * changing nothing, when a rule pack cannot be loaded.
   */
  reloadRules(next: { readonly rules: readonly RuleConfig[]; readonly rulePacks: readonly string[] }, seed: readonly Sample[]): Array<{ device: string; point: string }>;
  close(): void;
}

/** What the alarm manager is told of the rules: life-safety devices, first-out parents, comms-lost rules. */
function ruleFacts(rules: ReturnType<typeof effectiveRules>, devices: AlarmServiceOptions['devices']): Pick<AlarmManagerOptions, 'lifeSafetyDevices' | 'groupUnder' | 'commsRules'> {
  // a confirm rule's scope only narrows whose signals count: its devices are life-safety through the rules it counts
  const lifeSafetyRules = rules.filter((r) => r.enabled && r.lifeSafety && r.when.type !== 'confirm');
  const lifeSafetyDevices = new Set(devices.filter((d) => lifeSafetyRules.some((r) => inScope(r, d))).map((d) => d.id));
  const groupUnder = new Map(rules.map((r) => [r.id, r.groupUnder] as const));
  // a rule that watches a whole device's silence (stale without a point) is a comms-lost rule
  const commsRules = new Set(rules.filter((r) => r.when.type === 'stale' && r.when.point === undefined).map((r) => r.id));
  return { lifeSafetyDevices, groupUnder, commsRules };
}

/** Real time between two looks at a reserve in place (the interval runs on the gateway's clock). */
const RESERVE_LOOK_MS = 5_000;

/**
 * The space reserved in gateway.db's directory for alarms and work orders: released when the disk is
 * full (`onDiskFull`), written back while running, shown as the `storage` trouble condition.
 */
function storageReserve(o: AlarmServiceOptions, health: WriteHealth): { onDiskFull: () => boolean; restore: { cancel(): void } | undefined } {
  const reserve = o.reserve && o.settings.storageReserveMb > 0 ? new StorageReserve(`${o.dbFile}.reserve`, Math.round(o.settings.storageReserveMb * 1024 * 1024)) : undefined;
  if (reserve && !reserve.ensure()) o.log.warn({ file: reserve.file, bytes: reserve.bytes }, 'no room for the storage reserve of gateway.db; retried while running');
  let released = false;
  const showStorage = (): void => {
    const f = health.failing;
    const missing = reserve !== undefined && (released || !reserve.held());
    if (f) o.trouble?.raise(STORAGE_TROUBLE, 'storage', `local storage (gateway.db) failing: ${f.code}: ${f.message}; alarms are kept and retried, nothing is dropped`, true);
    else if (missing) o.trouble?.raise(STORAGE_TROUBLE, 'storage', 'local storage (gateway.db): the space reserved for alarms and work orders is used up (disk full); restored when the disk has room', true);
    else o.trouble?.clear(STORAGE_TROUBLE);
  };
  health.onChange(showStorage);
  const onDiskFull = (): boolean => {
    const freed = reserve?.release() === true;
    if (freed) {
      released = true;
      o.log.warn({ file: reserve?.file, bytes: reserve?.bytes }, 'disk full: released the storage reserve of gateway.db for alarms and work orders');
    }
    showStorage();
    return freed;
  };
  // while the reserve is gone, try to write it back (the disk may have room again). A disk fills in
  // real time: a reserve in place is looked at again only after RESERVE_LOOK_MS of it, or a month
  // replayed on a virtual clock would stat the file 518,000 times (6 % of that replay's CPU)
  let lookedAt = Number.NEGATIVE_INFINITY;
  const restore = reserve
    ? o.clock.setInterval(5_000, () => {
        if (!released) {
          const now = performance.now();
          if (now - lookedAt < RESERVE_LOOK_MS) return;
          lookedAt = now;
          if (reserve.held()) return;
        }
        if (reserve.ensure()) {
          if (released) o.log.info({ file: reserve.file }, 'storage reserve of gateway.db restored');
          released = false;
        }
        showStorage();
      })
    : undefined;
  return { onDiskFull, restore };
}

export function createAlarmService(o: AlarmServiceOptions): AlarmService {
  const packs = loadRulePacks(o.rulePacks, o.packDir ?? DEFAULT_PACK_DIR);
  if (packs.issues.length > 0) throw new Error(`rule packs: ${packs.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  const rules = effectiveRules(packs.rules, o.rules);
  const store = new AlarmStore(o.dbFile);
  const { lifeSafetyDevices, groupUnder, commsRules } = ruleFacts(rules, o.devices);
  const health = new WriteHealth(o.log, 'gateway.db (alarms)');
  const { onDiskFull, restore } = storageReserve(o, health);
  const manager = new AlarmManager({ store, clock: o.clock, settings: o.settings, devices: o.devices, log: o.log, lifeSafetyDevices, groupUnder, commsRules, health, onDiskFull });
  let engine = new RuleEngine({ rules, devices: o.devices, clock: o.clock, alarms: manager, log: o.log, settings: o.settings });
  let subscription: { unsubscribe(): void } | undefined;
  const procedures = new AlarmProcedures(rules, manager);
  const conditions = new SourceConditions(manager, o.devices, o.log.child({ component: 'source-conditions' }));
  o.log.info({ rules: rules.length, instances: engine.stats().instances, open: manager.openCount(), db: o.dbFile }, 'rule engine ready');
  return {
    manager,
    get engine() {
      return engine;
    },
    store,
    note: (id, type, by, text, values) => manager.note(id, type, by, text, values),
    active: (q) => manager.active(q),
    history: (q) => manager.history(q),
    get: (id) => manager.get(id),
    journal: (id) => manager.journal(id),
    acknowledge: (id, by, text) => manager.acknowledge(id, by, text),
    reset: (id, by, text) => manager.reset(id, by, text),
    shelve: (id, by, reason, ms, role) => manager.shelve(id, by, reason, ms, role),
    unshelve: (id, by) => manager.unshelve(id, by),
    comment: (id, by, text) => manager.comment(id, by, text),
    assign: (id, to, by, note) => manager.assign(id, to, by, note),
    setDeviceMode: (device, mode, by, reason, until) => manager.setDeviceMode(device, mode, by, reason, until ?? null),
    onModeChange: (l) => manager.onModeChange(l),
    deviceModes: () => manager.deviceModes(),
    deviceModeLog: (device) => manager.deviceModeLog(device),
    hiddenLifeSafety: () => manager.hiddenLifeSafety(),
    floods: () => manager.floods(),
    priorities: () => o.settings.priorities,
    onEvent: (l) => manager.onEvent(l),
    searchJournal: (q, offset, limit) => store.searchJournal(q, offset, limit),
    iterateJournal: (q) => store.iterateJournal(q),
    kpis: (from, to, buildings, building = null) => computeAlarmKpis(store.kpiRows(from, to, buildings), from, to, building),
    procedure: (id) => procedures.view(id),
    tickProcedureStep: (id, step, done, by) => procedures.tick(id, step, done, by),
    procedures,
    conditions,
    // one subscription for the service's life, handing batches to the engine of the moment, so a
    // rule reload swaps the engine without dropping what is queued for rules on the bus
    start: (source, seed) => {
      engine.start(undefined, seed);
      // rules before the telemetry consumers: an alarm never waits behind storage, live view or uptime
      subscription = source?.subscribe('rules', (batch) => engine.onSamples(batch), { first: true });
    },
    reloadRules: (next, seed) => {
      const loaded = loadRulePacks(next.rulePacks, o.packDir ?? DEFAULT_PACK_DIR);
      if (loaded.issues.length > 0) throw new Error(`rule packs: ${loaded.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
      const nextRules = effectiveRules(loaded.rules, next.rules);
      const replacement = new RuleEngine({ rules: nextRules, devices: o.devices, clock: o.clock, alarms: manager, log: o.log, settings: o.settings });
      engine.stop();
      manager.setRuleFacts(ruleFacts(nextRules, o.devices));
      // like a restart: open alarms stay; those of removed rules are cleared once; the rest re-evaluated from the live values
      replacement.start(undefined, seed);
      engine = replacement;
      o.log.info({ rules: nextRules.length, instances: engine.stats().instances, open: manager.openCount() }, 'rules reloaded');
      return engine.lifeSafetyPoints();
    },
    stats: () => ({ ...engine.stats(), open: manager.openCount(), unjournaled: manager.unjournaledCount() }),
    close: () => {
      restore?.cancel();
      subscription?.unsubscribe();
      engine.stop();
      manager.close();
      store.close();
    },
  };
}
