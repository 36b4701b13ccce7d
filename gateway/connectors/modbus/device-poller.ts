/**
 * Polls one device (one unit id) on its own interval on the Clock: runs the coalesced reads through
 * the shared connection, decodes points, and keeps the device's state — problems reported once per
 * change, comms-lost after N failed polls (every point pushed `null` / bad / `comms lost` at once,
 * through the connector runtime, which also raises the life-safety trouble), probing while lost,
 * and normal polling again as soon as the device answers.
 *
 * Nothing is invented: a point that could not be read (an exception, a value that does not decode,
 * a NaN register) is pushed as `null` with quality bad and the reason, never as 0 or a default.
 * Probing follows the link: while the link is down a probe costs nothing (it fails at once without
 * a request) and runs every poll interval, so the device is polled again as soon as the link's one
 * backoff has brought it back; while the link is up, a lost device is probed every
 * `lostProbeInterval` (at least its poll interval) so a dead unit does not hog a shared line.
 */
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../model/clock.ts';
import type { PointDef } from '../../model/device-kinds.ts';
import { backoffDelay } from '../../platform/backoff.ts';
import { REASON, type Sample, type SampleSink } from '../../model/sample.ts';
import type { ConnectorStats } from '../connector.ts';
import type { CommsLoss } from '../runtime/comms-loss.ts';
import { sleep, type ReadChannel } from './modbus-connection.ts';
import type { ReadOutcome } from './modbus-link.ts';
import type { ModbusConnectorConfig, ModbusPoint } from './modbus-schema.ts';
import { planReads, type ReadBlock } from './read-planner.ts';
import { decodePoint, isBitTable, toPointValue, widthOf } from './register-decode.ts';

export interface BoundPoint {
  readonly name: string;
  readonly def: PointDef;
  readonly modbus: ModbusPoint;
}

export type PollerOptions = Pick<
  ModbusConnectorConfig,
  'maxGap' | 'maxRegistersPerRead' | 'maxBitsPerRead' | 'failuresBeforeLost' | 'busyRetries' | 'busyBackoff' | 'lostProbeInterval'
>;

/** Exception codes that mean "the device answered, but is busy; ask again shortly". */
const BUSY_CODES: ReadonlySet<number> = new Set([5, 6]);
/** Exception codes from a TCP-to-RTU gateway that mean "the device behind me did not answer". */
const GATEWAY_CODES: ReadonlySet<number> = new Set([10, 11]);
const ILLEGAL_ADDRESS = 2;

export interface DeviceState {
  readonly unitId: number;
  readonly state: 'polling' | 'comms_lost';
  readonly consecutiveFailures: number;
  readonly lastSuccess: number | null;
  readonly requestsPerPoll: number;
  readonly problems: readonly string[];
}

export class DevicePoller {
  readonly deviceId: string;
  private readonly unitId: number;
  readonly interval: number;
  private readonly points: ReadonlyMap<string, BoundPoint>;
  private readonly conn: ReadChannel;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly stats: ConnectorStats;
  private readonly options: PollerOptions;
  private readonly onCycle: (ms: number) => void;
  private readonly comms: CommsLoss;
  private blocks: ReadBlock<string>[];
  private out: SampleSink | undefined;
  private timer: Timer | undefined;
  private running = false;
  private stopped = true;
  private failures = 0;
  private lost = false;
  private lastSuccess: number | null = null;
  /** Points currently pushed as bad, with the reason, so bad samples go out once per change. */
  private readonly badPoints = new Map<string, string>();
  /** Current problem per block or point key; logged when it changes. */
  private readonly problems = new Map<string, string>();

  constructor(args: {
    deviceId: string;
    unitId: number;
    interval: number;
    points: readonly BoundPoint[];
    conn: ReadChannel;
    clock: Clock;
    log: Logger;
    stats: ConnectorStats;
    options: PollerOptions;
    onCycle?: (ms: number) => void;
    comms: CommsLoss;
  }) {
    this.deviceId = args.deviceId;
    this.unitId = args.unitId;
    this.interval = args.interval;
    this.points = new Map(args.points.map((p) => [p.name, p]));
    this.conn = args.conn;
    this.clock = args.clock;
    this.log = args.log;
    this.stats = args.stats;
    this.options = args.options;
    this.onCycle = args.onCycle ?? (() => undefined);
    this.comms = args.comms;
    this.blocks = planReads(
      args.points.map((p) => ({ key: p.name, table: p.modbus.table, address: p.modbus.address, width: widthOf(p.modbus) })),
      { maxGap: args.options.maxGap, maxRegisters: args.options.maxRegistersPerRead, maxBits: args.options.maxBitsPerRead },
    );
  }

  /** Start polling; the first poll runs after `firstDelay` (spreads devices over the interval). */
  start(out: SampleSink, firstDelay: number): void {
    this.out = out;
    this.stopped = false;
    this.schedule(firstDelay);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  requestsPerPoll(): number {
    return this.blocks.length;
  }

  state(): DeviceState {
    return {
      unitId: this.unitId,
      state: this.lost ? 'comms_lost' : 'polling',
      consecutiveFailures: this.failures,
      lastSuccess: this.lastSuccess,
      requestsPerPoll: this.blocks.length,
      problems: [...this.problems.entries()].map(([k, v]) => `${k}: ${v}`),
    };
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(delay, () => void this.cycle());
  }

  /** One poll cycle. The next one is due `interval` after this one started (no overlap, no drift). */
  async cycle(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    const started = this.clock.monotonic();
    try {
      if (this.lost) await this.probe();
      else await this.pollAll();
    } finally {
      this.running = false;
      const took = this.clock.monotonic() - started;
      this.onCycle(took);
      if (this.lost) {
        // Follow the link: a probe on a down link costs nothing; on a live link, do not hog it.
        this.schedule(this.conn.connected ? Math.max(this.interval, this.options.lostProbeInterval) : this.interval);
      } else {
        if (took > this.interval) this.stats.error('poll_overrun');
        this.schedule(Math.max(0, this.interval - took));
      }
    }
  }

  private async pollAll(): Promise<void> {
    const samples: Sample[] = [];
    let commsFailure: string | undefined;
    let answered = false;
    for (const block of [...this.blocks]) {
      const outcome = await this.readBlock(block, undefined);
      const failure = this.handle(block, outcome, samples);
      if (failure) commsFailure ??= failure;
      else answered = true;
    }
    this.finish(samples, commsFailure, answered);
  }

  /** While comms-lost: one read of the first block, without retries, until the device answers. */
  private async probe(): Promise<void> {
    const first = this.blocks[0];
    if (!first) return;
    const outcome = await this.readBlock(first, 0);
    const scratch: Sample[] = [];
    const failure = this.handle(first, outcome, scratch);
    if (failure) {
      this.finish([], failure, false);
      return;
    }
    await this.pollAll();
  }

  private async readBlock(block: ReadBlock<string>, retries: number | undefined): Promise<ReadOutcome> {
    let outcome: ReadOutcome;
    for (let busy = 0; ; busy++) {
      outcome = await this.conn.read({
        unitId: this.unitId,
        table: block.table,
        address: block.address,
        count: block.count,
        ...(retries === undefined ? {} : { retries }),
      });
      if (outcome.ok || outcome.exceptionCode === undefined || !BUSY_CODES.has(outcome.exceptionCode)) break;
      if (busy >= this.options.busyRetries || this.stopped) break;
      this.stats.error('busy_retry');
      // the gateway's one backoff, without jitter: a busy device is asked again after 1, 2, 4 ... × busyBackoff
      await sleep(this.clock, backoffDelay(busy, { min: this.options.busyBackoff, max: this.options.busyBackoff * 2 ** this.options.busyRetries, jitter: 0 }, () => 0));
    }
    return outcome;
  }

  /** Decode one block's outcome into samples; returns a description when it was a comms failure. */
  private handle(block: ReadBlock<string>, outcome: ReadOutcome, samples: Sample[]): string | undefined {
    const blockKey = `${block.table}@${block.address}+${block.count}`;
    if (outcome.ok) {
      this.problem(blockKey, undefined);
      const ts = this.clock.now();
      for (const member of block.points) {
        const bound = this.points.get(member.key);
        if (!bound) continue;
        const decoded = isBitTable(block.table)
          ? toPointValue(outcome.bits[member.offset] === true, bound.modbus, bound.def)
          : decodePoint(outcome.registers.slice(member.offset, member.offset + member.width), bound.modbus, bound.def);
        if (decoded.ok) {
          this.problem(`point ${bound.name}`, undefined);
          this.badPoints.delete(bound.name);
          samples.push({ device: this.deviceId, point: bound.name, value: decoded.value, ts, quality: 'good' });
        } else {
          this.stats.error('decode');
          this.problem(`point ${bound.name}`, decoded.reason);
          this.pushBadOnce(bound, ts, samples, decoded.reason);
        }
      }
      return undefined;
    }
    if (outcome.kind === 'exception') {
      const code = outcome.exceptionCode ?? 0;
      this.stats.error(`exception_${code}`);
      if (code === ILLEGAL_ADDRESS && block.points.length > 1) {
        this.splitBlock(block);
        this.problem(blockKey, undefined);
        return undefined;
      }
      this.problem(blockKey, outcome.message);
      const ts = this.clock.now();
      for (const member of block.points) {
        const bound = this.points.get(member.key);
        if (bound) this.pushBadOnce(bound, ts, samples, `modbus exception ${code}`);
      }
      // 10/11: the gateway answered for a device that did not: that counts towards comms loss
      return GATEWAY_CODES.has(code) ? outcome.message : undefined;
    }
    return `${outcome.kind}: ${outcome.message}`;
  }

  private finish(samples: Sample[], commsFailure: string | undefined, answered: boolean): void {
    const now = this.clock.now();
    // A device that answered anything (data or an exception) is alive; one silent block is a problem, not comms loss.
    this.problem('comms', commsFailure);
    if (answered) {
      this.failures = 0;
      this.lastSuccess = now;
      this.comms.heard(this.deviceId);
      if (this.lost) {
        this.lost = false;
        this.log.info({ device: this.deviceId, unitId: this.unitId }, 'modbus device answering again; polling resumed');
      }
    } else if (commsFailure !== undefined) {
      this.failures++;
      if (!this.lost && this.failures >= this.options.failuresBeforeLost) {
        this.lost = true;
        this.stats.error('comms_lost');
        this.log.warn({ device: this.deviceId, unitId: this.unitId, failures: this.failures, last: commsFailure }, 'modbus device comms lost; points marked bad');
        samples.length = 0; // a comms-lost mark replaces whatever else this poll produced
        samples.push(...this.comms.lost(this.deviceId, `no answer after ${this.failures} polls (${commsFailure})`));
        for (const bound of this.points.values()) this.badPoints.set(bound.name, REASON.commsLost);
      }
    }
    if (samples.length > 0 && this.out) {
      this.stats.samples += samples.length;
      this.out.push(samples);
    }
  }

  /** The point could not be read: no value, quality bad, and why; once per change of reason. */
  private pushBadOnce(bound: BoundPoint, ts: number, samples: Sample[], reason: string): void {
    if (this.badPoints.get(bound.name) === reason) return;
    this.badPoints.set(bound.name, reason);
    samples.push({ device: this.deviceId, point: bound.name, value: null, ts, quality: 'bad', reason });
  }

  /** A device refused a merged read spanning addresses it lacks: read those points one by one from now on. */
  private splitBlock(block: ReadBlock<string>): void {
    const replacement: ReadBlock<string>[] = block.points.map((m) => ({
      table: block.table,
      address: block.address + m.offset,
      count: m.width,
      points: [{ key: m.key, offset: 0, width: m.width }],
    }));
    const index = this.blocks.indexOf(block);
    if (index >= 0) this.blocks.splice(index, 1, ...replacement);
    this.log.info({ device: this.deviceId, table: block.table, address: block.address, count: block.count }, 'illegal data address on a merged read; reading its points separately');
  }

  private problem(key: string, message: string | undefined): void {
    const prev = this.problems.get(key);
    if (prev === message) return;
    if (message === undefined) {
      this.problems.delete(key);
      this.log.info({ device: this.deviceId, unitId: this.unitId, on: key, was: prev }, 'modbus problem cleared');
    } else {
      this.problems.set(key, message);
      this.log.warn({ device: this.deviceId, unitId: this.unitId, on: key, problem: message }, 'modbus problem');
    }
  }
}

