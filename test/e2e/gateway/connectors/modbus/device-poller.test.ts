/**
 * The device poll loop on a VirtualClock, with a scripted read channel standing in for the
 * connection (the protocol itself is exercised against real servers in the other test files).
 */
import { describe, expect, it } from 'vitest';
import { ConnectorStats } from '../../../../../gateway/connectors/connector.ts';
import { DevicePoller, type BoundPoint } from '../../../../../gateway/connectors/modbus/device-poller.ts';
import type { ReadChannel, ReadRequest } from '../../../../../gateway/connectors/modbus/modbus-connection.ts';
import type { ReadOutcome } from '../../../../../gateway/connectors/modbus/modbus-link.ts';
import { modbusConnectorSchema, modbusPointSchema } from '../../../../../gateway/connectors/modbus/modbus-schema.ts';
import { silentLogger } from '../../../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../../../gateway/model/clock.ts';
import { pointsOf } from '../../../../../gateway/model/device-kinds.ts';
import { CommsLoss } from '../../../../../gateway/connectors/runtime/comms-loss.ts';
import { TroubleBoard } from '../../../../../gateway/trouble/trouble-board.ts';
import { CollectingSink } from '../../../../gateway/connectors/modbus/modbus-test-kit.ts';

const OK: ReadOutcome = { ok: true, registers: [5, 1], bits: [] };
const TIMEOUT: ReadOutcome = { ok: false, kind: 'timeout', message: 'no reply' };
const exception = (code: number): ReadOutcome => ({ ok: false, kind: 'exception', message: `exception ${code}`, exceptionCode: code });

class ScriptedChannel implements ReadChannel {
  readonly calls: { at: number; request: ReadRequest }[] = [];
  next: (n: number) => ReadOutcome = () => OK;
  connected = true;
  private readonly clock: VirtualClock;
  constructor(clock: VirtualClock) {
    this.clock = clock;
  }
  read(request: ReadRequest): Promise<ReadOutcome> {
    this.calls.push({ at: this.clock.monotonic(), request });
    return Promise.resolve(this.next(this.calls.length));
  }
}

function rig(options: Record<string, unknown> = {}) {
  const clock = new VirtualClock();
  const channel = new ScriptedChannel(clock);
  const defs = new Map(pointsOf('elevator').map((d) => [d.name, d]));
  const points: BoundPoint[] = [
    { name: 'floor', def: defs.get('floor')!, modbus: modbusPointSchema.parse({ table: 'input', address: 0, type: 'int16' }) },
    { name: 'direction', def: defs.get('direction')!, modbus: modbusPointSchema.parse({ table: 'input', address: 1, map: { 0: 'idle', 1: 'up', 2: 'down' } }) },
  ];
  const config = modbusConnectorSchema.parse({ id: 'm', type: 'modbus', reconnectMin: 500, reconnectMax: 8000, busyBackoff: 100, ...options });
  const stats = new ConnectorStats();
  const trouble = new TroubleBoard(clock);
  const comms = new CommsLoss({ connector: 'm', devices: [{ id: 'lift', kind: 'elevator', points: points.map((p) => p.name) }], clock, trouble });
  const poller = new DevicePoller({
    deviceId: 'lift',
    unitId: 4,
    interval: 1000,
    points,
    conn: channel,
    clock,
    log: silentLogger(),
    stats,
    options: config,
    comms,
  });
  const sink = new CollectingSink();
  poller.start(sink, 0);
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  };
  return { clock, channel, poller, sink, stats, settle };
}

/** Fire timers one at a time up to time `t`, letting each async poll step finish before the next timer. */
async function runUntil(r: ReturnType<typeof rig>, t: number): Promise<void> {
  let reached = false;
  r.clock.setTimer(t - r.clock.monotonic(), () => (reached = true)); // fires after every timer due before t
  while (!reached) {
    await r.settle();
    if (!r.clock.step()) break;
  }
  await r.settle();
}

describe('DevicePoller on a VirtualClock', () => {
  it('polls once per interval from the start of the previous poll, with one coalesced read', async () => {
    const r = rig();
    await runUntil(r, 3500);
    expect(r.channel.calls.map((c) => c.at)).toEqual([0, 1000, 2000, 3000]);
    expect(r.channel.calls[0]?.request).toEqual({ unitId: 4, table: 'input', address: 0, count: 2 });
    expect(r.sink.latest('lift', 'direction')).toMatchObject({ value: 'up', quality: 'good' });
    r.poller.stop();
  });

  it('goes comms-lost after 3 silent polls, marks every point null/bad/comms lost once, probes without a backoff of its own, and resumes at once', async () => {
    const r = rig();
    r.channel.next = () => TIMEOUT;
    await runUntil(r, 2500);
    expect(r.poller.state().state).toBe('comms_lost');
    expect(r.sink.samples).toEqual([
      { device: 'lift', point: 'floor', value: null, ts: r.sink.samples[0]?.ts, quality: 'bad', reason: 'comms lost' },
      { device: 'lift', point: 'direction', value: null, ts: r.sink.samples[0]?.ts, quality: 'bad', reason: 'comms lost' },
    ]);
    await runUntil(r, 30_000);
    expect(r.sink.samples).toHaveLength(2); // bad once, not once per probe
    const probes = r.channel.calls.slice(3);
    expect(probes.every((c) => c.request.retries === 0)).toBe(true);
    // link up: one probe per lostProbeInterval (2 s), never growing (the link owns the only backoff)
    const gaps = probes.map((c, i) => c.at - (i === 0 ? 2000 : (probes[i - 1]?.at ?? 0)));
    expect(new Set(gaps)).toEqual(new Set([2000]));
    expect(gaps.length).toBeGreaterThanOrEqual(10);
    // link down: the probe follows the link at the poll interval (it fails at once, costing nothing)
    r.channel.connected = false;
    const mark = r.channel.calls.length;
    await runUntil(r, r.clock.monotonic() + 5000);
    const downGaps = r.channel.calls.slice(mark + 1).map((c, i) => c.at - (r.channel.calls[mark + i]?.at ?? 0));
    expect(new Set(downGaps)).toEqual(new Set([1000]));
    r.channel.connected = true;

    r.channel.next = () => OK;
    const before = r.channel.calls.length;
    await runUntil(r, r.clock.monotonic() + 8000);
    const resumedAt = r.channel.calls[before]?.at ?? Number.NaN;
    // the successful probe is followed at once by a full poll, then the normal interval
    expect(r.channel.calls.slice(before, before + 4).map((c) => c.at - resumedAt)).toEqual([0, 0, 1000, 2000]);
    expect(r.poller.state().state).toBe('polling');
    expect(r.sink.latest('lift', 'floor')).toMatchObject({ value: 5, quality: 'good' });
    r.poller.stop();
  });

  it('retries "device busy" with doubling backoff, then reads', async () => {
    const r = rig();
    r.channel.next = (n) => (n <= 2 ? exception(6) : OK);
    await runUntil(r, 500);
    expect(r.channel.calls.map((c) => c.at)).toEqual([0, 100, 300]);
    expect(r.sink.samples.map((s) => s.quality)).toEqual(['good', 'good']);
    expect(r.stats.errors.busy_retry).toBe(2);
    r.poller.stop();
  });

  it('an exception is reported once per change: bad once while it lasts, good when it clears', async () => {
    const r = rig();
    r.channel.next = (n) => (n <= 4 ? exception(4) : OK);
    await runUntil(r, 3500);
    expect(r.sink.samples.map((s) => `${s.point}:${s.quality}`)).toEqual(['floor:bad', 'direction:bad']);
    // never 0 or the first enum value: no value, and why
    expect(r.sink.samples.map((s) => [s.value, s.reason])).toEqual([
      [null, 'modbus exception 4'],
      [null, 'modbus exception 4'],
    ]);
    expect(r.poller.state().problems).toEqual(['input@0+2: exception 4']);
    expect(r.poller.state().state).toBe('polling'); // the device answers: not comms-lost
    await runUntil(r, 4500);
    expect(r.sink.samples.map((s) => `${s.point}:${s.quality}`)).toEqual(['floor:bad', 'direction:bad', 'floor:good', 'direction:good']);
    expect(r.poller.state().problems).toEqual([]);
    expect(r.stats.errors.exception_4).toBe(4);
    r.poller.stop();
  });

  it('stop() leaves no timer behind', async () => {
    const r = rig();
    await runUntil(r, 1500);
    r.poller.stop();
    expect(r.clock.pending()).toBe(0);
  });
});
