/**
 * systemd's notify protocol without a native addon (packaging/README.md, gateway/supervision/README.md).
 *
 * The protocol is a datagram on the unix socket named by NOTIFY_SOCKET (a path, or `@name` in the
 * abstract namespace). Node has no unix datagram sockets, and the npm packages that add them
 * (unix-dgram, sd-notify) are native addons, so each message is sent by spawning systemd's own
 * `systemd-notify` (part of systemd, so present wherever a systemd unit runs the gateway). It
 * handles paths and abstract names, and waits on a barrier until systemd has read the message, so a
 * message is never lost to the sender exiting early. The unit sets NotifyAccess=all because the
 * sender is a child process. A send costs one short-lived process every WatchdogSec/2 (15 s).
 *
 * - `ready()`: READY=1 with MAINPID (the gateway's pid), once start-up completed;
 * - the watchdog: WATCHDOG=1 every WATCHDOG_USEC/2, ONLY while the event loop lag since the last
 *   tick is below `maxLagMs` and the alarm path answers (`alarmPathCheck` does not throw); else
 *   nothing is sent (STATUS= says why), so systemd kills and restarts a stalled gateway;
 * - `stopping()`: STOPPING=1 when shutdown begins.
 *
 * Real time on purpose (not the gateway's Clock): systemd measures the watchdog in real time.
 */
import { execFile } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from 'pino';

export interface SdNotifyOptions {
  readonly log: Logger;
  /** Throws (or returns a reason) when the alarm path is not healthy, e.g. the alarm database does not answer. */
  readonly alarmPathCheck: () => string | undefined | void;
  /** Event-loop lag above which no WATCHDOG=1 is sent (default 1000 ms). */
  readonly maxLagMs?: number;
  /** NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** The sender program (default `systemd-notify` from PATH). */
  readonly command?: string;
}

export interface WatchdogTick {
  readonly sent: boolean;
  readonly lagMs: number;
  /** Why nothing was sent. */
  readonly reason?: string;
}

export class SdNotifier {
  /** NOTIFY_SOCKET is set: the gateway runs under systemd with Type=notify. */
  readonly enabled: boolean;
  /** WatchdogSec/2 in ms, when systemd asked this process for watchdog pings. */
  readonly watchdogIntervalMs: number | undefined;
  private readonly socket: string | undefined;
  private readonly command: string;
  private readonly maxLagMs: number;
  private readonly listeners = new Set<(t: WatchdogTick) => void>();
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private histogram: ReturnType<typeof monitorEventLoopDelay> | undefined;
  private lastTick = 0;
  private lastStatus = '';
  private failing = false;
  /** Messages handed to the sender program and not yet answered. */
  private inFlight = 0;

  private readonly options: SdNotifyOptions;

  constructor(options: SdNotifyOptions) {
    this.options = options;
    const env = options.env ?? process.env;
    this.socket = env.NOTIFY_SOCKET || undefined;
    this.enabled = this.socket !== undefined;
    this.command = options.command ?? 'systemd-notify';
    this.maxLagMs = options.maxLagMs ?? 1000;
    const usec = Number(env.WATCHDOG_USEC);
    const forUs = env.WATCHDOG_PID === undefined || env.WATCHDOG_PID === '' || Number(env.WATCHDOG_PID) === process.pid;
    this.watchdogIntervalMs = this.enabled && forUs && Number.isFinite(usec) && usec > 0 ? Math.max(1, Math.floor(usec / 2000)) : undefined;
  }

  /** Called after each watchdog decision (sent or not). */
  onTick(listener: (t: WatchdogTick) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** READY=1 (start-up completed) and start the watchdog when systemd asked for one. */
  async ready(status = 'running'): Promise<void> {
    if (!this.enabled) return;
    await this.send(['--pid', String(process.pid), 'READY=1', `STATUS=${status}`]);
    this.startWatchdog();
  }

  /** STOPPING=1 and no more watchdog pings. */
  async stopping(): Promise<void> {
    this.stopWatchdog();
    if (!this.enabled) return;
    await this.send(['STOPPING=1', 'STATUS=stopping']);
  }

  /**
   * Resolves when no message is pending: every message queued so far, and any a watchdog tick queued
   * while waiting, has been handed to systemd (or failed).
   */
  async idle(): Promise<void> {
    let pending: Promise<void>;
    do {
      pending = this.queue;
      await pending;
    } while (pending !== this.queue);
  }

  stop(): void {
    this.stopWatchdog();
  }

  private startWatchdog(): void {
    const every = this.watchdogIntervalMs;
    if (every === undefined || this.timer) return;
    this.histogram = monitorEventLoopDelay({ resolution: Math.max(10, Math.min(100, Math.floor(every / 10))) });
    this.histogram.enable();
    this.lastTick = performance.now();
    this.timer = setInterval(() => this.tick(every), every);
    this.options.log.info({ everyMs: every, maxLagMs: this.maxLagMs }, 'systemd watchdog fed while the event loop and the alarm path are healthy');
  }

  private stopWatchdog(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.histogram?.disable();
    this.histogram = undefined;
  }

  private tick(every: number): void {
    const now = performance.now();
    // the larger of the loop-delay histogram's maximum and this timer's own lateness since the last tick
    const drift = now - this.lastTick - every;
    this.lastTick = now;
    const sampled = this.histogram ? this.histogram.max / 1e6 : 0;
    this.histogram?.reset();
    const lagMs = Math.round(Math.max(drift, sampled));
    let reason: string | undefined;
    if (lagMs > this.maxLagMs) reason = `event loop lag ${lagMs} ms > ${this.maxLagMs} ms`;
    else {
      try {
        const r = this.options.alarmPathCheck();
        if (typeof r === 'string') reason = `alarm path: ${r}`;
      } catch (err) {
        reason = `alarm path: ${(err as Error).message}`;
      }
    }
    if (reason === undefined && this.lastStatus === 'running' && this.inFlight > 0) {
      // the previous ping is still on its way (spawning the sender is slow on a loaded machine): it
      // feeds the watchdog when it lands, and queueing one per tick would pile up without bound
      const t: WatchdogTick = { sent: false, lagMs, reason: 'the previous ping is still being sent' };
      for (const l of this.listeners) l(t);
      return;
    }
    if (reason !== undefined && reason === this.lastStatus && this.inFlight > 0) {
      // the same unhealthy status is still on its way: no second copy behind it (one per tick piled
      // up without bound while the sender was slower than the tick, the same as pings did)
      const t: WatchdogTick = { sent: false, lagMs, reason };
      for (const l of this.listeners) l(t);
      return;
    }
    if (reason === undefined) {
      void this.send(this.lastStatus === 'running' ? ['WATCHDOG=1'] : ['WATCHDOG=1', 'STATUS=running']);
      this.lastStatus = 'running';
    } else {
      this.options.log.error({ lagMs }, `systemd watchdog not fed: ${reason}`);
      void this.send([`STATUS=unhealthy: ${reason}`]);
      this.lastStatus = reason;
    }
    const t: WatchdogTick = reason === undefined ? { sent: true, lagMs } : { sent: false, lagMs, reason };
    for (const l of this.listeners) l(t);
  }

  private send(args: string[]): Promise<void> {
    const socket = this.socket as string;
    this.inFlight++;
    const next = this.queue.then(
      () =>
        new Promise<void>((resolve) => {
          execFile(this.command, args, { env: { ...process.env, NOTIFY_SOCKET: socket }, timeout: 5_000 }, (err, _stdout, stderr) => {
            if (err && !this.failing) {
              this.failing = true;
              this.options.log.error({ err: err.message, stderr: String(stderr).trim(), socket }, `${this.command} failed: systemd gets no notification`);
            } else if (!err) this.failing = false;
            this.inFlight--;
            resolve();
          });
        }),
    );
    this.queue = next;
    return next;
  }
}
