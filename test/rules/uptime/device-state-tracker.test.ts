import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import type { Quality, PointValue } from '../../../gateway/model/sample.ts';
import { startUptime, type UptimeService } from '../../../rules/uptime/uptime-service.ts';
import { uptimeSchema } from '../../../rules/uptime/uptime-schema.ts';
import { tempDir } from '../../support/temp-dir.ts';

const S = 1_000;
const T0 = Date.UTC(2026, 10, 2);
const loc = { site: 's', building: 'b1', floor: 'F1' };
const devices: DeviceInfo[] = [
  { id: 'fire-1', name: 'Fire panel', kind: 'fire_panel', location: loc, connector: 'c', zones: 4 },
  { id: 'door-1', name: 'Door', kind: 'access_door', location: loc, connector: 'c' },
];

describe('device state from samples and inputs', () => {
  const dir = tempDir('uptime-tracker-');
  let s: UptimeService;
  let clock: VirtualClock;
  afterEach(() => s.stop());

  const boot = (extra: Record<string, unknown> = {}): void => {
    clock = new VirtualClock(T0);
    s = startUptime({
      config: uptimeSchema.parse({ monthlyReport: { enabled: false }, ...extra }),
      site: { id: 's', name: 'S', timezone: 'UTC' },
      devices: devices.map((info) => ({ info, offlineAfter: 60 * S })),
      clock,
      log: silentLogger(),
      dbFile: `${dir.path}/${Math.random().toString(36).slice(2)}.db`,
      reportsDir: `${dir.path}/reports`,
    });
  };
  const push = (device: string, point: string, value: PointValue, ts = clock.now(), quality: Quality = 'good') => s.push([{ device, point, value, ts, quality }]);
  const rows = (id: string) => s.facade.intervals(id, 0, clock.now() + 1).map((r) => [r.state, r.reason, r.start - T0, r.end === null ? null : r.end - T0]);

  it('any zone in fault puts the panel in fault; the reason names the zones', () => {
    boot();
    push('fire-1', 'zone_1_state', 'normal');
    clock.advance(10 * S);
    s.push([
      { device: 'fire-1', point: 'zone_2_state', value: 'fault', ts: clock.now(), quality: 'good' },
      { device: 'fire-1', point: 'zone_4_state', value: 'fault', ts: clock.now(), quality: 'good' },
    ]);
    clock.advance(10 * S);
    push('fire-1', 'zone_2_state', 'normal');
    push('fire-1', 'zone_4_state', 'fire'); // a fire is the panel working, not a fault
    expect(rows('fire-1')).toEqual([
      ['in_service', 'ok', 0, 10 * S],
      ['fault', 'zone_2_state=fault, zone_4_state=fault', 10 * S, 20 * S],
      ['in_service', 'ok', 20 * S, null],
    ]);
  });

  it('bad-quality data is comms lost at once; a good sample in the same batch wins', () => {
    boot();
    push('door-1', 'reader_online', true);
    clock.advance(5 * S);
    s.push([
      { device: 'door-1', point: 'locked', value: true, ts: clock.now(), quality: 'bad' },
      { device: 'door-1', point: 'reader_online', value: true, ts: clock.now(), quality: 'good' },
    ]);
    clock.advance(5 * S);
    push('door-1', 'locked', true, clock.now(), 'bad');
    clock.advance(5 * S);
    push('door-1', 'reader_online', true, clock.now(), 'uncertain');
    expect(rows('door-1')).toEqual([
      ['in_service', 'ok', 0, 10 * S],
      ['comms_lost', 'bad_quality', 10 * S, 15 * S],
      ['in_service', 'ok', 15 * S, null],
    ]);
  });

  it('samples without a value ("not yet read") are not hearing the device; comms-lost nulls are bad data', () => {
    boot();
    s.push([
      { device: 'door-1', point: 'reader_online', value: null, ts: clock.now(), quality: 'uncertain', reason: 'not yet read' },
      { device: 'door-1', point: 'locked', value: null, ts: clock.now(), quality: 'uncertain', reason: 'not yet read' },
    ]);
    clock.advance(5 * S);
    push('door-1', 'reader_online', true);
    clock.advance(5 * S);
    s.push([{ device: 'door-1', point: 'reader_online', value: null, ts: clock.now(), quality: 'bad', reason: 'comms lost' }]);
    expect(rows('door-1')).toEqual([
      ['comms_lost', 'awaiting_first_sample', 0, 5 * S],
      ['in_service', 'ok', 5 * S, 10 * S],
      ['comms_lost', 'bad_quality', 10 * S, null],
    ]);
  });

  it('silence past offlineAfter is dated back to the last sample heard', () => {
    boot();
    push('door-1', 'reader_online', true);
    clock.advance(30 * S);
    push('door-1', 'reader_online', true);
    clock.advance(60 * S);
    expect(s.facade.states().find((d) => d.device === 'door-1')?.state).toBe('in_service'); // exactly offlineAfter: still online
    clock.advance(1);
    expect(rows('door-1')).toEqual([
      ['in_service', 'ok', 0, 30 * S],
      ['comms_lost', 'silent', 30 * S, null],
    ]);
  });

  it('late, older samples do not overwrite newer values; future timestamps are clamped to now', () => {
    boot();
    push('door-1', 'reader_online', true);
    clock.advance(10 * S);
    push('door-1', 'reader_online', false, clock.now() - 20 * S + 1); // older than the value held
    expect(s.facade.states().find((d) => d.device === 'door-1')?.state).toBe('in_service');
    push('door-1', 'reader_online', false, clock.now() + 3_600 * S);
    expect(rows('door-1')).toEqual([
      ['in_service', 'ok', 0, 10 * S],
      ['fault', 'reader_online=false', 10 * S, null],
    ]);
    push('nobody', 'reader_online', false); // unknown devices are ignored
  });

  it('reportComms holds a device comms-lost until it reports ok; maintenance overrides it', () => {
    boot();
    push('door-1', 'reader_online', true);
    clock.advance(5 * S);
    s.inputs.reportComms('door-1', clock.now(), false, 'controller offline');
    clock.advance(5 * S);
    push('door-1', 'reader_online', true);
    s.inputs.startMaintenance('door-1', clock.now() + 1, 'reader replacement');
    clock.advance(5 * S);
    s.inputs.endMaintenance('door-1', clock.now());
    s.inputs.reportComms('door-1', clock.now(), true, '');
    expect(rows('door-1')).toEqual([
      ['in_service', 'ok', 0, 5 * S],
      ['comms_lost', 'controller offline', 5 * S, 10 * S],
      ['maintenance', 'reader replacement', 10 * S, 15 * S],
      ['in_service', 'ok', 15 * S, null],
    ]);
  });

  it('configured down conditions replace the defaults', () => {
    boot({ kinds: { access_door: { down: [{ point: 'forced_open', eq: true }] } } });
    push('door-1', 'reader_online', false);
    clock.advance(S);
    push('door-1', 'forced_open', true);
    expect(rows('door-1')).toEqual([
      ['in_service', 'ok', 0, S],
      ['fault', 'forced_open=true', S, null],
    ]);
  });
});
