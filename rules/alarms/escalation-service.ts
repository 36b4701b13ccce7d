/**
 * Escalation of unacknowledged alarms (`alarms.escalation`): an alarm still `active-unack` (not
 * shelved, suppressed or grouped) `after` its priority's delay tells the first on-call level, then
 * every `repeat` the next level (the last again once reached), until it is acknowledged; once it
 * resolves, every level that was told gets a "cleared" message.
 *
 * Durable through the work-order dispatch outbox (rows of recipient type `oncall` in gateway.db,
 * sent by this service's own worker with retries and dead letters): a step is queued under an
 * idempotency key (alarm, episode, step) and then journaled on the alarm (`escalated`), so a crash
 * between the two re-queues the same key after a restart and nothing is sent twice. Timers run on
 * the injected Clock; where each alarm stands is read back from its journal.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../gateway/model/clock.ts';
import type { PointValue } from '../../gateway/model/sample.ts';
import type { AlarmListener, AlarmRecord, JournalEntry } from './alarm-model.ts';
import { DeliveryError } from '../dispatch/index.ts';
import { OutboxStore, type OutboxRow } from '../dispatch/index.ts';
import { OutboxWorker, type OutboxWorkerOptions, type Sender } from '../dispatch/index.ts';
import { createSenders, type SenderOptions, type Senders } from '../dispatch/index.ts';
import { transaction } from '../../gateway/platform/sqlite-file.ts';
import { openWorkOrderDb } from '../work-orders/index.ts';
import { episodeOf, nextStepAt, type EscalationEpisode } from './escalation-episode.ts';
import { sendToRobot } from './escalation-robots.ts';
import { ESCALATION_CHANNELS, type EscalationChannel, type EscalationConfig, type OnCallLevel } from './escalation-schema.ts';

/** What escalation needs of the alarm service. */
export interface EscalationAlarms {
  active(): AlarmRecord[];
  get(id: string): AlarmRecord | undefined;
  journal(id: string): JournalEntry[];
  note(id: string, type: 'escalated' | 'escalation-cleared', by: string, text: string, values?: Readonly<Record<string, PointValue>>): AlarmRecord;
  onEvent(listener: AlarmListener): () => void;
}

export interface EscalationServiceOptions {
  readonly config: EscalationConfig;
  readonly alarms: EscalationAlarms;
  readonly clock: Clock;
  readonly log: Logger;
  /** gateway.db (the outbox tables are the work orders'). */
  readonly dbFile: string;
  /** MQTT, SMTP and webhook policy of the channels (the work orders' settings). */
  readonly senders: Omit<SenderOptions, 'clock' | 'log'>;
  readonly dispatch: OutboxWorkerOptions;
  readonly random?: () => number;
  /**
   * The delivery port: the sender of one outbox row to one level. Default: the real channels
   * (webhook, WeCom/DingTalk robots, MQTT, e-mail); a site bridge or a test may pass its own.
   */
  readonly deliver?: (row: OutboxRow<EscalationChannel>, level: OnCallLevel) => Sender | DeliveryError;
}

export const ESCALATION_BY = 'system:escalation';
const RETRY_MS = 10_000;

interface Tracked {
  timer: Timer;
  at: number;
}

export class EscalationService {
  private readonly o: EscalationServiceOptions;
  private readonly db: DatabaseSync;
  readonly outbox: OutboxStore<EscalationChannel>;
  readonly worker: OutboxWorker<EscalationChannel>;
  private readonly senders: Senders;
  private readonly levels: Map<string, OnCallLevel>;
  private readonly timers = new Map<string, Tracked>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(o: EscalationServiceOptions) {
    this.o = o;
    this.db = openWorkOrderDb(o.dbFile);
    this.outbox = new OutboxStore<EscalationChannel>(this.db, ['oncall']);
    this.levels = new Map(o.config.levels.map((l) => [l.id, l]));
    this.senders = createSenders({ ...o.senders, clock: o.clock, log: o.log });
    this.worker = new OutboxWorker<EscalationChannel>(
      this.db,
      this.outbox,
      o.clock,
      o.log.child({ part: 'escalation-outbox' }),
      o.dispatch,
      {
        resolve: (row) => this.senderFor(row),
        subject: (row) => subjectOf(row),
        onDelivered: () => undefined,
        onDead: (row, reason) => o.log.error({ outbox: row.id, recipient: row.recipient, channel: row.channel, reason }, 'escalation notice could not be delivered'),
      },
      o.random,
    );
  }

  /** Arm the open alarms (after a restart: where their journal says they stand) and follow every event. */
  start(): void {
    this.unsubscribe = this.o.alarms.onEvent((e) => {
      if (e.type === 'escalated' || e.type === 'escalation-cleared') return;
      // after the manager's batch has emitted everything: our own journal rows come after its rows
      queueMicrotask(() => this.sync(e.alarm.id));
    });
    for (const a of this.o.alarms.active()) this.sync(a.id);
    this.worker.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    for (const t of this.timers.values()) t.timer.cancel();
    this.timers.clear();
    await this.worker.stop();
    await this.senders.close();
    this.db.close();
  }

  /** When the next step of an alarm is due (epoch ms), if one is armed. */
  nextStep(alarmId: string): number | undefined {
    return this.timers.get(alarmId)?.at;
  }

  private delays(a: AlarmRecord): { after: number; repeat: number } | undefined {
    if (!this.o.config.enabled) return undefined;
    const step = this.o.config.priorities[String(a.priority) as '1' | '2' | '3' | '4'];
    return step ? { after: step.after, repeat: step.repeat ?? step.after } : undefined;
  }

  private sync(id: string): void {
    if (this.stopped) return;
    const a = this.o.alarms.get(id);
    const delays = a ? this.delays(a) : undefined;
    if (!a || !delays) return this.disarm(id);
    const episode = episodeOf(this.o.alarms.journal(id));
    if (!episode) return this.disarm(id);
    const escalating = a.closedAt === null && a.state === 'active-unack' && a.shelved === null && !a.suppressed && !a.parent;
    if (escalating) {
      this.arm(id, nextStepAt(episode, delays.after, delays.repeat));
      return;
    }
    this.disarm(id);
    const resolved = a.closedAt !== null || !a.conditionActive;
    if (resolved && episode.steps > 0 && !episode.clearedSent) this.tryNotify(id, () => this.sendCleared(a, episode));
  }

  private arm(id: string, at: number): void {
    const current = this.timers.get(id);
    if (current && current.at === at) return;
    current?.timer.cancel();
    const timer = this.o.clock.setTimer(Math.max(0, at - this.o.clock.now()), () => {
      this.timers.delete(id);
      this.tryNotify(id, () => this.step(id));
    });
    this.timers.set(id, { timer, at });
  }

  private disarm(id: string): void {
    this.timers.get(id)?.timer.cancel();
    this.timers.delete(id);
  }

  /** Run a notification; when storage fails, log and try again on the Clock (nothing is dropped). */
  private tryNotify(id: string, fn: () => void): void {
    if (this.stopped) return;
    try {
      fn();
    } catch (err) {
      this.o.log.error({ err, alarm: id }, `escalation of alarm ${id} failed; retrying in ${RETRY_MS / 1000} s`);
      this.arm(id, this.o.clock.now() + RETRY_MS);
    }
  }

  private step(id: string): void {
    const a = this.o.alarms.get(id);
    const delays = a ? this.delays(a) : undefined;
    const episode = episodeOf(this.o.alarms.journal(id));
    if (!a || !delays || !episode) return;
    if (a.closedAt !== null || a.state !== 'active-unack' || a.shelved !== null || a.suppressed || a.parent) return this.sync(id);
    const now = this.o.clock.now();
    const due = nextStepAt(episode, delays.after, delays.repeat);
    if (due > now) return this.arm(id, due);
    const levels = this.o.config.levels;
    const levelIndex = Math.min(episode.steps, levels.length - 1);
    const level = levels[levelIndex] as OnCallLevel;
    const step = episode.steps + 1;
    const minutes = Math.round((now - episode.baseAt) / 60_000);
    const channels = channelsOf(level);
    const text = `${prefix(a)} ${a.title} — ${where(a)}: unacknowledged for ${minutes} min (escalation step ${step}, on-call level ${levelIndex + 1}: ${level.name})`;
    const textZh = `【P${a.priority} 报警升级】${a.title} — ${where(a)}：已 ${minutes} 分钟未确认（第 ${step} 次升级，第 ${levelIndex + 1} 级值班：${level.name}）`;
    transaction(this.db, () => {
      this.outbox.enqueue(
        {
          orderId: null,
          recipientType: 'oncall',
          recipient: level.id,
          channels,
          event: 'alarm.escalated',
          key: `esc:${a.id}:${episode.baseSeq}:${step}`,
          payload: { subject: text, text: `${textZh}\n${text}`, alarm: summary(a), step, level: { index: levelIndex + 1, id: level.id, name: level.name }, unacknowledgedMs: now - episode.baseAt },
        },
        now,
      );
    });
    this.worker.kick();
    this.o.alarms.note(a.id, 'escalated', ESCALATION_BY, `step ${step}: ${level.name} (level ${levelIndex + 1}) notified by ${channels.join(', ')}; unacknowledged for ${minutes} min`, {
      step,
      level: levelIndex,
    });
    this.sync(id);
  }

  private sendCleared(a: AlarmRecord, episode: EscalationEpisode): void {
    const now = this.o.clock.now();
    const told = episode.levels.map((i) => this.o.config.levels[i]).filter((l): l is OnCallLevel => l !== undefined);
    const how = a.closedAt !== null ? 'back to normal' : 'condition cleared';
    const text = `${prefix(a)} CLEARED: ${a.title} — ${where(a)} (${how}${a.ackedBy ? `, acknowledged by ${a.ackedBy}` : ', not acknowledged'})`;
    const textZh = `【P${a.priority} 报警恢复】${a.title} — ${where(a)}（${a.closedAt !== null ? '已恢复正常' : '报警条件已消失'}${a.ackedBy ? `，确认人：${a.ackedBy}` : '，尚未确认'}）`;
    transaction(this.db, () => {
      for (const level of told) {
        this.outbox.enqueue(
          {
            orderId: null,
            recipientType: 'oncall',
            recipient: level.id,
            channels: channelsOf(level),
            event: 'alarm.escalation_cleared',
            key: `esc:${a.id}:${episode.baseSeq}:cleared:${level.id}`,
            payload: { subject: text, text: `${textZh}\n${text}`, alarm: summary(a), steps: episode.steps },
          },
          now,
        );
      }
    });
    this.worker.kick();
    this.o.alarms.note(a.id, 'escalation-cleared', ESCALATION_BY, `told ${told.map((l) => l.name).join(', ')} that it cleared (${how})`);
  }

  private senderFor(row: OutboxRow<EscalationChannel>): Sender | DeliveryError {
    const level = this.levels.get(row.recipient);
    if (!level) return new DeliveryError(`on-call level "${row.recipient}" is no longer configured`, undefined, false);
    if (this.o.deliver) return this.o.deliver(row, level);
    const c = level.channels;
    if (row.channel === 'wecom' || row.channel === 'dingtalk') {
      const target = row.channel === 'wecom' ? c.wecom : c.dingtalk;
      if (!target) return new DeliveryError(`${row.channel} is no longer configured for on-call level ${level.id}`, undefined, false);
      const policy = this.o.senders.webhooks ?? { allowHttp: false, allowPrivateTargets: false };
      const kind = row.channel;
      return (message, signal) => sendToRobot(kind, target, message, signal, this.o.clock.now(), policy);
    }
    return this.senders.senderFor(row.channel, c);
  }
}

function channelsOf(level: OnCallLevel): EscalationChannel[] {
  return ESCALATION_CHANNELS.filter((ch) => level.channels[ch] !== undefined);
}

function subjectOf(row: OutboxRow<EscalationChannel>): string {
  try {
    const s = (JSON.parse(row.body) as { subject?: unknown }).subject;
    if (typeof s === 'string') return s;
  } catch {
    /* the subject falls back to the event */
  }
  return row.event;
}

function prefix(a: AlarmRecord): string {
  return `[P${a.priority}]`;
}

function where(a: AlarmRecord): string {
  return `${a.building}/${a.floor}, ${a.device}`;
}

function summary(a: AlarmRecord): Record<string, unknown> {
  return { id: a.id, rule: a.rule, device: a.device, kind: a.kind, site: a.site, building: a.building, floor: a.floor, title: a.title, priority: a.priority, state: a.state, raisedAt: a.raisedAt };
}
