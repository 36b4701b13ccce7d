/**
 * Derives each device's uptime state from its samples and the narrow state inputs, and writes
 * every change to the ledger at the moment it happened.
 *
 * Precedence: maintenance > comms_lost > fault > in_service.
 * - fault: a down condition of the kind holds on the latest good/uncertain values; the change is
 *   dated by the sample's timestamp. A sample without a value (null) is not "hearing" the device
 *   and changes no value: a bad one counts as bad data, an uncertain one ("not yet read") as nothing.
 * - comms_lost: no good or uncertain sample within the device's `offlineAfter` (detected on the
 *   Clock, dated back to the last sample heard: what came after it nobody saw); a batch with only
 *   bad-quality samples for the device (dated by the first of them); or `reportComms(ok=false)`.
 * - maintenance: between `startMaintenance` and `endMaintenance` (persisted; survives restarts).
 */
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../gateway/model/device.ts';
import type { PointValue, Sample, SampleSink } from '../../gateway/model/sample.ts';
import { compileDownCheck, type DownCheck } from './down-conditions.ts';
import { UnknownDeviceError, type UptimeStateInputs } from './state-inputs.ts';
import type { UptimeLedger } from './uptime-ledger.ts';
import { kindPolicyOf, type UptimeConfig } from './uptime-schema.ts';
import { AWAITING_FIRST_SAMPLE, BAD_QUALITY, NEVER_HEARD, SILENT, type LedgerInterval, type UptimeState } from './uptime-state.ts';
import { REASON } from '../../gateway/model/sample.ts';

/** The sample contract's reason of a point never read. */
const NOT_YET_READ = REASON.notYetRead;

export interface TrackedDevice {
  readonly info: DeviceInfo;
  /** Silence longer than this is comms lost. */
  readonly offlineAfter: number;
}

interface DeviceRuntime {
  readonly info: DeviceInfo;
  readonly offlineAfter: number;
  readonly down: DownCheck;
  readonly points: Map<string, PointValue>;
  readonly pointTs: Map<string, number>;
  /** Time of the last good or uncertain sample (null: none since start). */
  lastHeard: number | null;
  silent: boolean;
  bad: boolean;
  external: string | undefined;
  maintenance: string | undefined;
  timer: Timer | undefined;
  /** Start-up grace: the wait for the first contact ends as `never_heard` after offlineAfter. */
  grace: Timer | undefined;
  neverHeard: boolean;
}

export class DeviceStateTracker implements SampleSink, UptimeStateInputs {
  private readonly devices = new Map<string, DeviceRuntime>();
  private readonly clock: Clock;
  private readonly ledger: UptimeLedger;
  private readonly log: Logger;

  constructor(opts: { config: UptimeConfig; devices: readonly TrackedDevice[]; clock: Clock; ledger: UptimeLedger; log: Logger }) {
    this.clock = opts.clock;
    this.ledger = opts.ledger;
    this.log = opts.log;
    for (const d of opts.devices) {
      this.devices.set(d.info.id, {
        info: d.info,
        offlineAfter: d.offlineAfter,
        down: compileDownCheck(kindPolicyOf(opts.config, d.info.kind).down),
        points: new Map(),
        pointTs: new Map(),
        lastHeard: null,
        silent: false,
        bad: false,
        external: undefined,
        maintenance: undefined,
        timer: undefined,
        grace: undefined,
        neverHeard: false,
      });
    }
  }

  /**
   * Recover the ledger after a (re)start and open every device's first interval: maintenance if
   * a window is still open, else comms_lost until its first sample arrives.
   */
  start(): void {
    const now = this.clock.now();
    const recovery = this.ledger.recover(now, [...this.devices.keys()]);
    if (recovery.lastAlive !== null) {
      this.log.info(
        { lastAlive: new Date(recovery.lastAlive).toISOString(), gapMs: recovery.resumeAt - recovery.lastAlive, closed: recovery.closed },
        'uptime ledger recovered: the time the gateway was down is recorded as unknown',
      );
    }
    for (const w of this.ledger.openMaintenance()) {
      const d = this.devices.get(w.device);
      if (d) d.maintenance = w.reason;
    }
    for (const d of this.devices.values()) {
      d.silent = true;
      d.neverHeard = false;
      this.settle(d, recovery.resumeAt);
      this.armStartupGrace(d, recovery.resumeAt);
    }
  }

  /**
   * The start-up wait for a device's first contact is not downtime, but only for as long as it
   * would normally take to hear from it (`offlineAfter`); after that it is comms lost (`never_heard`).
   */
  private armStartupGrace(d: DeviceRuntime, startedAt: number): void {
    d.grace?.cancel();
    d.grace = this.clock.setTimer(Math.max(0, startedAt + d.offlineAfter + 1 - this.clock.now()), () => {
      d.grace = undefined;
      if (d.lastHeard !== null) return;
      d.neverHeard = true;
      try {
        this.settle(d, startedAt + d.offlineAfter);
      } catch (err) {
        this.log.error({ err, device: d.info.id }, 'uptime: recording a device never heard failed');
      }
    });
  }

  stop(): void {
    for (const d of this.devices.values()) {
      d.timer?.cancel();
      d.timer = undefined;
      d.grace?.cancel();
      d.grace = undefined;
    }
  }

  push(batch: readonly Sample[]): void {
    // a point the connector has not read yet (sample contract: uncertain, reason `not yet read`) is no contact
    const notRead = (s: Sample): boolean => (s as Sample & { readonly reason?: string }).reason === NOT_YET_READ;
    if (batch.some(notRead)) batch = batch.filter((s) => !notRead(s));
    const heard = new Set<string>();
    for (const s of batch) if (s.quality !== 'bad' && s.value !== null) heard.add(s.device);
    const now = this.clock.now();
    // every state change of the batch in one commit of gateway.db (see UptimeLedger.batch)
    this.ledger.batch(() => this.apply(batch, heard, now));
  }

  private apply(batch: readonly Sample[], heard: ReadonlySet<string>, now: number): void {
    // Samples of one device with the same timestamp are one observation: apply them all, then judge.
    const pending = new Map<DeviceRuntime, number>();
    for (const s of batch) {
      const d = this.devices.get(s.device);
      if (!d) continue;
      const at = Math.min(s.ts, now);
      const waiting = pending.get(d);
      if (waiting !== undefined && waiting !== at) {
        pending.delete(d);
        this.settle(d, waiting);
      }
      if (s.quality === 'bad') {
        if (heard.has(s.device) || d.bad) continue;
        d.bad = true;
        pending.set(d, at);
        continue;
      }
      // Nothing read ("not yet read"): the device was not heard and no value changed.
      if (s.value === null) continue;
      const prevTs = d.pointTs.get(s.point);
      if (prevTs === undefined || s.ts >= prevTs) {
        d.points.set(s.point, s.value);
        d.pointTs.set(s.point, s.ts);
      }
      d.lastHeard = Math.max(d.lastHeard ?? at, at);
      d.silent = false;
      d.bad = false;
      this.armSilenceTimer(d);
      pending.set(d, at);
    }
    for (const [d, at] of pending) this.settle(d, at);
  }

  startMaintenance(device: string, at: number, reason: string): void {
    const d = this.get(device);
    if (d.maintenance !== undefined) return;
    d.maintenance = reason || 'maintenance';
    const when = Math.min(at, this.clock.now());
    this.ledger.startMaintenance(device, when, d.maintenance);
    this.settle(d, when);
  }

  endMaintenance(device: string, at: number): void {
    const d = this.get(device);
    if (d.maintenance === undefined) return;
    d.maintenance = undefined;
    const when = Math.min(at, this.clock.now());
    this.ledger.endMaintenance(device, when);
    this.settle(d, when);
  }

  reportComms(device: string, at: number, ok: boolean, reason: string): void {
    const d = this.get(device);
    d.external = ok ? undefined : reason || 'reported';
    this.settle(d, Math.min(at, this.clock.now()));
  }

  /** The device's open ledger interval (its state now). */
  current(device: string): LedgerInterval | undefined {
    return this.ledger.current(device);
  }

  state(device: string): UptimeState {
    return this.ledger.current(device)?.state ?? 'unknown';
  }

  has(device: string): boolean {
    return this.devices.has(device);
  }

  private get(device: string): DeviceRuntime {
    const d = this.devices.get(device);
    if (!d) throw new UnknownDeviceError(device);
    return d;
  }

  private desired(d: DeviceRuntime): { state: UptimeState; reason: string } {
    if (d.maintenance !== undefined) return { state: 'maintenance', reason: d.maintenance };
    if (d.external !== undefined) return { state: 'comms_lost', reason: d.external };
    if (d.bad) return { state: 'comms_lost', reason: BAD_QUALITY };
    if (d.silent) return { state: 'comms_lost', reason: d.lastHeard !== null ? SILENT : d.neverHeard ? NEVER_HEARD : AWAITING_FIRST_SAMPLE };
    const fault = d.down(d.points);
    if (fault !== undefined) return { state: 'fault', reason: fault };
    return { state: 'in_service', reason: 'ok' };
  }

  private settle(d: DeviceRuntime, at: number): void {
    const want = this.desired(d);
    const open = this.ledger.current(d.info.id);
    if (open && open.state === want.state && !(open.reason === AWAITING_FIRST_SAMPLE && want.reason !== AWAITING_FIRST_SAMPLE)) return;
    const iv = this.ledger.transition(d.info.id, at, want.state, want.reason, this.clock.now());
    this.log.debug({ device: d.info.id, state: iv.state, reason: iv.reason, at: new Date(iv.start).toISOString() }, 'uptime state change');
  }

  private armSilenceTimer(d: DeviceRuntime): void {
    if (d.timer) return;
    // Offline once silent for *more* than offlineAfter (as the live view judges it).
    const due = (d.lastHeard as number) + d.offlineAfter + 1;
    d.timer = this.clock.setTimer(Math.max(0, due - this.clock.now()), () => {
      d.timer = undefined;
      if (d.lastHeard === null) return;
      const quietFor = this.clock.now() - d.lastHeard;
      if (quietFor <= d.offlineAfter) {
        this.armSilenceTimer(d);
        return;
      }
      d.silent = true;
      try {
        this.settle(d, d.lastHeard);
      } catch (err) {
        // the ledger could not be written (disk?): the next sample or timer retries the change
        this.log.error({ err, device: d.info.id }, 'uptime: recording comms loss failed');
      }
    });
  }
}
