/**
 * OPC UA Alarms & Conditions for the OPC UA connector: per device whose binding has `conditions`, one
 * event monitored item on its notifier (on the connector's one subscription) with an event filter of
 * the standard condition fields; each condition event becomes a `SourceCondition` for the alarms.
 * After every (re)connect a ConditionRefresh replays the conditions the server retains; until it
 * completes (RefreshEnd on the item, or, for a notifier the server sends no refresh markers to, the
 * first publish after the call returned) the device's conditions are unknown, never "normal". A lost
 * connection makes them unknown again. Acknowledge calls the condition's Acknowledge method with
 * the latest EventId seen and a comment naming the operator.
 */
import {
  AttributeIds,
  ObjectTypeIds,
  TimestampsToReturn,
  acknowledgeCondition,
  callConditionRefresh,
  constructEventFilter,
  type ClientMonitoredItem,
  type ClientSession,
  type ClientSubscription,
  type Variant,
} from 'node-opcua';
import type { Logger } from 'pino';
import { LIFE_SAFETY_KINDS, type DeviceKind } from '../../model/device-kinds.ts';
import type { ConditionSink, SourceCondition } from '../../model/source-condition.ts';
import type { BoundDevice, ConditionAckOutcome, ConditionAckRequest } from '../connector.ts';
import type { CommsLoss } from '../runtime/comms-loss.ts';
import { stillActive } from './opcua-condition-read.ts';
import { ConditionTrack, type BranchResend } from './opcua-condition-track.ts';
import { opcuaBindingSchema, type OpcuaConditionsBinding } from './opcua-schema.ts';

/** The select clauses, in this order (the event's fields arrive as an array of Variants). */
export const CONDITION_FIELDS = [
  'EventId',
  'EventType',
  'SourceNode',
  'SourceName',
  'Time',
  'Message',
  'Severity',
  'ConditionName',
  'ConditionId',
  'BranchId',
  'Retain',
  'ActiveState.Id',
  'AckedState.Id',
  'Comment',
] as const;
type Field = (typeof CONDITION_FIELDS)[number];

const ALREADY_ACKED = 'BadConditionBranchAlreadyAcked';
const UNKNOWN_EVENT = 'BadEventIdUnknown';
/** How an answer reads for a branch kept from an earlier connection that the server no longer knows. */
const GONE = 'BadEventIdUnknown (no longer waiting)';
const REFRESH_START = `ns=0;i=${ObjectTypeIds.RefreshStartEventType}`;
const REFRESH_END = `ns=0;i=${ObjectTypeIds.RefreshEndEventType}`;

interface ConditionDevice {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly notifier: string;
  readonly source: string | undefined;
  readonly spec: OpcuaConditionsBinding;
  readonly lifeSafety: boolean;
}

/** Where the refresh of one device's item stands on the current connection. */
interface ItemState {
  refreshing: boolean;
  /** RefreshStart arrived on this item: wait for RefreshEnd. */
  markers: boolean;
  /** The ConditionRefresh call returned: the next publish completes a refresh without markers. */
  callReturned: boolean;
  readonly retained: Set<string>;
}

/** The devices of a connector whose bindings ask for conditions, `{device}` substituted. */
export function conditionDevices(devices: readonly BoundDevice[]): ConditionDevice[] {
  const out: ConditionDevice[] = [];
  for (const d of devices) {
    const parsed = opcuaBindingSchema.safeParse(d.binding);
    const spec = parsed.success ? parsed.data.conditions : undefined;
    if (!spec) continue;
    const sub = (s: string): string => s.replaceAll('{device}', d.info.id);
    out.push({ id: d.info.id, kind: d.info.kind, notifier: sub(spec.notifier), source: spec.source === undefined ? undefined : sub(spec.source), spec, lifeSafety: spec.lifeSafety ?? LIFE_SAFETY_KINDS.has(d.info.kind) });
  }
  return out;
}

/** The zone number in a ConditionName by the binding's template (`Zone{zone}Fire`), if it matches. */
export function zoneOfCondition(template: string | undefined, conditionName: string): number | undefined {
  if (template === undefined) return undefined;
  const [before, after] = template.split('{zone}') as [string, string];
  if (!conditionName.startsWith(before) || !conditionName.endsWith(after) || conditionName.length <= before.length + after.length) return undefined;
  const n = Number(conditionName.slice(before.length, conditionName.length - after.length));
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** Severity (1..1000) → gateway priority by the binding's bands. */
export function priorityOfSeverity(severity: number, bands: OpcuaConditionsBinding['priorities']): 1 | 2 | 3 | 4 {
  if (severity >= bands[1]) return 1;
  if (severity >= bands[2]) return 2;
  if (severity >= bands[3]) return 3;
  return 4;
}

const text = (v: Variant | undefined): string => {
  const x = v?.value as { text?: string | null } | string | null | undefined;
  if (x === null || x === undefined) return '';
  return typeof x === 'string' ? x : (x.text ?? '');
};
const nodeIdText = (v: Variant | undefined): string => (v?.value === null || v?.value === undefined ? '' : String((v.value as { toString(): string }).toString()));

export class OpcuaConditionWatch {
  readonly devices: readonly ConditionDevice[];
  private readonly connector: string;
  private readonly sink: ConditionSink | undefined;
  private readonly log: Logger;
  private readonly now: () => number;
  /** Per (device, condition) on the current connection: latest state and waiting branches (an acknowledge names their EventIds). */
  private readonly tracks = new Map<string, ConditionTrack>();
  private states = new Map<string, ItemState>();
  private unknownSaid = new Set<string>();
  private gen = 0;
  /** The session of the current connection (reads after a refresh). */
  private session: ClientSession | undefined;
  /** Condition events received (health). */
  events = 0;

  /** Devices read only through their conditions, and the connector's comms-loss marks. */
  private readonly conditionOnly = new Set<string>();
  private comms: CommsLoss | undefined;

  constructor(connector: string, devices: readonly BoundDevice[], sink: ConditionSink | undefined, log: Logger, now: () => number) {
    this.connector = connector;
    this.devices = conditionDevices(devices);
    this.sink = sink;
    this.log = log;
    this.now = now;
  }

  /**
   * A device read only through its conditions (no bound point) is lost with the connection like the
   * others (the life-safety `comms-lost:<device>` trouble), and heard again when its refresh completes.
   */
  watchConditionOnly(comms: CommsLoss, withPoints: ReadonlySet<string>): void {
    this.comms = comms;
    for (const d of this.devices) {
      if (withPoints.has(d.id)) continue;
      this.conditionOnly.add(d.id);
      comms.watch({ id: d.id, kind: d.kind, points: [] });
    }
  }

  /** Devices whose conditions are unknown now (health). */
  unknownDevices(): string[] {
    return [...this.unknownSaid];
  }

  /** The conditions cannot be seen (not yet refreshed, connection lost): unknown, once per loss. */
  unknown(reason: string): void {
    this.gen++;
    this.states = new Map();
    for (const t of this.tracks.values()) t.lost(); // their waiting branches stay acknowledge targets
    this.session = undefined;
    for (const d of this.devices) {
      if (this.unknownSaid.has(d.id)) continue;
      this.unknownSaid.add(d.id);
      this.sink?.unknown(d.id, reason);
    }
  }

  /**
   * Event items for every device, then one ConditionRefresh for the subscription. False when that
   * failed (logged): the conditions stay unknown until the next connection, the values flow on.
   */
  async monitor(session: ClientSession, subscription: ClientSubscription, current: () => boolean): Promise<boolean> {
    try {
      await this.subscribe(session, subscription, current);
      return true;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "cannot subscribe to the server's conditions; they stay unknown until the next connection");
      return false;
    }
  }

  private async subscribe(session: ClientSession, subscription: ClientSubscription, current: () => boolean): Promise<void> {
    if (this.devices.length === 0) return;
    const gen = ++this.gen;
    this.states = new Map();
    this.session = session;
    for (const d of this.devices) {
      const state: ItemState = { refreshing: true, markers: false, callReturned: false, retained: new Set() };
      this.states.set(d.id, state);
      const item: ClientMonitoredItem = await subscription.monitor(
        { nodeId: d.notifier, attributeId: AttributeIds.EventNotifier },
        { samplingInterval: 0, queueSize: d.spec.queueSize, discardOldest: true, filter: constructEventFilter([...CONDITION_FIELDS]) },
        TimestampsToReturn.Neither,
      );
      if (!current() || gen !== this.gen) return;
      item.on('changed', (fields: unknown) => this.onEvent(gen, d, fields as Variant[]));
      item.on('err', (message: string) => this.log.warn({ device: d.id, notifier: d.notifier, err: message }, 'cannot monitor the events of the notifier; its conditions stay unknown'));
    }
    // a refresh without markers on an item completes with the first publish after the call returned;
    // node-opcua hands a publish's notifications to the items after a promise (opaque structures are
    // promoted first), so the check runs once those have been dispatched
    const settle = (): void => void setImmediate(() => this.settleUnmarked(gen));
    subscription.on('received_notifications', settle);
    subscription.on('keepalive', settle);
    const status = await callConditionRefresh(session, subscription.subscriptionId);
    if (!current() || gen !== this.gen) return;
    if (status.isNotGood()) {
      this.log.warn({ status: status.toString() }, 'ConditionRefresh refused; conditions stay unknown until the next connection');
      return;
    }
    for (const s of this.states.values()) s.callReturned = true;
  }

  private settleUnmarked(gen: number): void {
    if (gen !== this.gen) return;
    for (const [device, s] of this.states) if (s.refreshing && s.callReturned && !s.markers) this.finish(gen, device, s);
  }

  /** The replay is complete; open conditions it did not list are read before they count as ended. */
  private finish(gen: number, device: string, s: ItemState): void {
    s.refreshing = false;
    void this.complete(gen, device, s).catch((err: unknown) => this.log.error({ err, device }, 'condition refresh could not be completed'));
  }

  private async complete(gen: number, device: string, s: ItemState): Promise<void> {
    const missing = (this.sink?.openConditions(device) ?? []).filter((id) => !s.retained.has(id));
    const active = missing.length > 0 && this.session ? await stillActive(this.session, missing) : [];
    if (gen !== this.gen) return; // lost again meanwhile: still unknown
    this.unknownSaid.delete(device);
    this.sink?.refreshed(device, [...s.retained, ...active]);
    if (this.conditionOnly.has(device)) this.comms?.heard(device);
    for (const [key, track] of this.tracks) {
      const [of, conditionId] = key.split('\u0000') as [string, string];
      if (of !== device) continue;
      for (const r of track.takeUnsent()) this.resendToBranch(gen, device, conditionId, track.zone, track, r).catch((err: unknown) => this.log.error({ err, device, conditionId }, 'acknowledge could not be sent again'));
    }
    this.log.info({ device, retained: s.retained.size, notReplayedButActive: active.length }, 'conditions refreshed');
  }

  private onEvent(gen: number, d: ConditionDevice, fields: Variant[]): void {
    if (gen !== this.gen) return;
    const f = (name: Field): Variant | undefined => fields[CONDITION_FIELDS.indexOf(name)];
    const state = this.states.get(d.id);
    const eventType = nodeIdText(f('EventType'));
    if (state && eventType === REFRESH_START) {
      state.markers = true;
      state.retained.clear();
      return;
    }
    if (state && eventType === REFRESH_END) {
      if (state.refreshing) this.finish(gen, d.id, state);
      return;
    }
    const conditionId = nodeIdText(f('ConditionId'));
    if (conditionId === '') return; // not a condition (an audit or system event)
    if (d.source !== undefined && nodeIdText(f('SourceNode')) !== d.source) return;
    const eventId = f('EventId')?.value as Buffer | null | undefined;
    if (!eventId) return;
    this.events++;
    const key = `${d.id}\u0000${conditionId}`;
    const track = this.tracks.get(key) ?? new ConditionTrack();
    this.tracks.set(key, track);
    const retain = f('Retain')?.value === true;
    if (state?.refreshing && retain) state.retained.add(conditionId);
    const zone = zoneOfCondition(d.spec.zone, text(f('ConditionName')));
    const branch = nodeIdText(f('BranchId'));
    if (branch !== '' && branch !== 'ns=0;i=0') {
      // a previous state awaiting (or no longer awaiting) its acknowledge: the trunk's acknowledge state follows
      const { seen, resend } = track.branchEvent(branch, eventId, f('AckedState.Id')?.value === true, retain);
      if (seen) this.sink?.condition(seen);
      if (resend) this.resendToBranch(gen, d.id, conditionId, zone, track, resend).catch((err: unknown) => this.log.error({ err, device: d.id, conditionId }, 'acknowledge could not be sent again'));
      return;
    }
    const severity = Number(f('Severity')?.value ?? 0);
    const time = f('Time')?.value;
    const comment = text(f('Comment'));
    const condition: SourceCondition = {
      device: d.id,
      connector: this.connector,
      conditionId,
      conditionName: text(f('ConditionName')),
      sourceName: text(f('SourceName')),
      eventId: eventId.toString('hex'),
      severity,
      message: text(f('Message')),
      active: f('ActiveState.Id')?.value === true,
      acked: f('AckedState.Id')?.value === true,
      retain,
      time: time instanceof Date ? time.getTime() : this.now(),
      priority: priorityOfSeverity(severity, d.spec.priorities),
      lifeSafety: d.lifeSafety,
      ...(comment !== '' ? { comment } : {}),
      ...(zone !== undefined ? { zone } : {}),
    };
    this.sink?.condition(track.trunkEvent(eventId, condition));
  }

  /** Acknowledge at the server with the latest EventId seen (else the one the alarm recorded); logged. */
  async acknowledge(session: ClientSession | undefined, req: ConditionAckRequest): Promise<ConditionAckOutcome> {
    const outcome = await this.sendAck(session, req);
    this.log.info({ device: req.device, conditionId: req.conditionId, result: outcome.result, detail: outcome.detail }, 'opcua condition acknowledge');
    return outcome;
  }

  private async sendAck(session: ClientSession | undefined, req: ConditionAckRequest): Promise<ConditionAckOutcome> {
    if (!this.devices.some((d) => d.id === req.device)) return { result: 'failed', detail: `the binding of ${req.device} has no conditions` };
    // the acknowledge covers the condition's states from here on, also those the source reports later
    const key = `${req.device}\u0000${req.conditionId}`;
    const track = this.tracks.get(key) ?? new ConditionTrack();
    this.tracks.set(key, track);
    const tracked = track.operatorAck(req.comment);
    if (!session) {
      track.ackNotSent(); // sent after the next refresh to the branches it does not replay (those it replays get it then anyway)
      return { result: 'failed', detail: 'not connected to the server: acknowledge not sent' };
    }
    const targets = tracked.length > 0 ? tracked : req.eventId ? [Buffer.from(req.eventId, 'hex')] : [];
    if (targets.length === 0) return { result: 'failed', detail: `no event of condition ${req.conditionId} seen: acknowledge not sent` };
    const answers: string[] = [];
    for (const eventId of targets) {
      const answer = await ackOne(session, track, req.conditionId, eventId, req.comment);
      if (!answer.answered) track.ackNotSent(); // no answer (the connection went): the refresh after the next connect sends it again
      answers.push(answer.status);
    }
    const detail = `Acknowledge on ${req.conditionId}${targets.length > 1 ? ` (${targets.length} states)` : ''}: ${answers.join(', ')}`;
    return { result: ackResult(answers), detail };
  }

  /**
   * A branch the source reported after the operator's acknowledge (a late event, or one the
   * acknowledge missed because it met a state just replaced): sent the same acknowledge. When it does
   * not get through the branch waits, and the condition shows unacknowledged, again.
   */
  private async resendToBranch(gen: number, device: string, conditionId: string, zone: number | undefined, track: ConditionTrack, r: BranchResend): Promise<void> {
    const session = this.session;
    const status = session ? (await ackOne(session, track, conditionId, r.eventId, r.comment)).status : 'not connected to the server';
    const result = ackResult([status]);
    const what = r.earlier ? `a branch waiting before the connection was lost, ${r.branchId}` : `branch ${r.branchId}`;
    this.log[result === 'failed' ? 'warn' : 'info']({ device, conditionId, branch: r.branchId, status }, "operator's acknowledge sent to a branch it covers");
    this.sink?.ackSentAgain?.({
      device,
      connector: this.connector,
      conditionId,
      ...(zone !== undefined ? { zone } : {}),
      why: r.earlier ? 'after-refresh' : 'late-branch',
      result,
      detail: `Acknowledge on ${conditionId} (${what}): ${status}`,
    });
    if (result !== 'failed' || gen !== this.gen) return;
    const seen = track.resendFailed(r.branchId, r.eventId);
    if (seen) this.sink?.condition(seen);
  }
}

/**
 * One Acknowledge call at the source: the status's name, or the error when no answer came. A branch
 * kept from an earlier connection that the server no longer knows was acknowledged (or dropped)
 * meanwhile: it reads GONE, and is no longer a target once answered.
 */
async function ackOne(session: ClientSession, track: ConditionTrack, conditionId: string, eventId: Buffer, comment: string): Promise<{ status: string; answered: boolean }> {
  try {
    const status = (await acknowledgeCondition(session, conditionId, eventId, comment)).name;
    const gone = status === UNKNOWN_EVENT && track.isEarlier(eventId); // before answered() forgets it
    track.answered(eventId);
    return { status: gone ? GONE : status, answered: true };
  } catch (err) {
    return { status: (err as Error).message, answered: false };
  }
}

/** Acknowledged when some state took it and every other had it already; already when all had; failed otherwise. */
function ackResult(answers: readonly string[]): ConditionAckOutcome['result'] {
  const settled = (a: string): boolean => a === ALREADY_ACKED || a === GONE;
  if (answers.some((a) => a.startsWith('Good'))) return answers.every((a) => a.startsWith('Good') || settled(a)) ? 'acknowledged' : 'failed';
  return answers.every(settled) ? 'already' : 'failed';
}
