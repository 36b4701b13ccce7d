/**
 * The front door of rules/: `startRules(ctx)` starts alarms, uptime and work orders and wires them
 * together (alarm events → work orders, maintenance mode and preventive orders → the uptime ledger,
 * alarm events → the northbound publisher, unacknowledged alarms → escalation). The composition
 * root (gateway/gateway.ts) passes in what rules/ may not reach for itself: the sample source, the
 * trouble board, the delivery ports (northbound publish, escalation channels, the embedded broker).
 *
 * Peers: alarms/ (with the rule engine and the rule config), work-orders/, uptime/, dispatch/ (the
 * outbox and channels shared by work orders and escalation), handover/ (shift handover reports);
 * wiring/ holds the links between them.
 * The gateway imports rules/ through this file only (type-only imports from peer entry files are fine).
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../gateway/model/clock.ts';
import type { DeviceInfo } from '../gateway/model/device.ts';
import type { Sample } from '../gateway/model/sample.ts';
import type { EmbeddedBrokerAccess } from '../gateway/platform/broker-access.ts';
import { createAlarmService, EscalationService, forwardAlarmEvents, northboundTopic, type AlarmService, type AlarmSettings, type AlarmsFacade, type Publish, type RuleConfig, type StorageTroubleSink } from './alarms/index.ts';
import type { SenderOptions } from './dispatch/index.ts';
import { startUptime, uptimeFiles, uptimeReferenceIssues, type SampleSource, type UptimeConfig, type UptimeService } from './uptime/index.ts';
import { WorkOrderService, workOrdersFacade, type WorkOrderConfig, type WorkOrdersFacade } from './work-orders/index.ts';
import { HandoverService, handoverAlarmSource, type TroubleLine } from './handover/index.ts';
import { alarmSignalOf } from './wiring/alarm-signal-of.ts';
import { linkMaintenanceMode } from './wiring/maintenance-mode-link.ts';
import { preventiveMaintenanceLink } from './wiring/preventive-maintenance-link.ts';

// The module config schemas and the checks load-config runs, from the peers' entry files.
export { alarmSettingsSchema, rulePacksSchema, ruleSchema, checkRulesConfig } from './alarms/index.ts';
export { workOrderConfigSchema } from './work-orders/index.ts';
export { uptimeSchema, uptimeReferenceIssues } from './uptime/index.ts';
// What the HTTP API uses (values; types may also be imported from the peers' entry files).
export { ALARM_KINDS, ALARM_PRIORITIES, ALARM_STATES, DEVICE_MODES, MAX_MODE_SPAN_MS, MODE_END_BY, AlarmActionError } from './alarms/index.ts';
export { ATTACHMENT_KINDS, MAX_PHOTO_BYTES, MAX_SIGNATURE_BYTES, WORK_ORDER_SOURCES, WORK_ORDER_STATUSES, WorkOrderError } from './work-orders/index.ts';
export { fleetStatus, PERIODS, RangeParamError, REPORT_LANGUAGES } from './uptime/index.ts';
export type { AlarmEvent, AlarmService, AlarmsFacade } from './alarms/index.ts';
export type { WorkOrderService, WorkOrdersFacade } from './work-orders/index.ts';
export type { UptimeService, UptimeFacade } from './uptime/index.ts';
// The service norms (rules/norms): started by the composition root beside the API (gateway/norms-wiring.ts).
export {
  normsSchema,
  normsConfigIssues,
  normsFiles,
  startNorms,
  IntakeError,
  InspectionError,
  LedgerError,
  REQUEST_CATEGORIES,
  NORMS_LANGUAGES,
  ASSET_FIELDS,
  LEDGER_COLUMNS,
  MAX_ATTACHMENT,
  normsCsv,
  normsHtml,
  historyHtml,
  ledgerCsv,
  ledgerRow,
  parseLedgerCsv,
  safeCell,
} from './norms/index.ts';
export type { NormsConfig, NormsService, ResidentService, AlarmSummary } from './norms/index.ts';
// Rule packs as templates and their dry run (gateway rules ...), the shift handover (API)
export { createAlarmService, DEFAULT_PACK_DIR, rulePackYaml, validateRulePackText } from './alarms/index.ts';
export { SOURCE_ACTOR_PREFIX, SOURCE_RULE_PREFIX, isSourceAlarm, sourceAckVerdict } from './alarms/index.ts';
export { HandoverError, HandoverService, renderHandoverHtml } from './handover/index.ts';
export type { HandoverService as HandoverFacade } from './handover/index.ts';

/** What the composition root passes in. */
export interface RulesContext {
  readonly settings: {
    readonly rules: readonly RuleConfig[];
    readonly rulePacks: readonly string[];
    readonly alarms: AlarmSettings;
    readonly workOrders: WorkOrderConfig;
    readonly uptime: UptimeConfig;
  };
  readonly site: { readonly id: string; readonly name: string; readonly timezone: string };
  readonly devices: readonly DeviceInfo[];
  /** Silence longer than this is comms lost, per device (uptime). */
  readonly offlineAfter: (device: string) => number;
  /** Where gateway.db and the monthly reports live. */
  readonly dataDir: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly trouble: StorageTroubleSink;
  /** The trouble conditions standing now (the shift handover report lists them). */
  readonly troubleConditions?: () => readonly TroubleLine[];
  /** The samples to evaluate (the SampleBus), and the current values rules resume from. */
  readonly samples: SampleSource;
  readonly seed: readonly Sample[];
  /** Told the life-safety points before samples flow, so they are delivered first. */
  readonly lifeSafety: { add(points: Iterable<{ device: string; point: string }>): void };
  /** Runs the stop of what was started, in reverse order (the gateway's Teardown). */
  readonly teardown: { add(name: string, run: () => unknown): void };
  /** Delivery ports: the composition root owns the network clients. */
  readonly ports: {
    /** Publish of the northbound alarm topic (`alarms.northbound`), when configured and reachable. */
    readonly northbound?: { readonly topic: string; readonly publish: Publish };
    /** MQTT, SMTP and webhook settings of the escalation channels. */
    readonly escalation: Omit<SenderOptions, 'clock' | 'log'>;
    /** The embedded broker (for `workOrders.mqtt.url: embedded`). */
    readonly embeddedBroker?: EmbeddedBrokerAccess & { readonly url: string };
  };
  /**
   * Warm standby (gateway/standby/): outward actions (northbound messages, work orders from alarms)
   * happen only while `acting()`; the work-order and escalation workers start `whenActive`.
   * Absent: always acting, started at once.
   */
  readonly standby?: { acting(): boolean; whenActive(start: () => void): void };
}

export interface RunningRules {
  readonly alarms: AlarmService;
  /** Undefined when `uptime.enabled` is false. */
  readonly uptime: UptimeService | undefined;
  /** Undefined when `workOrders.enabled` is false. */
  readonly workOrders: WorkOrderService | undefined;
  /** The alarm facade for the API (its device-mode changes also start and end planned downtime in the uptime ledger). */
  readonly alarmsFacade: AlarmsFacade;
  readonly workOrdersFacade: WorkOrdersFacade | undefined;
  /**
   * Warm standby: this gateway took over. Each open alarm gets its work order (the service keeps one
   * per fault) and is announced once on the northbound topic as raised, flagged `takeover`.
   */
  takeover(): void;
  /** Shift handover reports and their signatures (gateway.db). */
  readonly handovers: HandoverService;
}

export function startRules(ctx: RulesContext): RunningRules {
  const alarms = startAlarms(ctx);
  const uptime = ctx.settings.uptime.enabled ? startUptimeLedger(ctx) : undefined;
  if (uptime) linkMaintenanceMode(alarms, uptime.inputs, ctx.clock);
  const nb = ctx.ports.northbound;
  const acting = (): boolean => ctx.standby?.acting() ?? true;
  if (nb) {
    forwardAlarmEvents((l) => alarms.onEvent(l), nb.topic, (topic, payload) => {
      if (acting()) nb.publish(topic, payload);
    });
  }
  const workOrders = ctx.settings.workOrders.enabled ? startWorkOrders(ctx, alarms, uptime) : undefined;
  if (ctx.settings.alarms.escalation.enabled) startEscalation(ctx, alarms);
  return {
    takeover: () => {
      const now = ctx.clock.now();
      for (const alarm of alarms.active({ limit: 100_000 })) {
        const signal = alarm.conditionActive ? alarmSignalOf({ type: 'raised', alarm, at: now }) : undefined;
        if (signal && workOrders) workOrders.onAlarm(signal);
        const e = { type: 'raised' as const, alarm, at: now, takeover: true };
        if (nb && acting()) nb.publish(northboundTopic(nb.topic, e), JSON.stringify(e));
      }
    },
    alarms,
    uptime,
    workOrders,
    alarmsFacade: alarms,
    workOrdersFacade: workOrders ? workOrdersFacade(workOrders) : undefined,
    handovers: startHandover(ctx, alarms, workOrders),
  };
}

/** Shift handover reports (signed by two operators, kept alarms.handover.keepYears) in gateway.db. */
function startHandover(ctx: RulesContext, alarms: AlarmService, workOrders: WorkOrderService | undefined): HandoverService {
  const handovers = new HandoverService({
    settings: ctx.settings.alarms.handover,
    site: ctx.site,
    clock: ctx.clock,
    dbFile: alarms.store.file,
    alarms: handoverAlarmSource(alarms),
    workOrders,
    ...(ctx.troubleConditions ? { trouble: ctx.troubleConditions } : {}),
  });
  ctx.teardown.add('handovers', () => handovers.close());
  return handovers;
}

/** Rules and alarms: open alarms come back from data/gateway.db; rules resume from the live values. */
function startAlarms(ctx: RulesContext): AlarmService {
  const alarms = createAlarmService({
    rules: ctx.settings.rules,
    rulePacks: ctx.settings.rulePacks,
    settings: ctx.settings.alarms,
    devices: ctx.devices,
    clock: ctx.clock,
    log: ctx.log.child({ component: 'rules' }),
    dbFile: join(ctx.dataDir, 'gateway.db'),
    reserve: true, // disk space kept for alarms and work orders (alarms.storageReserveMb)
    trouble: ctx.trouble,
  });
  ctx.teardown.add('alarms', () => alarms.close());
  ctx.lifeSafety.add(alarms.engine.lifeSafetyPoints());
  alarms.start(ctx.samples, ctx.seed);
  return alarms;
}

function startUptimeLedger(ctx: RulesContext): UptimeService {
  const ulog = ctx.log.child({ component: 'uptime' });
  for (const issue of uptimeReferenceIssues(ctx.settings.uptime, ctx.devices.map((d) => d.id))) ulog.error(issue, `config ${issue.path}: ${issue.message}; ignored`);
  const uptime = startUptime({
    config: ctx.settings.uptime,
    site: ctx.site,
    devices: ctx.devices.map((info) => ({ info, offlineAfter: ctx.offlineAfter(info.id) })),
    clock: ctx.clock,
    log: ulog,
    ...uptimeFiles(ctx.dataDir),
  });
  uptime.attach(ctx.samples);
  ctx.teardown.add('uptime', () => uptime.stop());
  return uptime;
}

function startWorkOrders(ctx: RulesContext, alarms: AlarmService, uptime: UptimeService | undefined): WorkOrderService {
  const broker = ctx.ports.embeddedBroker;
  const orders = new WorkOrderService({
    config: ctx.settings.workOrders,
    file: resolve(ctx.settings.workOrders.database ?? join(ctx.dataDir, 'gateway.db')),
    clock: ctx.clock,
    log: ctx.log.child({ component: 'work-orders' }),
    site: { id: ctx.site.id, timezone: ctx.site.timezone },
    devices: () => ctx.devices,
    trouble: ctx.trouble,
    // verify-and-close is refused while an alarm of the order is still active
    alarmActive: (id) => alarms.get(id)?.conditionActive,
    ...(broker ? { embeddedBrokerUrl: broker.url, embeddedBroker: broker } : {}),
  });
  ctx.teardown.add('work orders', () => orders.stop());
  whenActive(ctx, () => orders.start());
  if (uptime) orders.onChange(preventiveMaintenanceLink((id) => orders.get(id), uptime.inputs, ctx.clock));
  // one SQLite commit per alarm event; sending happens later in the outbox worker
  alarms.onEvent((e) => {
    const signal = alarmSignalOf(e);
    if (signal && (ctx.standby?.acting() ?? true)) orders.onAlarm(signal); // logs and counts its own failures; never throws
  });
  return orders;
}

/** Escalation of unacknowledged alarms to the on-call list, through the dispatch outbox in gateway.db. */
function startEscalation(ctx: RulesContext, alarms: AlarmService): void {
  const escalation = new EscalationService({
    config: ctx.settings.alarms.escalation,
    alarms,
    clock: ctx.clock,
    log: ctx.log.child({ component: 'escalation' }),
    dbFile: alarms.store.file,
    senders: ctx.ports.escalation,
    dispatch: ctx.settings.workOrders.dispatch,
  });
  ctx.teardown.add('escalation', () => escalation.stop());
  whenActive(ctx, () => escalation.start());
}

/** Start now, or (warm standby) when this gateway takes over. */
function whenActive(ctx: RulesContext, start: () => void): void {
  if (ctx.standby) ctx.standby.whenActive(start);
  else start();
}
