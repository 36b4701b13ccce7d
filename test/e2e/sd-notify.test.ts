import { spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/log/logger.ts';
import { SdNotifier, type WatchdogTick } from '../../gateway/supervision/sd-notify.ts';
import { spawnTracked } from '../support/child-processes.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';
import { NotifyListener } from './notify-listener.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ dir: string; listener: NotifyListener }> {
  const dir = tempDir('fgw-notify-');
  cleanups.push(() => dir.cleanup());
  const listener = await NotifyListener.start(dir.path);
  cleanups.push(() => listener.stop());
  return { dir: dir.path, listener };
}

/** A marker in the listener's stream, sent synchronously (the sender exits after systemd's barrier). */
function mark(socket: string, text: string): void {
  const r = spawnSync('systemd-notify', [`STATUS=${text}`], { env: { ...process.env, NOTIFY_SOCKET: socket } });
  if (r.status !== 0) throw new Error(`systemd-notify failed: ${String(r.stderr)}`);
}

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the event loop is blocked, as by a runaway computation
  }
}

describe('sd_notify over the notify socket (systemd-notify, no native addon)', () => {
  it('sends READY=1, then WATCHDOG=1 only while the event loop and the alarm path are healthy, and STOPPING=1', async () => {
    const { listener } = await setup();
    let alarmDbAnswers = true;
    const notifier = new SdNotifier({
      log: silentLogger(),
      // 200 ms watchdog: a tick every 100 ms; a lag threshold well below the 1.5 s block below
      env: { NOTIFY_SOCKET: listener.socketPath, WATCHDOG_USEC: '200000' },
      maxLagMs: 700,
      alarmPathCheck: () => {
        if (!alarmDbAnswers) throw new Error('database is locked');
      },
    });
    cleanups.push(() => notifier.stop());
    const ticks: WatchdogTick[] = [];
    notifier.onTick((t) => ticks.push(t));
    expect(notifier.watchdogIntervalMs).toBe(100);

    await notifier.ready();
    expect(listener.messages[0]?.split('\n')).toEqual(expect.arrayContaining(['READY=1', `MAINPID=${process.pid}`]));
    await waitFor(() => listener.with('WATCHDOG=1').length >= 2, 15_000, 'two WATCHDOG=1 after READY=1');
    const readyAt = listener.messages.findIndex((m) => m.includes('READY=1'));
    expect(listener.messages.findIndex((m) => m.includes('WATCHDOG=1'))).toBeGreaterThan(readyAt);

    // 1. the event loop is blocked for 1.5 s: nothing is sent meanwhile, and the first tick after it
    //    sees the lag and sends no WATCHDOG=1 (systemd would kill a gateway stalled past WatchdogSec)
    await notifier.idle();
    mark(listener.socketPath, 'test: blocking');
    const ticksBefore = ticks.length;
    busyFor(1500);
    mark(listener.socketPath, 'test: unblocked');
    await waitFor(() => ticks.length > ticksBefore, 15_000, 'a watchdog tick after the block');
    expect(ticks[ticksBefore]).toMatchObject({ sent: false, reason: expect.stringMatching(/^event loop lag \d+ ms > 700 ms$/) });
    expect(ticks[ticksBefore]?.lagMs).toBeGreaterThan(700);
    await notifier.idle();
    const afterBlock = listener.messages.slice(listener.messages.indexOf('STATUS=test: blocking'));
    const unblocked = afterBlock.indexOf('STATUS=test: unblocked');
    expect(unblocked).toBeGreaterThan(0);
    expect(afterBlock.slice(0, unblocked).filter((m) => m.includes('WATCHDOG=1'))).toEqual([]);
    // the message of that first tick is the unhealthy status, not a ping
    expect(afterBlock[unblocked + 1]).toMatch(/^STATUS=unhealthy: event loop lag/);
    // and pings resume once the loop is healthy again
    await waitFor(() => listener.messages.slice(listener.messages.indexOf('STATUS=test: unblocked')).some((m) => m.includes('WATCHDOG=1')), 15_000, 'WATCHDOG=1 after the block');

    // 2. the alarm database stops answering: no WATCHDOG=1 for as long as it lasts
    alarmDbAnswers = false;
    const failingFrom = ticks.length;
    await waitFor(() => ticks.slice(failingFrom).filter((t) => !t.sent && /alarm path/.test(t.reason ?? '')).length >= 3, 15_000, 'three ticks with the alarm path failing');
    await notifier.idle();
    mark(listener.socketPath, 'test: alarm path fails');
    const failingTicks = ticks.length;
    await waitFor(() => ticks.length >= failingTicks + 3, 15_000, 'three more ticks');
    await notifier.idle();
    const sinceFailing = listener.messages.slice(listener.messages.indexOf('STATUS=test: alarm path fails'));
    expect(sinceFailing.filter((m) => m.includes('WATCHDOG=1'))).toEqual([]);
    expect(sinceFailing.some((m) => m.startsWith('STATUS=unhealthy: alarm path: database is locked'))).toBe(true);
    alarmDbAnswers = true;
    const okFrom = listener.messages.length;
    await waitFor(() => listener.messages.slice(okFrom).some((m) => m.includes('WATCHDOG=1')), 15_000, 'WATCHDOG=1 once the alarm path answers');

    // 3. shutdown
    await notifier.stopping();
    expect(listener.messages.at(-1)?.split('\n')).toContain('STOPPING=1');
  });

  it('does not pile up pings when the sender is slower than the watchdog interval (a loaded machine)', async () => {
    const { dir, listener } = await setup();
    // a sender that takes 400 ms per message, against a ping due every 100 ms
    const slow = join(dir, 'slow-notify.sh');
    writeFileSync(slow, '#!/bin/sh\nsleep 0.4\nexec systemd-notify "$@"\n', { mode: 0o755 });
    const notifier = new SdNotifier({ log: silentLogger(), env: { NOTIFY_SOCKET: listener.socketPath, WATCHDOG_USEC: '200000' }, command: slow, maxLagMs: 60_000, alarmPathCheck: () => undefined });
    cleanups.push(() => notifier.stop());
    const ticks: WatchdogTick[] = [];
    notifier.onTick((t) => ticks.push(t));
    await notifier.ready();
    await waitFor(() => ticks.length >= 12, 30_000, 'twelve watchdog ticks');
    // ticks while a ping is on its way send nothing (each one sent would queue another 400 ms)
    const skipped = ticks.filter((t) => !t.sent && t.reason === 'the previous ping is still being sent').length;
    expect(skipped).toBeGreaterThanOrEqual(6);
    // so the queue drains: idle() settles although the watchdog keeps ticking
    await notifier.idle();
    await waitFor(() => listener.with('WATCHDOG=1').length >= 1, 15_000, 'a ping delivered');
  });

  it('does not pile up unhealthy statuses either when the sender is slower than the watchdog interval', async () => {
    const { dir, listener } = await setup();
    const slow = join(dir, 'slow-notify.sh');
    writeFileSync(slow, '#!/bin/sh\nsleep 0.4\nexec systemd-notify "$@"\n', { mode: 0o755 });
    const notifier = new SdNotifier({
      log: silentLogger(),
      env: { NOTIFY_SOCKET: listener.socketPath, WATCHDOG_USEC: '200000' },
      command: slow,
      maxLagMs: 60_000,
      alarmPathCheck: () => {
        throw new Error('database is locked');
      },
    });
    cleanups.push(() => notifier.stop());
    const ticks: WatchdogTick[] = [];
    notifier.onTick((t) => ticks.push(t));
    await notifier.ready();
    await waitFor(() => ticks.length >= 12, 30_000, 'twelve watchdog ticks');
    expect(ticks.every((t) => !t.sent && t.reason === 'alarm path: database is locked')).toBe(true);
    // one status a tick, each taking 400 ms to send, kept the queue growing: idle() never settled
    let settled = false;
    void notifier.idle().then(() => (settled = true));
    await waitFor(() => settled, 15_000, 'idle() to settle while the watchdog keeps ticking');
    await waitFor(() => listener.messages.some((m) => m.startsWith('STATUS=unhealthy: alarm path: database is locked')), 15_000, 'the unhealthy status delivered');
  });

  it('does nothing without NOTIFY_SOCKET, and pings only when WATCHDOG_PID is this process', () => {
    const off = new SdNotifier({ log: silentLogger(), env: {}, alarmPathCheck: () => undefined });
    expect(off.enabled).toBe(false);
    const other = new SdNotifier({ log: silentLogger(), env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid + 1) }, alarmPathCheck: () => undefined });
    expect(other.watchdogIntervalMs).toBeUndefined();
    const mine = new SdNotifier({ log: silentLogger(), env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid) }, alarmPathCheck: () => undefined });
    expect(mine.watchdogIntervalMs).toBe(15_000);
  });

  it('gateway run: READY=1 with its pid after start-up, WATCHDOG=1 fed from the real alarm database, STOPPING=1 on SIGTERM', async () => {
    const { dir, listener } = await setup();
    const config = join(dir, 'site.yaml');
    writeFileSync(
      config,
      `site: { id: n, name: Notify test }
buildings: [{ id: b1, name: B1, floors: [{ id: F1 }] }]
broker: { enabled: true, port: 0 }
api: { port: 0 }
storage: { dataDir: ${JSON.stringify(join(dir, 'data'))} }
connectors: [{ id: m, type: mqtt, url: embedded }]
devices:
  - { id: smoke-1, kind: smoke_detector, building: b1, floor: F1, binding: { connector: m, topic: n/smoke-1 } }
`,
    );
    const child: ChildProcess = spawnTracked(process.execPath, ['gateway/cli.ts', 'run', '--config', config], {
      env: { ...process.env, NOTIFY_SOCKET: listener.socketPath, WATCHDOG_USEC: '400000', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
    });
    await waitFor(() => listener.with('READY=1').length > 0 || child.exitCode !== null, 30_000, `READY=1 from the gateway (output: ${out})`);
    expect(listener.with('READY=1')[0]?.split('\n')).toContain(`MAINPID=${child.pid}`);
    await waitFor(() => listener.with('WATCHDOG=1').length >= 2 || child.exitCode !== null, 30_000, 'WATCHDOG=1 from the gateway');
    expect(listener.with('WATCHDOG=1').length).toBeGreaterThanOrEqual(2);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(listener.with('STOPPING=1')).toHaveLength(1);
  });
});
